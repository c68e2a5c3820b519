package io.ratestream.streams.rating;

/**
 * A business "no" inside the engine (no profile, no interval covers an instant, ...). It never leaves
 * the engine: {@link Engine#decide} turns it into an error reply. No stack trace: it is an answer, not
 * a bug, and it must be cheap.
 */
final class RatingException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    RatingException(String message) {
        super(message, null, false, false);
    }
}
