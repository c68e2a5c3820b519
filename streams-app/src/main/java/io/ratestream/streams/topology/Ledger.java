package io.ratestream.streams.topology;

import io.ratestream.schemas.model.UserBudget;
import java.time.Instant;

/**
 * The state one partition of commands works on: budgets by {@code tenant:subject} and the replies of
 * processed request ids. The streams app backs it with state stores, the replayer with maps.
 */
interface Ledger {

    /** The budget of a key, or null. */
    UserBudget budget(String key);

    /** Stores a budget. */
    void putBudget(String key, UserBudget budget);

    /** The processed entry of a request id, or null. */
    ProcessedReply processed(String requestId);

    /** Records a processed request id. */
    void putProcessed(String requestId, ProcessedReply entry);

    /**
     * Forgets up to {@code max} processed request ids accepted before {@code cutoff}, oldest first.
     * Housekeeping only: entries that old are already ignored by {@link CommandHandler}.
     */
    void forgetProcessedBefore(Instant cutoff, int max);
}
