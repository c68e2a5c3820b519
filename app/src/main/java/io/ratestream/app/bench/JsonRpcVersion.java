package io.ratestream.app.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The JSON-RPC envelope bench sends ({@code --jsonrpc-version}), on TCP and over HTTP alike.
 *
 * <p>{@link #V1_0} is what Go's {@code net/rpc/jsonrpc} client writes, and so what the switches of the
 * 2012 API send: {@code {"method":"Responder.GetCost","params":[{...}],"id":7}}, no {@code "jsonrpc"}
 * member, a numeric id; the gateway answers {@code {"id":7,"result":...,"error":null}} or
 * {@code {"id":7,"result":null,"error":"a sentence"}}. {@link #V2_0} adds {@code "jsonrpc":"2.0"} and is
 * answered with an error object carrying a code. The two take different paths through the gateway's
 * codec (the 1.0 answer is written from a record, the 2.0 one built as a tree), so a figure measured
 * with one says little about the other.
 */
enum JsonRpcVersion {
    V1_0("1.0"),
    V2_0("2.0");

    /** What real clients send: {@link #V1_0}. */
    static final JsonRpcVersion DEFAULT = V1_0;

    /**
     * How the gateway's 1.0 error sentences begin when a call may be tried again with the same
     * RequestId: "outcome unknown" (Gateway's OUTCOME_UNKNOWN: the request may or may not have been
     * applied) and the UNAVAILABLE ones (nothing was sent). A 1.0 error carries no code, so only its
     * text tells these from a refusal; BenchTest checks the first against a real gateway.
     */
    static final List<String> RETRIABLE_1_0 = List.of("outcome unknown", "Kafka is unavailable",
            "Kafka cannot take the request now", "the gateway is shutting down", "the gateway is not ready yet");

    final String optionValue;

    JsonRpcVersion(String optionValue) {
        this.optionValue = optionValue;
    }

    /** The request object: {@code {"jsonrpc":"2.0",}} (2.0 only) {@code "id":id,"method":..,"params":[descriptor]}. */
    ObjectNode request(ObjectMapper mapper, long id, String method, ObjectNode descriptor) {
        ObjectNode request = mapper.createObjectNode();
        if (this == V2_0) {
            request.put("jsonrpc", "2.0");
        }
        request.put("id", id).put("method", method);
        request.putArray("params").add(descriptor);
        return request;
    }

    /** Whether a 1.0 error sentence means "try again with the same RequestId". */
    static boolean isRetriable1(String error) {
        return RETRIABLE_1_0.stream().anyMatch(error::startsWith);
    }

    static JsonRpcVersion parse(String text) {
        return Arrays.stream(values()).filter(v -> v.optionValue.equals(text.trim())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("--jsonrpc-version must be 1.0 or 2.0; got '" + text
                        + "'"));
    }

    @Override
    public String toString() {
        return optionValue;
    }

    /** Lets picocli take {@code 1.0} and {@code 2.0}. */
    static final class Converter implements ITypeConverter<JsonRpcVersion> {
        @Override
        public JsonRpcVersion convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
