package io.ratestream.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The session timeout is moved inside the brokers' bounds, never outside them. */
class SessionTimeoutCheckTest {

    @Test
    void shouldRaiseToTheMinimumLowerToTheMaximumAndKeepWhatFits() {
        assertThat(SessionTimeoutCheck.fit(Duration.ofMillis(1500), 6000L, 1_800_000L)).hasMillis(6000);
        assertThat(SessionTimeoutCheck.fit(Duration.ofMillis(1500), 500L, 1_800_000L)).hasMillis(1500);
        assertThat(SessionTimeoutCheck.fit(Duration.ofMinutes(40), 500L, 1_800_000L)).hasMillis(1_800_000);
        assertThat(SessionTimeoutCheck.fit(Duration.ofMillis(1500), null, null)).hasMillis(1500);
    }
}
