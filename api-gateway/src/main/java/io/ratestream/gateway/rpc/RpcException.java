package io.ratestream.gateway.rpc;

/**
 * A call that fails with a message for the caller: the JSON-RPC {@code error} string, or the HTTP
 * {@code {"Error": ...}} body with {@link #kind}'s status.
 */
public final class RpcException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why the call failed, which decides the HTTP status. */
    public enum Kind {
        /** The request is wrong (400): bad JSON, unknown method, invalid fields, or the engine said no. */
        BAD_REQUEST(400),
        /** No reply in time (504). */
        TIMEOUT(504),
        /** Kafka cannot be reached (503). */
        UNAVAILABLE(503);

        private final int httpStatus;

        Kind(int httpStatus) {
            this.httpStatus = httpStatus;
        }

        /** The HTTP status of this kind of failure. */
        public int httpStatus() {
            return httpStatus;
        }
    }

    private final Kind kind;

    public RpcException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    /** A bad request. */
    public static RpcException badRequest(String message) {
        return new RpcException(Kind.BAD_REQUEST, message);
    }

    public Kind kind() {
        return kind;
    }
}
