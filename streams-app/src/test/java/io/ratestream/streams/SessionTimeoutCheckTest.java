package io.ratestream.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The session timeout is moved inside the brokers' bounds, never outside them; a slow transaction retry
 * backoff on the brokers gets a warning.
 */
class SessionTimeoutCheckTest {

    @Test
    void shouldRaiseToTheMinimumLowerToTheMaximumAndKeepWhatFits() {
        assertThat(SessionTimeoutCheck.fit(Duration.ofMillis(1500), 6000L, 1_800_000L)).hasMillis(6000);
        assertThat(SessionTimeoutCheck.fit(Duration.ofMillis(1500), 500L, 1_800_000L)).hasMillis(1500);
        assertThat(SessionTimeoutCheck.fit(Duration.ofMinutes(40), 500L, 1_800_000L)).hasMillis(1_800_000);
        assertThat(SessionTimeoutCheck.fit(Duration.ofMillis(1500), null, null)).hasMillis(1500);
    }

    @Test
    void shouldAdviseOnlyWhenTheBrokersHoldFirstRepliesAfterACommitLong() {
        assertThat(SessionTimeoutCheck.transactionRetryAdvice(20L))
                .contains("add.partitions.to.txn.retry.backoff.ms is 20 ms").contains("Set it to 1");
        assertThat(SessionTimeoutCheck.transactionRetryAdvice(6L)).isNotNull();
        assertThat(SessionTimeoutCheck.transactionRetryAdvice(5L)).isNull();
        assertThat(SessionTimeoutCheck.transactionRetryAdvice(1L)).isNull();
        assertThat(SessionTimeoutCheck.transactionRetryAdvice(null)).isNull();
    }
}
