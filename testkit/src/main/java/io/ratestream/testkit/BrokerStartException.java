package io.ratestream.testkit;

/**
 * The embedded broker could not start. The message says what to do next (for example
 * "port 9092 is in use: stop the other process or pass another port"), so a launcher can print it
 * without the stack trace.
 */
public final class BrokerStartException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public BrokerStartException(String message) {
        super(message);
    }

    public BrokerStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
