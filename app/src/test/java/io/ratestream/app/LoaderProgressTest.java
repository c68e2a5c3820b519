package io.ratestream.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratestream.app.cli.RatestreamCli;
import io.ratestream.gateway.GatewayConfig;
import io.ratestream.schemas.files.DataSet;
import io.ratestream.schemas.model.RatingProfile;
import io.ratestream.schemas.model.UserBudget;
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
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loader's progress against a live system: lines while it loads some thousands of records, counters
 * that only grow, a last line with everything applied; {@code ratestream load} printing them on standard
 * error, its result alone on standard output; and {@code ratestream bench}, which loads through the
 * loader, giving its {@code --kafka-property} to every Kafka client it creates.
 */
@ExtendWith(KafkaBrokerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoaderProgressTest {

    static final Pattern LINE = Pattern.compile("load: sent (\\d+)/(\\d+) records, acknowledged (\\d+) \\(\\d+/s\\)"
            + ", applied (\\d+)/(\\d+) budgets \\(\\d+/s\\)(, rating profiles checked \\d+/\\d+)?"
            + "(, time left unknown|, about [0-9hms.]+ left)?");

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private String bootstrap;
    private DevStack stack;

    @BeforeAll
    void start(KafkaBroker broker, @TempDir Path state) throws Exception {
        bootstrap = broker.bootstrapServers();
        stack = DevStack.start(StreamsAppConfig.defaults(bootstrap, state).withApplicationId("progress-" + run),
                GatewayConfig.defaults(bootstrap).withPorts(0, 0), Duration.ofSeconds(90));
    }

    @AfterAll
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void shouldPrintProgressWhileLoadingAndALastLineWithEverythingApplied() throws Exception {
        String tenant = "progress" + run;
        int budgets = 3000;
        DataSet data = data(tenant, budgets, 10);
        int records = data.ratingProfiles().size() + data.destinations().size() + data.tariffPlans().size() + budgets;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        Loader.Report report = new Loader(bootstrap, Clock.systemUTC())
                .withProgress(new PrintStream(printed, true, StandardCharsets.UTF_8), Duration.ZERO)
                .withStallTimeout(Duration.ofSeconds(60))
                .load(data, tenant, (String) null);

        assertThat(report.errors()).isEmpty();
        List<String> lines = printed.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSizeGreaterThan(2);
        List<String> progress = lines.subList(0, lines.size() - 1);
        long[] previous = {0, 0, 0};
        for (String line : progress) {
            Matcher m = LINE.matcher(line);
            assertThat(m.matches()).as(line).isTrue();
            long[] now = {Long.parseLong(m.group(1)), Long.parseLong(m.group(3)), Long.parseLong(m.group(4))};
            assertThat(Long.parseLong(m.group(2))).as(line).isEqualTo(records);
            assertThat(Long.parseLong(m.group(5))).as(line).isEqualTo(budgets);
            for (int i = 0; i < 3; i++) {
                assertThat(now[i]).as("counters only grow: %s", line).isGreaterThanOrEqualTo(previous[i]);
            }
            assertThat(now[1]).as("acknowledged no more than sent: %s", line).isLessThanOrEqualTo(now[0]);
            previous = now;
        }
        assertThat(progress).as("lines while the load was under way").anyMatch(line -> {
            Matcher m = LINE.matcher(line);
            return m.matches() && Long.parseLong(m.group(4)) < budgets;
        });
        assertThat(lines.get(lines.size() - 1)).startsWith("load: done in ")
                .contains("sent " + records + "/" + records + " records, acknowledged " + records + " (")
                .contains("applied " + budgets + "/" + budgets + " budgets");
    }

    @Test
    void shouldKeepAtMostMaxInFlightBudgetsSentAndNotYetApplied() throws Exception {
        int budgets = 2000;
        int window = 100;

        long boundedMost = mostInFlight("window" + run, budgets, window);
        long unboundedMost = mostInFlight("nowindow" + run, budgets, 0);

        assertThat(boundedMost).isPositive().isLessThanOrEqualTo(window);
        assertThat(unboundedMost).as("without a limit the load runs ahead (what the bound is checked against)")
                .isGreaterThan(window);
    }

    /** Loads {@code budgets} budgets with the limit given; the most sent and not applied that a progress line showed. */
    private long mostInFlight(String tenant, int budgets, int maxInFlight) throws Exception {
        DataSet data = data(tenant, budgets, 0);
        long reference = data.destinations().size() + data.tariffPlans().size();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        Loader.Report report = new Loader(bootstrap, Clock.systemUTC())
                .withProgress(new PrintStream(printed, true, StandardCharsets.UTF_8), Duration.ZERO)
                .withMaxInFlight(maxInFlight)
                .load(data, tenant, (String) null);
        assertThat(report.errors()).isEmpty();
        long most = 0;
        for (String line : printed.toString(StandardCharsets.UTF_8).lines().toList()) {
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                most = Math.max(most, Long.parseLong(m.group(1)) - reference - Long.parseLong(m.group(4)));
            }
        }
        return most;
    }

    @Test
    void shouldPrintProgressOnStandardErrorAndTheResultOnStandardOutput(@TempDir Path dir) throws Exception {
        String tenant = "cli" + run;
        Path file = dir.resolve("user_budgets.json");
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < 500; i++) {
            json.append(i == 0 ? "" : ",").append("{\"Id\":\"u").append(i).append("\",\"Credit\":5,\"SmsCredit\":0,"
                    + "\"Traffic\":0,\"VolumeDiscountSeconds\":0,\"ReceivedCallSeconds\":0,\"ResetDayOfTheMonth\":10,"
                    + "\"MinuteBuckets\":[]}");
        }
        Files.writeString(file, json.append("]"));

        CliTest.Run load = CliTest.cli("load", "--bootstrap", bootstrap, "--tenant", tenant, "--user-budgets",
                file.toString(), "--stall-timeout-seconds", "60");

        assertThat(load.code()).as(load.err()).isZero();
        assertThat(load.out()).isEqualTo(String.format("loaded 0 rating profiles, 0 destinations, 0 tariff plans, "
                + "500 budgets (tenant %s)%n", tenant));
        assertThat(load.err()).contains("load: done in ").contains("applied 500/500 budgets");
    }

    @Test
    void shouldGiveBenchsKafkaPropertiesToEveryKafkaClientItCreates(@TempDir Path dir) {
        RecordingReporter.CLIENTS.clear();

        int code = RatestreamCli.execute("bench", "--server", "127.0.0.1:" + stack.gateway().jsonRpcPort(),
                "--bootstrap", bootstrap, "--tenant", "benchprops" + run, "--subscribers", "5", "--connections", "1",
                "--warmup", "0", "--duration", "1", "--floor-round-trips", "5", "--demo-dir", "../demo/cgrates-2012",
                "--json-out", dir.resolve("bench.json").toString(),
                "--kafka-property", "metric.reporters=" + RecordingReporter.class.getName());

        assertThat(code).isZero();
        // The loader's producer and consumer, the floor's admin, producer and consumer.
        assertThat(RecordingReporter.CLIENTS).filteredOn(id -> id.startsWith("producer-")).hasSize(2);
        assertThat(RecordingReporter.CLIENTS).filteredOn(id -> id.startsWith("consumer-")).hasSize(2);
        assertThat(RecordingReporter.CLIENTS).filteredOn(id -> id.startsWith("adminclient-")).hasSize(1);
    }

    /** {@code subjects} subjects with the demo's rif profiles, plus {@code budgets} budgets. */
    static DataSet data(String tenant, int budgets, int subjects) {
        List<RatingProfile> profiles = new ArrayList<>();
        for (RatingProfile p : EndToEndTest.DEMO.ratingProfiles()) {
            if (p.subject().equals("rif")) {
                for (int i = 0; i < subjects; i++) {
                    profiles.add(new RatingProfile(p.tor(), tenant, "s" + i, p.destinationPrefix(), p.activationPeriods()));
                }
            }
        }
        List<UserBudget> list = new ArrayList<>();
        for (int i = 0; i < budgets; i++) {
            list.add(new UserBudget("s" + i, new BigDecimal("10"), BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO,
                    BigDecimal.ZERO, 0, null, List.of(), null));
        }
        return new DataSet(profiles, EndToEndTest.DEMO.destinations(), EndToEndTest.DEMO.tariffPlans(), list);
    }
}
