package io.ratestream.gateway.jsonrpc;

import com.fasterxml.jackson.databind.JsonNode;
import io.ratestream.gateway.rpc.RpcException;
import io.ratestream.schemas.reply.ErrorKind;
import io.ratestream.gateway.rpc.RpcService;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/**
 * A stand-in for the gateway's dispatch whose every answer the fuzz decides from its seed: a small
 * result, a business error, a timeout, Kafka unavailable, a failed future, a thrown exception, a null
 * result, or (when allowed) an answer held back until {@link #release}. It never echoes what it was
 * given, so any large response is the protocol's doing. Confined to the thread that drives the channel.
 */
final class ControllableService implements RpcService {

    private final Random random;
    private final boolean mayHold;
    private final List<CompletableFuture<Object>> held = new ArrayList<>();
    private int calls;

    ControllableService(long seed, boolean mayHold) {
        this.random = new Random(seed);
        this.mayHold = mayHold;
    }

    @Override
    public CompletableFuture<Object> call(String method, JsonNode params, String idempotencyKey) {
        calls++;
        int outcome = random.nextInt(100);
        if (mayHold && outcome < 25) {
            CompletableFuture<Object> later = new CompletableFuture<>();
            held.add(later);
            return later;
        }
        return answer(outcome);
    }

    private CompletableFuture<Object> answer(int outcome) {
        if (outcome < 60) {
            return CompletableFuture.completedFuture(outcome % 2 == 0 ? new BigDecimal("60.35")
                    : Map.of("Cost", new BigDecimal("540"), "Calls", calls));
        }
        if (outcome < 75) {
            return CompletableFuture.failedFuture(RpcException.badRequest("amount exceeds budget"));
        }
        if (outcome < 83) {
            return CompletableFuture.failedFuture(new RpcException(ErrorKind.OUTCOME_UNKNOWN, "outcome unknown: retry with RequestId r1", "r1"));
        }
        if (outcome < 90) {
            return CompletableFuture.failedFuture(new RpcException(ErrorKind.UNAVAILABLE, "Kafka is unavailable"));
        }
        if (outcome < 94) {
            return CompletableFuture.completedFuture(null);
        }
        if (outcome < 97) {
            return CompletableFuture.failedFuture(new IllegalStateException("a bug in the service"));
        }
        throw new IllegalArgumentException("thrown by the service");
    }

    /** Completes every held call, in a random order, each with a random answer. */
    void release() {
        Collections.shuffle(held, random);
        for (CompletableFuture<Object> call : held) {
            int outcome = random.nextInt(97); // a held call completes; it cannot throw any more
            answer(outcome).whenComplete((value, error) -> {
                if (error != null) {
                    call.completeExceptionally(error);
                } else {
                    call.complete(value);
                }
            });
        }
        held.clear();
    }

    int calls() {
        return calls;
    }
}
