package io.ratestream.app;

import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongToIntFunction;

/**
 * Reads the gateway's /metrics once a second and keeps a few of its values per second of the test, to
 * set what the gateway did beside what the ledger saw.
 */
final class GatewaySampler implements AutoCloseable {

    /** The values kept, by their Prometheus names. */
    static final Map<String, String> SERIES = Map.of(
            "open", "ratestream_jsonrpc_connections_open",
            "paused", "ratestream_jsonrpc_connections_paused",
            "waiting", "ratestream_requests_waiting",
            "debits", "ratestream_requests_total{method=\"DebitBalance\",outcome=\"ok\"}",
            "costs", "ratestream_requests_total{method=\"GetCost\",outcome=\"ok\"}");

    private final int httpPort;
    private final LongToIntFunction secondOf;
    private final Map<Integer, Map<String, Double>> samples = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "chaos-sampler");
        thread.setDaemon(true);
        return thread;
    });

    /** @param secondOf the second of the test a {@link System#nanoTime()} falls in */
    GatewaySampler(int httpPort, LongToIntFunction secondOf) {
        this.httpPort = httpPort;
        this.secondOf = secondOf;
    }

    void start() {
        timer.scheduleAtFixedRate(this::sample, 0, 1, TimeUnit.SECONDS);
    }

    private void sample() {
        try {
            HttpResponse<String> response = Wire.get(httpPort, "/metrics");
            Map<String, Double> values = new HashMap<>();
            response.body().lines().forEach(line -> {
                int space = line.lastIndexOf(' ');
                if (space > 0 && !line.startsWith("#")) {
                    SERIES.forEach((name, metric) -> {
                        if (line.substring(0, space).equals(metric)) {
                            values.put(name, Double.parseDouble(line.substring(space + 1)));
                        }
                    });
                }
            });
            samples.put(secondOf.applyAsInt(System.nanoTime()), values);
        } catch (Exception e) {
            samples.put(secondOf.applyAsInt(System.nanoTime()), Map.of());
        }
    }

    /** The value of a series in a second, or null when it was not read then. */
    Double value(int second, String series) {
        Map<String, Double> values = samples.get(second);
        return values == null ? null : values.get(series);
    }

    @Override
    public void close() throws InterruptedException {
        timer.shutdownNow();
        timer.awaitTermination(10, TimeUnit.SECONDS);
    }
}
