package io.ratestream.streams.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/** Liveness: live in every state but a failed client's. */
class StreamsHealthTest {

    private final AtomicReference<KafkaStreams.State> state = new AtomicReference<>(KafkaStreams.State.CREATED);
    private final AtomicReference<String> failure = new AtomicReference<>();
    private final StreamsHealth health = new StreamsHealth(state::get, failure::get, new RestoreTracker(line -> { }),
            () -> 0);

    @Test
    void shouldBeLiveWhileTheClientHasNotFailed() {
        for (KafkaStreams.State now : new KafkaStreams.State[] {KafkaStreams.State.CREATED,
                KafkaStreams.State.REBALANCING, KafkaStreams.State.RUNNING, KafkaStreams.State.PENDING_SHUTDOWN}) {
            state.set(now);
            assertThat(health.live().ok()).as(now.name()).isTrue();
            assertThat(health.live().body()).containsEntry("Status", "live").containsEntry("State", now.name());
        }
    }

    @Test
    void shouldNotBeLiveOnceTheClientIsInErrorOrStoppedByItself() {
        state.set(KafkaStreams.State.PENDING_ERROR);
        assertThat(health.live().ok()).isFalse();
        assertThat(health.live().body()).containsEntry("Status", "failed");

        state.set(KafkaStreams.State.NOT_RUNNING);
        failure.set("java.lang.IllegalStateException: the streams client went NOT_RUNNING without being closed");
        assertThat(health.live().ok()).isFalse();
        assertThat(health.live().body()).containsEntry("Reason", failure.get());
        assertThat(health.ready().ok()).isFalse();
    }
}
