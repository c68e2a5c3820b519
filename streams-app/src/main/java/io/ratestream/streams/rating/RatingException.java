package io.ratestream.streams.rating;

import io.ratestream.schemas.reply.ErrorKind;

/**
 * A business "no" inside the engine (no profile, no interval covers an instant, ...). It never leaves
 * the engine: {@link Engine#decide} turns it into an error reply. No stack trace: it is an answer, not
 * a bug, and it must be cheap.
 */
final class RatingException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ErrorKind kind;

    /** A "not found": no profile, period, interval or plan prices or serves the request. */
    RatingException(String message) {
        this(ErrorKind.NOT_FOUND, message);
    }

    RatingException(ErrorKind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    /** The kind of the error reply this becomes. */
    ErrorKind kind() {
        return kind;
    }
}
