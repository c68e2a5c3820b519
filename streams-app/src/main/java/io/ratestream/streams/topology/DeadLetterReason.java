package io.ratestream.streams.topology;

import java.util.Locale;

/**
 * Why the command processor sent a record to the dead-letter topic, as a closed set of kinds for
 * metrics (the letter itself carries the full sentence). Written in lower case with underscores.
 */
public enum DeadLetterReason {
    /** The record does not parse or validate as a command. */
    UNREADABLE,
    /** The record is larger than a command may be, or its admitted copy would be larger than a record may be. */
    TOO_LARGE,
    /** A command topic record without a value. */
    TOMBSTONE,
    /** The record key is not the command's {@code CstmId:Subject}. */
    WRONG_KEY,
    /** A budget-setting command on ratestream.commands that was not admitted through ratestream.admin-commands. */
    NOT_ADMITTED,
    /** A command that changes a budget, read from ratestream.queries (which takes only queries): nothing changed. */
    NOT_A_QUERY,
    /** The engine failed on the command (a bug): an internal-error reply went back, nothing changed. */
    ENGINE_ERROR,
    /** Processing the record failed (state that cannot be read, a value too large to store): nothing changed. */
    PROCESSING_FAILED;

    /** The name in metrics: lower case with underscores. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
