package io.ratestream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.ratestream.streams.Replication;
import io.ratestream.streams.StreamsAppConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** An option's value: flag, else --config file, else RATESTREAM_* variable, else its declared default. */
class OptionDefaultsTest {

    @TempDir
    Path dir;

    private StreamsCommand streams(Path config, Map<String, String> environment, String... args) {
        CommandLine cli = new CommandLine(new RatestreamCli());
        cli.setDefaultValueProvider(OptionDefaults.of(config, environment));
        String[] all = new String[args.length + 1];
        all[0] = "streams";
        System.arraycopy(args, 0, all, 1, args.length);
        return cli.parseArgs(all).subcommand().commandSpec().userObject() instanceof StreamsCommand command
                ? command : null;
    }

    @Test
    void shouldTakeTheFlagOverTheFileOverTheEnvironmentOverTheDefault() throws Exception {
        Path file = Files.writeString(dir.resolve("streams.properties"), "partitions=12\nstandby-replicas=2\n");
        Map<String, String> environment = Map.of("RATESTREAM_PARTITIONS", "9", "RATESTREAM_STANDBY_REPLICAS", "3",
                "RATESTREAM_THREADS", "4", "RATESTREAM_BOOTSTRAP", "kafka1:9092,kafka2:9092");

        StreamsCommand flagged = streams(file, environment, "--partitions", "16");
        assertThat(flagged.partitions).isEqualTo(16);
        assertThat(flagged.standbyReplicas).isEqualTo(2);
        assertThat(flagged.threads).isEqualTo(4);
        assertThat(flagged.kafka.bootstrap).isEqualTo("kafka1:9092,kafka2:9092");
        assertThat(flagged.retentionHours).isEqualTo(StreamsAppConfig.DEFAULT_IDEMPOTENCY_RETENTION_HOURS);

        StreamsCommand plain = streams(null, Map.of());
        assertThat(plain.partitions).isEqualTo(StreamsAppConfig.DEFAULT_PARTITIONS);
        assertThat(plain.sessionTimeoutMs).isEqualTo(StreamsAppConfig.DEFAULT_SESSION_TIMEOUT_MS);
    }

    @Test
    void shouldTakeSeveralKafkaPropertiesOnePerLineFromTheEnvironment() {
        StreamsCommand command = streams(null, Map.of("RATESTREAM_KAFKA_PROPERTY",
                "security.protocol=SASL_SSL\nssl.enabled.protocols=TLSv1.2,TLSv1.3\n"
                        + "sasl.jaas.config=x required username=\"a\" password=\"b\";"));
        assertThat(command.kafkaProperties.values).containsExactly(entry("security.protocol", "SASL_SSL"),
                entry("ssl.enabled.protocols", "TLSv1.2,TLSv1.3"),
                entry("sasl.jaas.config", "x required username=\"a\" password=\"b\";"));
    }

    @Test
    void shouldPutReplicationStandbysAndSessionTimeoutIntoTheKafkaStreamsProperties() {
        StreamsCommand command = streams(null, Map.of(), "--replication-factor", "3", "--min-insync-replicas", "2",
                "--standby-replicas", "1", "--session-timeout-ms", "2000");
        StreamsAppConfig config = command.settings();
        assertThat(config.replication()).isEqualTo(new Replication(3, 2));
        Properties props = config.toProperties();
        assertThat(props).containsEntry("replication.factor", "3").containsEntry("topic.min.insync.replicas", "2")
                .containsEntry("num.standby.replicas", "1").containsEntry("consumer.session.timeout.ms", "2000")
                .containsEntry("consumer.heartbeat.interval.ms", "500")
                .containsEntry("producer.transaction.timeout.ms", "" + StreamsAppConfig.DEFAULT_TRANSACTION_TIMEOUT_MS);
        assertThat(streams(null, Map.of()).settings().toProperties()).containsEntry("replication.factor", "-1")
                .doesNotContainKey("topic.min.insync.replicas");
    }

    @Test
    void shouldRefuseAFileKeyThatNamesNoOptionOfTheCommandAndAMinimumAboveTheFactor() throws Exception {
        Path file = Files.writeString(dir.resolve("typo.properties"), "bootstrap=kafka:9092\npartitons=8\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        int badReplication;
        int badTransactionTimeout;
        try {
            code = RatestreamCli.execute(Map.of(), "streams", "--config", file.toString());
            badReplication = RatestreamCli.execute(Map.of(), "streams", "--replication-factor", "1",
                    "--min-insync-replicas", "2");
            badTransactionTimeout = RatestreamCli.execute(Map.of(), "streams", "--transaction-timeout-ms", "100");
        } finally {
            System.setErr(saved);
        }
        assertThat(code).isEqualTo(2);
        assertThat(badReplication).isEqualTo(1);
        assertThat(badTransactionTimeout).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("has keys that are no option of this command: [partitons]")
                .contains("min.insync.replicas 2 is more than the replication factor 1")
                .contains("the transaction timeout (100 ms) must be longer than the commit interval (300 ms)");
    }

    @Test
    void shouldAcceptConfigOnEveryCommandAndFromTheEnvironment() throws Exception {
        Path file = Files.writeString(dir.resolve("console.properties"), "server=10.0.0.1:2001\n");
        CommandLine cli = new CommandLine(new RatestreamCli());
        cli.setDefaultValueProvider(OptionDefaults.of(file, Map.of()));
        for (String command : new String[] {"dev", "console", "rate", "load", "replay", "gateway", "bench", "acls",
            "keys", "kafka"}) {
            assertThat(cli.getSubcommands().get(command).getCommandSpec().findOption("--config"))
                    .as(command).isNotNull();
        }
        CommandLine.ParseResult parsed = cli.parseArgs("console", "--config", file.toString(), "status");
        assertThat(((ConsoleCommand) parsed.subcommand().commandSpec().userObject()).server)
                .isEqualTo("10.0.0.1:2001");
    }
}
