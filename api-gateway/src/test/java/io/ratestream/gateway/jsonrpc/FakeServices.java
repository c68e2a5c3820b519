package io.ratestream.gateway.jsonrpc;

import com.fasterxml.jackson.databind.JsonNode;
import io.ratestream.gateway.rpc.RpcService;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Stand-ins for the gateway's dispatch: no Kafka, answers decided by the test. */
final class FakeServices {

    private FakeServices() {
    }

    /** What the echo services answer: the call as the service saw it. */
    record Echo(String method, JsonNode params) {
    }

    /** Answers at once with the method and params it was given. */
    static RpcService echo() {
        return (method, params, key) -> CompletableFuture.completedFuture(new Echo(method, params));
    }

    /** Answers like {@link #echo()} after {@code params[0].delay} milliseconds (0 when absent). */
    static RpcService delayed() {
        return (method, params, key) -> {
            long delay = params.path(0).path("delay").asLong(0);
            return CompletableFuture.supplyAsync(() -> new Echo(method, params),
                    CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS));
        };
    }

    /**
     * A service whose calls wait until the test completes them: every call is queued with its future, and
     * counts what is outstanding (started and not yet completed through {@link Call#answer}).
     */
    static final class Controlled implements RpcService {

        /** One call, waiting for the test. */
        record Call(String method, JsonNode params, CompletableFuture<Object> future, Controlled service) {

            /** Completes the call with {@code result}; counted as done before the server can see it. */
            void answer(Object result) {
                service.outstanding.decrementAndGet();
                future.complete(result);
            }
        }

        final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();
        final AtomicInteger started = new AtomicInteger();
        final AtomicInteger outstanding = new AtomicInteger();
        final AtomicInteger maxOutstanding = new AtomicInteger();

        @Override
        public CompletableFuture<Object> call(String method, JsonNode params, String idempotencyKey) {
            started.incrementAndGet();
            maxOutstanding.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
            CompletableFuture<Object> future = new CompletableFuture<>();
            calls.add(new Call(method, params, future, this));
            return future;
        }

        /** The next call, waiting up to 10 s for it; fails the test when none comes. */
        Call next() throws InterruptedException {
            Call call = calls.poll(10, TimeUnit.SECONDS);
            if (call == null) {
                throw new AssertionError("no call reached the service within 10 s");
            }
            return call;
        }
    }
}
