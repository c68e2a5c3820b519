package io.ratestream.gateway.jsonrpc;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's requests: each JSON object from the framer goes through the protocol, and its
 * response is written when ready, so requests run concurrently and answers go out in completion order.
 * Bad bytes get an error response with a null id and close the connection, as Go's server closes it.
 */
final class JsonRpcHandler extends SimpleChannelInboundHandler<ByteBuf> {

    private static final Logger LOG = LoggerFactory.getLogger(JsonRpcHandler.class);
    // Go's json.Encoder ends every response with a newline.
    private static final byte[] NEWLINE = {'\n'};

    private final JsonRpcProtocol protocol;
    private final int maxRequestBytes;
    private final AtomicInteger inFlight = new AtomicInteger();
    private boolean closing; // event loop only

    JsonRpcHandler(JsonRpcProtocol protocol, int maxRequestBytes) {
        this.protocol = protocol;
        this.maxRequestBytes = maxRequestBytes;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        LOG.debug("JSON-RPC connection from {} opened", ctx.channel().remoteAddress());
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        LOG.debug("JSON-RPC connection from {} closed", ctx.channel().remoteAddress());
        ctx.fireChannelInactive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
        if (closing) {
            return; // objects decoded after a fatal error are not answered
        }
        JsonNode request;
        try {
            request = protocol.parse(ByteBufUtil.getBytes(frame));
        } catch (JsonRpcProtocol.MalformedJsonException e) {
            answerAndClose(ctx, protocol.malformedJsonResponse(e.getMessage()));
            return;
        }
        Channel channel = ctx.channel();
        inFlight.incrementAndGet();
        protocol.handle(request, null).whenComplete((response, failure) -> {
            inFlight.decrementAndGet();
            // The future never fails; a closed connection drops its pending responses quietly.
            if (response != null && response.length > 0 && channel.isActive()) {
                channel.writeAndFlush(Unpooled.wrappedBuffer(response, NEWLINE));
            }
        });
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            answerAndClose(ctx, protocol.errorResponse("request larger than " + maxRequestBytes + " bytes"));
        } else if (cause instanceof CorruptedFrameException) {
            // The framer's message holds a hex dump of the input: not for the caller.
            answerAndClose(ctx, protocol.malformedJsonResponse("expected a JSON object"));
        } else {
            LOG.debug("JSON-RPC connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            // A connection waiting for a slow answer is not idle; the next idle event checks again.
            if (inFlight.get() == 0) {
                LOG.debug("JSON-RPC connection from {} idle: closing", ctx.channel().remoteAddress());
                ctx.close();
            }
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }

    private void answerAndClose(ChannelHandlerContext ctx, byte[] response) {
        if (closing) {
            return;
        }
        closing = true;
        LOG.debug("JSON-RPC connection from {}: bad request, closing", ctx.channel().remoteAddress());
        ctx.channel().writeAndFlush(Unpooled.wrappedBuffer(response, NEWLINE))
                .addListener(ChannelFutureListener.CLOSE);
    }
}
