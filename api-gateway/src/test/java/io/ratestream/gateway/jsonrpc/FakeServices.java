package io.ratestream.gateway.jsonrpc;

import com.fasterxml.jackson.databind.JsonNode;
import io.ratestream.gateway.rpc.RpcService;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

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
}
