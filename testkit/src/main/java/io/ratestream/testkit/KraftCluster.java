package io.ratestream.testkit;

import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.kafka.common.Uuid;

/**
 * Which KRaft cluster an {@link EmbeddedKafkaBroker} belongs to, and as which node: an immutable value,
 * validated on construction. Every node runs broker and controller in one process (combined mode).
 *
 * <p>With no voters the node is a cluster of one: it is the only voter, on 127.0.0.1 and the controller
 * port of its {@link BrokerConfig}. With voters (the static controller quorum, the same list on every
 * node), this node's entry must be among them; the cluster id then defaults to one derived from the
 * voters alone ({@link #deriveClusterId}), so that every node formats its storage with the same id
 * without any coordination.
 *
 * <p>Replication defaults: with three or more voters, replication factor 3 and min.insync.replicas 2
 * (one broker may be lost without losing an acknowledged record or refusing acks=all writes); with fewer,
 * the replication factor is the number of voters and min.insync.replicas 1.
 *
 * @param nodeId            this node's {@code node.id}; 0 or more
 * @param voters            the controller quorum, sorted by id; empty for a cluster of one
 * @param clusterId         the cluster id (Kafka's base64 {@link Uuid}); null: derived from the voters, or,
 *                          without voters, the one already in the data dir or a random one
 * @param replicationFactor the brokers' {@code default.replication.factor} and that of the internal
 *                          topics; 0: the default above
 * @param minInsyncReplicas the brokers' {@code min.insync.replicas} and that of the internal topics; 0: the
 *                          default above
 */
