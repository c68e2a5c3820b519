package io.ratestream.streams.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streams app's own small HTTP server, for supervisors and scrapers (the JDK's server: the streams
 * app needs no web framework). Answers, to anyone who can reach its address:
 *
 * <ul>
 *   <li>{@code GET /health/live}: 200 {@code {"Status":"live",...}} while the Kafka Streams client has
 *       not failed, else 503 {@code {"Status":"failed","Reason":...}} ({@link StreamsHealth#live()});
 *   <li>{@code GET /health/ready}: 200 {@code {"Status":"ready",...}} when RUNNING with every store
 *       restored, else 503 with the state and what is still restoring ({@link StreamsHealth#ready()});
 *   <li>{@code GET /metrics}: the meters in Prometheus text format ({@link StreamsMeters});
 *   <li>any other path: 404; another method on these paths: 405.
 * </ul>
 *
 * <p>Requests are answered by at most {@link #HANDLER_THREADS} threads (daemon threads: the server never
 * keeps the process alive); each answer is computed from memory, without a call to Kafka.
 */
public final class OpsServer implements AutoCloseable {

    /** Threads that answer requests (2): a scrape and a probe at once, never more. */
    public static final int HANDLER_THREADS = 2;

    private static final Logger LOG = LoggerFactory.getLogger(OpsServer.class);
    private static final String JSON = "application/json";
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService handlers;
    private final StreamsHealth health;
    private final PrometheusMeterRegistry metrics;
    private final ObjectMapper mapper = new ObjectMapper();

    private OpsServer(HttpServer server, ExecutorService handlers, StreamsHealth health,
            PrometheusMeterRegistry metrics) {
        this.server = server;
        this.handlers = handlers;
        this.health = health;
        this.metrics = metrics;
    }

    /**
     * Starts listening on {@code bind}:{@code port} (port 0: any free port, see {@link #port()}).
     *
     * @throws IllegalStateException when the address cannot be bound, saying what to do
     */
    public static OpsServer start(String bind, int port, StreamsHealth health, PrometheusMeterRegistry metrics) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(bind, port), 0);
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on " + bind + ":" + port + " for health and metrics (is "
                    + "the port in use? stop the other process or pass another --http-port): " + e, e);
        }
        AtomicInteger count = new AtomicInteger();
        ExecutorService handlers = Executors.newFixedThreadPool(HANDLER_THREADS, task -> {
            Thread thread = new Thread(task, "ratestream-streams-http-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        OpsServer ops = new OpsServer(server, handlers, health, metrics);
        server.setExecutor(handlers);
        server.createContext("/", ops::handle);
        server.start();
        LOG.info("health and metrics on http://{}:{}/ (/health/live, /health/ready, /metrics)", bind, ops.port());
        return ops;
    }

    /** The port listened on. */
    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange; InputStream body = exchange.getRequestBody()) {
            body.readAllBytes();
            String path = exchange.getRequestURI().getPath();
            boolean known = path.equals("/health/live") || path.equals("/health/ready") || path.equals("/metrics");
            if (!known) {
                json(exchange, 404, Map.of("Error", "no such page: try /health/live, /health/ready or /metrics"));
            } else if (!"GET".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "GET");
                json(exchange, 405, Map.of("Error", "only GET is allowed here"));
            } else if (path.equals("/metrics")) {
                send(exchange, 200, PROMETHEUS_TEXT, metrics.scrape().getBytes(StandardCharsets.UTF_8));
            } else {
                StreamsHealth.Check check = path.equals("/health/live") ? health.live() : health.ready();
                json(exchange, check.ok() ? 200 : 503, check.body());
            }
        } catch (RuntimeException e) {
            LOG.error("unexpected failure answering {} {}", exchange.getRequestMethod(), exchange.getRequestURI(), e);
            throw e;
        }
    }

    private void json(HttpExchange exchange, int status, Object value) throws IOException {
        byte[] body;
        try {
            body = mapper.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a health answer always serializes", e);
        }
        send(exchange, status, JSON, body);
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** Stops listening, without waiting for requests being answered. Safe to call more than once. */
    @Override
    public void close() {
        server.stop(0);
        handlers.shutdownNow();
    }
}
