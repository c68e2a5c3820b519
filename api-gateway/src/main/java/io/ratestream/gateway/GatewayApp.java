package io.ratestream.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.ratestream.gateway.auth.Caller;
import io.ratestream.gateway.auth.Guard;
import io.ratestream.gateway.http.HttpApi;
import io.ratestream.gateway.jsonrpc.JsonRpcMetrics;
import io.ratestream.gateway.jsonrpc.JsonRpcProtocol;
import io.ratestream.gateway.jsonrpc.JsonRpcServer;
import io.ratestream.gateway.replies.PendingReplies;
import io.ratestream.gateway.replies.ReplyListener;
import io.ratestream.gateway.rpc.ErrorMapping;
import io.ratestream.gateway.tls.TlsContexts;
import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.json.JsonSerde;
import io.ratestream.schemas.reply.ErrorKind;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway process: Kafka clients, the reply listener, JSON-RPC over TCP, and HTTP. Several gateways
 * share the load; each receives only its own replies.
 */
public final class GatewayApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayApp.class);

    private final GatewayConfig config;
    private final Gateway gateway;
    private final KafkaHealth kafka;
    private final ReplyListener replies;
    private final CommandPublisher publisher;
    private final JsonRpcProtocol protocol;
    private final TlsContexts tls;
    private final JsonRpcServer tcp;
    private final Javalin http;
    private boolean listening;
    private volatile boolean httpStarted;
    private boolean closed;

    private GatewayApp(GatewayConfig config, Gateway gateway, KafkaHealth kafka, ReplyListener replies,
            CommandPublisher publisher, JsonRpcProtocol protocol, TlsContexts tls, JsonRpcServer tcp, Javalin http) {
        this.config = config;
        this.gateway = gateway;
        this.kafka = kafka;
        this.replies = replies;
        this.publisher = publisher;
        this.protocol = protocol;
        this.tls = tls;
        this.tcp = tcp;
        this.http = http;
    }

    /**
     * Starts the gateway; returns when both listeners accept connections. A failure half-way closes what
     * was started before it is thrown. TLS files are read first: a bad one fails the start before anything
     * else, with a message naming the file.
     */
    public static GatewayApp start(GatewayConfig config) {
        GatewayApp app = startWithoutListeners(config);
        try {
            app.listen();
        } catch (RuntimeException e) {
            app.close();
            throw e;
        }
        return app;
    }

    /**
     * Starts the gateway's Kafka clients and reply listener but opens no port: {@link #listen()} opens them.
     * Until then only {@link #openLoopbackListener()} reaches the service; {@code ratestream dev} warms the
     * JIT up through one, so that its public ports accept no client before the ready line. A failure
     * half-way closes what was started before it is thrown.
     */
    public static GatewayApp startWithoutListeners(GatewayConfig config) {
        TlsContexts tls = config.tls() == null ? null : TlsContexts.load(config.tls());
        ObjectMapper mapper = Json.newMapper();
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PendingReplies pending = new PendingReplies(config.maxPending());
        Gauge.builder("ratestream.requests.waiting", pending, PendingReplies::size)
                .description("requests waiting for their reply").register(metrics);
        Deque<AutoCloseable> started = new ArrayDeque<>();
        try {
            CommandPublisher publisher = started(started, new CommandPublisher(config.bootstrapServers(),
                    config.kafkaProperties(), new JsonSerde<>(mapper, Command.class)));
            KafkaHealth kafka = started(started, new KafkaHealth(config.bootstrapServers(), config.kafkaProperties(),
                    publisher::ready));
            kafka.start();
            ReplyListener replies = started(started, new ReplyListener(config.bootstrapServers(),
                    config.replyPartition(), config.repliesReadCommitted(), config.kafkaProperties(), pending,
                    metrics));
            replies.start();
            Gateway gateway = new Gateway(config, mapper, pending, replies, publisher, kafka, metrics,
                    Clock.systemUTC(), instanceName(), new RecentActivity(Clock.systemUTC()),
                    new Guard(config.authenticator(), metrics));
            JsonRpcProtocol protocol = new JsonRpcProtocol(gateway, mapper);
            JsonRpcServer tcp = new JsonRpcServer(new JsonRpcServer.Config(config.bind(), config.jsonRpcPort(),
                    config.maxRequestBytes(), config.idleTimeout()), config.connectionLimits(), protocol, tls);
            registerListenerMetrics(metrics, tcp.metrics());
            Javalin http = HttpApi.create(gateway, mapper, Clock.systemUTC(), metrics,
                    (body, caller, key) -> jsonRpcOverHttp(mapper, protocol, body, caller, key),
                    config.maxRequestBytes(), tls);
            return new GatewayApp(config, gateway, kafka, replies, publisher, protocol, tls, tcp, http);
        } catch (RuntimeException e) {
            closeAll(started);
            throw e;
        }
    }

    /**
     * Opens the configured ports: JSON-RPC over TCP, then HTTP; returns when both accept connections.
     *
     * @throws IllegalStateException when a port cannot be bound (the message says what to do; the caller
     *     closes the gateway), or when already listening or closed
     */
    public synchronized void listen() {
        if (listening || closed) {
            throw new IllegalStateException(closed ? "the gateway is closed" : "the gateway already listens");
        }
        listening = true;
        tcp.start();
        try {
            http.start(config.bind(), config.httpPort());
            httpStarted = true;
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot listen on " + config.bind() + ":" + config.httpPort()
                    + " (is the port in use? stop the other process or pass --http-port): " + e.getMessage(), e);
        }
        LOG.info("gateway listening: JSON-RPC{} {}:{}, {} {}:{}", tls == null ? "" : " over TLS", config.bind(),
                tcp.port(), tls == null ? "HTTP" : "HTTPS", config.bind(), http.port());
    }

    /**
     * A JSON-RPC over TCP listener on 127.0.0.1 and a free port ({@link JsonRpcServer#port()}), plain TCP,
     * with the same service, access control and connection limits as the public one but not counted in its
     * metrics: for the process's own calls (the warm-up of {@code ratestream dev}) before {@link #listen()}.
     * The caller closes it.
     */
    public JsonRpcServer openLoopbackListener() {
        JsonRpcServer server = new JsonRpcServer(new JsonRpcServer.Config("127.0.0.1", 0, config.maxRequestBytes(),
                config.idleTimeout()), config.connectionLimits(), protocol, null);
        server.start();
        return server;
    }

    /** The JSON-RPC listener's ceilings, as Prometheus sees them (docs/limits.md). */
    private static void registerListenerMetrics(MeterRegistry registry, JsonRpcMetrics listener) {
        Gauge.builder("ratestream.jsonrpc.connections.open", listener, JsonRpcMetrics::openConnections)
                .register(registry);
        Gauge.builder("ratestream.jsonrpc.connections.paused", listener, JsonRpcMetrics::pausedConnections)
                .description("connections not being read now (in-flight limit or a full write buffer)")
                .register(registry);
        FunctionCounter.builder("ratestream.jsonrpc.connections.refused", listener, JsonRpcMetrics::refusedServerFull)
                .tag("reason", "server").register(registry);
        FunctionCounter.builder("ratestream.jsonrpc.connections.refused", listener, JsonRpcMetrics::refusedAddressFull)
                .tag("reason", "address").register(registry);
        FunctionCounter.builder("ratestream.jsonrpc.inflight.limit.reached", listener,
                JsonRpcMetrics::inFlightLimitReached).register(registry);
        FunctionCounter.builder("ratestream.jsonrpc.write.buffer.full", listener, JsonRpcMetrics::writeBufferFull)
                .register(registry);
        FunctionCounter.builder("ratestream.jsonrpc.closed", listener, JsonRpcMetrics::requestsIncomplete)
                .tag("reason", "deadline").register(registry);
        FunctionCounter.builder("ratestream.jsonrpc.closed", listener, JsonRpcMetrics::requestsTooLarge)
                .tag("reason", "too_large").register(registry);
        FunctionCounter.builder("ratestream.jsonrpc.closed", listener, JsonRpcMetrics::requestsMalformed)
                .tag("reason", "malformed").register(registry);
    }

    private static <T extends AutoCloseable> T started(Deque<AutoCloseable> started, T part) {
        started.push(part);
        return part;
    }

    private static void closeAll(Deque<AutoCloseable> started) {
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (Exception | Error e) {
                LOG.warn("closing after a failed start: {}", e.toString());
            }
        }
    }

    /**
     * JSON-RPC over HTTP: 200 with the response object (errors included, as JSON-RPC has them), 204 for a
     * JSON-RPC 2.0 notification, 400 for a body that is not JSON, and the refusals of access control as
     * HTTP says them: 401 unauthenticated, 403 forbidden, with the JSON-RPC error object in the body.
     */
    private static CompletableFuture<HttpApi.HttpReply> jsonRpcOverHttp(ObjectMapper mapper, JsonRpcProtocol protocol,
            byte[] body, Caller caller, String idempotencyKey) {
        try {
            mapper.readTree(body);
        } catch (IOException e) {
            return CompletableFuture.completedFuture(new HttpApi.HttpReply(400,
                    protocol.malformedJsonResponse(Json.describe(e))));
        }
        return protocol.answer(body, caller, idempotencyKey).thenApply(answer -> {
            ErrorKind kind = answer.errorKind();
            int status = kind == ErrorKind.UNAUTHENTICATED || kind == ErrorKind.FORBIDDEN ? ErrorMapping.httpStatus(kind)
                    : answer.body().length == 0 ? 204 : 200;
            return new HttpApi.HttpReply(status, answer.body());
        });
    }

    private static String instanceName() {
        try {
            return InetAddress.getLocalHost().getHostName() + "-" + UUID.randomUUID().toString().substring(0, 8);
        } catch (IOException e) {
            return "gateway-" + UUID.randomUUID().toString().substring(0, 8);
        }
    }

    /** The port JSON-RPC over TCP listens on; {@link #listen()} first. */
    public int jsonRpcPort() {
        return tcp.port();
    }

    /** The port HTTP listens on; {@link #listen()} first. */
    public int httpPort() {
        if (!httpStarted) {
            throw new IllegalStateException("HTTP is not listening");
        }
        return http.port();
    }

    /** The service behind both listeners. */
    public Gateway gateway() {
        return gateway;
    }

    /** Waits until the gateway is ready (Kafka answers, a reply partition is assigned). */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!gateway.ready()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /**
     * Stops gracefully: the JSON-RPC listener accepts no more connections, new requests on open connections
     * and over HTTP are refused as unavailable (readiness says no), the requests already sent get their
     * replies (waiting up to the reply timeout), then the listeners and Kafka clients close. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        gateway.drain();
        tcp.stopAccepting();
        long deadline = System.nanoTime() + config.replyTimeout().toNanos();
        while (gateway.waiting() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (gateway.waiting() > 0) {
            LOG.warn("closing with {} requests still waiting for replies", gateway.waiting());
        }
        if (httpStarted) {
            http.stop();
        }
        tcp.close();
        try {
            replies.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        publisher.close();
        kafka.close();
    }
}
