package io.ratestream.gateway;

import io.ratestream.gateway.auth.Authenticator;
import io.ratestream.gateway.jsonrpc.ConnectionLimits;
import io.ratestream.gateway.tls.TlsSettings;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the gateway is configured with, loaded once in {@code main}.
 *
 * @param bootstrapServers Kafka bootstrap servers; never null
 * @param bind the address both listeners bind to (127.0.0.1 by default; 0.0.0.0 for all)
 * @param jsonRpcPort JSON-RPC over TCP (2001); 0 picks a free port
 * @param httpPort HTTP (8000); 0 picks a free port
 * @param replyTimeout how long a caller waits for a reply before "timeout" (HTTP 504)
 * @param maxRequestBytes the largest request accepted (TCP object, HTTP body)
 * @param idleTimeout an idle JSON-RPC connection is closed after this
 * @param replyPartition the partition of ratestream.replies this gateway reads; -1 to have one assigned
 *     through the {@code ratestream-gateways} consumer group
 * @param repliesReadCommitted read replies read_committed (option (a) of docs/design.md) instead of
 *     read_uncommitted (the default, option (b))
 * @param connectionLimits the JSON-RPC listener's ceilings (connections, in flight, write buffer, request
 *     deadline); never null
 * @param maxPending requests waiting for their reply at once; one more is answered "busy" (HTTP 503) at
 *     once, without being sent
 * @param kafkaProperties Kafka client properties applied after the gateway's own to its producer, its
 *     reply consumer and its admin client (security settings for a real cluster, tuning for
 *     measurements); never null
 * @param tls both listeners speak TLS with these files (JSON-RPC over TLS on the JSON-RPC port, HTTPS on
 *     the HTTP port, no plain listener); null: plain TCP and HTTP
 * @param authenticator who may call: {@link Authenticator#open()} (everyone may do everything, for
 *     loopback only) or the principals of an auth file; never null
 */
