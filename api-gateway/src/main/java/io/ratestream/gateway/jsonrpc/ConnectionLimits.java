package io.ratestream.gateway.jsonrpc;

import io.netty.channel.WriteBufferWaterMark;
import java.time.Duration;

/**
 * The ceilings of the JSON-RPC/TCP listener, besides the request size and idle timeout of
 * {@link JsonRpcServer.Config}. Each one bounds what a careless or hostile client can take from the
 * gateway; a client that stays under them never notices them.
 *
 * @param maxConnections connections open at once, from all clients (default
 *     {@value #DEFAULT_MAX_CONNECTIONS}). One more is accepted, answered
 *     {@code {"id":null,"result":null,"error":"busy: too many connections (limit N): ..."}} and closed
 *     without reading anything from it.
 * @param maxConnectionsPerAddress connections open at once from one remote IP address (default
 *     {@value #DEFAULT_MAX_CONNECTIONS_PER_ADDRESS}); one more is refused like {@code maxConnections}.
 * @param maxInFlightPerConnection requests of one connection waiting for their answers (default
 *     {@value #DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION}). At the limit the gateway stops reading that
 *     connection and starts its next request when an answer goes out: back-pressure, never an error.
 *     Requests already read stay as bytes (at most one socket read plus one partial object) and are
 *     started in order as answers go out, so the limit is exact.
 * @param writeBufferLowWater bytes of unsent answers below which a connection that was stopped for
 *     {@code writeBufferHighWater} is read again (default {@value #DEFAULT_WRITE_BUFFER_LOW_WATER}, 32 KiB)
 * @param writeBufferHighWater bytes of answers waiting to be sent above which the gateway stops reading
 *     that connection (default {@value #DEFAULT_WRITE_BUFFER_HIGH_WATER}, 64 KiB): a client that sends but
 *     never reads its answers is no longer read, so the gateway's memory stays flat, and its requests are
 *     answered once it reads again. Reading resumes only when both this and the in-flight limit allow.
 * @param requestDeadline the time a client has to finish a JSON object once its first byte arrived
 *     (default {@link #DEFAULT_REQUEST_DEADLINE}, 10 s; zero: no deadline). Past it the connection is
 *     answered {@code {"id":null,"result":null,"error":"request not completed within 10 s: ..."}} and
 *     closed. Time while the gateway itself has stopped reading the connection does not count; a quiet
 *     connection between objects is governed by the idle timeout instead.
 */
public record ConnectionLimits(int maxConnections, int maxConnectionsPerAddress, int maxInFlightPerConnection,
        int writeBufferLowWater, int writeBufferHighWater, Duration requestDeadline) {

    /** Default of {@link #maxConnections()}: 10,000. */
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    /** Default of {@link #maxConnectionsPerAddress()}: 1,000. */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 1_000;
    /** Default of {@link #maxInFlightPerConnection()}: 32 (one client with more delays every other one: ChaosIT). */
    public static final int DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION = 32;
    /** Default of {@link #writeBufferLowWater()}: 32 KiB. */
    public static final int DEFAULT_WRITE_BUFFER_LOW_WATER = 32 * 1024;
    /** Default of {@link #writeBufferHighWater()}: 64 KiB. */
    public static final int DEFAULT_WRITE_BUFFER_HIGH_WATER = 64 * 1024;
    /** Default of {@link #requestDeadline()}: 10 seconds. */
    public static final long DEFAULT_REQUEST_DEADLINE_MS = 10_000;
    /** {@link #DEFAULT_REQUEST_DEADLINE_MS} as a duration. */
    public static final Duration DEFAULT_REQUEST_DEADLINE = Duration.ofMillis(DEFAULT_REQUEST_DEADLINE_MS);

    /** Checks every ceiling; the messages name the limit, as the CLI flags do. */
    public ConnectionLimits {
        requirePositive("maxConnections", maxConnections);
        requirePositive("maxConnectionsPerAddress", maxConnectionsPerAddress);
        requirePositive("maxInFlightPerConnection", maxInFlightPerConnection);
        requirePositive("writeBufferHighWater", writeBufferHighWater);
        if (writeBufferLowWater < 0 || writeBufferLowWater > writeBufferHighWater) {
            throw new IllegalArgumentException("writeBufferLowWater must be 0.." + writeBufferHighWater
                    + " (the high water mark), got " + writeBufferLowWater);
        }
        if (requestDeadline == null || requestDeadline.isNegative()) {
            throw new IllegalArgumentException("requestDeadline must be zero or positive, got " + requestDeadline);
        }
    }

    /** Every ceiling at its default. */
    public static ConnectionLimits defaults() {
        return new ConnectionLimits(DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
                DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION, DEFAULT_WRITE_BUFFER_LOW_WATER, DEFAULT_WRITE_BUFFER_HIGH_WATER,
                DEFAULT_REQUEST_DEADLINE);
    }

    /** These limits with the given connection ceilings. */
    public ConnectionLimits withConnections(int total, int perAddress) {
        return new ConnectionLimits(total, perAddress, maxInFlightPerConnection, writeBufferLowWater,
                writeBufferHighWater, requestDeadline);
    }

    /** These limits with the given in-flight ceiling. */
    public ConnectionLimits withMaxInFlightPerConnection(int maxInFlight) {
        return new ConnectionLimits(maxConnections, maxConnectionsPerAddress, maxInFlight, writeBufferLowWater,
                writeBufferHighWater, requestDeadline);
    }

    /**
     * These limits with the given high water mark and half of it as the low one, so that a single
     * {@code --write-buffer-high-water} setting keeps the default proportions.
     */
    public ConnectionLimits withWriteBufferHighWater(int high) {
        return new ConnectionLimits(maxConnections, maxConnectionsPerAddress, maxInFlightPerConnection, high / 2,
                high, requestDeadline);
    }

    /** These limits with the given request deadline (zero: none). */
    public ConnectionLimits withRequestDeadline(Duration deadline) {
        return new ConnectionLimits(maxConnections, maxConnectionsPerAddress, maxInFlightPerConnection,
                writeBufferLowWater, writeBufferHighWater, deadline);
    }

    WriteBufferWaterMark writeBufferWaterMark() {
        return new WriteBufferWaterMark(writeBufferLowWater, writeBufferHighWater);
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
