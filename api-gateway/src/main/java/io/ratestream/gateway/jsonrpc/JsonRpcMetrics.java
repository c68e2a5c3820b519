package io.ratestream.gateway.jsonrpc;

import java.util.concurrent.atomic.LongAdder;

/**
 * What the JSON-RPC/TCP listener's ceilings have done, for monitoring (bind the getters to gauges and
 * function counters). Counters only grow; {@link #openConnections()} and {@link #pausedConnections()}
 * are current values.
 *
 * <p>Thread-safe: connections on every event loop update one instance.
 */
public final class JsonRpcMetrics {

    private final ConnectionLimiter limiter;
    private final LongAdder refusedServerFull = new LongAdder();
    private final LongAdder refusedAddressFull = new LongAdder();
    private final LongAdder inFlightLimitReached = new LongAdder();
    private final LongAdder writeBufferFull = new LongAdder();
    private final LongAdder paused = new LongAdder();
    private final LongAdder requestsIncomplete = new LongAdder();
    private final LongAdder requestsTooLarge = new LongAdder();
    private final LongAdder requestsMalformed = new LongAdder();

    JsonRpcMetrics(ConnectionLimiter limiter) {
        this.limiter = limiter;
    }

    /** Connections open now (admitted and not closed). */
    public int openConnections() {
        return limiter.open();
    }

    /** Remote addresses with at least one open connection now. */
    public int openAddresses() {
        return limiter.addresses();
    }

    /** Connections refused because the server had {@code maxConnections} open. */
    public long refusedServerFull() {
        return refusedServerFull.sum();
    }

    /** Connections refused because their address had {@code maxConnectionsPerAddress} open. */
    public long refusedAddressFull() {
        return refusedAddressFull.sum();
    }

    /** Times a connection reached {@code maxInFlightPerConnection} and stopped being read. */
    public long inFlightLimitReached() {
        return inFlightLimitReached.sum();
    }

    /** Times a connection's unsent answers went over the high water mark and it stopped being read. */
    public long writeBufferFull() {
        return writeBufferFull.sum();
    }

    /** Connections not being read now because of either back-pressure condition. */
    public long pausedConnections() {
        return paused.sum();
    }

    /** Connections closed because a request object was not completed within the deadline. */
    public long requestsIncomplete() {
        return requestsIncomplete.sum();
    }

    /** Connections closed because a request object was larger than {@code maxRequestBytes}. */
    public long requestsTooLarge() {
        return requestsTooLarge.sum();
    }

    /** Connections closed because they sent bytes that are not JSON. */
    public long requestsMalformed() {
        return requestsMalformed.sum();
    }

    ConnectionLimiter limiter() {
        return limiter;
    }

    void onRefused(ConnectionLimiter.Admission why) {
        (why == ConnectionLimiter.Admission.SERVER_FULL ? refusedServerFull : refusedAddressFull).increment();
    }

    void onInFlightLimitReached() {
        inFlightLimitReached.increment();
    }

    void onWriteBufferFull() {
        writeBufferFull.increment();
    }

    void onPausedChanged(boolean nowPaused) {
        paused.add(nowPaused ? 1 : -1);
    }

    void onRequestIncomplete() {
        requestsIncomplete.increment();
    }

    void onRequestTooLarge() {
        requestsTooLarge.increment();
    }

    void onRequestMalformed() {
        requestsMalformed.increment();
    }
}
