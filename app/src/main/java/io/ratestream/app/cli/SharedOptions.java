package io.ratestream.app.cli;

import io.ratestream.gateway.GatewayConfig;
import io.ratestream.gateway.auth.Authenticator;
import io.ratestream.gateway.jsonrpc.ConnectionLimits;
import java.io.IOException;
import java.net.InetAddress;
import io.ratestream.gateway.tls.TlsContexts;
import io.ratestream.gateway.tls.TlsSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options several commands share, as picocli mixins: declared once, documented once. */
public final class SharedOptions {

    private SharedOptions() {
    }

    /** Where Kafka is. */
    public static final class Kafka {
        @Option(names = "--bootstrap", defaultValue = "127.0.0.1:9092",
                description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE})")
        public String bootstrap;
    }

    /** The port of an embedded Kafka broker (dev, kafka). */
    static final class KafkaPort {
        @Option(names = "--kafka-port", defaultValue = "9092",
                description = "Kafka port (default: ${DEFAULT-VALUE})")
        int port;
    }

    /** Kafka client properties passed through as they are (security for a real cluster, tuning). */
    public static final class KafkaProperties {
        @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", split = "\\R", splitSynopsisLabel = "",
                description = "a Kafka Streams or Kafka client property, applied after ratestream's own settings to "
                        + "every Kafka client of this process (repeat it for several; e.g. "
                        + "security.protocol=SASL_SSL). It wins over ratestream's settings, so it can also weaken "
                        + "them (see docs/design.md)")
        public Map<String, String> values = new LinkedHashMap<>();
    }

    /** The gateway's listeners. */
    static final class Listeners {
        @Option(names = "--bind", defaultValue = "127.0.0.1",
                description = "address the listeners bind to (default: ${DEFAULT-VALUE})")
        String bind;

        @Option(names = "--jsonrpc-port", defaultValue = "" + GatewayConfig.JSON_RPC_PORT,
                description = "JSON-RPC over TCP port (default: ${DEFAULT-VALUE})")
        int jsonRpcPort;

        @Option(names = "--http-port", defaultValue = "" + GatewayConfig.HTTP_PORT,
                description = "HTTP port (default: ${DEFAULT-VALUE})")
        int httpPort;

        /** Refuses ports in use before anything starts. */
        void requireFree() {
            Ports.requireFree(bind, jsonRpcPort, "--jsonrpc-port");
            Ports.requireFree(bind, httpPort, "--http-port");
        }
    }

    /** The gateway's ceilings (docs/limits.md): each limit a client can reach, with its default. */
    static final class GatewayLimits {
        @Option(names = "--max-connections", defaultValue = "" + ConnectionLimits.DEFAULT_MAX_CONNECTIONS,
                description = "JSON-RPC connections open at once; one more is answered busy and closed "
                        + "(default: ${DEFAULT-VALUE})")
        int maxConnections;

        @Option(names = "--max-connections-per-address",
                defaultValue = "" + ConnectionLimits.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
                description = "JSON-RPC connections open at once from one IP address (default: ${DEFAULT-VALUE})")
        int maxConnectionsPerAddress;

        @Option(names = "--max-in-flight-per-connection",
                defaultValue = "" + ConnectionLimits.DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION,
                description = "calls waiting for an answer on one JSON-RPC connection before it is no longer read "
                        + "(back-pressure, nothing refused) (default: ${DEFAULT-VALUE})")
        int maxInFlightPerConnection;

        @Option(names = "--write-buffer-high-water", defaultValue = "" + ConnectionLimits.DEFAULT_WRITE_BUFFER_HIGH_WATER,
                description = "bytes of unsent answers on one JSON-RPC connection before it is no longer read; "
                        + "read again below half of it (default: ${DEFAULT-VALUE})")
        int writeBufferHighWater;

        @Option(names = "--request-deadline-ms", defaultValue = "" + ConnectionLimits.DEFAULT_REQUEST_DEADLINE_MS,
                description = "time to complete one JSON-RPC request object once it has begun; 0 for none "
                        + "(default: ${DEFAULT-VALUE})")
        long requestDeadlineMs;

        @Option(names = "--max-request-bytes", defaultValue = "" + GatewayConfig.MAX_REQUEST_BYTES,
                description = "largest request: a JSON-RPC object on TCP, an HTTP body (default: ${DEFAULT-VALUE})")
        int maxRequestBytes;

        @Option(names = "--max-pending", defaultValue = "" + GatewayConfig.MAX_PENDING,
                description = "requests waiting for their reply at once; one more is answered busy (HTTP 503) "
                        + "without being sent (default: ${DEFAULT-VALUE})")
        int maxPending;

        /** The gateway configuration with these limits. */
        GatewayConfig applyTo(GatewayConfig config) {
            ConnectionLimits limits = ConnectionLimits.defaults()
                    .withWriteBufferHighWater(writeBufferHighWater);
            limits = new ConnectionLimits(maxConnections, maxConnectionsPerAddress, maxInFlightPerConnection,
                    limits.writeBufferLowWater(), limits.writeBufferHighWater(), Duration.ofMillis(requestDeadlineMs));
            return config.withConnectionLimits(limits).withMaxRequestBytes(maxRequestBytes).withMaxPending(maxPending);
        }
    }

    /** Who may call the gateway (docs/security.md). */
    static final class Access {
        @Option(names = "--auth", paramLabel = "FILE",
                description = "the principals (API key and client certificate digests, tenants, roles) that may "
                        + "call; `ratestream keys add` writes it; SIGHUP reloads it. Without it every caller may do "
                        + "everything, so the listeners stay on loopback")
        Path auth;

        @Option(names = "--insecure-no-auth",
                description = "allow --bind to a non-loopback address without --auth: anyone who reaches the ports "
                        + "may then read and change every budget (only behind a network you trust)")
        boolean insecureNoAuth;

        /**
         * The authenticator these options ask for, checking the safe default first: without --auth, only
         * loopback, unless --insecure-no-auth says otherwise.
         *
         * @throws IllegalArgumentException a sentence saying what to pass instead
         */
        Authenticator authenticator(String bind) throws IOException {
            if (auth != null && insecureNoAuth) {
                throw new IllegalArgumentException("--auth and --insecure-no-auth contradict each other: pass one");
            }
            if (auth != null) {
                return Authenticator.fromFile(auth);
            }
            if (!insecureNoAuth && !loopback(bind)) {
                throw new IllegalArgumentException("refusing --bind " + bind + " without --auth: anyone who reaches "
                        + "the ports could read and change every tenant's budgets. Pass --auth FILE (create it with "
                        + "`ratestream keys add NAME --tenant T --role R --auth FILE`), or --insecure-no-auth if the "
                        + "network in front of the gateway is trusted");
            }
            return Authenticator.open();
        }

        private static boolean loopback(String bind) throws IOException {
            for (InetAddress address : InetAddress.getAllByName(bind)) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        }
    }

    /** TLS on both gateway listeners (docs/security.md): JSON-RPC over TLS and HTTPS, no plain listener. */
    static final class Tls {
        @Option(names = "--tls-cert", paramLabel = "PEM",
                description = "the gateway's certificate (then its intermediates) as PEM: both listeners speak "
                        + "TLS, JSON-RPC over TLS and HTTPS; needs --tls-key")
        Path certificate;

        @Option(names = "--tls-key", paramLabel = "PEM",
                description = "the certificate's private key: unencrypted PKCS#8 PEM (BEGIN PRIVATE KEY), RSA or EC")
        Path key;

        @Option(names = "--tls-client-ca", paramLabel = "PEM",
                description = "ask clients for a certificate signed by this CA: required on JSON-RPC over TLS, "
                        + "optional on HTTPS (a client may use an API key instead)")
        Path clientCa;

        @Option(names = "--tls-handshake-timeout-ms", defaultValue = "" + TlsSettings.DEFAULT_HANDSHAKE_TIMEOUT_MS,
                description = "a JSON-RPC connection that has not completed its TLS handshake by then is closed "
                        + "(default: ${DEFAULT-VALUE})")
        long handshakeTimeoutMs;

        /**
         * The TLS settings; null without {@code --tls-cert} and {@code --tls-key}. The files are read here,
         * so a bad one stops the command before anything starts, with a sentence naming it.
         */
        TlsSettings settings() {
            if (certificate == null && key == null) {
                if (clientCa != null) {
                    throw new IllegalArgumentException("--tls-client-ca needs --tls-cert and --tls-key: the "
                            + "listeners ask for client certificates only over TLS");
                }
                return null;
            }
            if (certificate == null || key == null) {
                throw new IllegalArgumentException("--tls-cert and --tls-key go together: pass both (the "
                        + "certificate and its private key), or neither for plain TCP and HTTP");
            }
            TlsSettings settings = new TlsSettings(certificate, key, clientCa,
                    java.time.Duration.ofMillis(handshakeTimeoutMs));
            TlsContexts.load(settings);
            return settings;
        }

        /** The gateway configuration with these settings. */
        GatewayConfig applyTo(GatewayConfig config) {
            return config.withTls(settings());
        }

        /** The scheme of the HTTP listener's URLs: https with TLS. */
        String httpScheme() {
            return certificate == null ? "http" : "https";
        }
    }

    /** How the streams app treats prepaid sessions whose switch went silent (docs/sessions.md). */
    static final class Sessions {
        @Option(names = "--session-grace", paramLabel = "SECONDS",
                defaultValue = "" + io.ratestream.streams.StreamsAppConfig.DEFAULT_SESSION_GRACE_SECONDS,
                description = "seconds a prepaid session may go past its last grant with no SessionUpdate or "
                        + "SessionEnd before the service ends it as if every granted second was used (about 5 s "
                        + "later at most); applies to sessions already open too (default: ${DEFAULT-VALUE})")
        long graceSeconds;

        /** The configuration with this grace. */
        io.ratestream.streams.StreamsAppConfig applyTo(io.ratestream.streams.StreamsAppConfig config) {
            return config.withSessionGrace(Duration.ofSeconds(graceSeconds));
        }
    }

    /** Replication of the topics a command creates: ratestream's and Kafka Streams' internal ones. */
    static final class TopicReplication {
        @Option(names = "--replication-factor", defaultValue = "" + io.ratestream.streams.Replication.BROKER_DEFAULT,
                description = "copies of each topic this creates, ratestream's and Kafka Streams' internal ones; -1 "
                        + "(default) for the cluster's default.replication.factor (3 on a `ratestream kafka` cluster "
                        + "of three or more nodes). Existing topics keep theirs")
        int factor;

        @Option(names = "--min-insync-replicas", defaultValue = "" + io.ratestream.streams.Replication.BROKER_DEFAULT,
                description = "copies that must have a write before it is acknowledged (producers use acks=all), "
                        + "set on each topic this creates; -1 (default) for the cluster's min.insync.replicas")
        int minInsyncReplicas;

        io.ratestream.streams.Replication value() {
            return new io.ratestream.streams.Replication(factor, minInsyncReplicas);
        }
    }
}
