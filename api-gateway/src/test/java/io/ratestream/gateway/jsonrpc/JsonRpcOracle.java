package io.ratestream.gateway.jsonrpc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.ratestream.schemas.json.Json;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a correct JSON-RPC server owes a byte stream, worked out independently of the server: the
 * stream is cut into top-level values the way the framing is specified (a value starts at '{' or '['
 * and ends where its brackets balance, outside strings; whitespace between values is skipped; anything
 * else at the top level is not JSON-RPC), and each value is classified. Then {@link #check} holds the
 * responses a server wrote against that, in order (the fuzz services answer synchronously).
 */
final class JsonRpcOracle {

    /** No error response may echo a large input; no result of the fuzz services comes near this either. */
    static final int MAX_RESPONSE_BYTES = 4096;

    /** What one top-level value of the input is. */
    enum Kind {
        /** A request with an ordinary id: exactly one response, with that id. */
        REQUEST,
        /** A request with an id or numbers far out of range: one response with its id, or an error with a null id. */
        EXOTIC_REQUEST,
        /** A JSON-RPC 2.0 notification: no response. */
        NOTIFICATION,
        /** JSON, but not a request (no string method, not an object): one error response. */
        INVALID,
        /** Not JSON: an error response with a null id, or a close. Nothing after it is owed. */
        MALFORMED,
        /** A byte at the top level that cannot start a value: as MALFORMED. */
        CORRUPT,
        /** A value longer than the server's limit: as MALFORMED. */
        TOO_LARGE,
        /** The value the input ends in the middle of: nothing is owed yet. */
        INCOMPLETE
    }

    /** One top-level value: its kind, its id (null when none), its bytes. */
    record Frame(Kind kind, JsonNode id, boolean version2, byte[] bytes) {
        @Override
        public String toString() {
            return kind + (id == null ? "" : " id " + FuzzRunner.cutText(id.toString())) + ": " + FuzzRunner.show(bytes);
        }
    }

    /** The protocol's own reading of a request: the project's mapper, decimals kept as written. */
    private static final ObjectReader PROTOCOL = Json.newMapper().reader()
            .without(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES);
    /** How the suite reads responses: no limits (a response is checked for size separately), exact decimals. */
    private static final ObjectMapper RESPONSES = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNumberLength(Integer.MAX_VALUE)
                            .maxNestingDepth(Integer.MAX_VALUE).maxStringLength(Integer.MAX_VALUE).build())
                    .build())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private JsonRpcOracle() {
    }

    /** Cuts an input into top-level values and classifies each. */
    static List<Frame> frames(byte[] input, int maxRequestBytes) {
        List<Frame> frames = new ArrayList<>();
        int i = 0;
        while (i < input.length) {
            int c = input[i] & 0xff;
            if (c != '{' && c != '[') {
                if (Character.isWhitespace(input[i])) { // JSON's four, and the framer also skips \v \f \x1c-\x1f
                    i++;
                    continue;
                }
                frames.add(new Frame(Kind.CORRUPT, null, false, Arrays.copyOfRange(input, i, Math.min(input.length, i + 40))));
                return frames;
            }
            int end = valueEnd(input, i);
            if (end < 0) {
                Kind kind = input.length - i > maxRequestBytes ? Kind.TOO_LARGE : Kind.INCOMPLETE;
                frames.add(new Frame(kind, null, false, Arrays.copyOfRange(input, i, Math.min(input.length, i + 200))));
                return frames;
            }
            byte[] value = Arrays.copyOfRange(input, i, end);
            if (value.length > maxRequestBytes) {
                frames.add(new Frame(Kind.TOO_LARGE, null, false, Arrays.copyOf(value, 200)));
                return frames;
            }
            frames.add(classify(value));
            i = end;
        }
        return frames;
    }

    /** The index after the value that starts at {@code start}, or -1 when the input ends inside it. */
    private static int valueEnd(byte[] input, int start) {
        int depth = 0;
        boolean inString = false;
        boolean escaped = false;
        for (int i = start; i < input.length; i++) {
            byte c = input[i];
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                depth--;
                if (depth == 0) {
                    return i + 1;
                }
            }
        }
        return -1;
    }

    static Frame classify(byte[] value) {
        JsonNode node;
        try {
            node = PROTOCOL.readTree(value);
        } catch (Exception e) {
            return new Frame(Kind.MALFORMED, null, false, value);
        }
        if (node == null || !node.isObject()) {
            return new Frame(Kind.INVALID, null, false, value);
        }
        JsonNode id = node.get("id");
        JsonNode method = node.get("method");
        if (method == null || !method.isTextual()) {
            return new Frame(Kind.INVALID, id, false, value);
        }
        boolean version2 = "2.0".equals(node.path("jsonrpc").asText(null));
        boolean exotic = (id != null && !ordinaryId(id)) || hasExoticNumber(value);
        if (version2 && id == null) {
            return new Frame(exotic ? Kind.EXOTIC_REQUEST : Kind.NOTIFICATION, null, true, value);
        }
        return new Frame(exotic ? Kind.EXOTIC_REQUEST : Kind.REQUEST, id, version2, value);
    }

    /** Null, a number of sensible size, or a string of at most 64 characters. */
    static boolean ordinaryId(JsonNode id) {
        if (id.isNull()) {
            return true;
        }
        if (id.isNumber()) {
            return ordinaryNumber(id.decimalValue());
        }
        return id.isTextual() && id.textValue().length() <= 64
                && id.textValue().chars().noneMatch(c -> Character.isSurrogate((char) c));
    }

    private static boolean ordinaryNumber(BigDecimal number) {
        return Math.abs(number.scale()) <= 18 && number.precision() <= 24;
    }

    private static boolean hasExoticNumber(byte[] value) {
        try (JsonParser parser = RESPONSES.getFactory().createParser(value)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token.isNumeric() && !ordinaryNumber(new BigDecimal(parser.getText()))) {
                    return true;
                }
            }
            return false;
        } catch (Exception e) {
            return true;
        }
    }

    /** A response as the suite saw it on the wire. */
    record Response(byte[] bytes, JsonNode json) {
        boolean isError() {
            return json.has("error") && !json.get("error").isNull();
        }

        JsonNode id() {
            return json.get("id");
        }

        @Override
        public String toString() {
            return FuzzRunner.show(bytes);
        }
    }

    /**
     * Reads one response and checks what every response must be, whatever the input: one JSON object of
     * at most {@link #MAX_RESPONSE_BYTES} ending in a newline; JSON-RPC 1.0 ({@code id}, {@code result},
     * {@code error}, exactly one of the last two non-null, the error a string) or 2.0 ({@code jsonrpc},
     * {@code id}, exactly one of {@code result} and {@code error}, the error an object with an integer
     * code and a string message).
     */
    static Response response(byte[] bytes) {
        if (bytes.length > MAX_RESPONSE_BYTES) {
            throw new AssertionError("a response of " + bytes.length + " bytes (at most " + MAX_RESPONSE_BYTES
                    + " expected): " + FuzzRunner.show(bytes));
        }
        if (bytes.length == 0 || bytes[bytes.length - 1] != '\n') {
            throw new AssertionError("a response that does not end in a newline: " + FuzzRunner.show(bytes));
        }
        JsonNode json;
        try {
            json = RESPONSES.readTree(bytes);
        } catch (Exception e) {
            throw new AssertionError("a response that is not JSON (" + e.getMessage() + "): " + FuzzRunner.show(bytes));
        }
        List<String> fields = new ArrayList<>();
        json.fieldNames().forEachRemaining(fields::add);
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (json.has("jsonrpc")) {
            boolean result = json.has("result");
            boolean error = json.has("error");
            if (!"2.0".equals(json.get("jsonrpc").asText()) || !json.has("id") || result == error
                    || error && !(json.get("error").path("code").isInt() && json.get("error").path("message").isTextual())) {
                throw new AssertionError("a malformed JSON-RPC 2.0 response: " + text);
            }
        } else {
            if (!fields.equals(List.of("id", "result", "error"))) {
                throw new AssertionError("a JSON-RPC 1.0 response without exactly id, result, error: " + text);
            }
            if (json.get("result").isNull() == json.get("error").isNull()) {
                throw new AssertionError("a response with " + (json.get("result").isNull() ? "neither" : "both")
                        + " result and error: " + text);
            }
            if (!json.get("error").isNull() && !json.get("error").isTextual()) {
                throw new AssertionError("an error that is not a string: " + text);
            }
        }
        return new Response(bytes, json);
    }

    /** How many responses the frames after {@code f} are owed at least. */
    private static int owedAfter(List<Frame> frames, int f) {
        int owed = 0;
        for (Frame later : frames.subList(f + 1, frames.size())) {
            switch (later.kind()) {
                case REQUEST, INVALID -> owed++;
                case EXOTIC_REQUEST -> owed += later.id() == null && later.version2() ? 0 : 1;
                default -> {
                    // a notification is owed nothing; bad input may be answered by a close instead
                }
            }
        }
        return owed;
    }

    /**
     * Holds responses against what the frames are owed, in order.
     *
     * @param closed whether the connection is closed
     * @param byClient whether the client closed it (half-closed its side after the input): then a close is
     *     not the server's answer to anything
     */
    static void check(List<Frame> frames, List<Response> responses, boolean closed, boolean byClient) {
        int r = 0;
        for (int f = 0; f < frames.size(); f++) {
            Frame frame = frames.get(f);
            Response next = r < responses.size() ? responses.get(r) : null;
            switch (frame.kind()) {
                case REQUEST -> {
                    if (next == null || !sameId(frame.id(), next.id())) {
                        throw new AssertionError("request " + f + " (" + frame + ") got "
                                + (next == null ? "no response" + (closed ? " (connection closed)" : "")
                                        : "response " + next + " instead of one with its id")
                                + "; all responses: " + responses);
                    }
                    if (frame.version2() && !next.json().has("jsonrpc")) {
                        throw new AssertionError("a JSON-RPC 2.0 request got a 1.0 response: " + next);
                    }
                    r++;
                }
                case NOTIFICATION -> {
                    // nothing owed
                }
                case EXOTIC_REQUEST -> {
                    boolean notification = frame.id() == null && frame.version2();
                    boolean answers = next != null && (frame.id() != null && sameId(frame.id(), next.id())
                            || next.isError() && (next.id() == null || next.id().isNull()));
                    // An exotic notification may get an error with a null id, or nothing; a later frame may be
                    // owed that same kind of error: the notification takes it only when there is one to spare.
                    if (answers && notification && responses.size() - r <= owedAfter(frames, f)) {
                        answers = false;
                    }
                    if (answers) {
                        r++;
                        if (closed && r == responses.size()) {
                            return;
                        }
                    } else if (frame.id() == null && frame.version2()) {
                        // an exotic notification: no response is fine too
                    } else if (next == null && closed) {
                        return;
                    } else {
                        throw new AssertionError("request " + f + " (" + frame + ") got "
                                + (next == null ? "no response, and the connection stayed open" : "response " + next)
                                + "; all responses: " + responses);
                    }
                }
                case INVALID -> {
                    if (next != null && next.isError()
                            && (next.id() == null || next.id().isNull() || frame.id() != null && sameId(frame.id(), next.id()))) {
                        r++;
                        if (closed && r == responses.size()) {
                            return;
                        }
                    } else if (next == null && closed) {
                        return;
                    } else {
                        throw new AssertionError("invalid request " + f + " (" + frame + ") got "
                                + (next == null ? "no error response, and the connection stayed open"
                                        : "response " + next) + "; all responses: " + responses);
                    }
                }
                case MALFORMED, CORRUPT, TOO_LARGE -> {
                    boolean errorResponse = next != null && next.isError() && (next.id() == null || next.id().isNull());
                    if (!errorResponse && !closed) {
                        throw new AssertionError("bad input " + f + " (" + frame + ") got "
                                + (next == null ? "neither an error response nor a close" : "response " + next)
                                + "; all responses: " + responses);
                    }
                    return;
                }
                case INCOMPLETE -> {
                    // the server waits for the rest
                }
                default -> throw new IllegalStateException(frame.kind().toString());
            }
        }
        if (r < responses.size()) {
            throw new AssertionError("more responses than requests: " + responses.subList(r, responses.size())
                    + " for frames " + frames);
        }
        if (closed && !byClient) {
            throw new AssertionError("the server closed a connection whose input was all well-formed: " + frames);
        }
    }

    /** Ids are the same value: numbers by value (1.0 and 1 differ only in writing), the rest exactly. */
    static boolean sameId(JsonNode sent, JsonNode received) {
        JsonNode a = sent == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : sent;
        JsonNode b = received == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : received;
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        return a.equals(b);
    }
}
