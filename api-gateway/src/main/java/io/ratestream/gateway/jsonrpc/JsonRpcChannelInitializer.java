package io.ratestream.gateway.jsonrpc;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.json.JsonObjectDecoder;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline of one JSON-RPC connection: idle timeout, then the framer that cuts the byte stream into
 * JSON objects (no framing beyond the JSON itself), then the request handler. Tests install it on an
 * {@code EmbeddedChannel}.
 */
final class JsonRpcChannelInitializer extends ChannelInitializer<Channel> {

    private final JsonRpcProtocol protocol;
    private final int maxRequestBytes;
    private final Duration idleTimeout;

    /** {@code idleTimeout} zero keeps idle connections open. */
    JsonRpcChannelInitializer(JsonRpcProtocol protocol, int maxRequestBytes, Duration idleTimeout) {
        this.protocol = protocol;
        this.maxRequestBytes = maxRequestBytes;
        this.idleTimeout = idleTimeout;
    }

    @Override
    protected void initChannel(Channel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        if (!idleTimeout.isZero()) {
            pipeline.addLast("idle", new IdleStateHandler(0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS));
        }
        // A top-level array comes through whole, and the protocol answers it "invalid request".
        pipeline.addLast("framer", new JsonObjectDecoder(maxRequestBytes, false));
        pipeline.addLast("jsonrpc", new JsonRpcHandler(protocol, maxRequestBytes));
    }
}
