package io.ratestream.gateway.jsonrpc;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.EventExecutor;
import io.ratestream.gateway.auth.Authenticator;
import io.ratestream.gateway.auth.Caller;
import io.ratestream.gateway.tls.ClientCertificates;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's requests: each JSON value from the {@link JsonFramer} goes through the protocol, and
 * its response is written when ready, so requests run concurrently and answers go out in completion
 * order. Bad bytes get an error response with a null id and close the connection, as Go's server closes
 * it.
 *
 * <p>Back-pressure: the connection is read only while fewer than {@code maxInFlight} of its requests
 * wait for answers <em>and</em> its unsent answers are under the write buffer's high water mark; the
 * framer holds whatever it had read until then. Nothing here blocks: answers complete on any thread and
 * are handled on the channel's event loop.
 *
 * <p>Not sharable; its state is confined to the channel's event loop.
 */
final class JsonRpcHandler extends SimpleChannelInboundHandler<byte[]> {

    private static final Logger LOG = LoggerFactory.getLogger(JsonRpcHandler.class);
    // Go's json.Encoder ends every response with a newline.
    private static final byte[] NEWLINE = {'\n'};

    private final JsonRpcProtocol protocol;
    private final int maxRequestBytes;
    private final int maxInFlight;
    private final JsonRpcMetrics metrics;
    /** This connection as the gateway's access control sees it: Responder.Authenticate holds for it. */
    private final Caller caller = Caller.connection();
    private boolean certificateRead;
    private int inFlight;
    private boolean paused;
    private boolean closing;
    /** A flush of this connection is queued on its event loop: answers written before it runs share it. */
    private boolean flushPending;

    JsonRpcHandler(JsonRpcProtocol protocol, int maxRequestBytes, int maxInFlight, JsonRpcMetrics metrics) {
        this.protocol = protocol;
        this.maxRequestBytes = maxRequestBytes;
        this.maxInFlight = maxInFlight;
        this.metrics = metrics;
    }

    /** One response on the wire: its bytes and a newline. */
    static ByteBuf line(byte[] response) {
        return Unpooled.wrappedBuffer(response, NEWLINE);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        LOG.debug("JSON-RPC connection from {} opened", ctx.channel().remoteAddress());
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        LOG.debug("JSON-RPC connection from {} closed", ctx.channel().remoteAddress());
        closing = true; // answers still to come are dropped, and leave the reading state alone
        if (paused) {
            paused = false;
            metrics.onPausedChanged(false);
        }
        ctx.fireChannelInactive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, byte[] frame) {
        if (closing) {
            return; // values decoded after a fatal error are not answered
        }
        JsonNode request;
        try {
            request = protocol.parse(frame);
        } catch (JsonRpcProtocol.MalformedJsonException e) {
            metrics.onRequestMalformed();
            answerAndClose(ctx, protocol.malformedJsonResponse(e.getMessage()));
            return;
        }
        if (!certificateRead) {
            // No request arrives before a TLS handshake is complete: its client certificate is known now.
            certificateRead = true;
            String certificate = ClientCertificates.sha256Hex(ctx.channel());
            if (certificate != null) {
                caller.presentCertificate(Authenticator.clientCertificate(certificate));
            }
        }
        if (++inFlight == maxInFlight) {
            metrics.onInFlightLimitReached();
        }
        EventExecutor loop = ctx.executor();
        protocol.handle(request, caller, null).whenComplete((response, failure) -> {
            // The future never fails. Completions from other threads hop onto the event loop, where the
            // count and reading state live.
            if (loop.inEventLoop()) {
                answered(ctx, response);
            } else {
                try {
                    loop.execute(() -> answered(ctx, response));
                } catch (RejectedExecutionException e) {
                    LOG.debug("JSON-RPC server stopped: answer dropped");
                }
            }
        });
        updateReading(ctx);
    }

    private void answered(ChannelHandlerContext ctx, byte[] response) {
        inFlight--;
        // A closed connection drops its pending responses quietly.
        if (response != null && response.length > 0 && ctx.channel().isActive()) {
            ctx.write(line(response));
            if (!flushPending) {
                // One flush, one write to the socket, for every answer of this connection that is queued on
                // the event loop now: they came in the same batch of replies.
                flushPending = true;
                try {
                    ctx.executor().execute(() -> {
                        flushPending = false;
                        ctx.flush();
                    });
                } catch (RejectedExecutionException e) {
                    flushPending = false; // the loop is stopping: this answer goes now, if it still can
                    ctx.flush();
                }
            }
        }
        updateReading(ctx);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (!ctx.channel().isWritable()) {
            metrics.onWriteBufferFull();
        }
        updateReading(ctx);
        ctx.fireChannelWritabilityChanged();
    }

    /** Reads the connection only while both back-pressure conditions allow it. */
    private void updateReading(ChannelHandlerContext ctx) {
        Channel channel = ctx.channel();
        boolean read = !closing && inFlight < maxInFlight && channel.isWritable();
        boolean nowPaused = !read && !closing;
        if (nowPaused != paused) {
            paused = nowPaused;
            metrics.onPausedChanged(nowPaused);
        }
        if (channel.config().isAutoRead() != read) {
            channel.config().setAutoRead(read); // turning it on reads what the framer held, then the socket
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            metrics.onRequestTooLarge();
            answerAndClose(ctx, protocol.errorResponse("request larger than " + maxRequestBytes + " bytes"));
        } else if (cause instanceof CorruptedFrameException) {
            metrics.onRequestMalformed();
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
            if (inFlight == 0) {
                LOG.debug("JSON-RPC connection from {} idle: closing", ctx.channel().remoteAddress());
                ctx.close();
            }
        } else if (event instanceof JsonFramer.DeadlineExceeded exceeded) {
            metrics.onRequestIncomplete();
            answerAndClose(ctx, protocol.errorResponse("request not completed within " + seconds(exceeded.deadline())
                    + ": send each request object whole, without pausing inside it"));
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }

    /** "10 s", "0.25 s". */
    private static String seconds(Duration duration) {
        return BigDecimal.valueOf(duration.toMillis(), 3).stripTrailingZeros().toPlainString() + " s";
    }

    private void answerAndClose(ChannelHandlerContext ctx, byte[] response) {
        if (closing) {
            return;
        }
        closing = true;
        updateReading(ctx);
        Channel channel = ctx.channel();
        LOG.debug("JSON-RPC connection from {}: bad request, closing", channel.remoteAddress());
        if (!channel.isWritable()) {
            ctx.close(); // a client that does not read its answers would not read this one either
            return;
        }
        ctx.writeAndFlush(line(response)).addListener(ChannelFutureListener.CLOSE);
    }
}
