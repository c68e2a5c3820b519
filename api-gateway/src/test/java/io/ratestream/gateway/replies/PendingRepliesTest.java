package io.ratestream.gateway.replies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.gateway.rpc.RpcException;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.reply.ErrorKind;
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

    private static final ObjectMapper MAPPER = Json.newMapper();

    private final PendingReplies pending = new PendingReplies(200_000);

    private static RawReply raw(Reply reply) {
        return RawReply.of(reply, MAPPER);
    }

    @Test
    void shouldCompleteTheWaitingRequestAndForgetIt() throws Exception {
        CompletableFuture<RawReply> future = pending.register("r1", "vdf:rif", 1L, Duration.ofSeconds(5));

        assertThat(pending.isWaiting("r1")).isTrue();
        assertThat(pending.complete(raw(Reply.of("r1", Method.DEBIT_SMS, BigDecimal.ONE).withSubscriber("vdf:rif")))).isTrue();

        assertThat(future.get(1, TimeUnit.SECONDS).result().rawValue()).isEqualTo("1");
        assertThat(pending.size()).isZero();
        assertThat(pending.complete(raw(Reply.of("r1", Method.DEBIT_SMS, BigDecimal.ONE).withSubscriber("vdf:rif")))).isFalse();
    }

    @Test
    void shouldTimeOutAndForget() {
        CompletableFuture<RawReply> future = pending.register("slow", "vdf:rif", 1L, Duration.ofMillis(50));

        assertThatThrownBy(() -> future.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(TimeoutException.class);
        assertThat(pending.size()).isZero();
        assertThat(pending.isWaiting("slow")).isFalse();
    }

    @Test
    void shouldShareTheWaitOfAnEarlyRetryAndRefuseTheIdForAnotherSubscriber() {
        CompletableFuture<RawReply> first = pending.register("r", "vdf:rif", 1L, Duration.ofSeconds(5));

        assertThat(pending.register("r", "vdf:rif", 1L, Duration.ofSeconds(5))).isSameAs(first);
        assertThatThrownBy(() -> pending.register("r", "vdf:other", 1L, Duration.ofSeconds(5)))
                .isInstanceOf(RpcException.class).hasMessageContaining("different request")
                .extracting(e -> ((RpcException) e).kind()).isEqualTo(ErrorKind.REQUEST_ID_CONFLICT);
    }

    @Test
    void shouldRefuseTheIdOfAWaitingRequestForADifferentRequestOfTheSameSubscriber() {
        CompletableFuture<RawReply> first = pending.register("r", "vdf:rif", 1L, Duration.ofSeconds(5));

        assertThatThrownBy(() -> pending.register("r", "vdf:rif", 2L, Duration.ofSeconds(5)))
                .isInstanceOf(RpcException.class)
                .extracting(e -> ((RpcException) e).kind()).isEqualTo(ErrorKind.REQUEST_ID_CONFLICT);
        assertThat(first).isNotDone();
    }

    @Test
    void shouldCompleteOnlyWithAReplyForTheWaitingSubscriber() throws Exception {
        CompletableFuture<RawReply> future = pending.register("r", "vdf:rif", 1L, Duration.ofSeconds(5));

        assertThat(pending.complete(raw(Reply.of("r", Method.DEBIT_BALANCE, BigDecimal.TEN).withSubscriber("vdf:other"))))
                .isFalse();
        assertThat(pending.complete(raw(Reply.of("r", Method.DEBIT_BALANCE, BigDecimal.TEN)))).as("no subscriber").isFalse();
        assertThat(future).isNotDone();
        assertThat(pending.complete(raw(Reply.of("r", Method.DEBIT_BALANCE, BigDecimal.ONE).withSubscriber("vdf:rif"))))
                .isTrue();
        assertThat(future.get(1, TimeUnit.SECONDS).result().rawValue()).isEqualTo("1");
    }

    @Test
    void shouldAnswerBusyAtTheLimitAndTakeRequestsAgainBelowIt() throws Exception {
        PendingReplies small = new PendingReplies(3);
        List<CompletableFuture<RawReply>> waiting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiting.add(small.register("r" + i, "vdf:rif", i, Duration.ofSeconds(30)));
        }

        assertThatThrownBy(() -> small.register("r3", "vdf:rif", 3L, Duration.ofSeconds(30)))
                .isInstanceOf(RpcException.class)
                .extracting(e -> ((RpcException) e).kind()).isEqualTo(ErrorKind.BUSY);
        assertThat(small.register("r0", "vdf:rif", 0L, Duration.ofSeconds(30))).as("an early retry joins its wait")
                .isSameAs(waiting.get(0));

        small.complete(raw(Reply.of("r1", Method.DEBIT_BALANCE, BigDecimal.ONE).withSubscriber("vdf:rif")));
        waiting.get(1).get(1, TimeUnit.SECONDS);
        assertThat(small.register("r3", "vdf:rif", 3L, Duration.ofSeconds(30))).isNotDone();
        assertThat(small.size()).isEqualTo(3);
    }

    @Test
    void shouldHoldNothingAfterAHundredThousandRequestsSomeOfWhichTimedOut() throws Exception {
        List<CompletableFuture<RawReply>> futures = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            String id = "req-" + i;
            futures.add(pending.register(id, "vdf:s" + (i % 100), 1L, Duration.ofMillis(i % 10 == 0 ? 1 : 60_000)));
            if (i % 10 == 3) {
                pending.fail(id, new IllegalStateException("kafka down"));
            } else if (i % 10 != 0) {
                pending.complete(raw(Reply.of(id, Method.DEBIT_BALANCE, BigDecimal.TEN).withSubscriber("vdf:s" + (i % 100))));
            }
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).exceptionally(e -> null)
                .get(30, TimeUnit.SECONDS);

        assertThat(pending.size()).isZero();
        assertThat(futures.stream().filter(f -> f.isCompletedExceptionally()).count()).isEqualTo(20_000);
    }
}
