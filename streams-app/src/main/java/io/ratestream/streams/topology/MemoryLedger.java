package io.ratestream.streams.topology;

import io.ratestream.schemas.model.UserBudget;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** A {@link Ledger} in maps, for the replayer. Not thread-safe. */
final class MemoryLedger implements Ledger {

    private final Map<String, UserBudget> budgets;
    private final Map<String, ProcessedReply> processed = new HashMap<>();

    /** A ledger writing its budgets into {@code budgets}. */
    MemoryLedger(Map<String, UserBudget> budgets) {
        this.budgets = budgets;
    }

    @Override
    public UserBudget budget(String key) {
        return budgets.get(key);
    }

    @Override
    public void putBudget(String key, UserBudget budget) {
        budgets.put(key, budget);
    }

    @Override
    public ProcessedReply processed(String requestId) {
        return processed.get(requestId);
    }

    @Override
    public void putProcessed(String requestId, ProcessedReply entry) {
        processed.put(requestId, entry);
    }

    @Override
    public void forgetProcessedBefore(Instant cutoff, int max) {
        // Housekeeping only (entries that old never match again): a replay keeps them all.
    }
}
