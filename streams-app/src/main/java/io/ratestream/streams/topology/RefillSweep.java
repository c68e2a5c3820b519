package io.ratestream.streams.topology;

import java.time.Duration;
import org.apache.kafka.streams.processor.Cancellable;

/**
 * Paces the monthly refill check of one task: a sweep over the task's budgets starts once every check
 * interval and goes on in {@link #STEP steps}, each visiting at most {@link #MAX_VISITS_PER_STEP} budgets
 * and writing at most {@link #MAX_REFILLS_PER_STEP} refill commands, the next step starting at the budget
 * where the last one stopped. One check used to read every budget of the task and write every due refill in
 * one punctuation: with 200,000 budgets due on a reset day it stopped the stream thread for 5 s and then
 * queued the 200,000 refills ahead of every live call for another 21 s, and with a million its transaction
 * outlived the transaction timeout, was fenced, and no refill was applied at all (docs/performance.md, "A
 * reset day at scale"). Paced, a step stops the thread for a few milliseconds and the refills go out at most
 * {@code MAX_REFILLS_PER_STEP / STEP} a second per task, between the live calls; while they do, a live call
 * behind a refill's admitted copy in its partition of ratestream.commands waits for the commit that makes the
 * copy readable (up to the commit interval), as behind any admitted record.
 *
 * <p>This holds where a sweep has come to and the punctuation of its steps, which runs only while a sweep
 * does: under exactly-once every punctuation that fires makes its task commit, even one that did nothing.
 * In memory, per processor:
 * after a start (a restart, a rebalance) the first sweep starts one interval later, as the single check did.
 * Whether a budget is refilled never depends on the pacing, only when: a budget written behind the cursor
 * during a sweep, or one that falls due behind it (a sweep that runs across midnight UTC), is found by the
 * next sweep. Not thread-safe, as a processor is not.
 */
final class RefillSweep {

    /** How often a step runs (wall clock) while a sweep is under way. */
    static final Duration STEP = Duration.ofMillis(200);
    /** Budgets read per step and task: a few milliseconds of the stream thread. */
    static final int MAX_VISITS_PER_STEP = 1_000;
    /** Refill commands written per step and task: 250 a second. */
    static final int MAX_REFILLS_PER_STEP = 50;

    /** The steps of the sweep under way, cancelled when it ends; null between sweeps. */
    private Cancellable steps;
    /** Where the running sweep's next step starts (inclusive); null: at the first budget. */
    private String cursor;

    /** Whether a sweep is under way. */
    boolean running() {
        return steps != null;
    }

    /** A sweep starts at the first budget; {@code steps} is the punctuation of its next steps. */
    void start(Cancellable steps) {
        this.steps = steps;
        cursor = null;
    }

    /** The first budget key of the next step (inclusive); null for the first of the store. */
    String from() {
        return cursor;
    }

    /**
     * The step stopped before {@code next}, the first budget it did not read; null when it read the last
     * budget of the store, which ends the sweep and cancels its steps.
     */
    void stepped(String next) {
        cursor = next;
        if (next == null) {
            steps.cancel();
            steps = null;
        }
    }
}
