package io.ratestream.streams.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/** Restoration as the tracker follows it: what is left, readiness, and progress lines at most every interval. */
class RestoreTrackerTest {

    private static final TopicPartition BUDGETS_0 = new TopicPartition("app-budgets-changelog", 0);
    private static final TopicPartition BUDGETS_1 = new TopicPartition("app-budgets-changelog", 1);

    private final AtomicLong nanos = new AtomicLong();
    private final List<String> lines = new ArrayList<>();
    private final RestoreTracker tracker = new RestoreTracker(lines::add, nanos::get, RestoreTracker.PROGRESS_INTERVAL);
    private final AtomicReference<KafkaStreams.State> state = new AtomicReference<>(KafkaStreams.State.RUNNING);
    private final StreamsHealth health = new StreamsHealth(state::get, () -> null, tracker, () -> 0);

    private void advance(Duration by) {
        nanos.addAndGet(by.toNanos());
    }

    @Test
    void shouldBeReadyOnlyWhenEveryPartitionHasFinishedRestoring() {
        assertThat(health.ready().ok()).as("nothing to restore").isTrue();

        tracker.onRestoreStart(BUDGETS_0, "budgets", 0, 1000);
        tracker.onRestoreStart(BUDGETS_1, "budgets", 100, 600);
        tracker.onBatchRestored(BUDGETS_0, "budgets", 400, 400);

        assertThat(tracker.snapshot()).isEqualTo(new RestoreTracker.Snapshot(2, 600 + 500));
        assertThat(health.ready().ok()).isFalse();
        assertThat(health.ready().body()).containsEntry("Status", "not ready").containsEntry("RestoringPartitions", 2)
                .containsEntry("RecordsToRestore", 1100L);

        tracker.onBatchRestored(BUDGETS_0, "budgets", 1000, 600);
        tracker.onRestoreEnd(BUDGETS_0, "budgets", 1000);
        assertThat(health.ready().ok()).as("one partition left").isFalse();

        tracker.onBatchRestored(BUDGETS_1, "budgets", 600, 500);
        tracker.onRestoreEnd(BUDGETS_1, "budgets", 500);
        assertThat(health.ready().ok()).isTrue();
        assertThat(health.ready().body()).containsEntry("Status", "ready").containsEntry("State", "RUNNING");
        assertThat(tracker.restoredRecords()).isEqualTo(1500);
    }

    @Test
    void shouldNotBeReadyWhileRestoredButNotRunningOrWhileKafkaStreamsStillRestoresATask() {
        state.set(KafkaStreams.State.REBALANCING);
        assertThat(health.ready().ok()).isFalse();
        assertThat(health.ready().body()).containsEntry("State", "REBALANCING");

        state.set(KafkaStreams.State.RUNNING);
        StreamsHealth restoringTask = new StreamsHealth(state::get, () -> null, tracker, () -> 1);
        assertThat(restoringTask.ready().ok()).isFalse();
        assertThat(restoringTask.ready().body()).containsEntry("RestoringTasks", 1);
    }

    @Test
    void shouldForgetAPartitionWhoseTaskMovedAwayWhileRestoring() {
        tracker.running(true);
        tracker.onRestoreStart(BUDGETS_0, "budgets", 0, 1000);

        tracker.onRestoreSuspended(BUDGETS_0, "budgets", 10);

        assertThat(tracker.snapshot()).isEqualTo(new RestoreTracker.Snapshot(0, 0));
        assertThat(health.ready().ok()).isTrue();
        assertThat(lines).containsExactly("state store restoration ended (a task moved to another instance): "
                + "0 records of 1 partition in 0.0 s");
    }

    @Test
    void shouldReportProgressAtMostEveryIntervalAndOnceWhenDone() {
        tracker.running(true);
        tracker.onRestoreStart(BUDGETS_0, "budgets", 0, 100_000);
        tracker.onRestoreStart(BUDGETS_1, "processed-requests", 0, 100_000);
        advance(Duration.ofSeconds(2));
        tracker.onBatchRestored(BUDGETS_0, "budgets", 10_000, 10_000);
        assertThat(lines).as("before the first interval").isEmpty();

        advance(Duration.ofSeconds(3));
        tracker.onBatchRestored(BUDGETS_0, "budgets", 40_000, 30_000);
        advance(Duration.ofSeconds(1));
        tracker.onBatchRestored(BUDGETS_1, "processed-requests", 10_000, 10_000);

        assertThat(lines).containsExactly("restoring state stores budgets, processed-requests (2 partitions): "
                + "40,000 of 200,000 records, 8,000 records/s, about 20 s left");

        advance(Duration.ofSeconds(4));
        tracker.onBatchRestored(BUDGETS_0, "budgets", 100_000, 60_000);
        tracker.onRestoreEnd(BUDGETS_0, "budgets", 100_000);
        advance(Duration.ofSeconds(1));
        tracker.onBatchRestored(BUDGETS_1, "processed-requests", 100_000, 90_000);
        tracker.onRestoreEnd(BUDGETS_1, "processed-requests", 100_000);

        assertThat(lines).hasSize(3);
        assertThat(lines.get(1)).isEqualTo("restoring state stores budgets, processed-requests (2 partitions): "
                + "110,000 of 200,000 records, 14,000 records/s, about 7 s left");
        assertThat(lines.get(2)).isEqualTo("state stores restored: 200,000 records of 2 partitions in 11.0 s");
    }

    @Test
    void shouldReportOneRestorationAtStartUpWhenTheClientGetsToRunning() {
        TopicPartition profiles = new TopicPartition("ratestream.rating-profiles", 0);
        tracker.onRestoreStart(profiles, "rating-profiles", 0, 30);
        tracker.onBatchRestored(profiles, "rating-profiles", 30, 30);
        tracker.onRestoreEnd(profiles, "rating-profiles", 30);
        tracker.onRestoreStart(BUDGETS_0, "budgets", 0, 70);
        tracker.onBatchRestored(BUDGETS_0, "budgets", 70, 70);
        advance(Duration.ofMillis(1500));
        tracker.onRestoreEnd(BUDGETS_0, "budgets", 70);
        assertThat(lines).as("still rebalancing").isEmpty();

        tracker.running(true);

        assertThat(lines).containsExactly("state stores restored: 100 records of 2 partitions in 1.5 s");
        tracker.running(false);
        tracker.running(true);
        assertThat(lines).hasSize(1);
    }

    @Test
    void shouldSayWhenARestorationMakesNoProgress() {
        tracker.onRestoreStart(BUDGETS_0, "budgets", 0, 1000);
        advance(Duration.ofSeconds(6));
        tracker.onBatchRestored(BUDGETS_0, "budgets", 0, 0);

        assertThat(lines).singleElement().asString().endsWith("0 records/s, no progress since the last report");
    }
}
