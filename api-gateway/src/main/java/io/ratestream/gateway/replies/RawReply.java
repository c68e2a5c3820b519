package io.ratestream.gateway.replies;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.util.RawValue;
import io.ratestream.schemas.reply.ErrorKind;
import io.ratestream.schemas.reply.Reply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import org.apache.kafka.common.errors.SerializationException;

/**
 * A reply as the gateway needs it: who it is for, whether it is an error, and the result as the JSON
 * text the streams app wrote ({@link Reply#callCost()} or {@link Reply#value()}), passed on to the client
 * as it is. Reading a reply this way is one pass of a streaming parser over its bytes: the call cost is
 * neither bound to records nor written again (a JFR profile under load had the gateway's reply thread
 * parse each reply into a {@link Reply}, then into a tree, then write it: a third of its time).
 *
 * <p>The result keeps the streams app's bytes, so a client sees the numbers and times exactly as the
 * engine wrote them (the same mapper settings on both sides: plain decimals, RFC 3339 times).
 *
 * @param requestId never null
 * @param subscriber the command's {@code tenant:subject}; null when the command could not be read
 * @param error set for an error reply, with {@code errorKind}
 * @param errorKind set exactly when {@code error} is; a reply without one reads as {@link ErrorKind#BAD_REQUEST}
 * @param result the JSON-RPC result as raw JSON; null exactly for an error
 */
public record RawReply(String requestId, String subscriber, String error, ErrorKind errorKind, RawValue result) {

    private static final JsonFactory FACTORY = new JsonFactory();

    public RawReply {
        if (requestId == null) {
            throw new IllegalArgumentException("RequestId is required");
        }
        if ((error == null) == (result == null)) {
            throw new IllegalArgumentException("a reply carries exactly one of a result and an error");
        }
        errorKind = error == null ? null : errorKind == null ? ErrorKind.BAD_REQUEST : errorKind;
    }

    /** Whether this reply is an error. */
    public boolean isError() {
        return error != null;
    }

    /** A typed reply as the gateway would receive it (tests, and replies made in the gateway itself). */
    public static RawReply of(Reply reply, ObjectMapper mapper) {
        try {
            Object result = reply.result();
            return new RawReply(reply.requestId(), reply.subscriber(), reply.error(), reply.errorKind(),
                    result == null ? null : new RawValue(mapper.writeValueAsString(result)));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write the result of " + reply.requestId(), e);
        }
    }

    /**
     * Reads a reply record's value (the JSON of {@link Reply}, member names in any letter case, unknown
     * members ignored).
     *
     * @throws SerializationException when the bytes are not such a reply
     */
    public static RawReply parse(byte[] json) {
        String requestId = null;
        String subscriber = null;
        String error = null;
        ErrorKind kind = null;
        RawValue result = null;
        int results = 0;
        try (JsonParser parser = FACTORY.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new SerializationException("a reply must be a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (name.toLowerCase(Locale.ROOT)) {
                    case "requestid" -> requestId = text(parser, value, name);
                    case "subscriber" -> subscriber = text(parser, value, name);
                    case "error" -> error = text(parser, value, name);
                    case "errorkind" -> kind = ErrorKind.fromWire(text(parser, value, name));
                    case "callcost" -> {
                        if (value == JsonToken.START_OBJECT) {
                            result = raw(parser, json);
                            results++;
                        } else if (value != JsonToken.VALUE_NULL) {
                            throw new SerializationException("CallCost must be an object");
                        }
                    }
                    case "value" -> {
                        if (value.isNumeric()) {
                            result = new RawValue(parser.getText());
                            results++;
                        } else if (value != JsonToken.VALUE_NULL) {
                            throw new SerializationException("Value must be a number");
                        }
                    }
                    default -> parser.skipChildren();
                }
            }
            if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
                throw new SerializationException("a reply must be one JSON object");
            }
        } catch (IOException e) {
            throw new SerializationException("unreadable reply: "
                    + (e instanceof JsonProcessingException unreadable ? unreadable.getOriginalMessage() : e.getMessage()), e);
        }
        if (results > 1 || (results == 1) == (error != null)) {
            throw new SerializationException("a reply carries exactly one of CallCost, Value and Error");
        }
        try {
            return new RawReply(requestId, subscriber, error, kind, result);
        } catch (IllegalArgumentException e) {
            throw new SerializationException("unreadable reply: " + e.getMessage());
        }
    }

    private static String text(JsonParser parser, JsonToken value, String name) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.VALUE_STRING) {
            throw new SerializationException(name + " must be a string");
        }
        return parser.getText();
    }

    /** The object the parser stands at the start of, as the bytes it was written with. */
    private static RawValue raw(JsonParser parser, byte[] json) throws IOException {
        long start = parser.currentTokenLocation().getByteOffset();
        parser.skipChildren();
        long end = parser.currentLocation().getByteOffset();
        if (start < 0 || end > json.length || end <= start) {
            throw new SerializationException("cannot locate the result in the reply");
        }
        return new RawValue(new String(Arrays.copyOfRange(json, (int) start, (int) end), StandardCharsets.UTF_8));
    }
}
