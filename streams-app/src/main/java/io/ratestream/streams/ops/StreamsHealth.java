package io.ratestream.streams.ops;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Liveness and readiness of one streams instance, as the health endpoints answer them.
 *
 * <ul>
 *   <li><b>Live</b> while the Kafka Streams client has not failed: not in ERROR or PENDING_ERROR, and not
 *       stopped by itself. A process that is not live is about to exit non-zero; a supervisor should
 *       restart it.
 *   <li><b>Ready</b> when the client is RUNNING and none of this instance's state stores is restoring:
 *       no changelog or global-store partition restoring ({@link RestoreTracker}) and no active task in
 *       Kafka Streams' state updater.
 * </ul>
 *
 * <p>Thread-safe: each answer reads the client's state afresh.
 */
public final class StreamsHealth {

    private final Supplier<KafkaStreams.State> state;
    private final Supplier<String> failure;
    private final RestoreTracker restore;
    private final IntSupplier restoringTasks;

    /** One answer: whether the check passed, and the JSON body to send. */
    public record Check(boolean ok, Map<String, Object> body) {
    }

    /**
     * @param state the client's state now
     * @param failure why the client stopped by itself, in one line; null while it has not
     * @param restore the restoration of this instance's stores
     * @param restoringTasks active tasks Kafka Streams is restoring now (its state updater's count)
     */
    public StreamsHealth(Supplier<KafkaStreams.State> state, Supplier<String> failure, RestoreTracker restore,
            IntSupplier restoringTasks) {
        this.state = state;
        this.failure = failure;
        this.restore = restore;
        this.restoringTasks = restoringTasks;
    }

    /** Live: not failed. */
    public Check live() {
        KafkaStreams.State now = state.get();
        String failed = failure.get();
        Map<String, Object> body = new LinkedHashMap<>();
        if (failed != null || now == KafkaStreams.State.ERROR || now == KafkaStreams.State.PENDING_ERROR) {
            body.put("Status", "failed");
            body.put("State", now.name());
            body.put("Reason", failed != null ? failed : "the streams client is in " + now
                    + ": the process exits for its supervisor to restart it");
            return new Check(false, body);
        }
        body.put("Status", "live");
        body.put("State", now.name());
        return new Check(true, body);
    }

    /** Ready: RUNNING with every store restored. */
    public Check ready() {
        KafkaStreams.State now = state.get();
        RestoreTracker.Snapshot restoring = restore.snapshot();
        int tasks = restoringTasks.getAsInt();
        boolean ready = now == KafkaStreams.State.RUNNING && restoring.partitions() == 0 && tasks == 0
                && failure.get() == null;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Status", ready ? "ready" : "not ready");
        body.put("State", now.name());
        body.put("RestoringPartitions", restoring.partitions());
        body.put("RecordsToRestore", restoring.remainingRecords());
        body.put("RestoringTasks", tasks);
        return new Check(ready, body);
    }
}
