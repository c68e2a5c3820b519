package io.ratestream.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How to start an {@link EmbeddedKafkaBroker}: an immutable value, validated on construction.
 *
 * @param dataDir        directory that holds the broker's logs and metadata; created if missing and
 *                       formatted once, so a later start on the same directory keeps topics and records
 * @param port           client (PLAINTEXT) port; 0 picks a free port
 * @param controllerPort KRaft controller port (on 127.0.0.1 for a cluster of one); 0 picks a free port, or
 *                       with voters takes this node's port among them
 * @param readyTimeout   how long {@link EmbeddedKafkaBroker#start(BrokerConfig)} waits for the broker
 *                       to answer an Admin {@code describeCluster()}
 * @param overrides      broker properties that replace the defaults (for example
 *                       {@code auto.create.topics.enable=false}); never null, copied
 * @param security       SCRAM users and the authorizer; null for a PLAINTEXT broker that lets anyone do
 *                       anything (the default)
 * @param cluster        which KRaft cluster the node belongs to and as which node id; never null
 *                       ({@link KraftCluster#single()} by default). With voters, the controller listens on
 *                       this node's host and port among them
 * @param listenHost     the address the client listener binds: 127.0.0.1 (the default) or 0.0.0.0
 * @param advertisedHost the host clients (and the other brokers, for replication) are told to connect to
 */
public record BrokerConfig(Path dataDir, int port, int controllerPort, Duration readyTimeout,
                           Map<String, String> overrides, BrokerSecurity security, KraftCluster cluster,
                           String listenHost, String advertisedHost) {

    /** Default bound on the wait for a started broker to answer; a cold start takes about 4 s. */
    public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(60);

    /**
     * Default bound on the start-up of a node of a cluster of several voters: it cannot finish before a
     * majority of the voters runs, and an operator may start them one after the other by hand.
     */
    public static final Duration DEFAULT_QUORUM_READY_TIMEOUT = Duration.ofMinutes(5);

    /** Where the client listener binds, and what it advertises, by default. */
    public static final String LOOPBACK = "127.0.0.1";

    public BrokerConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(readyTimeout, "readyTimeout");
        checkPort("port", port);
        checkPort("controllerPort", controllerPort);
        if (port != 0 && port == controllerPort) {
            throw new IllegalArgumentException("port and controllerPort are both " + port + ": pass two different ports or 0");
        }
        if (readyTimeout.isNegative() || readyTimeout.isZero()) {
            throw new IllegalArgumentException("readyTimeout must be positive, was " + readyTimeout);
        }
        overrides = Map.copyOf(overrides);
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(listenHost, "listenHost");
        Objects.requireNonNull(advertisedHost, "advertisedHost");
        final KraftCluster.Voter self = cluster.self().orElse(null);
        if (self != null && controllerPort != 0 && controllerPort != self.port()) {
            cluster.controllerPortFor(controllerPort); // throws the sentence that says what differs
        }
        if (self != null) {
            controllerPort = self.port();
            if (port == controllerPort) {
                throw new IllegalArgumentException("port and the controller port of " + self + " are both " + port
                        + ": pass two different ports");
            }
        }
    }

    /** A PLAINTEXT broker's config. */
    public BrokerConfig(Path dataDir, int port, int controllerPort, Duration readyTimeout,
                        Map<String, String> overrides) {
        this(dataDir, port, controllerPort, readyTimeout, overrides, null);
    }

    /** A single-node broker's config on 127.0.0.1. */
    public BrokerConfig(Path dataDir, int port, int controllerPort, Duration readyTimeout,
                        Map<String, String> overrides, BrokerSecurity security) {
        this(dataDir, port, controllerPort, readyTimeout, overrides, security, KraftCluster.single(), LOOPBACK,
                LOOPBACK);
    }

    /** This config with SCRAM users and the authorizer (null: PLAINTEXT, no authorizer). */
    public BrokerConfig withSecurity(BrokerSecurity newSecurity) {
        return new BrokerConfig(dataDir, port, controllerPort, readyTimeout, overrides, newSecurity, cluster,
                listenHost, advertisedHost);
    }

    /**
     * This config as a node of {@code newCluster}; with voters, the controller port becomes this node's
     * port among them (a different non-zero controller port is refused).
     */
    public BrokerConfig withCluster(KraftCluster newCluster) {
        return new BrokerConfig(dataDir, port, controllerPort, readyTimeout, overrides, security, newCluster,
                listenHost, advertisedHost);
    }

    /** This config with the client listener bound to {@code newListenHost} and advertised as {@code newAdvertisedHost}. */
    public BrokerConfig withClientAddresses(String newListenHost, String newAdvertisedHost) {
        return new BrokerConfig(dataDir, port, controllerPort, readyTimeout, overrides, security, cluster,
                newListenHost, newAdvertisedHost);
    }

    /** The name and security protocol of the client listener: {@code PLAINTEXT} or {@code SASL_PLAINTEXT}. */
    public String clientListener() {
        return security == null ? "PLAINTEXT" : BrokerSecurity.LISTENER;
    }

    /** A config with the given data dir and client port, a free controller port and the defaults. */
    public static BrokerConfig of(Path dataDir, int port) {
        return new BrokerConfig(dataDir, port, 0, DEFAULT_READY_TIMEOUT, Map.of());
    }

    /** This config with another controller port (0 = pick a free one). */
    public BrokerConfig withControllerPort(int newControllerPort) {
        return new BrokerConfig(dataDir, port, newControllerPort, readyTimeout, overrides, security, cluster, listenHost,
                advertisedHost);
    }

    /** This config with another bound on the start-up wait. */
    public BrokerConfig withReadyTimeout(Duration newReadyTimeout) {
        return new BrokerConfig(dataDir, port, controllerPort, newReadyTimeout, overrides, security, cluster, listenHost,
                advertisedHost);
    }

    /** This config with the given broker properties replacing the defaults. */
    public BrokerConfig withOverrides(Map<String, String> newOverrides) {
        return new BrokerConfig(dataDir, port, controllerPort, readyTimeout, newOverrides, security, cluster, listenHost,
                advertisedHost);
    }

    private static void checkPort(String name, int value) {
        if (value < 0 || value > 65_535) {
            throw new IllegalArgumentException(name + " must be 0 (pick a free port) or 1-65535, was " + value);
        }
    }
}
