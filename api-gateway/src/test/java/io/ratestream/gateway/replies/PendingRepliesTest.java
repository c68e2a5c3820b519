package io.ratestream.gateway.replies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ratestream.gateway.rpc.RpcException;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.reply.Reply;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class PendingRepliesTest {

    private final PendingReplies pending = new PendingReplies();

    @Test
    void shouldCompleteTheWaitingRequestAndForgetIt() throws Exception {
        CompletableFuture<Reply> future = pending.register("r1", "vdf:rif", Duration.ofSeconds(5));

        assertThat(pending.isWaiting("r1")).isTrue();
        assertThat(pending.complete(Reply.of("r1", Method.DEBIT_SMS, BigDecimal.ONE))).isTrue();

        assertThat(future.get(1, TimeUnit.SECONDS).value()).isEqualTo(BigDecimal.ONE);
        assertThat(pending.size()).isZero();
        assertThat(pending.complete(Reply.of("r1", Method.DEBIT_SMS, BigDecimal.ONE))).isFalse();
    }

    @Test
    void shouldTimeOutAndForget() {
        CompletableFuture<Reply> future = pending.register("slow", "vdf:rif", Duration.ofMillis(50));

        assertThatThrownBy(() -> future.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(TimeoutException.class);
        assertThat(pending.size()).isZero();
        assertThat(pending.isWaiting("slow")).isFalse();
    }

    @Test
    void shouldShareTheWaitOfAnEarlyRetryAndRefuseTheIdForAnotherSubscriber() {
        CompletableFuture<Reply> first = pending.register("r", "vdf:rif", Duration.ofSeconds(5));

        assertThat(pending.register("r", "vdf:rif", Duration.ofSeconds(5))).isSameAs(first);
        assertThatThrownBy(() -> pending.register("r", "vdf:other", Duration.ofSeconds(5)))
                .isInstanceOf(RpcException.class).hasMessageContaining("another subscriber");
    }

    @Test
    void shouldHoldNothingAfterAHundredThousandRequestsSomeOfWhichTimedOut() throws Exception {
        List<CompletableFuture<Reply>> futures = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            String id = "req-" + i;
            futures.add(pending.register(id, "vdf:s" + (i % 100), Duration.ofMillis(i % 10 == 0 ? 1 : 60_000)));
            if (i % 10 == 3) {
                pending.fail(id, new IllegalStateException("kafka down"));
            } else if (i % 10 != 0) {
                pending.complete(Reply.of(id, Method.DEBIT_BALANCE, BigDecimal.TEN));
            }
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).exceptionally(e -> null)
                .get(30, TimeUnit.SECONDS);

        assertThat(pending.size()).isZero();
        assertThat(futures.stream().filter(f -> f.isCompletedExceptionally()).count()).isEqualTo(20_000);
    }
}
