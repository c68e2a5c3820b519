package io.ratestream.gateway.jsonrpc;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.ratestream.gateway.rpc.RpcService;
import io.ratestream.gateway.tls.TlsContexts;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON-RPC 1.0 over raw TCP, wire-compatible with Go's {@code net/rpc/jsonrpc} (default port 2001): a
 * connection carries a stream of request objects and gets one response object per request, each followed
 * by a newline, in completion order. Netty event loops serve all connections (one acceptor thread, one
 * worker per core), so thousands of idle connections cost no threads. The {@link ConnectionLimits} bound
 * what any one client can take: connections, requests in flight (by back-pressure), unsent answers, the
 * time to finish a request; {@link #metrics()} shows them at work. Nothing in the pipeline blocks an event
 * loop; the service's {@code call} runs on it too, so it must return its future without blocking.
 *
 * <p>Lifecycle: construct, {@link #start()}, {@link #close()}. Thread-safe.
 */
public final class JsonRpcServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JsonRpcServer.class);

    /**
     * Where and how to listen.
     *
     * @param host the address to bind, e.g. {@code 127.0.0.1}
     * @param port the TCP port; 0 picks a free one (see {@link JsonRpcServer#port()})
     * @param maxRequestBytes the largest request object accepted (default {@value #DEFAULT_MAX_REQUEST_BYTES},
     *     64 KiB); a larger one is answered {@code {"id":null,"result":null,"error":"request larger than N
     *     bytes"}} and its connection closed, as soon as it is longer, without waiting for its end
     * @param idleTimeout a connection without traffic and without pending requests for this long is
     *     closed; zero keeps it open
     */
    public record Config(String host, int port, int maxRequestBytes, Duration idleTimeout) {

        /** The default request size limit: 64 KiB. */
        public static final int DEFAULT_MAX_REQUEST_BYTES = 64 * 1024;
        /** The default idle timeout. */
        public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(10);

        public Config {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("JSON-RPC host must not be blank");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("JSON-RPC port must be 0..65535, got " + port);
            }
            if (maxRequestBytes <= 0) {
                throw new IllegalArgumentException("maxRequestBytes must be positive, got " + maxRequestBytes);
            }
            if (idleTimeout == null || idleTimeout.isNegative()) {
                throw new IllegalArgumentException("idleTimeout must be zero or positive, got " + idleTimeout);
            }
        }

        /** {@code host:port} with the default size limit and idle timeout. */
        public static Config of(String host, int port) {
            return new Config(host, port, DEFAULT_MAX_REQUEST_BYTES, DEFAULT_IDLE_TIMEOUT);
        }
    }

    private final Config config;
    private final ConnectionLimits limits;
    private final JsonRpcProtocol protocol;
    private final JsonRpcMetrics metrics;
    private final TlsContexts tls;
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private volatile Channel serverChannel;
    private volatile int boundPort;

    /** A server answering through {@code service}, with the project's JSON mapper. */
    public JsonRpcServer(Config config, RpcService service) {
        this(config, new JsonRpcProtocol(service));
    }

    /** A server answering through {@code protocol}, with {@link ConnectionLimits#defaults()}. */
    public JsonRpcServer(Config config, JsonRpcProtocol protocol) {
        this(config, ConnectionLimits.defaults(), protocol);
    }

    /** A server answering through {@code protocol}, within {@code limits}. */
    public JsonRpcServer(Config config, ConnectionLimits limits, JsonRpcProtocol protocol) {
        this(config, limits, protocol, null);
    }

    /**
     * A server answering through {@code protocol}, within {@code limits}, over TLS with {@code tls} (null:
     * plain TCP).
     */
    public JsonRpcServer(Config config, ConnectionLimits limits, JsonRpcProtocol protocol, TlsContexts tls) {
        this.tls = tls;
        this.config = Objects.requireNonNull(config, "config");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.metrics = new JsonRpcMetrics(
                new ConnectionLimiter(limits.maxConnections(), limits.maxConnectionsPerAddress()));
    }

    /**
     * Binds and starts accepting connections; returns once listening.
     *
     * @throws IllegalStateException if already started, or the port cannot be bound (the message says
     *     what to do, e.g. {@code port 2001 is in use: stop the other process or pass --jsonrpc-port})
     */
    public synchronized void start() {
        if (serverChannel != null) {
            throw new IllegalStateException("JSON-RPC server already started");
        }
        boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("jsonrpc-accept"),
                NioIoHandler.newFactory());
        workers = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(),
                new DefaultThreadFactory("jsonrpc-io"), NioIoHandler.newFactory());
        ChannelFuture bind = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new JsonRpcChannelInitializer(protocol, config.maxRequestBytes(), config.idleTimeout(),
                        limits, metrics, tls))
                .bind(config.host(), config.port())
                .awaitUninterruptibly();
        if (!bind.isSuccess()) {
            shutDownEventLoops();
            throw bindFailure(bind.cause());
        }
        serverChannel = bind.channel();
        boundPort = ((InetSocketAddress) serverChannel.localAddress()).getPort();
        LOG.info("JSON-RPC listening on {}{}", serverChannel.localAddress(), tls == null ? "" : " (TLS)");
    }

    /** The port listened on (the actual one when configured as 0). */
    public int port() {
        Channel channel = serverChannel;
        if (channel == null) {
            throw new IllegalStateException("JSON-RPC server not started");
        }
        return boundPort;
    }

    /** What the connection ceilings have done so far; live values, for gauges and counters. */
    public JsonRpcMetrics metrics() {
        return metrics;
    }

    /** The ceilings this server enforces. */
    public ConnectionLimits limits() {
        return limits;
    }

    /**
     * Stops accepting connections; the open ones keep being served (a graceful stop drains them, then
     * calls {@link #close()}). Idempotent.
     */
    public synchronized void stopAccepting() {
        Channel channel = serverChannel;
        if (channel != null && channel.isOpen()) {
            channel.close().syncUninterruptibly();
            LOG.info("JSON-RPC server on {}:{} no longer accepts connections", config.host(), boundPort);
        }
    }

    /** Stops listening and closes every connection; pending responses are dropped. Idempotent. */
    @Override
    public synchronized void close() {
        Channel channel = serverChannel;
        if (channel != null) {
            channel.close().syncUninterruptibly();
            serverChannel = null;
            LOG.info("JSON-RPC server on {}:{} stopped", config.host(), boundPort);
        }
        shutDownEventLoops();
    }

    private IllegalStateException bindFailure(Throwable cause) {
        // "Cannot assign requested address" (a host not on this machine) is a BindException too.
        String reason = String.valueOf(cause.getMessage());
        if (cause instanceof BindException && reason.toLowerCase(Locale.ROOT).contains("in use")) {
            return new IllegalStateException("port " + config.port()
                    + " is in use: stop the other process or pass --jsonrpc-port", cause);
        }
        return new IllegalStateException("cannot listen for JSON-RPC on " + config.host() + ":" + config.port()
                + ": " + reason + ": check the configured JSON-RPC host and port", cause);
    }

    private void shutDownEventLoops() {
        for (EventLoopGroup group : new EventLoopGroup[] {boss, workers}) {
            if (group != null) {
                group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            }
        }
        boss = null;
        workers = null;
    }
}
