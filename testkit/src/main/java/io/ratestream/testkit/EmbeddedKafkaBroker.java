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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
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
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one node) running inside this
 * JVM, bound to 127.0.0.1 only. Used by tests and by the {@code ratestream dev} launcher.
 *
 * <p>The data directory is formatted on the first start only: starting again on the same directory
 * keeps its topics and records. {@link #start} returns once the broker answers an Admin
 * {@code describeCluster()}. Internal topics (offsets, transaction state, share-group state) use
 * replication factor 1 and one partition, and the log cleaner's buffer is kept small because an
 * {@link OutOfMemoryError} in the broker halts the whole JVM.
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

    private final KafkaRaftServer server;
    private final Path dataDir;
    private final int port;
    private final int controllerPort;
    private final BrokerSecurity security;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKafkaBroker(KafkaRaftServer server, Path dataDir, int port, int controllerPort,
                                BrokerSecurity security) {
        this.server = server;
        this.dataDir = dataDir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.security = security;
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
        final int[] ports = choosePorts(config.port(), config.controllerPort());
        final Path dataDir = config.dataDir().toAbsolutePath();
        final Properties props = brokerProperties(dataDir, ports[0], ports[1], config);
        format(writeProperties(dataDir, props), logDir(dataDir));

        KafkaRaftServer server = null;
        try {
            server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
            server.startup();
        } catch (RuntimeException e) {
            final BrokerStartException failure = startFailure(e, dataDir, ports);
            if (server != null) {
                stopAfterFailedStart(server, failure);
            }
            throw failure;
        }
        final EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(server, dataDir, ports[0], ports[1],
                config.security());
        try {
            broker.awaitReady(config.readyTimeout());
            if (config.security() != null) {
                broker.upsertScramUsers(config.readyTimeout());
            }
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        LOG.info("embedded Kafka broker ready on {} (data dir {})", broker.bootstrapServers(), dataDir);
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

    private void awaitReady(Duration timeout) {
        final int timeoutMs = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        try (Admin admin = Admin.create(adminProperties("ratestream-embedded-ready"))) {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs))
                    .nodes().get(timeoutMs + 1_000L, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerStartException("interrupted while waiting for the embedded Kafka broker", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new BrokerStartException("embedded Kafka broker on " + bootstrapServers()
                    + " did not answer describeCluster within " + timeout.toSeconds()
                    + " s: look for broker errors in the log above, or raise the ready timeout", e);
        }
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
        final Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@" + HOST + ":" + controllerPort);
        props.put("listeners", client + "://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
        props.put("advertised.listeners", client + "://" + HOST + ":" + port);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("log.dirs", logDir(dataDir).toString());
        props.put("num.partitions", "1");
        // One node: internal topics cannot have more than one replica, and one partition each
        // keeps their creation quick (the defaults are 50).
        for (String topic : List.of("offsets.topic", "transaction.state.log", "share.coordinator.state.topic")) {
            props.put(topic + ".replication.factor", "1");
            props.put(topic + ".num.partitions", "1");
        }
        props.put("transaction.state.log.min.isr", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
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
    private static void format(Path propertiesFile, Path logDir) {
        final ByteArrayOutputStream output = new ByteArrayOutputStream();
        final String[] args = {"format", "--config", propertiesFile.toString(),
                "--cluster-id", clusterId(logDir), "--ignore-formatted"};
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
     * The cluster id already in the directory, else a new one: even with --ignore-formatted,
     * StorageTool fails when the id passed differs from the stored one.
     */
    private static String clusterId(Path logDir) {
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
                return id.trim();
            }
        }
        return Uuid.randomUuid().toString();
    }

    private static Path logDir(Path dataDir) {
        return dataDir.resolve("logs");
    }

    /** Returns {client port, controller port}, each the asked one or a free one when 0. */
    private static int[] choosePorts(int port, int controllerPort) {
        final List<ServerSocket> held = new ArrayList<>();
        try {
            // Hold the chosen free ports open until both are chosen, so they cannot be the same one.
            final int chosenPort = port == 0 ? holdFreePort(held) : requireFree(port);
            final int chosenControllerPort = controllerPort == 0 ? holdFreePort(held) : requireFree(controllerPort);
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

    private static int requireFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(HOST, port));
            return port;
        } catch (IOException e) {
            throw portInUse(port, e);
        }
    }

    private static BrokerStartException portInUse(int port, Exception cause) {
        return new BrokerStartException("port " + port + " is in use: stop the other process or pass another port", cause);
    }

    /** Turns a failed start into a message that says what to do; a bind race still names the port. */
    private static BrokerStartException startFailure(RuntimeException e, Path dataDir, int[] ports) {
        final String message = messageOf(e);
        if (hasCause(e, BindException.class) || message.contains("Address already in use")) {
            final int port = message.contains(":" + ports[1]) ? ports[1] : ports[0];
            return portInUse(port, e);
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
