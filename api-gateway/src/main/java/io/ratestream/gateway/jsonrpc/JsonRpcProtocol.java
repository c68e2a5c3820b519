package io.ratestream.gateway.jsonrpc;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import io.ratestream.gateway.auth.Caller;
import io.ratestream.gateway.rpc.ErrorMapping;
import io.ratestream.gateway.rpc.RpcException;
import io.ratestream.gateway.rpc.RpcService;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.reply.ErrorKind;
import java.io.IOException;
import java.math.BigDecimal;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON-RPC 1.0 as Go's {@code net/rpc/jsonrpc} server codec speaks it: one request object in, one
 * response object out. Shared by JSON-RPC over TCP ({@link JsonRpcServer}) and over HTTP
 * ({@code POST /jsonrpc}); it knows nothing of the transport.
 *
 * <p>A request is {@code {"method": "Responder.GetCost", "params": [descriptor], "id": <any JSON>}}. The
 * response is always {@code {"id":<the request's id or null>,"result":...,"error":...}} in that order,
 * with exactly one of {@code result} and {@code error} non-null. Failures of the service with an
 * {@link RpcException} become its message; anything else is logged and answered {@code "internal error"}.
 *
 * <p>Thread-safe; one instance serves every connection.
 */
public final class JsonRpcProtocol {

    private static final Logger LOG = LoggerFactory.getLogger(JsonRpcProtocol.class);

    // Jackson quotes the offending token; a reason stays one short line.
    private static final int MAX_REASON = 200;

    private final RpcService service;
    private final ObjectMapper mapper;
    // Ids are echoed as given: keep "1.50" as 1.50 rather than the tree's normalized 1.5.
    private final ObjectReader reader;

    /** A protocol over {@code service} with the project's mapper ({@link Json#newMapper()}). */
    public JsonRpcProtocol(RpcService service) {
        this(service, Json.newMapper());
    }

    /** A protocol over {@code service}, reading and writing with {@code mapper}. */
    public JsonRpcProtocol(RpcService service, ObjectMapper mapper) {
        this.service = Objects.requireNonNull(service, "service");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.reader = mapper.reader().without(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES);
    }

    /**
     * One response and the kind of error it carries (null for a result, and for errors that are not the
     * service's {@link RpcException}s): JSON-RPC over HTTP maps the kind to the HTTP status of a refusal
     * (401, 403).
     */
    public record Answer(byte[] body, ErrorKind errorKind) {
    }

    /** Same as {@link #handle(byte[], String)} without an idempotency key. */
    public CompletableFuture<byte[]> handle(byte[] json) {
        return handle(json, null);
    }

    /** Answers one request of a caller that presented no credentials. */
    public CompletableFuture<byte[]> handle(byte[] json, String idempotencyKey) {
        return answer(json, Caller.httpRequest(Caller.Transport.JSONRPC_HTTP, null, null), idempotencyKey)
                .thenApply(Answer::body);
    }

    /**
     * Answers one request.
     *
     * @param json the bytes of one JSON value (UTF-8)
     * @param caller who sends it, passed to the service
     * @param idempotencyKey passed to the service as is; null when none
     * @return completes with the response (bytes without a trailing newline) once the service has
     *     answered; never completes exceptionally. Bytes that are not JSON get {@link #malformedJsonResponse}.
     */
    public CompletableFuture<Answer> answer(byte[] json, Caller caller, String idempotencyKey) {
        try {
            return answer(parse(json), caller, idempotencyKey);
        } catch (MalformedJsonException e) {
            return CompletableFuture.completedFuture(new Answer(malformedJsonResponse(e.getMessage()),
                    ErrorKind.BAD_REQUEST));
        }
    }

    /**
     * The response for bytes that are not JSON:
     * {@code {"id":null,"result":null,"error":"malformed JSON: <reason>"}}.
     */
    public byte[] malformedJsonResponse(String reason) {
        return errorResponse("malformed JSON: " + reason);
    }

    /** An error response with a null id, for requests whose id cannot be known (e.g. too large to read). */
    public byte[] errorResponse(String message) {
        return write(new Response(null, null, Objects.requireNonNull(message, "message")));
    }

    /** Reads one JSON value, or says in a few words why the bytes are not one. */
    JsonNode parse(byte[] json) throws MalformedJsonException {
        try {
            JsonNode node = reader.readTree(json);
            if (node == null || node.isMissingNode()) {
                throw new MalformedJsonException("no JSON value");
            }
            return node;
        } catch (IOException e) {
            String reason = Objects.toString(Json.describe(e), "unreadable");
            throw new MalformedJsonException(
                    reason.length() <= MAX_REASON ? reason : reason.substring(0, MAX_REASON) + "...");
        }
    }

    /** Answers one parsed request of a caller; never completes exceptionally. */
    CompletableFuture<byte[]> handle(JsonNode request, Caller caller, String idempotencyKey) {
        return answer(request, caller, idempotencyKey).thenApply(Answer::body);
    }

    private CompletableFuture<Answer> answer(JsonNode request, Caller caller, String idempotencyKey) {
        if (!request.isObject()) {
            String type = request.getNodeType().name().toLowerCase(Locale.ROOT);
            return completed(null, "invalid request: expected a JSON object, got " + type);
        }
        JsonNode id = request.get("id");
        String idProblem = idProblem(id);
        if (idProblem != null) {
            return completed(null, "invalid request: " + idProblem);
        }
        JsonNode method = request.get("method");
        if (method == null || !method.isTextual()) {
            return completed(id, "invalid request: \"method\" must be a string");
        }
        JsonNode params = request.hasNonNull("params") ? request.get("params") : NullNode.getInstance();
        CompletableFuture<Object> call;
        try {
            call = service.call(caller, method.textValue(), params, idempotencyKey);
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        if (isVersion2(request)) {
            // JSON-RPC 2.0 clients (many libraries outside Go) get 2.0 envelopes; a notification (no id)
            // is carried out and gets no response at all, as 2.0 requires.
            boolean notification = !request.has("id");
            return call.handle((result, failure) -> new Answer(notification ? NO_RESPONSE
                    : respond2(id, method.textValue(), result, failure), kindOf(failure)));
        }
        return call.handle((result, failure) -> new Answer(respond(id, method.textValue(), result, failure),
                kindOf(failure)));
    }

    private static ErrorKind kindOf(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        return cause instanceof RpcException rpc ? rpc.kind() : cause == null ? null : ErrorKind.INTERNAL;
    }

    /**
     * What is wrong with a request's id, or null: it is echoed in the response, so it must be small. A
     * string of at most {@value #MAX_ID_LENGTH} characters, a number of at most {@value #MAX_ID_LENGTH}
     * digits and a scale within the same bound, or null (absent).
     */
    static String idProblem(JsonNode id) {
        if (id == null || id.isNull()) {
            return null;
        }
        if (id.isTextual()) {
            return id.textValue().length() <= MAX_ID_LENGTH ? null
                    : "\"id\" is longer than " + MAX_ID_LENGTH + " characters";
        }
        if (id.isNumber()) {
            if (id.isIntegralNumber() && !id.isBigInteger()) {
                return null;
            }
            BigDecimal value = id.decimalValue();
            return value.precision() <= MAX_ID_LENGTH && Math.abs(value.scale()) <= MAX_ID_LENGTH ? null
                    : "\"id\" is a number of more than " + MAX_ID_LENGTH + " digits";
        }
        return "\"id\" must be a string, a number or null";
    }

    /** Longest id echoed: characters of a string id, digits of a number. */
    public static final int MAX_ID_LENGTH = 128;

    /** The bytes of "no response" (a JSON-RPC 2.0 notification): write nothing. */
    public static final byte[] NO_RESPONSE = new byte[0];

    private static boolean isVersion2(JsonNode request) {
        return "2.0".equals(request.path("jsonrpc").asText(null));
    }

    private byte[] respond2(JsonNode id, String method, Object result, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        ObjectNode response = mapper.createObjectNode().put("jsonrpc", "2.0");
        response.set("id", id == null ? NullNode.getInstance() : id);
        if (cause == null && result != null) {
            if (result instanceof RawValue raw) {
                response.putRawValue("result", raw); // a reply's result as the streams app wrote it
            } else {
                response.set("result", mapper.valueToTree(result));
            }
        } else {
            ErrorKind kind = ErrorKind.INTERNAL;
            String message = "internal error";
            String requestId = null;
            if (cause instanceof RpcException rpc) {
                kind = rpc.kind();
                message = rpc.getMessage();
                requestId = rpc.requestId();
            } else {
                LOG.error("JSON-RPC {} (id {}) failed unexpectedly", method, id, cause);
            }
            ObjectNode error = response.putObject("error").put("code", ErrorMapping.jsonRpcCode(kind))
                    .put("message", message);
            ObjectNode data = error.putObject("data").put("kind", kind.wireName());
            if (requestId != null) {
                data.put("requestId", requestId);
            }
        }
        try {
            return mapper.writeValueAsBytes(response);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private byte[] respond(JsonNode id, String method, Object result, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof RpcException rpc) {
            String message = rpc.getMessage() != null ? rpc.getMessage() : rpc.kind().wireName();
            return write(new Response(id, null, message));
        }
        if (cause != null) {
            LOG.error("JSON-RPC {} (id {}) failed unexpectedly", method, id, cause);
            return write(new Response(id, null, "internal error"));
        }
        if (result == null) {
            LOG.error("JSON-RPC {} (id {}) completed without a result", method, id);
            return write(new Response(id, null, "internal error"));
        }
        try {
            return mapper.writeValueAsBytes(new Response(id, result, null));
        } catch (JsonProcessingException e) {
            LOG.error("JSON-RPC {} (id {}): cannot write the result", method, id, e);
            return write(new Response(id, null, "internal error"));
        }
    }

    private CompletableFuture<Answer> completed(JsonNode id, String error) {
        return CompletableFuture.completedFuture(new Answer(write(new Response(id, null, error)), ErrorKind.BAD_REQUEST));
    }

    private byte[] write(Response response) {
        try {
            return mapper.writeValueAsBytes(response);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e); // an id tree and a string always serialize
        }
    }

    /** The wire envelope. Nulls are written (the project mapper leaves them out by default). */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    @JsonPropertyOrder({"id", "result", "error"})
    record Response(JsonNode id, Object result, String error) {
    }

    /** Bytes that are not one JSON value; the message is a short reason without source excerpts. */
    static final class MalformedJsonException extends Exception {

        private static final long serialVersionUID = 1L;

        MalformedJsonException(String reason) {
            super(reason, null, false, false);
        }
    }
}
