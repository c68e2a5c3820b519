package io.ratestream.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@code ratestream kafka} processes with the same {@code --voters} form one KRaft cluster on
 * loopback: replication factor 3 and min.insync.replicas 2 are the defaults, internal topics included; a
 * partition leader killed with SIGKILL, and in the other test the active controller, leaves a cluster
 * that takes acks=all writes, serves a consumer group and creates topics; the killed node, started again
 * on its data dir, rejoins. The times from the kill to the first acks=all write that succeeds again are
 * printed (never asserted).
 */
class KafkaClusterIT {

    private static final Duration START = Duration.ofSeconds(240);
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String MIN_ISR = "min.insync.replicas";

    @TempDir
    Path dir;

    private final List<ClusterNode> nodes = new ArrayList<>();
    private String voters;

    @BeforeEach
    void startThreeNodes() throws Exception {
        int[] ports = freePorts(6);
        List<String> entries = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            ClusterNode node = new ClusterNode(id, ports[2 * (id - 1)], ports[2 * (id - 1) + 1],
                    dir.resolve("node-" + id));
            nodes.add(node);
            entries.add(id + "@127.0.0.1:" + node.controllerPort);
        }
        voters = String.join(",", entries);
        for (ClusterNode node : nodes) {
            node.start(voters);
        }
        for (ClusterNode node : nodes) {
            node.awaitReady();
        }
    }

    @AfterEach
    void stopNodes() throws InterruptedException {
        for (ClusterNode node : nodes) {
            node.process.destroyForcibly();
        }
        for (ClusterNode node : nodes) {
            node.process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldKeepWritingWithAcksAllAndConsumingWhenAPartitionLeaderIsKilled() throws Exception {
        for (ClusterNode node : nodes) {
            assertThat(node.output()).anyMatch(line -> line.startsWith("Cluster   id ")
                    && line.contains("(derived from --voters)") && line.contains("replication factor 3, "
                    + "min.insync.replicas 2"));
        }
        assertThat(nodes.stream().map(node -> clusterIdLine(node.output())).distinct()).hasSize(1);
        try (Admin admin = admin()) {
            assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).extracting(Node::id)
                    .containsExactlyInAnyOrder(1, 2, 3);
            admin.createTopics(List.of(new NewTopic("replicated", 3, (short) 3).configs(Map.of(MIN_ISR, "2")),
                    new NewTopic("defaulted", Optional.of(2), Optional.empty()))).all().get(60, TimeUnit.SECONDS);
            TopicDescription defaulted = awaitTopic(admin, "defaulted");
            assertThat(defaulted.partitions()).allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
            assertThat(topicConfig(admin, "defaulted").get(MIN_ISR).value()).isEqualTo("2");
            assertThat(awaitTopic(admin, "replicated").partitions()).allSatisfy(p -> assertThat(p.replicas()).hasSize(3));

            // a partition led by a node that is not the active controller: this is the broker's failover alone
            int controller = admin.describeMetadataQuorum().quorumInfo().get(30, TimeUnit.SECONDS).leaderId();
            TopicPartitionInfo partition = describe(admin, "replicated").partitions().stream()
                    .filter(p -> p.leader() != null && p.leader().id() != controller).findFirst()
                    .orElseThrow(() -> new AssertionError("every partition is led by the controller " + controller));
            int leader = partition.leader().id();

            Set<String> sent = new HashSet<>();
            try (KafkaProducer<String, String> producer = producer()) {
                for (int i = 0; i < 20; i++) {
                    send(producer, "replicated", partition.partition(), "before-" + i);
                    sent.add("before-" + i);
                }
                consume("replicated", "group-before", sent);

                ClusterNode killed = node(leader);
                long killedAt = killed.kill();
                send(producer, "replicated", partition.partition(), "after-0");
                long recoveredMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
                sent.add("after-0");
                System.out.printf("KafkaClusterIT: SIGKILL of node %d (leader of replicated-%d, not the controller "
                        + "%d): an acks=all write to that partition succeeded again after %d ms%n", leader,
                        partition.partition(), controller, recoveredMs);
                for (int i = 1; i < 20; i++) {
                    send(producer, "replicated", partition.partition(), "after-" + i);
                    sent.add("after-" + i);
                }
                TopicPartitionInfo moved = awaitPartition(admin, "replicated", partition.partition(),
                        p -> p.leader() != null && p.leader().id() != leader && p.isr().size() == 2,
                        "a new leader and an ISR of the two live nodes");
                assertThat(moved.isr()).extracting(Node::id).doesNotContain(leader);
                // nothing acknowledged is lost, and a consumer group (its coordinator may have moved) still works
                consume("replicated", "group-after", sent);

                killed.start(voters);
                killed.awaitReady();
                // the same cluster id, from its data dir
                assertThat(clusterIdLine(killed.output())).isNotEmpty().isEqualTo(clusterIdLine(nodes.get(0).output()));
                awaitPartition(admin, "replicated", partition.partition(), p -> p.isr().size() == 3,
                        "the restarted node " + leader + " back in the ISR");
                send(producer, "replicated", partition.partition(), "rejoined");
            }
        }
    }

    @Test
    void shouldCreateTopicsAndWriteWhenTheActiveControllerIsKilled() throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic("before-failover", 1, (short) 3))).all().get(60, TimeUnit.SECONDS);
            awaitTopic(admin, "before-failover");
            int controller = admin.describeMetadataQuorum().quorumInfo().get(30, TimeUnit.SECONDS).leaderId();
            ClusterNode killed = node(controller);
            try (KafkaProducer<String, String> producer = producer()) {
                send(producer, "before-failover", 0, "first");
                long killedAt = killed.kill();

                int newController = awaitNewController(admin, controller);
                long electedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
                send(producer, "before-failover", 0, "second");
                long writtenMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
                // A topic created before the new controller has fenced the dead broker may get a replica
                // there: wait until the cluster no longer lists it (describeCluster lists unfenced brokers).
                awaitFenced(admin, controller);
                long fencedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
                // two live brokers: replication factor 2, and min ISR 2 so that acks=all still means both
                createWithRetries(admin, new NewTopic("after-failover", 1, (short) 2).configs(Map.of(MIN_ISR, "2")));
                send(producer, "after-failover", 0, "created after the controller died");
                long createdMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
                System.out.printf("KafkaClusterIT: SIGKILL of the active controller %d: node %d elected after %d ms; "
                        + "an acks=all write to the RF 3 topic succeeded again after %d ms; the dead broker fenced "
                        + "after %d ms; a new RF 2 topic created and written after %d ms%n", controller, newController,
                        electedMs, writtenMs, fencedMs, createdMs);
                assertThat(describe(admin, "after-failover").partitions().get(0).replicas()).extracting(Node::id)
                        .doesNotContain(controller);
                consume("before-failover", "controller-group", Set.of("first", "second"));

                killed.start(voters);
                killed.awaitReady();
                awaitPartition(admin, "before-failover", 0, p -> p.isr().size() == 3,
                        "the restarted node " + controller + " back in the ISR");
                assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).extracting(Node::id)
                        .containsExactlyInAnyOrder(1, 2, 3);
            }
        }
    }

    private ClusterNode node(int id) {
        return nodes.stream().filter(n -> n.id == id).findFirst().orElseThrow();
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
    }

    private String bootstrap() {
        return nodes.stream().map(n -> "127.0.0.1:" + n.kafkaPort).collect(Collectors.joining(","));
    }

    /** An idempotent acks=all producer that gives up on an unanswered request after 2 s and retries. */
    private KafkaProducer<String, String> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) WAIT.toMillis(),
                ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 20,
                ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 100),
                new StringSerializer(), new StringSerializer());
    }

    /** Sends and waits for the acknowledgement of all in-sync replicas (the producer retries on its own). */
    private static void send(KafkaProducer<String, String> producer, String topic, int partition, String value)
            throws Exception {
        producer.send(new ProducerRecord<>(topic, partition, value, value)).get(WAIT.toSeconds() + 10, TimeUnit.SECONDS);
    }

    /** Reads the topic from the start in consumer group {@code group} until every expected value is seen. */
    private void consume(String topic, String group, Set<String> expected) {
        Set<String> seen = new HashSet<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(), ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!seen.containsAll(expected)) {
                assertThat(System.nanoTime()).as("consumed %s of %s from %s", seen, expected, topic).isLessThan(deadline);
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    seen.add(record.value());
                }
            }
            consumer.commitSync(Duration.ofSeconds(60));
        }
        assertThat(seen).containsAll(expected);
    }

    private static TopicDescription describe(Admin admin, String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
    }

    /** Describes a topic once every node asked knows it and each partition has a leader (metadata spreads). */
    private static TopicDescription awaitTopic(Admin admin, String topic) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                TopicDescription description = describe(admin, topic);
                if (description.partitions().stream().allMatch(p -> p.leader() != null)) {
                    return description;
                }
            } catch (ExecutionException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            assertThat(System.nanoTime()).as("partitions of %s without a leader", topic).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static Config topicConfig(Admin admin, String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
    }

    private static TopicPartitionInfo awaitPartition(Admin admin, String topic, int partition,
            java.util.function.Predicate<TopicPartitionInfo> wanted, String what) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        TopicPartitionInfo last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = describe(admin, topic).partitions().get(partition);
                if (wanted.test(last)) {
                    return last;
                }
            } catch (ExecutionException e) {
                // a node that just died or restarted: ask again
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no " + what + " for " + topic + "-" + partition + " within " + WAIT.toSeconds()
                + " s; last seen: " + last);
    }

    private static int awaitNewController(Admin admin, int killed) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                int leader = admin.describeMetadataQuorum().quorumInfo().get(5, TimeUnit.SECONDS).leaderId();
                if (leader >= 0 && leader != killed) {
                    return leader;
                }
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                // no controller yet
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no controller other than " + killed + " within " + WAIT.toSeconds() + " s");
    }

    private static void awaitFenced(Admin admin, int killed) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).stream().noneMatch(n -> n.id() == killed)) {
                    return;
                }
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                // ask again
            }
            Thread.sleep(20);
        }
        throw new AssertionError("node " + killed + " still listed as a live broker after " + WAIT.toSeconds() + " s");
    }

    private static void createWithRetries(Admin admin, NewTopic topic) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException) {
                    return; // an earlier attempt went through after all
                }
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    private static String clusterIdLine(List<String> output) {
        return output.stream().filter(line -> line.startsWith("Cluster   id ")).findFirst().orElse("")
                .replaceAll("node \\d+, controller port \\d+", "");
    }

    private static int[] freePorts(int count) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0);
                held.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket socket : held) {
                socket.close();
            }
        }
    }

    /** One {@code ratestream kafka} process of the cluster. */
    private static final class ClusterNode {
        final int id;
        final int kafkaPort;
        final int controllerPort;
        final Path dataDir;
        final Path output;
        Process process;

        ClusterNode(int id, int kafkaPort, int controllerPort, Path dataDir) {
            this.id = id;
            this.kafkaPort = kafkaPort;
            this.controllerPort = controllerPort;
            this.dataDir = dataDir;
            this.output = dataDir.resolveSibling("node-" + id + ".out");
        }

        void start(String voters) throws IOException {
            String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            process = new ProcessBuilder(java.toString(), "-Xmx384m", "-cp", classpath,
                    "io.ratestream.app.cli.RatestreamCli", "kafka", "--node-id", String.valueOf(id),
                    "--kafka-port", String.valueOf(kafkaPort), "--controller-port", String.valueOf(controllerPort),
                    "--voters", voters, "--data-dir", dataDir.toString())
                    .redirectOutput(output.toFile()) // truncated on a restart: the ready line is the new one
                    .redirectError(ProcessBuilder.Redirect.appendTo(
                            Path.of("target", "kafka-cluster-it-node-" + id + ".log").toFile()))
                    .start();
            Process started = process;
            // however this JVM ends, the child must not outlive it
            Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly, "kafka-cluster-it-reaper"));
        }

        /** SIGKILL (destroyForcibly on Linux); returns the time of the kill, in System.nanoTime. */
        long kill() throws InterruptedException {
            process.destroyForcibly();
            long at = System.nanoTime();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            return at;
        }

        void awaitReady() throws Exception {
            long deadline = System.nanoTime() + START.toNanos();
            while (output().stream().noneMatch(line -> line.startsWith("ready in "))) {
                if (!process.isAlive()) {
                    throw new AssertionError("node " + id + " ended (exit " + process.exitValue() + ") before it was "
                            + "ready; it printed " + output() + "; see target/kafka-cluster-it-node-" + id + ".log");
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("node " + id + " not ready within " + START.toSeconds() + " s; it printed "
                            + output());
                }
                Thread.sleep(100);
            }
        }

        List<String> output() {
            try {
                return Files.isRegularFile(output) ? Files.readAllLines(output) : List.of();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
