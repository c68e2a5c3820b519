package io.ratestream.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ratestream.gateway.RecentActivity.Slot;
import io.ratestream.gateway.rpc.RpcException;
import io.ratestream.schemas.json.Json;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RecentActivityTest {

    private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final TestClock clock = new TestClock(T0);
    private final RecentActivity activity = new RecentActivity(clock);

    @Test
    void shouldShowTenMinutesOfEmptyBucketsEndingWithTheCurrentOne() {
        clock.set(T0.plusSeconds(7));

        List<Slot> timeline = activity.timeline();

        assertThat(timeline).hasSize(RecentActivity.BUCKETS);
        assertThat(timeline.get(timeline.size() - 1).start()).isEqualTo(T0.plusSeconds(5));
        assertThat(timeline.get(0).start()).isEqualTo(T0.plusSeconds(5).minus(Duration.ofSeconds(5 * 119)));
        assertThat(timeline).allSatisfy(slot -> {
            assertThat(slot.requests()).isZero();
            assertThat(slot.p50Ms()).isNull();
        });
    }

    @Test
    void shouldCountRequestsAndErrorsInTheirBucket() {
        activity.record("GetCost", 2 * MS, null);
        activity.record("GetCost", 4 * MS, null);
        clock.set(T0.plusMillis(4_999));
        activity.record("DebitBalance", 3 * MS, RpcException.badRequest("no budget"));
        clock.set(T0.plusSeconds(5));
        activity.record("GetCost", 1 * MS, null);

        List<Slot> timeline = activity.timeline();
        Slot previous = timeline.get(timeline.size() - 2);
        Slot current = timeline.get(timeline.size() - 1);

        assertThat(previous.start()).isEqualTo(T0);
        assertThat(previous.requests()).isEqualTo(3);
        assertThat(previous.errors()).isEqualTo(1);
        assertThat(previous.p50Ms()).isEqualTo(3.0);
        assertThat(current.requests()).isEqualTo(1);
        assertThat(current.errors()).isZero();
    }

    @Test
    void shouldForgetABucketOnceItIsTenMinutesOld() {
        activity.record("GetCost", MS, null);
        clock.set(T0.plus(Duration.ofMinutes(10)).minusMillis(1));
        assertThat(activity.timeline().get(0).requests()).isEqualTo(1);

        clock.set(T0.plus(Duration.ofMinutes(10)));
        assertThat(activity.timeline()).allSatisfy(slot -> assertThat(slot.requests()).isZero());

        // The ring slot comes round again: the old count must not leak into the new bucket.
        activity.record("GetCost", MS, null);
        Slot current = activity.timeline().get(RecentActivity.BUCKETS - 1);
        assertThat(current.start()).isEqualTo(T0.plus(Duration.ofMinutes(10)));
        assertThat(current.requests()).isEqualTo(1);
    }

    @Test
    void shouldComputeNearestRankPercentiles() {
        for (int ms = 100; ms >= 1; ms--) {
            activity.record("GetCost", ms * MS, null);
        }

        Slot slot = activity.timeline().get(RecentActivity.BUCKETS - 1);

        assertThat(slot.requests()).isEqualTo(100);
        assertThat(slot.p50Ms()).isEqualTo(50.0);
        assertThat(slot.p99Ms()).isEqualTo(99.0);
    }

    @Test
    void shouldSampleLatenciesBeyondTheLimitAndStillCountEveryRequest() {
        for (int i = 0; i < 10_000; i++) {
            activity.record("GetCost", (i % 2 == 0 ? 1 : 9) * MS, null);
        }

        Slot slot = activity.timeline().get(RecentActivity.BUCKETS - 1);

        assertThat(slot.requests()).isEqualTo(10_000);
        assertThat(slot.p50Ms()).isIn(1.0, 9.0);
        assertThat(slot.p99Ms()).isEqualTo(9.0);
    }

    @Test
    void shouldKeepTheLastTwentyErrorsNewestFirst() {
        for (int i = 1; i <= 25; i++) {
            clock.set(T0.plusSeconds(i));
            activity.record("DebitBalance", MS, new CompletionException(RpcException.badRequest("error " + i)));
        }

        List<RecentActivity.Failure> errors = activity.errors();

        assertThat(errors).hasSize(RecentActivity.ERRORS);
        assertThat(errors.get(0)).isEqualTo(new RecentActivity.Failure(T0.plusSeconds(25), "DebitBalance", "error 25"));
        assertThat(errors.get(19).message()).isEqualTo("error 6");
    }

    @Test
    void shouldSerializeWithTheApisFieldNames() throws Exception {
        activity.record("DebitBalance", 2 * MS, RpcException.badRequest("no budget"));

        JsonNode json = Json.newMapper().valueToTree(List.of(activity.timeline().get(RecentActivity.BUCKETS - 1),
                activity.errors().get(0)));

        assertThat(json.get(0).get("Requests").asLong()).isEqualTo(1);
        assertThat(json.get(0).get("P99Ms").asDouble()).isEqualTo(2.0);
        assertThat(json.get(0).get("Start").asText()).isEqualTo("2024-05-01T12:00:00Z");
        assertThat(json.get(1).get("Message").asText()).isEqualTo("no budget");
        assertThat(json.get(1).get("Method").asText()).isEqualTo("DebitBalance");
    }

    /** A clock the test moves by hand. */
    private static final class TestClock extends Clock {
        private volatile Instant now;

        TestClock(Instant now) {
            this.now = now;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
