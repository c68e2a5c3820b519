package io.ratestream.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.app.cli.RatestreamCli;
import io.ratestream.gateway.GatewayConfig;
import io.ratestream.schemas.files.DataSet;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.model.RatingProfile;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.topics.Topics;
import io.ratestream.streams.StreamsAppConfig;
import io.ratestream.testkit.junit.KafkaBroker;
import io.ratestream.testkit.junit.KafkaBrokerExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line against a live system: load (and its validation), console, replay --verify; and the
 * loader under load and bench: how it checks that profiles arrived, and loads that set budgets anew.
 */
@ExtendWith(KafkaBrokerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public class CliTest {

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final ObjectMapper mapper = Json.newMapper();
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

    /** What a command line run in this JVM returned and printed. */
    public record Run(int code, String out, String err) {
    }

    /** Runs the command line in this JVM (one at a time: it captures System.out and System.err). */
    public static synchronized Run cli(String... args) {
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
    void shouldRefuseANegativeMaxInFlightAndWriteNothing() throws Exception {
        Map<String, Long> before = endOffsets();

        Run load = cli("load", "--bootstrap", bootstrap, "--data-dir", "../demo/cgrates-2012", "--max-in-flight", "-1");

        assertThat(load.code()).isNotZero();
        assertThat(load.err()).contains("--max-in-flight at least 0 (no limit)");
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
        for (String command : List.of("dev", "load", "console", "streams", "gateway", "replay", "rate", "bench",
                "kafka")) {
            Run help = cli(command, "--help");
            assertThat(help.code()).as(command).isZero();
            assertThat(help.out()).as(command).contains("Usage: ratestream " + command);
        }
    }

    @Test
    void shouldProbeOneProfilePerPartitionPairAndReturnOnceEveryProfileRates() throws Exception {
        String tenant = "probe" + run;
        int subjects = 40;
        List<RatingProfile> rif = EndToEndTest.DEMO.ratingProfiles().stream()
                .filter(p -> p.subject().equals("rif")).toList();
        List<RatingProfile> profiles = new ArrayList<>();
        for (int i = 0; i < subjects; i++) {
            for (RatingProfile p : rif) {
                profiles.add(new RatingProfile(p.tor(), tenant, "s" + i, p.destinationPrefix(), p.activationPeriods()));
            }
        }
        DataSet data = new DataSet(profiles, EndToEndTest.DEMO.destinations(), EndToEndTest.DEMO.tariffPlans(),
                List.of(budget("s0", "10")));

        Loader.Report report = new Loader(bootstrap, Clock.systemUTC()).load(data, tenant, Duration.ofSeconds(60));

        assertThat(report.errors()).isEmpty();
        for (int i = 0; i < subjects; i++) {
            JsonNode cost = Wire.rpc(stack.gateway().jsonRpcPort(), "{\"id\":1,\"method\":\"Responder.GetCost\","
                    + "\"params\":[{\"CstmId\":\"" + tenant + "\",\"Subject\":\"s" + i + "\",\"DestinationPrefix\":"
                    + "\"0256\",\"TimeStart\":\"2012-02-02T17:30:00Z\",\"TimeEnd\":\"2012-02-02T18:30:00Z\"}]}");
            assertThat(cost.at("/result/Cost").decimalValue()).as("s%d: %s", i, cost).isEqualByComparingTo("540");
        }
        Set<String> probed = probedProfiles(tenant);
        int pairs = partitions(Topics.RATING_PROFILES) * partitions(Topics.ADMIN_COMMANDS);
        assertThat(probed).isNotEmpty().hasSizeLessThanOrEqualTo(pairs);
        assertThat(pairs).isLessThan(profiles.size());
    }

    @Test
    void shouldSetABudgetAnewWhenTheLoadNamesItsBatch() throws Exception {
        String tenant = "batch" + run;
        DataSet data = new DataSet(List.of(), List.of(), List.of(), List.of(budget("u1", "20")));
        Loader loader = new Loader(bootstrap, Clock.systemUTC());
        int port = stack.gateway().jsonRpcPort();
        String debit = "{\"id\":1,\"method\":\"Responder.DebitBalance\",\"params\":[{\"CstmId\":\"" + tenant
                + "\",\"Subject\":\"u1\",\"Amount\":%s}]}";

        loader.load(data, tenant, Duration.ofSeconds(60));
        assertThat(Wire.rpc(port, debit.formatted("1.5")).get("result").decimalValue()).isEqualByComparingTo("18.5");
        loader.load(data, tenant, Duration.ofSeconds(60));
        assertThat(Wire.rpc(port, debit.formatted("0")).get("result").decimalValue())
                .as("the same budget again without a batch: already applied, nothing changes")
                .isEqualByComparingTo("18.5");

        loader.load(data, tenant, "run-1", Duration.ofSeconds(60));

        assertThat(Wire.rpc(port, debit.formatted("0")).get("result").decimalValue()).isEqualByComparingTo("20");
    }

    private static UserBudget budget(String subject, String credit) {
        return new UserBudget(subject, new BigDecimal(credit), BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO,
                BigDecimal.ZERO, 0, null, List.of(), null);
    }

    /** The profiles (subject:prefix) the loader sent a probe for under {@code tenant}, from the command log. */
    private Set<String> probedProfiles(String tenant) throws Exception {
        Set<String> probed = new HashSet<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            // the loader probes on the admin topic, where it writes everything
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.ADMIN_COMMANDS).stream()
                    .map(p -> new TopicPartition(Topics.ADMIN_COMMANDS, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    JsonNode command = mapper.readTree(record.value());
                    JsonNode descriptor = command.get("Descriptor");
                    if (command.get("RequestId").asText().startsWith("probe:")
                            && descriptor.get("CstmId").asText().equals(tenant)) {
                        probed.add(descriptor.get("Subject").asText() + ":" + descriptor.get("DestinationPrefix").asText());
                    }
                }
            }
        }
        return probed;
    }

    private int partitions(String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            return consumer.partitionsFor(topic).size();
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private Map<String, Long> endOffsets() {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = List.of(Topics.DESTINATIONS, Topics.TARIFF_PLANS, Topics.RATING_PROFILES)
                    .stream().map(topic -> new TopicPartition(topic, 0)).toList();
            return consumer.endOffsets(partitions).entrySet().stream()
                    .collect(Collectors.toMap(e -> e.getKey().topic(), Map.Entry::getValue));
        }
    }
}
