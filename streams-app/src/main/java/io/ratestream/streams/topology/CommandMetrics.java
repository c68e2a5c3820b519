package io.ratestream.streams.topology;

/**
 * What the command processor reports as it goes, for metrics. Side effects only: nothing the processor
 * decides depends on them, and an implementation must neither block nor throw (it is called on the
 * stream thread, once per record). Under exactly-once a record whose transaction is aborted is
 * processed, and so reported, again: the counts are processing attempts, at least the records
 * processed. {@link #NONE} ignores everything (the default, and what topology tests use).
 */
public interface CommandMetrics {

    /** Reports nothing. */
    CommandMetrics NONE = new CommandMetrics() {
    };

    /** The method tag of a record that could not be read as a command. */
    String UNKNOWN_METHOD = "unknown";
    /** The outcome of a command that was applied and answered without an error. */
    String OK = "ok";
    /** The outcome of a retry answered with the original reply, changing nothing. */
    String DUPLICATE = "duplicate";
    /** The outcome of a record of ratestream.admin-commands admitted as a copy (the copy is counted when applied). */
    String ADMITTED = "admitted";

    /**
     * A command record was handled.
     *
     * @param method the method's wire name ({@code GetCost}), or {@link #UNKNOWN_METHOD}
     * @param outcome {@link #OK}, {@link #DUPLICATE}, {@link #ADMITTED}, the error kind of the reply
     *     ({@code insufficient_funds}), or, for a dead-lettered record, the {@link DeadLetterReason}'s name
     */
    default void commandHandled(String method, String outcome) {
    }

    /** The command processor sent a record to the dead-letter topic. */
    default void deadLettered(DeadLetterReason reason) {
    }

    /** The refill check wrote a monthly refill command (it may be written again until it is applied). */
    default void refillIssued() {
    }

    /**
     * The session expiry check wrote a {@code SessionExpiry} command for a session whose grant plus the grace
     * ran out (once per session and grant; the engine ends the session only if no update came since).
     */
    default void expiryIssued() {
    }
}