public record GatewayConfig(
        String bootstrapServers,
        String bind,
        int jsonRpcPort,
        int httpPort,
        Duration replyTimeout,
        int maxRequestBytes,
        Duration idleTimeout,
        int replyPartition,
        boolean repliesReadCommitted,
        ConnectionLimits connectionLimits,
        int maxPending,
        Map<String, String> kafkaProperties,
        TlsSettings tls,
        Authenticator authenticator) {

    public GatewayConfig {
        kafkaProperties = Map.copyOf(kafkaProperties);
        Objects.requireNonNull(authenticator, "authenticator");
        Objects.requireNonNull(connectionLimits, "connectionLimits");
        if (maxPending <= 0) {
            throw new IllegalArgumentException("the limit of waiting requests must be positive, got " + maxPending);
        }
        if (maxRequestBytes <= 0) {
            throw new IllegalArgumentException("the largest request must be positive, got " + maxRequestBytes);
        }
    }

    /** Default largest request: 64 KiB, far above any real call descriptor. */
    public static final int MAX_REQUEST_BYTES = 64 * 1024;
    /** Default limit of requests waiting for their reply. */
    public static final int MAX_PENDING = 10_000;

    /** Default JSON-RPC port. */
    public static final int JSON_RPC_PORT = 2001;
    /** Default time a caller waits for its reply, in ms. */
    public static final long DEFAULT_REPLY_TIMEOUT_MS = 5_000;
    /** Default time after which an idle JSON-RPC connection is closed, in seconds. */
    public static final long DEFAULT_IDLE_TIMEOUT_SECONDS = 900;
    /** Default HTTP port. */
    public static final int HTTP_PORT = 8000;

    /** The defaults against a cluster. */
    public static GatewayConfig defaults(String bootstrapServers) {
        return new GatewayConfig(bootstrapServers, "127.0.0.1", JSON_RPC_PORT, HTTP_PORT, Duration.ofMillis(DEFAULT_REPLY_TIMEOUT_MS),
                MAX_REQUEST_BYTES, Duration.ofSeconds(DEFAULT_IDLE_TIMEOUT_SECONDS), -1, false, ConnectionLimits.defaults(), MAX_PENDING,
                Map.of(), null, Authenticator.open());
    }

    public GatewayConfig withPorts(int jsonRpc, int http) {
        return new GatewayConfig(bootstrapServers, bind, jsonRpc, http, replyTimeout, maxRequestBytes, idleTimeout,
                replyPartition, repliesReadCommitted, connectionLimits, maxPending, kafkaProperties, tls,
                authenticator);
    }

    public GatewayConfig withBind(String value) {
        return new GatewayConfig(bootstrapServers, value, jsonRpcPort, httpPort, replyTimeout, maxRequestBytes,
                idleTimeout, replyPartition, repliesReadCommitted, connectionLimits, maxPending, kafkaProperties,
                tls, authenticator);
    }

    public GatewayConfig withReplyTimeout(Duration value) {
        return new GatewayConfig(bootstrapServers, bind, jsonRpcPort, httpPort, value, maxRequestBytes, idleTimeout,
                replyPartition, repliesReadCommitted, connectionLimits, maxPending, kafkaProperties, tls,
                authenticator);
    }

    public GatewayConfig withReplyPartition(int value) {
        return new GatewayConfig(bootstrapServers, bind, jsonRpcPort, httpPort, replyTimeout, maxRequestBytes,
                idleTimeout, value, repliesReadCommitted, connectionLimits, maxPending, kafkaProperties, tls,
                authenticator);
    }

    public GatewayConfig withRepliesReadCommitted(boolean value) {
        return new GatewayConfig(bootstrapServers, bind, jsonRpcPort, httpPort, replyTimeout, maxRequestBytes,
                idleTimeout, replyPartition, value, connectionLimits, maxPending, kafkaProperties, tls,
                authenticator);
    }

    public GatewayConfig withIdleTimeout(Duration value) {
        return new GatewayConfig(bootstrapServers, bind, jsonRpcPort, httpPort, replyTimeout, maxRequestBytes, value,
                replyPartition, repliesReadCommitted, connectionLimits, maxPending, kafkaProperties, tls,
                authenticator);
    }

    public GatewayConfig withKafkaProperties(Map<String, String> value) {
        return new GatewayConfig(bootstrapServers, bind, jsonRpcPort, httpPort, replyTimeout, maxRequestBytes,
                idleTimeout, replyPartition, repliesReadCommitted, connectionLimits, maxPending, value, tls,
                authenticator);
    }

    public GatewayConfig withMaxPending(int value) {
        return new GatewayConfig(bootstrapServers, bind, jsonRpcPort, httpPort, replyTimeout, maxRequestBytes,
                idleTimeout, replyPartition, repliesReadCommitted, connectionLimits, value, kafkaProperties, tls,
                authenticator);
    }

    public GatewayConfig withMaxRequestBytes(int value) {
        return new GatewayConfig(bootstrapServers, bind, jsonRpcPort, httpPort, replyTimeout, value, idleTimeout,
                replyPartition, repliesReadCommitted, connectionLimits, maxPending, kafkaProperties, tls,
                authenticator);
    }

    public GatewayConfig withConnectionLimits(ConnectionLimits value) {
        return new GatewayConfig(bootstrapServers, bind, jsonRpcPort, httpPort, replyTimeout, maxRequestBytes,
                idleTimeout, replyPartition, repliesReadCommitted, value, maxPending, kafkaProperties, tls,
                authenticator);
    }

    /** This configuration with TLS on both listeners (null: plain). */
    public GatewayConfig withTls(TlsSettings value) {
        return new GatewayConfig(bootstrapServers, bind, jsonRpcPort, httpPort, replyTimeout, maxRequestBytes,
                idleTimeout, replyPartition, repliesReadCommitted, connectionLimits, maxPending, kafkaProperties,
                value, authenticator);
    }

    /** This configuration with another authenticator ({@link Authenticator#open()}: no access control). */
    public GatewayConfig withAuthenticator(Authenticator value) {
        return new GatewayConfig(bootstrapServers, bind, jsonRpcPort, httpPort, replyTimeout, maxRequestBytes,
                idleTimeout, replyPartition, repliesReadCommitted, connectionLimits, maxPending, kafkaProperties,
                tls, value);
    }
}
