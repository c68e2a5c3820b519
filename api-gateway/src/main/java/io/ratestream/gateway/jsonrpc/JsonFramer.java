package io.ratestream.gateway.jsonrpc;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Cuts a connection's bytes into JSON values, with no framing beyond the JSON itself (as Go's
 * {@code net/rpc/jsonrpc} reads a stream), and passes each one on as a {@code byte[]}. A top-level array
 * comes through whole (the protocol answers it "invalid request"); whitespace between values is skipped.
 *
 * <p>It replaces Netty's {@code JsonObjectDecoder} for the listener's ceilings:
 * <ul>
 *   <li><b>Back-pressure.</b> It hands out values only while the channel auto-reads. Once the handler
 *   turns reading off (in-flight limit, full write buffer), the bytes already read stay here, undecoded,
 *   until reading resumes; so nothing beyond the limit is started, and what is held is at most one
 *   socket read plus one partial object.</li>
 *   <li><b>Deadline.</b> It knows when it holds part of a value, and gives the client {@code deadline}
 *   from the value's first byte to send the rest (slowloris). When the timer fires while the channel is
 *   not being read, the client could not have sent more: the full deadline starts again when reading
 *   resumes. The expiry is a {@link DeadlineExceeded} user event.</li>
 *   <li><b>Size.</b> {@code maxObjectBytes} bounds one value (JsonObjectDecoder compares its whole
 *   buffer, so pipelined small requests could trip it); a longer one fires {@link TooLongFrameException}
 *   as soon as it is too long, without waiting for its end.</li>
 * </ul>
 * Bytes that cannot start a value fire {@link CorruptedFrameException}. After any failure the rest of the
 * input is discarded. A backslash escapes the next character inside strings, so {@code "a\\"} ends.
 *
 * <p>Not sharable; event loop only.
 */
final class JsonFramer extends ChannelDuplexHandler {

    /** The user event fired when a partially received value was not completed within the deadline. */
    record DeadlineExceeded(Duration deadline) {
    }

    private final int maxObjectBytes;
    private final Duration deadline;

    // Input not yet handed out: from the first byte of the current value, or unread whitespace.
    private ByteBuf buffer;
    // Bytes after the buffer's reader index already scanned, and the scanner's state at that point.
    private int scanned;
    private int depth;
    private boolean inString;
    private boolean escaped;

    private boolean decoding;
    private boolean readRequested;
    private boolean failed;
    private ScheduledFuture<?> timer;

    /** {@code deadline} zero: no deadline. */
    JsonFramer(int maxObjectBytes, Duration deadline) {
        this.maxObjectBytes = maxObjectBytes;
        this.deadline = deadline;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (failed) {
            in.release();
            return;
        }
        append(ctx, in);
        decode(ctx);
        if (readRequested) {
            readRequested = false;
            if (ctx.channel().config().isAutoRead()) {
                ctx.read();
            }
        }
    }

    /**
     * Reading resumes (auto-read was turned back on) or goes on: hand out what was held first, and ask
     * the socket for more only if that did not stop reading again.
     */
    @Override
    public void read(ChannelHandlerContext ctx) {
        if (decoding) {
            readRequested = true; // the decoding loop below us on the stack goes on while auto-read is on
            return;
        }
        decode(ctx);
        if (ctx.channel().config().isAutoRead()) {
            ctx.read();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        discard();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        discard();
    }

    private void decode(ChannelHandlerContext ctx) {
        decoding = true;
        try {
            while (buffer != null && !failed && ctx.channel().config().isAutoRead() && ctx.channel().isActive()) {
                byte[] value = nextValue(ctx);
                if (value == null) {
                    break;
                }
                ctx.fireChannelRead(value);
            }
        } finally {
            decoding = false;
        }
        if (buffer != null && !buffer.isReadable()) {
            buffer.release(); // an idle connection holds no buffer
            buffer = null;
        }
        updateTimer(ctx);
    }

    /** The next complete value, or null when more input is needed (or the input failed). */
    private byte[] nextValue(ChannelHandlerContext ctx) {
        int start = buffer.readerIndex();
        int end = buffer.writerIndex();
        for (int i = start + scanned; i < end; i++) {
            byte c = buffer.getByte(i);
            if (depth == 0) {
                if (c == '{' || c == '[') {
                    depth = 1;
                    start = i;
                    buffer.readerIndex(i);
                } else if (!Character.isWhitespace(c)) {
                    fail(ctx, new CorruptedFrameException("expected a JSON object"));
                    return null;
                }
                continue;
            }
            if (i + 1 - start > maxObjectBytes) {
                fail(ctx, new TooLongFrameException("JSON value longer than " + maxObjectBytes + " bytes"));
                return null;
            }
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if ((c == '}' || c == ']') && --depth == 0) {
                byte[] value = new byte[i + 1 - start];
                buffer.readBytes(value);
                scanned = 0;
                return value;
            }
        }
        if (depth == 0) {
            buffer.readerIndex(end); // only whitespace
        }
        scanned = end - buffer.readerIndex();
        return null;
    }

    private void append(ChannelHandlerContext ctx, ByteBuf in) {
        if (buffer == null) {
            buffer = in;
            return;
        }
        try {
            int needed = in.readableBytes();
            if (buffer.maxWritableBytes() < needed || buffer.refCnt() > 1 || buffer.isReadOnly()) {
                // e.g. a wrapped array: copy once into a buffer that grows, amortized like any ByteBuf
                ByteBuf growable = ctx.alloc().buffer(Math.max(256, buffer.readableBytes() + needed));
                growable.writeBytes(buffer);
                buffer.release();
                buffer = growable;
            } else {
                buffer.discardSomeReadBytes();
            }
            buffer.writeBytes(in);
        } finally {
            in.release();
        }
    }

    /** Starts, keeps or stops the deadline of the value in progress; call after every decoding pass. */
    private void updateTimer(ChannelHandlerContext ctx) {
        boolean partial = depth > 0 && !failed;
        if (!partial) {
            cancelTimer();
        } else if (timer == null && !deadline.isZero() && ctx.channel().config().isAutoRead()) {
            timer = ctx.executor().schedule(() -> deadlinePassed(ctx), deadline.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void deadlinePassed(ChannelHandlerContext ctx) {
        timer = null;
        if (failed || depth == 0 || !ctx.channel().isActive()) {
            return;
        }
        if (!ctx.channel().config().isAutoRead()) {
            return; // not being read: the next decoding pass, when reading resumes, starts the deadline anew
        }
        failed = true;
        releaseBuffer();
        ctx.fireUserEventTriggered(new DeadlineExceeded(deadline));
    }

    private void fail(ChannelHandlerContext ctx, DecoderException cause) {
        failed = true;
        releaseBuffer();
        cancelTimer();
        ctx.fireExceptionCaught(cause);
    }

    private void discard() {
        releaseBuffer();
        cancelTimer();
    }

    private void releaseBuffer() {
        if (buffer != null) {
            buffer.release();
            buffer = null;
        }
        scanned = 0;
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
