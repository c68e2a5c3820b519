package io.ratestream.streams;

import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The uncaught-exception handler's count of replacements, on a clock the test moves. */
class ThreadReplacementLimitTest {

    /** A clock that stands still until the test moves it. */
    private static final class TestClock extends Clock {
        private Instant now = Instant.parse("2026-12-01T10:00:00Z");

        void advance(Duration by) {
            now = now.plus(by);
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

    private final TestClock clock = new TestClock();
    private final ThreadReplacementLimit limit = new ThreadReplacementLimit(ThreadReplacementLimit.MAX_REPLACEMENTS,
            ThreadReplacementLimit.WINDOW, clock);
    private final RuntimeException failure = new IllegalStateException("broker gone");

    @Test
    void shouldReplaceAThreadThreeTimesWithinTenMinutesAndThenShutTheClientDown() {
        assertThat(limit.handle(failure, false)).isEqualTo(REPLACE_THREAD);
        clock.advance(Duration.ofMinutes(4));
        assertThat(limit.handle(failure, false)).isEqualTo(REPLACE_THREAD);
        clock.advance(Duration.ofMinutes(4));
        assertThat(limit.handle(failure, false)).isEqualTo(REPLACE_THREAD);
        assertThat(limit.fatal()).isNull();

        clock.advance(Duration.ofMinutes(1)); // 9 minutes after the first: the fourth within the window
        assertThat(limit.handle(failure, false)).isEqualTo(SHUTDOWN_CLIENT);
        assertThat(limit.fatal()).isSameAs(failure);
        assertThat(limit.replaced()).isEqualTo(3);
    }

    @Test
    void shouldCountOnlyTheReplacementsWithinTheWindow() {
        limit.handle(failure, false);
        limit.handle(failure, false);
        clock.advance(Duration.ofMinutes(9));
        limit.handle(failure, false);

        clock.advance(Duration.ofMinutes(1)); // the first two are now ten minutes old: out of the window
        assertThat(limit.recentReplacements()).isEqualTo(1);
        assertThat(limit.handle(failure, false)).isEqualTo(REPLACE_THREAD);
        assertThat(limit.handle(failure, false)).isEqualTo(REPLACE_THREAD);
        assertThat(limit.handle(failure, false)).isEqualTo(SHUTDOWN_CLIENT);
        assertThat(limit.replaced()).isEqualTo(5);
    }

    @Test
    void shouldShutTheClientDownAtOnceWhenTheGlobalThreadFails() {
        assertThat(limit.handle(failure, true)).isEqualTo(SHUTDOWN_CLIENT);
        assertThat(limit.fatal()).isSameAs(failure);
        assertThat(limit.replaced()).isZero();
    }

    @Test
    void shouldShutDownAtTheFirstFailureWhenNoReplacementIsAllowed() {
        ThreadReplacementLimit none = new ThreadReplacementLimit(0, ThreadReplacementLimit.WINDOW, clock);

        assertThat(none.handle(failure, false)).isEqualTo(SHUTDOWN_CLIENT);
    }

    @Test
    void shouldTellTheGlobalThreadByItsName() throws InterruptedException {
        ThreadReplacementLimit fresh = new ThreadReplacementLimit(3, Duration.ofMinutes(10), clock);
        StreamThreadExceptionResponseHolder answer = new StreamThreadExceptionResponseHolder();
        Thread global = new Thread(() -> answer.value = fresh.handle(failure), "ratestream-client-GlobalStreamThread");
        global.start();
        global.join();
        Thread stream = new Thread(() -> answer.other = fresh.handle(failure), "ratestream-client-StreamThread-1");
        stream.start();
        stream.join();

        assertThat(answer.value).isEqualTo(SHUTDOWN_CLIENT);
        assertThat(answer.other).isEqualTo(REPLACE_THREAD);
    }

    private static final class StreamThreadExceptionResponseHolder {
        volatile Object value;
        volatile Object other;
    }
}
