package io.ratestream.gateway.rpc;

import io.ratestream.schemas.reply.ErrorKind;
import java.util.Objects;

/**
 * A call that fails with a message for the caller: the JSON-RPC {@code error}, or the HTTP
 * {@code {"Error": ...}} body. What the caller is told beyond the message (HTTP status, JSON-RPC 2.0 code)
 * follows from the {@link #kind} alone, through {@link ErrorMapping}.
 */
public final class RpcException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ErrorKind kind;
    private final String requestId;

    /** A failure of a kind, with the message the caller reads. */
    public RpcException(ErrorKind kind, String message) {
        this(kind, message, null);
    }

    /**
     * A failure that concerns a request id the caller should know, e.g. to retry a request whose outcome
     * is unknown.
     */
    public RpcException(ErrorKind kind, String message, String requestId) {
        super(message, null, false, false);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.requestId = requestId;
    }

    /** A bad request. */
    public static RpcException badRequest(String message) {
        return new RpcException(ErrorKind.BAD_REQUEST, message);
    }

    /** Why the call failed. */
    public ErrorKind kind() {
        return kind;
    }

    /** The request id the caller should retry with or look up; null when there is none to tell. */
    public String requestId() {
        return requestId;
    }
}
