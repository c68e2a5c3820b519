package io.ratestream.app;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A careful JSON-RPC/TCP client of the gateway: sequential JSON-RPC 2.0 calls on one connection, each
 * with a request id; an answer that says nothing was done or that the outcome is unknown ({@code busy},
 * {@code unavailable}, {@code outcome_unknown}: JSON-RPC 2.0 codes -32003, -32002, -32001, see
 * docs/limits.md) is retried with the same request id, a lost connection is opened again and the call
 * retried, until an answer or the caller's deadline. Not thread-safe.
 */
final class RetryingClient implements AutoCloseable {

    /** The JSON-RPC 2.0 error codes that ask for a retry with the same request id. */
    static final Set<Integer> RETRY_CODES = Set.of(-32001, -32002, -32003);
    private static final int READ_TIMEOUT_MS = 30_000;

    private final int port;
    private final Stats stats;
    private RpcConnection connection;
    private long nextId;

    /** What clients saw on the way to their answers; shared by the clients of one role. */
    static final class Stats {
        final Map<String, LongAdder> retries = new ConcurrentHashMap<>();
        final LongAdder connectionsLost = new LongAdder();
        final Map<String, LongAdder> connectionErrors = new ConcurrentHashMap<>();

        long retries(String kind) {
            LongAdder count = retries.get(kind);
            return count == null ? 0 : count.sum();
        }
    }

    RetryingClient(int port, Stats stats) {
        this.port = port;
        this.stats = stats;
    }

    /**
     * Debits {@code amount} from the subscriber and returns the final answer (a result, or an error that
     * is not one of {@link #RETRY_CODES}); null when none came before {@code deadlineNanos}
     * ({@link System#nanoTime()}).
     */
    JsonNode debit(String tenant, String subject, String amount, String requestId, long deadlineNanos)
            throws InterruptedException {
        return call("Responder.DebitBalance", RpcConnection.debitParams(tenant, subject, amount, requestId),
                deadlineNanos);
    }

    /** Calls {@code method} with {@code params} (JSON) until the final answer, as {@link #debit} does. */
    JsonNode call(String method, String params, long deadlineNanos) throws InterruptedException {
        while (System.nanoTime() < deadlineNanos) {
            try {
                if (connection == null) {
                    connection = new RpcConnection(port, READ_TIMEOUT_MS);
                }
                long id = ++nextId;
                JsonNode answer = connection.call(RpcConnection.request(id, method, params));
                if (answer.path("id").asLong() != id) {
                    throw new IOException("answer for id " + answer.path("id") + " while waiting for " + id);
                }
                JsonNode error = answer.get("error");
                if (error == null || error.isNull()) {
                    return answer;
                }
                int code = error.path("code").asInt();
                if (!RETRY_CODES.contains(code)) {
                    return answer;
                }
                stats.retries.computeIfAbsent(error.path("data").path("kind").asText("code " + code),
                        k -> new LongAdder()).increment();
                if (code != -32001) {
                    TimeUnit.MILLISECONDS.sleep(50); // busy or unavailable: nothing was sent, back off a little
                }
            } catch (IOException e) {
                stats.connectionsLost.increment();
                stats.connectionErrors.computeIfAbsent(e.getClass().getSimpleName() + ": " + e.getMessage(),
                        k -> new LongAdder()).increment();
                close();
                TimeUnit.MILLISECONDS.sleep(100);
            }
        }
        return null;
    }

    @Override
    public void close() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }
}
