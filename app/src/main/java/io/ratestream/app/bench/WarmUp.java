package io.ratestream.app.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ratestream.schemas.json.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drives queries through a running gateway, over its JSON-RPC port like any client, so that the JIT
 * compiles the paths of a call (the gateway's Netty and JSON work, the producer, the broker's produce and
 * fetch, the stream thread, the reply) before a process says it is ready: on 2 cores a cold stack serves
 * a fraction of its steady throughput for a minute or more while the compiler threads take half of the
 * CPU (docs/performance.md, "Warm-up").
 *
 * <p>Only queries without a request id are sent (GetCost of the worked example and GetMaxSessionTime of
 * vdf:rif): they go to {@code ratestream.queries}, change nothing, leave no idempotency entry, no event
 * and no place in the command log. Where vdf:rif does not exist they are answered "not found", which
 * runs the same paths. The answers are not checked: this is not a test.
 */
public final class WarmUp {

    /** What a warm-up did. */
    public record Result(long calls, long errors, double seconds) {
    }

    private static final String TENANT = "vdf";
    private static final String SUBJECT = "rif";

    private WarmUp() {
    }

    /**
     * Sends queries to {@code server} for {@code duration}, {@code connections} x {@code inFlight} at a
     * time, printing one line per second to {@code progress}; returns when the time is up and every call
     * has been answered (or has failed).
     *
     * @throws IOException when a connection cannot be opened
     */
    public static Result run(String server, Duration duration, int connections, int inFlight, PrintStream progress)
            throws IOException, InterruptedException {
        ObjectMapper mapper = Json.newMapper();
        List<RpcClient> clients = new ArrayList<>();
        AtomicLong calls = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        Semaphore slots = new Semaphore(connections * inFlight);
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        try {
            for (int i = 0; i < connections; i++) {
                clients.add(new TcpRpcClient(server, mapper, JsonRpcVersion.V1_0));
            }
            long nextLine = start + TimeUnit.SECONDS.toNanos(1);
            long linedCalls = 0;
            for (long n = 0; System.nanoTime() < end; n++) {
                if (!slots.tryAcquire(10, TimeUnit.MILLISECONDS)) {
                    n--;
                } else {
                    boolean cost = n % 2 == 0;
                    CompletableFuture<JsonNode> call = clients.get((int) (n % connections))
                            .call(cost ? "Responder.GetCost" : "Responder.GetMaxSessionTime", query(mapper, cost));
                    call.whenComplete((answer, failure) -> {
                        calls.incrementAndGet();
                        if (failure != null) {
                            errors.incrementAndGet();
                        }
                        slots.release();
                    });
                }
                long now = System.nanoTime();
                if (now >= nextLine) {
                    long done = calls.get();
                    progress.printf("warming up: %d calls/s (%d s of %d)%n", done - linedCalls,
                            TimeUnit.NANOSECONDS.toSeconds(now - start), duration.toSeconds());
                    linedCalls = done;
                    nextLine += TimeUnit.SECONDS.toNanos(1);
                }
            }
            // every call answered, or a minute at most: the gateway's own reply timeout answers them before
            slots.tryAcquire(connections * inFlight, 60, TimeUnit.SECONDS);
        } finally {
            for (RpcClient client : clients) {
                try {
                    client.close();
                } catch (Exception e) {
                    // closing a loopback connection: nothing to report
                }
            }
        }
        return new Result(calls.get(), errors.get(), (System.nanoTime() - start) / 1e9);
    }

    private static ObjectNode query(ObjectMapper mapper, boolean cost) {
        ObjectNode d = mapper.createObjectNode().put("TOR", 0).put("CstmId", TENANT).put("Subject", SUBJECT)
                .put("DestinationPrefix", "0256");
        return cost ? d.put("TimeStart", "2012-02-02T17:30:00Z").put("TimeEnd", "2012-02-02T18:30:00Z")
                : d.put("Amount", 600);
    }
}
