package io.ratestream.gateway.rpc;

import io.ratestream.schemas.reply.ErrorKind;

/**
 * The one place where an {@link ErrorKind} becomes what a protocol shows: an HTTP status and a JSON-RPC
 * 2.0 error code. JSON-RPC 1.0 (Go's net/rpc) has only the message. docs/limits.md lists this table.
 *
 * <p>The engine's refusals (not found, insufficient funds) stay HTTP 400, as the 2012 API answered every
 * refusal; clients that need the kind read the {@value #KIND_HEADER} header or the JSON-RPC 2.0 code.
 */
public final class ErrorMapping {

    /** The HTTP response header that names the error kind. */
    public static final String KIND_HEADER = "Ratestream-Error-Kind";
    /** The HTTP response header that carries the request id to retry with. */
    public static final String REQUEST_ID_HEADER = "Ratestream-Request-Id";

    private ErrorMapping() {
    }

    /** The HTTP status of an error kind. */
    public static int httpStatus(ErrorKind kind) {
        return switch (kind) {
            case BAD_REQUEST, NOT_FOUND, INSUFFICIENT_FUNDS -> 400;
            case METHOD_NOT_FOUND -> 404;
            case REQUEST_ID_CONFLICT -> 409;
            case UNAUTHENTICATED -> 401;
            case FORBIDDEN -> 403;
            case BUSY, UNAVAILABLE -> 503;
            case OUTCOME_UNKNOWN -> 504;
            case INTERNAL -> 500;
        };
    }

    /** The JSON-RPC 2.0 error code of an error kind (-32601..-32603 from the specification, -320xx ours). */
    public static int jsonRpcCode(ErrorKind kind) {
        return switch (kind) {
            case METHOD_NOT_FOUND -> -32601;
            case BAD_REQUEST -> -32602;
            case INTERNAL -> -32603;
            case OUTCOME_UNKNOWN -> -32001;
            case UNAVAILABLE -> -32002;
            case BUSY -> -32003;
            case NOT_FOUND -> -32004;
            case INSUFFICIENT_FUNDS -> -32005;
            case REQUEST_ID_CONFLICT -> -32006;
            case UNAUTHENTICATED -> -32007;
            case FORBIDDEN -> -32008;
        };
    }
}
