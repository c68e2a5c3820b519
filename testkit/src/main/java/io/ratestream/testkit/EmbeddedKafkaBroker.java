package io.ratestream.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka node (KRaft, broker and controller in one node) running inside this JVM: by default a
 * cluster of one bound to 127.0.0.1, used by tests and by the {@code ratestream dev} launcher; with the
 * voters of a {@link KraftCluster}, one node of a cluster of several, each in its own process
 * ({@code ratestream kafka --voters}).
 *
 * <p>The data directory is formatted on the first start only: starting again on the same directory
 * keeps its topics and records. {@link #start} returns once this node is a registered, unfenced broker
 * (an Admin {@code describeCluster()} through it lists its node id); a node of several voters waits for a
 * majority of them, saying every few seconds how many answer. A cluster of one gives its internal topics
 * (offsets, transaction state, share-group state) replication factor 1 and one partition; a cluster of
 * several the replication defaults of {@link KraftCluster} and {@value #CLUSTER_COORDINATOR_PARTITIONS}
 * partitions. {@link #FAILOVER_DEFAULTS} and {@link #LATENCY_DEFAULTS} are applied in every mode. The log cleaner's buffer is kept small
 * because an {@link OutOfMemoryError} in the broker halts the whole JVM.
 *
 * <p>With {@link BrokerConfig#security()}, the client listener speaks SASL_PLAINTEXT (SCRAM-SHA-512) and
 * the standard authorizer allows only what ACLs grant (see {@link BrokerSecurity}); {@link #start} then
 * also creates the SCRAM users, and {@link #superUserProperties()} are the client properties of the
 * principal that may create topics and ACLs.
 *
 * <p>Thread-safe: the accessors may be called from any thread; {@link #close()} is idempotent.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final String HOST = "127.0.0.1";
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    /** Partitions of the offsets and transaction-state topics of a cluster of several nodes (single: 1). */
    public static final int CLUSTER_COORDINATOR_PARTITIONS = 12;

    /** How often a node that waits for its quorum says so, and how long a probe of a voter may take. */
    private static final Duration QUORUM_REPORT_INTERVAL = Duration.ofSeconds(5);
    private static final int PROBE_TIMEOUT_MS = 500;

    /**
     * Broker settings for failover in seconds, applied in every mode; {@link BrokerConfig#overrides()} win.
     * <ul>
     *   <li>{@code group.min.session.timeout.ms=500} (Kafka: 6000), and the same minimum for the
     *       {@code consumer} and {@code streams} group protocols (Kafka: 45000): the brokers must accept the
     *       1-2 s session timeouts with which a killed streams instance's partitions move in seconds; each
     *       client still chooses its own.</li>
     *   <li>{@code group.consumer.min.heartbeat.interval.ms} and {@code group.streams.min.heartbeat.interval.ms}
     *       {@code =100} (Kafka: 5000): a short session needs heartbeats several times per session.</li>
     *   <li>{@code broker.session.timeout.ms=2000}, {@code broker.heartbeat.interval.ms=500} (Kafka: 9000 and
     *       2000): the active controller fences a broker that has not heartbeated for 2 s (a SIGKILLed one) and
     *       moves its partitions' leadership and its place in their ISRs to the live replicas; four heartbeats
     *       per session keep a busy but live broker from being fenced by one late heartbeat.</li>
     *   <li>{@code transaction.abort.timed.out.transaction.cleanup.interval.ms=500} (Kafka: 10000): a killed
     *       exactly-once producer's open transaction is aborted within 0.5 s after its
     *       {@code transaction.timeout.ms}, not up to 10 s after, so read_committed consumers of its partitions
     *       (the last stable offset) move on sooner.</li>
     *   <li>{@code transaction.max.timeout.ms=900000}: Kafka's default, written out because a lower one refuses
     *       producers configured with longer timeouts.</li>
     *   <li>{@code controller.quorum.fetch.timeout.ms=2000}, {@code controller.quorum.election.timeout.ms=1000}:
     *       Kafka's defaults, written out: a killed active controller is replaced within about 2-3 s (fetch timeout
     *       plus an election); lower values cause needless elections when a 2-core machine pauses for a GC.</li>
     * </ul>
     */
    public static final Map<String, String> FAILOVER_DEFAULTS = Map.ofEntries(
            Map.entry("group.min.session.timeout.ms", "500"),
            Map.entry("group.consumer.min.session.timeout.ms", "500"),
            Map.entry("group.streams.min.session.timeout.ms", "500"),
            Map.entry("group.consumer.min.heartbeat.interval.ms", "100"),
            Map.entry("group.streams.min.heartbeat.interval.ms", "100"),
            Map.entry("broker.session.timeout.ms", "2000"),
            Map.entry("broker.heartbeat.interval.ms", "500"),
            Map.entry("transaction.abort.timed.out.transaction.cleanup.interval.ms", "500"),
            Map.entry("transaction.max.timeout.ms", "900000"),
            Map.entry("controller.quorum.fetch.timeout.ms", "2000"),
            Map.entry("controller.quorum.election.timeout.ms", "1000"));

    /**
     * Broker settings for the latency of exactly-once pipelines, applied in every mode;
     * {@link BrokerConfig#overrides()} win.
     * <ul>
     *   <li>{@code add.partitions.to.txn.retry.backoff.ms=1} (Kafka: 20). With transactions version 2 the broker
     *       adds a partition to a producer's transaction itself, on the first record the transaction writes to
     *       it. Right after a commit the previous transaction's markers are often still being written, the
     *       coordinator answers "concurrent transactions", and the broker holds the produce request and tries
     *       again after this backoff. Every reply the streams app writes first in a transaction waited for it:
     *       20 ms in Kafka's default, a large part of the open loop's p99 (docs/performance.md, "Fourth pass").
     *       The retries only run while a commit completes (a few milliseconds), and are capped by
     *       {@code add.partitions.to.txn.retry.backoff.max.ms} (100) as before.</li>
     * </ul>
     */
    public static final Map<String, String> LATENCY_DEFAULTS = Map.of("add.partitions.to.txn.retry.backoff.ms", "1");

    private final KafkaRaftServer server;
    private final Path dataDir;
    private final int port;
    private final int controllerPort;
    private final BrokerSecurity security;
    private final KraftCluster cluster;
    private final String clusterId;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKafkaBroker(KafkaRaftServer server, Path dataDir, int port, int controllerPort,
                                BrokerSecurity security, KraftCluster cluster, String clusterId) {
        this.server = server;
        this.dataDir = dataDir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.security = security;
        this.cluster = cluster;
        this.clusterId = clusterId;
    }

    /**
     * Starts a broker on {@code dataDir} with client port {@code port} (0 = pick a free one) and
     * the defaults of {@link BrokerConfig#of}.
     *
     * @throws BrokerStartException if a port is in use, the directory cannot be formatted or the
     *                              broker does not answer in time; the message says what to do
     */
    public static EmbeddedKafkaBroker start(Path dataDir, int port) {
        return start(BrokerConfig.of(dataDir, port));
    }

    /**
     * Starts a broker as {@code config} says and waits until it answers.
     *
     * @throws BrokerStartException if a port is in use, the directory cannot be formatted or the
     *                              broker does not answer in time; the message says what to do
     */
    public static EmbeddedKafkaBroker start(BrokerConfig config) {
        final KraftCluster cluster = config.cluster();
        final String controllerHost = cluster.self().map(KraftCluster.Voter::host).orElse(HOST);
        final int[] ports = choosePorts(config.port(), config.listenHost(), config.controllerPort(), controllerHost);
        final Path dataDir = config.dataDir().toAbsolutePath();
        final Properties props = brokerProperties(dataDir, ports[0], ports[1], config);
        final String clusterId = clusterId(logDir(dataDir), cluster.effectiveClusterId(), cluster);
        format(writeProperties(dataDir, props), clusterId);

        KafkaRaftServer server = null;
        final ScheduledExecutorService reporter = cluster.size() > 1 ? quorumReporter(cluster) : null;
        try {
            // With several voters, this blocks until a majority of them runs and this broker is unfenced.
            server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
            server.startup();
        } catch (Exception e) { // Kafka's Scala code also throws checked exceptions, e.g. a TimeoutException
            // when the quorum does not come up within server.max.startup.time.ms
            final BrokerStartException failure = startFailure(e, dataDir, ports, cluster, config.readyTimeout());
            if (server != null) {
                stopAfterFailedStart(server, failure);
            }
            throw failure;
        } finally {
            if (reporter != null) {
                reporter.shutdownNow();
            }
        }
        final EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(server, dataDir, ports[0], ports[1],
                config.security(), cluster, clusterId);
        try {
            broker.awaitReady(config.readyTimeout());
            if (config.security() != null) {
                broker.upsertScramUsers(config.readyTimeout());
            }
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        LOG.info("embedded Kafka broker ready on {} ({}, cluster {}, data dir {})", broker.bootstrapServers(),
                cluster.describe(), clusterId, dataDir);
        return broker;
    }

    /** The {@code bootstrap.servers} value for clients, for example {@code 127.0.0.1:9092}. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    /** The client port the broker listens on (the chosen one when 0 was asked for). */
    public int port() {
        return port;
    }

    /** The KRaft controller port the broker listens on. */
    public int controllerPort() {
        return controllerPort;
    }

    /** This node's id ({@code node.id}). */
    public int nodeId() {
        return cluster.nodeId();
    }

    /** The cluster this node belongs to, with its replication defaults. */
    public KraftCluster cluster() {
        return cluster;
    }

    /** The id of the cluster, as formatted into the data dir. */
    public String clusterId() {
        return clusterId;
    }

    /** The absolute data directory. */
    public Path dataDir() {
        return dataDir;
    }

    /**
     * Client properties that authenticate as the super user (who may do everything), for an Admin that
     * creates topics and ACLs; empty when the broker runs without security.
     */
    public Map<String, String> superUserProperties() {
        return security == null ? Map.of() : security.superUserPlainProperties();
    }

    /** Creates a topic with replication factor 1 and waits for it; fails if it exists. */
    public void createTopic(String name, int partitions) {
        createTopics(List.of(new NewTopic(name, partitions, (short) 1)));
    }

    /** Creates the given topics and waits for them; fails if one exists. */
    public void createTopics(List<NewTopic> topics) {
        try (Admin admin = Admin.create(adminProperties("ratestream-embedded-create-topics"))) {
            admin.createTopics(topics).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics " + topicNames(topics), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not create topics " + topicNames(topics)
                    + " on " + bootstrapServers() + ": " + messageOf(e), e);
        }
    }

    /** Shuts the broker down and waits until it has stopped. Calling it again does nothing. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            server.shutdown();
            server.awaitShutdown();
            LOG.info("embedded Kafka broker on {} stopped", bootstrapServers());
        }
    }

    /** Waits until this node is a registered, unfenced broker: describeCluster through it lists its id. */
    private void awaitReady(Duration timeout) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        String seen = "no answer";
        try (Admin admin = Admin.create(adminProperties("ratestream-embedded-ready"))) {
            while (true) {
                final long leftMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
                final int callMs = (int) Math.min(leftMs, ADMIN_TIMEOUT.toMillis());
                try {
                    final Collection<Node> nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(callMs))
                            .nodes().get(callMs + 1_000L, TimeUnit.MILLISECONDS);
                    if (nodes.stream().anyMatch(node -> node.id() == cluster.nodeId())) {
                        return;
                    }
                    seen = "the cluster lists the brokers " + nodes.stream().map(Node::id).sorted().toList()
                            + " without this node " + cluster.nodeId();
                } catch (ExecutionException | TimeoutException e) {
                    seen = messageOf(e);
                }
                if (System.nanoTime() > deadline) {
                    throw new BrokerStartException("embedded Kafka broker on " + bootstrapServers()
                            + " did not become a ready broker within " + timeout.toSeconds() + " s (" + seen
                            + (cluster.size() > 1 ? "; " + quorumStatus(cluster) : "")
                            + "): look for broker errors in the log above, or raise the ready timeout");
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerStartException("interrupted while waiting for the embedded Kafka broker", e);
        }
    }

    /** Logs every few seconds how many voters answer, while this node waits for its quorum. */
    private static ScheduledExecutorService quorumReporter(KraftCluster cluster) {
        final ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(runnable -> {
            final Thread thread = new Thread(runnable, "ratestream-kafka-quorum-wait");
            thread.setDaemon(true);
            return thread;
        });
        final long period = QUORUM_REPORT_INTERVAL.toMillis();
        reporter.scheduleAtFixedRate(() -> LOG.info("node {}: {}", cluster.nodeId(), quorumStatus(cluster)),
                period, period, TimeUnit.MILLISECONDS);
        return reporter;
    }

    /**
     * "waiting for the quorum: 1 of 3 voters reachable (not reachable: 2@h:p, 3@h:p)": a voter is
     * reachable when its controller port accepts a TCP connection.
     */
    static String quorumStatus(KraftCluster cluster) {
        final List<String> unreachable = new ArrayList<>();
        for (KraftCluster.Voter voter : cluster.voters()) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(voter.host(), voter.port()), PROBE_TIMEOUT_MS);
            } catch (IOException e) {
                unreachable.add(voter.toString());
            }
        }
        final int reachable = cluster.voters().size() - unreachable.size();
        return "waiting for the quorum: " + reachable + " of " + cluster.voters().size() + " voters reachable"
                + (unreachable.isEmpty() ? " (a majority must elect a controller and register this broker)"
                : " (not reachable: " + String.join(", ", unreachable) + "; start them with the same --voters)");
    }

    /**
     * Creates every SCRAM user, or sets its password, as the super user; returns once the broker
     * authenticates them (the credentials reach its metadata cache).
     */
    private void upsertScramUsers(Duration timeout) {
        final List<UserScramCredentialAlteration> upserts = new ArrayList<>();
        security.scramUsers().forEach((user, password) -> upserts.add(new UserScramCredentialUpsertion(user,
                new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, BrokerSecurity.ITERATIONS), password)));
        final long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(adminProperties("ratestream-embedded-scram"))) {
            admin.alterUserScramCredentials(upserts).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            while (!admin.describeUserScramCredentials().all().get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .keySet().containsAll(security.scramUsers().keySet())) {
                if (System.nanoTime() > deadline) {
                    throw new BrokerStartException("the SCRAM users " + security.scramUsers().keySet()
                            + " were not known to the broker within " + timeout.toSeconds() + " s");
                }
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerStartException("interrupted while creating the SCRAM users", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new BrokerStartException("cannot create the SCRAM users " + security.scramUsers().keySet() + " on "
                    + bootstrapServers() + ": " + messageOf(e), e);
        }
        LOG.info("SCRAM users {} ready; super user {}", security.scramUsers().keySet(), security.superUser());
    }

    private Properties adminProperties(String clientId) {
        final Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        props.putAll(superUserProperties());
        return props;
    }

    private static Properties brokerProperties(Path dataDir, int port, int controllerPort, BrokerConfig config) {
        final String client = config.clientListener();
        final KraftCluster cluster = config.cluster();
        final String controllerHost = cluster.self().map(KraftCluster.Voter::host).orElse(HOST);
        final Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", String.valueOf(cluster.nodeId()));
        props.put("controller.quorum.voters", cluster.quorumVoters(HOST, controllerPort));
        // The controller listens where the other voters call it (its entry in the voters).
        props.put("listeners", client + "://" + config.listenHost() + ":" + port
                + ",CONTROLLER://" + controllerHost + ":" + controllerPort);
        props.put("advertised.listeners", client + "://" + config.advertisedHost() + ":" + port);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("log.dirs", logDir(dataDir).toString());
        props.put("num.partitions", "1");
        replicationDefaults(props, cluster);
        failoverDefaults(props);
        props.put("group.initial.rebalance.delay.ms", "0");
        // A node of several voters cannot finish start-up before a majority of them runs: the wait is the
        // ready timeout, not Kafka's 60 s registration timeout (after which the broker gives up).
        final String startupMs = String.valueOf(config.readyTimeout().toMillis());
        props.put("initial.broker.registration.timeout.ms", startupMs);
        props.put("server.max.startup.time.ms", startupMs);
        // The cleaner reserves 128 MiB by default, and an OutOfMemoryError in the broker halts the JVM.
        props.put("log.cleaner.dedupe.buffer.size", "2097152");
        props.put("log.segment.bytes", "16777216");
        props.put("num.network.threads", "2");
        props.put("num.io.threads", "2");
        props.put("num.recovery.threads.per.data.dir", "1");
        if (config.security() != null) {
            props.putAll(config.security().brokerProperties());
        }
        props.putAll(config.overrides());
        return props;
    }

    /**
     * Replication factor and min.insync.replicas of new topics and of the internal ones (offsets,
     * transaction state, share-group state), from {@link KraftCluster#effectiveReplicationFactor()}.
     */
    private static void replicationDefaults(Properties props, KraftCluster cluster) {
        final String rf = String.valueOf(cluster.effectiveReplicationFactor());
        final String minIsr = String.valueOf(cluster.effectiveMinInsyncReplicas());
        props.put("default.replication.factor", rf);
        props.put("min.insync.replicas", minIsr);
        for (String topic : List.of("offsets.topic", "transaction.state.log", "share.coordinator.state.topic")) {
            props.put(topic + ".replication.factor", rf);
        }
        props.put("transaction.state.log.min.isr", minIsr);
        props.put("share.coordinator.state.topic.min.isr", minIsr);
        if (cluster.isSingleNode()) {
            // One node: one partition each keeps their creation quick (the defaults are 50).
            for (String topic : List.of("offsets.topic", "transaction.state.log", "share.coordinator.state.topic")) {
                props.put(topic + ".num.partitions", "1");
            }
        } else {
            // Several nodes: a group's or transactional id's coordinator is the leader of its partition of
            // these topics, so 12 partitions spread the coordinators of ratestream's few groups and many
            // transactional ids (one per stream task) over 3 (or 4, 6, 12) brokers, and a lost broker moves
            // only its share; still far fewer than the default 50, which a small cluster creates slowly.
            props.put("offsets.topic.num.partitions", String.valueOf(CLUSTER_COORDINATOR_PARTITIONS));
            props.put("transaction.state.log.num.partitions", String.valueOf(CLUSTER_COORDINATOR_PARTITIONS));
            // ratestream uses no share groups: a few partitions, one per broker of a 3-node cluster.
            props.put("share.coordinator.state.topic.num.partitions", "3");
        }
    }

    /**
     * Broker-side settings for fast failover and low latency, in every mode (see {@link #FAILOVER_DEFAULTS} and
     * {@link #LATENCY_DEFAULTS}); a {@link BrokerConfig#overrides()} entry still wins.
     */
    private static void failoverDefaults(Properties props) {
        props.putAll(FAILOVER_DEFAULTS);
        props.putAll(LATENCY_DEFAULTS);
    }

    /** Writes the properties where StorageTool can read them, and where a person can look them up. */
    private static Path writeProperties(Path dataDir, Properties props) {
        final Path file = dataDir.resolve("server.properties");
        try {
            Files.createDirectories(dataDir);
            try (OutputStream out = Files.newOutputStream(file)) {
                props.store(out, "written by ratestream EmbeddedKafkaBroker on each start");
            }
            if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                // With security on, it holds the super user's password.
                Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            }
        } catch (IOException e) {
            throw new BrokerStartException("cannot write " + file + ": " + e.getMessage()
                    + ": pass a data dir this process can write to", e);
        }
        return file;
    }

    /** Formats the storage on the first start; a formatted directory is left as it is. */
    private static void format(Path propertiesFile, String clusterId) {
        final ByteArrayOutputStream output = new ByteArrayOutputStream();
        final String[] args = {"format", "--config", propertiesFile.toString(),
                "--cluster-id", clusterId, "--ignore-formatted"};
        final int exitCode;
        try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            exitCode = StorageTool.execute(args, out);
        } catch (Exception e) {
            throw new BrokerStartException("cannot format the Kafka storage for " + propertiesFile.getParent()
                    + ": " + e.getMessage() + ": remove the directory or pass another data dir", e);
        }
        final String text = output.toString(StandardCharsets.UTF_8).trim();
        if (exitCode != 0) {
            throw new BrokerStartException("cannot format the Kafka storage for " + propertiesFile.getParent()
                    + " (exit code " + exitCode + "): " + text + ": remove the directory or pass another data dir");
        }
        LOG.debug("StorageTool: {}", text);
    }

    /**
     * The cluster id to format with: the one already in the directory (which must be {@code wanted} when
     * one is wanted: even with --ignore-formatted, StorageTool fails when the id passed differs from the
     * stored one), else {@code wanted}, else a random one.
     */
    private static String clusterId(Path logDir, String wanted, KraftCluster cluster) {
        final Path meta = logDir.resolve("meta.properties");
        if (Files.isRegularFile(meta)) {
            final Properties stored = new Properties();
            try (InputStream in = Files.newInputStream(meta)) {
                stored.load(in);
            } catch (IOException e) {
                throw new BrokerStartException("cannot read " + meta + ": " + e.getMessage()
                        + ": remove the directory or pass another data dir", e);
            }
            final String id = stored.getProperty("cluster.id");
            if (id != null && !id.isBlank()) {
                if (wanted != null && !wanted.equals(id.trim())) {
                    throw new BrokerStartException("the data dir " + logDir.getParent() + " belongs to the cluster "
                            + id.trim() + ", not to " + wanted + (cluster.clusterId() == null
                            ? " (derived from --voters " + KraftCluster.normalize(cluster.voters()) + ")" : "")
                            + ": pass the same --voters as when it was formatted, --cluster-id " + id.trim()
                            + ", or another data dir");
                }
                return id.trim();
            }
        }
        return wanted != null ? wanted : Uuid.randomUuid().toString();
    }

    private static Path logDir(Path dataDir) {
        return dataDir.resolve("logs");
    }

    /** Returns {client port, controller port}, each the asked one or a free one when 0. */
    private static int[] choosePorts(int port, String listenHost, int controllerPort, String controllerHost) {
        final List<ServerSocket> held = new ArrayList<>();
        try {
            // Hold the chosen free ports open until both are chosen, so they cannot be the same one.
            final int chosenPort = port == 0 ? holdFreePort(held) : requireFree(listenHost, port);
            final int chosenControllerPort = controllerPort == 0 ? holdFreePort(held)
                    : requireFree(controllerHost, controllerPort);
            return new int[] {chosenPort, chosenControllerPort};
        } finally {
            for (ServerSocket socket : held) {
                closeQuietly(socket);
            }
        }
    }

    private static int holdFreePort(List<ServerSocket> held) {
        try {
            final ServerSocket socket = new ServerSocket();
            held.add(socket);
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(HOST, 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on " + HOST, e);
        }
    }

    private static int requireFree(String host, int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(host, port));
            return port;
        } catch (IOException e) {
            throw portInUse(port, e);
        }
    }

    private static BrokerStartException portInUse(int port, Exception cause) {
        return new BrokerStartException("port " + port + " is in use: stop the other process or pass another port", cause);
    }

    /** Turns a failed start into a message that says what to do; a bind race still names the port. */
    private static BrokerStartException startFailure(Exception e, Path dataDir, int[] ports,
                                                     KraftCluster cluster, Duration readyTimeout) {
        final String message = messageOf(e);
        if (hasCause(e, BindException.class) || message.contains("Address already in use")) {
            final int port = message.contains(":" + ports[1]) ? ports[1] : ports[0];
            return portInUse(port, e);
        }
        if (cluster.size() > 1 && (hasCause(e, TimeoutException.class) || message.contains("imed out"))) {
            return new BrokerStartException("node " + cluster.nodeId() + " did not join its cluster within "
                    + readyTimeout.toSeconds() + " s: " + quorumStatus(cluster) + " (data dir " + dataDir + "): "
                    + message, e);
        }
        return new BrokerStartException("embedded Kafka broker failed to start on " + HOST + ":" + ports[0]
                + " (data dir " + dataDir + "): " + message
                + ": if another broker uses this data dir, stop it or pass another one", e);
    }

    /** Releases what a half-started server holds (threads, the data dir lock). */
    private static void stopAfterFailedStart(KafkaRaftServer server, BrokerStartException failure) {
        try {
            server.shutdown();
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String messageOf(Throwable e) {
        final StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && text.indexOf(t.getMessage()) < 0) {
                text.append(text.length() == 0 ? "" : ": ").append(t.getMessage());
            }
        }
        return text.length() == 0 ? e.getClass().getName() : text.toString();
    }

    private static List<String> topicNames(List<NewTopic> topics) {
        return topics.stream().map(NewTopic::name).toList();
    }

    private static void closeQuietly(ServerSocket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("closing a port probe failed", e);
        }
    }
}
