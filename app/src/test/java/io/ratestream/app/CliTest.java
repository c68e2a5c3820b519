package io.ratestream.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratestream.app.cli.RatestreamCli;
import io.ratestream.gateway.GatewayConfig;
import io.ratestream.schemas.topics.Topics;
import io.ratestream.streams.StreamsAppConfig;
import io.ratestream.testkit.junit.KafkaBroker;
import io.ratestream.testkit.junit.KafkaBrokerExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The command line against a live system: load (and its validation), console, replay --verify. */
@ExtendWith(KafkaBrokerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CliTest {

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private String bootstrap;
    private DevStack stack;

    @TempDir
    Path files;

    @BeforeAll
    void start(KafkaBroker broker, @TempDir Path state) throws Exception {
        bootstrap = broker.bootstrapServers();
        stack = DevStack.start(StreamsAppConfig.defaults(bootstrap, state).withApplicationId("cli-" + run),
                GatewayConfig.defaults(bootstrap).withPorts(0, 0), Duration.ofSeconds(90));
    }

    @AfterAll
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    /** Runs the command line in this JVM; returns its exit code and what it printed. */
    private record Run(int code, String out, String err) {
    }

    private static synchronized Run cli(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
            int code = RatestreamCli.execute(args);
            return new Run(code, outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void shouldLoadTheOriginalFilesTwiceToTheSameStateAndAnswerTheConsole() throws Exception {
        String tenant = "t" + run;
        Run first = cli("load", "--bootstrap", bootstrap, "--tenant", tenant, "--data-dir", "../demo/cgrates-2012");
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.out()).contains("loaded 4 rating profiles, 4 destinations, 2 tariff plans, 2 budgets");

        String server = "127.0.0.1:" + stack.gateway().jsonRpcPort();
        Run cost = cli("console", "getcost", "-server", server, "-cstmid", "vdf", "-subject", "rif", "-dest", "0256",
                "-ts", "2012-02-02T17:30:00Z", "-te", "2012-02-02T18:30:00Z");
        assertThat(cost.code()).as(cost.err()).isZero();
        assertThat(cost.out()).startsWith("cost 540 (connect fee 0, matched prefix 0256)")
                .contains("2012-02-02T17:30:00Z .. 2012-02-02T18:00:00Z  360  at 0.2 per 1 s");

        Run debit = cli("console", "debitbalance", "-server", server, "-cstmid", tenant, "-subject", "minutosu",
                "-amount", "1.5");
        assertThat(debit.out().trim()).isEqualTo("19.5");
        Run json = cli("console", "debitsms", "--server", server, "--cstmid", tenant, "--subject", "minutosu",
                "--amount", "1", "--json");
        assertThat(json.code()).isEqualTo(1);
        assertThat(json.out().trim()).isEqualTo(
                "{\"id\":1,\"result\":null,\"error\":\"amount exceeds budget: 0 SMS left, 1 asked\"}");

        // the same files again: the same budget commands, answered as before; the debit stays
        Run again = cli("load", "--bootstrap", bootstrap, "--tenant", tenant, "--data-dir", "../demo/cgrates-2012");
        assertThat(again.code()).isZero();
        assertThat(cli("console", "debitbalance", "-server", server, "-cstmid", tenant, "-subject", "minutosu",
                "-amount", "0").out().trim()).isEqualTo("19.5");
    }

    @Test
    void shouldWriteNothingWhenOneFileIsBroken() throws Exception {
        Path good = Files.copy(Path.of("../demo/cgrates-2012/destinations.json"), files.resolve("destinations.json"));
        Path broken = Files.writeString(files.resolve("tariff_plans.json"), "[{\"Id\":\"p\",\"SmsCredit\":\"lots\"}]");
        Map<String, Long> before = endOffsets();

        Run load = cli("load", "--bootstrap", bootstrap, "--destinations", good.toString(), "--tariff-plans",
                broken.toString());

        assertThat(load.code()).isNotZero();
        assertThat(load.err()).contains("tariff_plans.json").contains("entry 0").contains("SmsCredit");
        assertThat(endOffsets()).isEqualTo(before);
    }

    @Test
    void shouldVerifyTheLiveBudgetsAgainstAReplay() throws Exception {
        Run replay = null;
        for (int attempt = 0; attempt < 50; attempt++) {
            replay = cli("replay", "--verify", "--bootstrap", bootstrap, "--application-id", "cli-" + run);
            if (replay.code() == 0 && !replay.out().contains("note:")) {
                break;
            }
            Thread.sleep(200);
        }
        assertThat(replay.code()).as(replay.out() + replay.err()).isZero();
        assertThat(replay.out()).contains("identical: every budget equals its replay");
    }

    @Test
    void shouldTakeOptionsFromAPropertiesFile() throws Exception {
        Path config = Files.writeString(files.resolve("ratestream.properties"),
                "bootstrap=" + bootstrap + "\napplication-id=cli-" + run + "\n");

        Run replay = cli("replay", "--config", config.toString());

        assertThat(replay.code()).as(replay.err()).isZero();
        assertThat(replay.out()).startsWith("replayed ");
        // without the file, the default bootstrap (127.0.0.1:9092) is not this broker's
        assertThat(bootstrap).isNotEqualTo("127.0.0.1:9092");
    }

    @Test
    void shouldRefuseAPortInUseWithASentence() throws Exception {
        try (var taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            Run dev = cli("dev", "--data-dir", files.resolve("dev").toString(), "--kafka-port", "0", "--jsonrpc-port",
                    "0", "--http-port", String.valueOf(taken.getLocalPort()));
            assertThat(dev.code()).isEqualTo(1);
            assertThat(dev.err()).contains("port " + taken.getLocalPort() + " is in use: stop the other process or pass "
                    + "--http-port");
        }
    }

    @Test
    void shouldHelpWithEveryCommand() {
        for (String command : List.of("dev", "load", "console", "streams", "gateway", "replay", "rate")) {
            Run help = cli(command, "--help");
            assertThat(help.code()).as(command).isZero();
            assertThat(help.out()).as(command).contains("Usage: ratestream " + command);
        }
    }

    private Map<String, Long> endOffsets() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = List.of(Topics.DESTINATIONS, Topics.TARIFF_PLANS, Topics.RATING_PROFILES)
                    .stream().map(topic -> new TopicPartition(topic, 0)).toList();
            return consumer.endOffsets(partitions).entrySet().stream()
                    .collect(Collectors.toMap(e -> e.getKey().topic(), Map.Entry::getValue));
        }
    }
}
