package io.ratestream.streams.ops;

import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;

/**
 * Follows the restoration of this instance's state stores (Kafka Streams' global restore listener: the
 * active tasks' changelog partitions and the global stores' topics): which partitions are restoring and
 * how many records they have left, for readiness and metrics; and reports progress as lines of text, at
 * most one every {@link #PROGRESS_INTERVAL} while restoring, and one when a restoration is done.
 *
 * <p>A restoration starts when a partition starts restoring while none is, and is done when none is left
 * and the client is RUNNING (at start-up the global stores restore one after the other, then the tasks'
 * stores: one restoration, one line when it is done). Thread-safe: Kafka Streams calls it from its
 * state-updater, global and stream threads. Not stream processing: it reads a clock.
 */
public final class RestoreTracker implements StateRestoreListener {

    /** The shortest time between two progress lines of one restoration (5 s). */
    public static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(5);

    private final Consumer<String> progress;
    private final LongSupplier nanoTime;
    private final long intervalNanos;
    private final Map<TopicPartition, Partition> restoring = new HashMap<>();
    private long restoredEver;
    private boolean running;
    private boolean inRound;
    private long roundStart;
    private long roundRestored;
    private int roundPartitions;
    private long lastReport;
    private long lastReportRestored;

    /** What one restoring partition has done: records restored of about {@code total}. */
    private static final class Partition {
        final String store;
        final long total;
        long restored;

        Partition(String store, long total) {
            this.store = store;
            this.total = total;
        }

        long remaining() {
            return Math.max(0, total - restored);
        }
    }

    /**
     * What is restoring now.
     *
     * @param partitions partitions restoring
     * @param remainingRecords about how many records they have left (their end offsets minus their
     *     positions: an upper bound, transaction markers and compacted records are counted)
     */
    public record Snapshot(int partitions, long remainingRecords) {
    }

    /** A tracker that reports progress to {@code progress}, on the system's nanosecond clock. */
    public RestoreTracker(Consumer<String> progress) {
        this(progress, System::nanoTime, PROGRESS_INTERVAL);
    }

    RestoreTracker(Consumer<String> progress, LongSupplier nanoTime, Duration interval) {
        this.progress = progress;
        this.nanoTime = nanoTime;
        this.intervalNanos = interval.toNanos();
    }

    @Override
    public void onRestoreStart(TopicPartition partition, String storeName, long startingOffset, long endingOffset) {
        synchronized (this) {
            long now = nanoTime.getAsLong();
            if (!inRound) {
                inRound = true;
                roundStart = now;
                roundRestored = 0;
                roundPartitions = 0;
                lastReport = now;
                lastReportRestored = 0;
            }
            if (restoring.put(partition, new Partition(storeName, Math.max(0, endingOffset - startingOffset))) == null) {
                roundPartitions++;
            }
        }
    }

    @Override
    public void onBatchRestored(TopicPartition partition, String storeName, long batchEndOffset, long numRestored) {
        String line = null;
        synchronized (this) {
            Partition restored = restoring.get(partition);
            if (restored != null) {
                restored.restored += numRestored;
            }
            roundRestored += numRestored;
            restoredEver += numRestored;
            long now = nanoTime.getAsLong();
            if (now - lastReport >= intervalNanos) {
                line = progressLine(now);
                lastReport = now;
                lastReportRestored = roundRestored;
            }
        }
        report(line);
    }

    @Override
    public void onRestoreEnd(TopicPartition partition, String storeName, long totalRestored) {
        report(finished(partition, "state stores restored"));
    }

    /** The task moved to another instance before it finished restoring: the partition is no longer restoring here. */
    @Override
    public void onRestoreSuspended(TopicPartition partition, String storeName, long totalRestored) {
        report(finished(partition, "state store restoration ended (a task moved to another instance)"));
    }

    private synchronized String finished(TopicPartition partition, String what) {
        return restoring.remove(partition) == null ? null : doneLine(what);
    }

    /**
     * Tells whether the client is RUNNING now (its state listener calls this): a restoration is done
     * only once it is.
     */
    public void running(boolean isRunning) {
        String line;
        synchronized (this) {
            running = isRunning;
            line = doneLine("state stores restored");
        }
        report(line);
    }

    /** The line that ends the restoration if it is done now, else null. */
    private String doneLine(String what) {
        if (!inRound || !restoring.isEmpty() || !running) {
            return null;
        }
        inRound = false;
        double seconds = (nanoTime.getAsLong() - roundStart) / 1e9;
        return String.format(Locale.ROOT, "%s: %,d records of %d partition%s in %.1f s", what,
                roundRestored, roundPartitions, roundPartitions == 1 ? "" : "s", seconds);
    }

    private String progressLine(long now) {
        long remaining = 0;
        TreeSet<String> stores = new TreeSet<>();
        for (Partition partition : restoring.values()) {
            remaining += partition.remaining();
            stores.add(partition.store);
        }
        double sinceLast = (now - lastReport) / 1e9;
        double rate = sinceLast > 0 ? (roundRestored - lastReportRestored) / sinceLast : 0;
        String left = rate > 0 ? String.format(Locale.ROOT, "about %.0f s left", Math.ceil(remaining / rate))
                : "no progress since the last report";
        return String.format(Locale.ROOT, "restoring state stores %s (%d partition%s): %,d of %,d records, "
                + "%,.0f records/s, %s", String.join(", ", stores), restoring.size(), restoring.size() == 1 ? "" : "s",
                roundRestored, roundRestored + remaining, rate, left);
    }

    private void report(String line) {
        if (line != null) {
            progress.accept(line);
        }
    }

    /** The partitions restoring now and the records they have left. */
    public synchronized Snapshot snapshot() {
        long remaining = 0;
        for (Partition partition : restoring.values()) {
            remaining += partition.remaining();
        }
        return new Snapshot(restoring.size(), remaining);
    }

    /** Records restored since start, in all. */
    public synchronized long restoredRecords() {
        return restoredEver;
    }
}
