package io.ratestream.gateway.jsonrpc;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.ratestream.gateway.tls.TlsContexts;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline of one JSON-RPC connection. First the connection ceilings: a connection over the total or
 * per-address limit gets one "busy" error line and is closed without being read. An admitted one is
 * counted until it closes (by any path: its close future) and gets the write buffer water marks, the
 * idle timeout, the framer that cuts the byte stream into JSON values (no framing beyond the JSON
 * itself; size limit and completion deadline), then the request handler (in-flight limit and
 * back-pressure). Tests install it on an {@code EmbeddedChannel}.
 *
 * <p>With TLS, the TLS handler comes first after admission, with its handshake timeout. A connection over
 * the ceilings is refused before any handshake (no crypto spent on it): it is closed at once, without the
 * "busy" line a TLS client could not read; the client sees its handshake fail, the refusal is counted.
 *
 * <p>One instance serves every connection of a server (sharable, as every {@link ChannelInitializer}).
 */
final class JsonRpcChannelInitializer extends ChannelInitializer<Channel> {

    private final JsonRpcProtocol protocol;
    private final int maxRequestBytes;
    private final Duration idleTimeout;
    private final ConnectionLimits limits;
    private final ConnectionLimiter limiter;
    private final JsonRpcMetrics metrics;
    private final TlsContexts tls;

    /** The default ceilings, counted by this initializer alone; {@code idleTimeout} zero keeps idle connections open. */
    JsonRpcChannelInitializer(JsonRpcProtocol protocol, int maxRequestBytes, Duration idleTimeout) {
        this(protocol, maxRequestBytes, idleTimeout, ConnectionLimits.defaults());
    }

    /** {@code limits} counted by this initializer alone. */
    JsonRpcChannelInitializer(JsonRpcProtocol protocol, int maxRequestBytes, Duration idleTimeout,
            ConnectionLimits limits) {
        this(protocol, maxRequestBytes, idleTimeout, limits,
                new JsonRpcMetrics(new ConnectionLimiter(limits.maxConnections(), limits.maxConnectionsPerAddress())));
    }

    /** {@code metrics} holds the server's connection counts. */
    JsonRpcChannelInitializer(JsonRpcProtocol protocol, int maxRequestBytes, Duration idleTimeout,
            ConnectionLimits limits, JsonRpcMetrics metrics) {
        this(protocol, maxRequestBytes, idleTimeout, limits, metrics, null);
    }

    /** {@code tls} null: plain TCP. */
    JsonRpcChannelInitializer(JsonRpcProtocol protocol, int maxRequestBytes, Duration idleTimeout,
            ConnectionLimits limits, JsonRpcMetrics metrics, TlsContexts tls) {
        this.tls = tls;
        this.protocol = protocol;
        this.maxRequestBytes = maxRequestBytes;
        this.idleTimeout = idleTimeout;
        this.limits = limits;
        this.limiter = metrics.limiter();
        this.metrics = metrics;
    }

    @Override
    protected void initChannel(Channel channel) {
        Object address = ConnectionLimiter.addressOf(channel.remoteAddress());
        ConnectionLimiter.Admission admission = limiter.tryAcquire(address);
        if (admission != ConnectionLimiter.Admission.ADMITTED) {
            refuse(channel, admission, address);
            return;
        }
        // Every way a channel ends completes its close future, once: the count cannot leak or go twice.
        channel.closeFuture().addListener(closed -> limiter.release(address));
        channel.config().setWriteBufferWaterMark(limits.writeBufferWaterMark());
        ChannelPipeline pipeline = channel.pipeline();
        if (tls != null) {
            pipeline.addLast("tls", tls.newHandler(channel.alloc()));
        }
        if (!idleTimeout.isZero()) {
            pipeline.addLast("idle", new IdleStateHandler(0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS));
        }
        pipeline.addLast("framer", new JsonFramer(maxRequestBytes, limits.requestDeadline()));
        pipeline.addLast("jsonrpc", new JsonRpcHandler(protocol, maxRequestBytes, limits.maxInFlightPerConnection(),
                metrics));
    }

    private void refuse(Channel channel, ConnectionLimiter.Admission admission, Object address) {
        metrics.onRefused(admission);
        String message = admission == ConnectionLimiter.Admission.SERVER_FULL
                ? "busy: too many connections (limit " + limiter.maxConnections()
                        + "): the server is at its connection limit, try again later"
                : "busy: too many connections (limit " + limiter.maxPerAddress() + "): "
                        + limiter.maxPerAddress() + " already open from " + ConnectionLimiter.describe(address)
                        + ", close some before opening more";
        channel.config().setAutoRead(false); // nothing is read from a refused connection
        channel.pipeline().addLast("refuse", new Refusal(tls == null ? protocol.errorResponse(message) : null));
    }

    /** Says why a connection is refused as soon as it is active, then closes it (at once without a response). */
    private static final class Refusal extends ChannelInboundHandlerAdapter {

        private final byte[] response;

        Refusal(byte[] response) {
            this.response = response;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (response == null) {
                ctx.close();
                return;
            }
            ctx.writeAndFlush(JsonRpcHandler.line(response)).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }
    }
}
