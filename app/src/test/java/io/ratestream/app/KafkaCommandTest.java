package io.ratestream.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import io.ratestream.schemas.topics.Topics;
import io.ratestream.testkit.BrokerSecurity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ratestream kafka} in its own JVM, as the benchmark scripts run it: ready line, a topic created
 * by a real Admin client, a clean stop on SIGTERM.
 */
class KafkaCommandTest {

    @Test
    void shouldServeClientsOnItsPortAndStopCleanlyOnSigterm(@TempDir Path data) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path dataDir = data.resolve("kafka");
        Path output = data.resolve("stdout.txt"); // a file: destroy() closes the process's pipes
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "io.ratestream.app.cli.RatestreamCli", "kafka", "--data-dir",
                dataDir.toString(), "--kafka-port", String.valueOf(port))
                .redirectOutput(output.toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(Path.of("target", "kafka-command-test.log").toFile()))
                .start();
        try {
            List<String> lines = awaitLine(output, "ready in ", process);
            // (the test logging configuration writes log lines to standard output too)
            assertThat(lines).anyMatch(line -> line.startsWith("Kafka     127.0.0.1:" + port + "  (KRaft, one node"));

            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port))) {
                admin.createTopics(List.of(new NewTopic("kafka-command-test", 3, (short) 1))).all()
                        .get(30, TimeUnit.SECONDS);
                assertThat(admin.describeTopics(List.of("kafka-command-test")).allTopicNames().get(30, TimeUnit.SECONDS)
                        .get("kafka-command-test").partitions()).hasSize(3);
                // Topics come from ratestream's set-up only: a client's metadata request creates nothing.
                org.apache.kafka.common.config.ConfigResource node = new org.apache.kafka.common.config.ConfigResource(
                        org.apache.kafka.common.config.ConfigResource.Type.BROKER, "1");
                assertThat(admin.describeConfigs(List.of(node)).all().get(30, TimeUnit.SECONDS).get(node)
                        .get("auto.create.topics.enable").value()).isEqualTo("false");
            }
            // the broker creates a partition's log directory after the controller has answered: wait for it
            Path partitionDir = dataDir.resolve("logs").resolve("kafka-command-test-0");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.isDirectory(partitionDir) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(partitionDir).isDirectory();
        } finally {
            process.destroy(); // SIGTERM: the shutdown hook stops the broker
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        assertThat(process.exitValue()).as("exit code after SIGTERM").isIn(0, 143);
        assertThat(Files.readAllLines(output)).as("printed once the broker has stopped").contains("Kafka stopped");
    }

    @Test
    void shouldStartWithScramUsersAndTheLeastPrivilegeAclsOfRatestream(@TempDir Path data) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path output = data.resolve("stdout.txt");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "io.ratestream.app.cli.RatestreamCli", "kafka", "--data-dir",
                data.resolve("kafka").toString(), "--kafka-port", String.valueOf(port), "--scram-user", "root=root-pw",
                "--scram-user", "gateway=gateway-pw", "--scram-user", "loader=loader-pw", "--scram-user",
                "streams=streams-pw", "--super-user", "root", "--ratestream-acls", "--partitions", "2")
                .redirectOutput(output.toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(Path.of("target", "kafka-command-test.log").toFile()))
                .start();
        String bootstrap = "127.0.0.1:" + port;
        try {
            List<String> lines = awaitLine(output, "ready in ", process);
            assertThat(lines).anyMatch(line -> line.startsWith("SCRAM     users [root, gateway, loader, streams] "
                    + "(super user root)"));
            assertThat(lines).noneMatch(line -> line.contains("-pw"));
            int expected = io.ratestream.app.acl.KafkaAcls.bindings(io.ratestream.app.acl.KafkaAcls.Principals.users(
                    "gateway", "streams", "loader", "ratestream")).size();
            try (Admin root = admin(bootstrap, BrokerSecurity.clientProperties("root", "root-pw"))) {
                assertThat(root.describeAcls(org.apache.kafka.common.acl.AclBindingFilter.ANY).values()
                        .get(30, TimeUnit.SECONDS)).hasSize(expected);
                assertThat(root.describeTopics(List.of(Topics.ADMIN_COMMANDS)).allTopicNames().get(30, TimeUnit.SECONDS)
                        .get(Topics.ADMIN_COMMANDS).partitions()).hasSize(2);
            }
            try (Admin gateway = admin(bootstrap, BrokerSecurity.clientProperties("gateway", "gateway-pw"))) {
                // the gateway sees the two ratestream topics it writes and the one it reads, nothing else
                assertThat(gateway.listTopics().names().get(30, TimeUnit.SECONDS))
                        .containsExactlyInAnyOrder(Topics.COMMANDS, Topics.QUERIES, Topics.REPLIES);
            }
        } finally {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    @Test
    void shouldPrintTheAclsOfADryRunWithoutAnyKafka() {
        CliTest.Run run = CliTest.cli("acls", "--dry-run", "--bootstrap", "127.0.0.1:1", "--gateway-principal",
                "User:gw-7", "--application-id", "rs-prod");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("would create 27 ACLs:")
                .contains("User:streams     ALLOW  WRITE             topic     ratestream.commands\n")
                .contains("User:gw-7        ALLOW  WRITE             topic     ratestream.commands\n")
                .contains("User:streams     ALLOW  WRITE             transactional_id rs-prod-* (prefix)\n")
                .contains("User:gw-7        ALLOW  DESCRIBE          group     rs-prod\n");
    }

    private static Admin admin(String bootstrap, Map<String, String> auth) {
        Map<String, Object> config = new java.util.HashMap<>(auth);
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return Admin.create(config);
    }

    private static List<String> awaitLine(Path output, String prefix, Process process) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            List<String> lines = Files.readAllLines(output);
            if (lines.stream().anyMatch(line -> line.startsWith(prefix))) {
                return lines;
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("ratestream kafka printed no '" + prefix + "' line (see "
                        + "app/target/kafka-command-test.log): " + lines);
            }
            Thread.sleep(100);
        }
    }
}