public record KraftCluster(int nodeId, List<Voter> voters, String clusterId, int replicationFactor,
                           int minInsyncReplicas) {

    /** Replication factor of a cluster of three or more voters when none is given. */
    public static final int DEFAULT_REPLICATION_FACTOR = 3;

    /** min.insync.replicas of a cluster with replication factor 3 or more when none is given. */
    public static final int DEFAULT_MIN_INSYNC_REPLICAS = 2;

    /** An example of the voters' format, for error messages. */
    private static final String EXAMPLE = "1@127.0.0.1:9093,2@127.0.0.1:9094,3@127.0.0.1:9095";

    /**
     * One member of the controller quorum.
     *
     * @param id   its node id
     * @param host where the other voters reach its controller listener
     * @param port its controller port
     */
    public record Voter(int id, String host, int port) {

        public Voter {
            Objects.requireNonNull(host, "host");
            if (id < 0) {
                throw new IllegalArgumentException("a voter's node id must be 0 or more, was " + id);
            }
            if (host.isBlank()) {
                throw new IllegalArgumentException("voter " + id + " has no host");
            }
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("voter " + id + " has port " + port + ": it must be 1-65535");
            }
        }

        @Override
        public String toString() {
            return id + "@" + host + ":" + port;
        }
    }

    public KraftCluster {
        Objects.requireNonNull(voters, "voters");
        if (nodeId < 0) {
            throw new IllegalArgumentException("--node-id must be 0 or more, was " + nodeId);
        }
        voters = voters.stream().sorted(Comparator.comparingInt(Voter::id)).toList();
        final Set<Integer> ids = new HashSet<>();
        final Set<String> endpoints = new HashSet<>();
        for (Voter voter : voters) {
            if (!ids.add(voter.id())) {
                throw new IllegalArgumentException("--voters names node " + voter.id() + " twice: each node id once");
            }
            if (!endpoints.add(voter.host().toLowerCase(Locale.ROOT) + ":" + voter.port())) {
                throw new IllegalArgumentException("--voters gives two nodes the controller address " + voter.host()
                        + ":" + voter.port() + ": each node needs its own controller port");
            }
        }
        if (!voters.isEmpty() && !ids.contains(nodeId)) {
            throw new IllegalArgumentException("--node-id " + nodeId + " is not among the voters " + join(voters)
                    + ": give each node the id of its own entry in --voters");
        }
        if (clusterId != null) {
            clusterId = checkClusterId(clusterId);
        }
        final int size = Math.max(1, voters.size());
        if (replicationFactor < 0 || replicationFactor > size) {
            throw new IllegalArgumentException("--replication-factor " + replicationFactor + " is impossible with "
                    + size + (size == 1 ? " node" : " nodes") + ": it must be 1-" + size + " (or 0 for the default)");
        }
        final int rf = replicationFactor > 0 ? replicationFactor : defaultReplicationFactor(size);
        if (minInsyncReplicas < 0 || minInsyncReplicas > rf) {
            throw new IllegalArgumentException("--min-insync-replicas " + minInsyncReplicas + " is impossible with "
                    + "replication factor " + rf + ": it must be 1-" + rf + " (or 0 for the default)");
        }
    }

    /** A cluster of one: node 1, no voters list, random cluster id on the first start. */
    public static KraftCluster single() {
        return new KraftCluster(1, List.of(), null, 0, 0);
    }

    /**
     * The cluster of the flags of {@code ratestream kafka}: {@code voters} null or blank for a cluster of
     * one, {@code clusterId} null for the derived one, 0 for the default replication settings.
     *
     * @throws IllegalArgumentException with a sentence that names the flag to fix
     */
    public static KraftCluster of(int nodeId, String voters, String clusterId, int replicationFactor,
                                  int minInsyncReplicas) {
        final List<Voter> parsed = voters == null || voters.isBlank() ? List.of() : parseVoters(voters);
        return new KraftCluster(nodeId, parsed, clusterId == null || clusterId.isBlank() ? null : clusterId.trim(),
                replicationFactor, minInsyncReplicas);
    }

    /**
     * Parses {@code ID@HOST:PORT,ID@HOST:PORT,...} (Kafka's {@code controller.quorum.voters} format).
     *
     * @throws IllegalArgumentException naming the entry that is wrong and showing the format
     */
    public static List<Voter> parseVoters(String text) {
        Objects.requireNonNull(text, "text");
        final List<Voter> voters = new ArrayList<>();
        for (String raw : text.split(",", -1)) {
            final String entry = raw.trim();
            final int at = entry.indexOf('@');
            final int colon = entry.lastIndexOf(':');
            if (at <= 0 || colon <= at + 1 || colon == entry.length() - 1) {
                throw new IllegalArgumentException("--voters: '" + entry + "' is not ID@HOST:PORT; the quorum is "
                        + "written like " + EXAMPLE);
            }
            final int id = number(entry, entry.substring(0, at), "node id");
            final int port = number(entry, entry.substring(colon + 1), "port");
            try {
                voters.add(new Voter(id, entry.substring(at + 1, colon), port));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--voters: '" + entry + "': " + e.getMessage(), e);
            }
        }
        return voters;
    }

    /**
     * The cluster id every node derives from the same voters: the first 16 bytes of the SHA-256 of the
     * normalized voters (sorted by id, host names in lower case, as {@link #normalize}) as a Kafka
     * {@link Uuid}. An id Kafka reserves, or one whose text starts with '-' (which a command line would
     * take for an option, as {@link Uuid#randomUuid} also avoids), is hashed again with a counter.
     */
    public static String deriveClusterId(List<Voter> voters) {
        if (voters.isEmpty()) {
            throw new IllegalArgumentException("no voters to derive a cluster id from");
        }
        final String normalized = normalize(voters);
        for (int attempt = 0; ; attempt++) {
            final byte[] hash = sha256(attempt == 0 ? normalized : normalized + "#" + attempt);
            final ByteBuffer bytes = ByteBuffer.wrap(hash, 0, 16);
            final Uuid id = new Uuid(bytes.getLong(), bytes.getLong());
            if (!Uuid.RESERVED.contains(id) && !id.toString().startsWith("-")) {
                return id.toString();
            }
        }
    }

    /** The voters as one string, the same for every way of writing the same quorum: {@code 1@h:1,2@h:2}. */
    public static String normalize(List<Voter> voters) {
        return voters.stream().sorted(Comparator.comparingInt(Voter::id))
                .map(v -> v.id() + "@" + v.host().toLowerCase(Locale.ROOT) + ":" + v.port())
                .collect(Collectors.joining(","));
    }

    /** Whether this node is alone: no voters were given. */
    public boolean isSingleNode() {
        return voters.isEmpty();
    }

    /** The number of nodes of the cluster (voters; 1 without). */
    public int size() {
        return Math.max(1, voters.size());
    }

    /** This node's entry among the voters; empty for a cluster of one. */
    public java.util.Optional<Voter> self() {
        return voters.stream().filter(v -> v.id() == nodeId).findFirst();
    }

    /**
     * The cluster id to format a fresh data dir with: the given one, else the one derived from the voters;
     * null for a cluster of one without a given id (the data dir's, or a random one).
     */
    public String effectiveClusterId() {
        if (clusterId != null) {
            return clusterId;
        }
        return voters.isEmpty() ? null : deriveClusterId(voters);
    }

    /** The replication factor of new topics and of the internal ones. */
    public int effectiveReplicationFactor() {
        return replicationFactor > 0 ? replicationFactor : defaultReplicationFactor(size());
    }

    /** The min.insync.replicas of topics and of the internal ones. */
    public int effectiveMinInsyncReplicas() {
        if (minInsyncReplicas > 0) {
            return minInsyncReplicas;
        }
        return effectiveReplicationFactor() >= DEFAULT_REPLICATION_FACTOR ? DEFAULT_MIN_INSYNC_REPLICAS : 1;
    }

    /**
     * Checks the controller port given for this node against its entry among the voters.
     *
     * @return the controller port to use: the voters' entry's (or {@code controllerPort} for a cluster of one)
     * @throws IllegalArgumentException if they differ, or if voters are given without a controller port
     */
    public int controllerPortFor(int controllerPort) {
        final Voter self = self().orElse(null);
        if (self == null) {
            return controllerPort;
        }
        if (controllerPort == 0) {
            throw new IllegalArgumentException("--voters needs --controller-port: this node's entry is " + self);
        }
        if (controllerPort != self.port()) {
            throw new IllegalArgumentException("--controller-port " + controllerPort + " differs from this node's "
                    + "entry " + self + " in --voters: node " + nodeId + " must listen on the port the other voters "
                    + "call (pass --controller-port " + self.port() + " or fix --voters)");
        }
        return controllerPort;
    }

    /** Kafka's {@code controller.quorum.voters} value; a cluster of one is this node on 127.0.0.1. */
    String quorumVoters(String loopback, int controllerPort) {
        return voters.isEmpty() ? nodeId + "@" + loopback + ":" + controllerPort : join(voters);
    }

    /** A description for start-up lines: "node 2 of 1@...,2@...,3@..." or "one node". */
    public String describe() {
        return voters.isEmpty() ? "one node" : "node " + nodeId + " of voters " + join(voters);
    }

    private static int defaultReplicationFactor(int size) {
        return Math.min(DEFAULT_REPLICATION_FACTOR, size);
    }

    private static String join(List<Voter> voters) {
        return voters.stream().map(Voter::toString).collect(Collectors.joining(","));
    }

    private static int number(String entry, String text, String what) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--voters: '" + entry + "' has the " + what + " '" + text
                    + "', not a number; the quorum is written like " + EXAMPLE, e);
        }
    }

    private static String checkClusterId(String clusterId) {
        final Uuid parsed;
        try {
            parsed = Uuid.fromString(clusterId.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--cluster-id '" + clusterId + "' is not a Kafka cluster id (22 "
                    + "characters of base64url, as `kafka-storage.sh random-uuid` prints)", e);
        }
        if (Uuid.RESERVED.contains(parsed)) {
            throw new IllegalArgumentException("--cluster-id '" + clusterId + "' is reserved by Kafka: pick another");
        }
        return parsed.toString();
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
