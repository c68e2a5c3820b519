package io.ratestream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ratestream.schemas.files.DataSet;
import io.ratestream.streams.TopicSetup;
import io.ratestream.testkit.EmbeddedKafkaBroker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loader's time limits against a broker with ratestream's topics and no streams app: its own broker,
 * not the shared one, where another test class's streams app could be answering. Nothing is ever applied,
 * so the stall timeout, the overall timeout and the command line's exit all show.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoaderStallTest {

    private EmbeddedKafkaBroker broker;

    @BeforeAll
    void start(@TempDir Path dir) {
        broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"), 0);
        TopicSetup.ensure(broker.bootstrapServers(), 2, (short) 1);
    }

    @AfterAll
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void shouldFailWithTheStallSentenceWhenNothingIsAppliedForTheStallTimeout() {
        DataSet data = LoaderProgressTest.data("stall", 100, 0);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        Loader loader = new Loader(broker.bootstrapServers(), Clock.systemUTC())
                .withProgress(new PrintStream(printed, true, StandardCharsets.UTF_8), Duration.ZERO)
                .withStallTimeout(Duration.ofSeconds(2));

        assertThatThrownBy(() -> loader.load(data, "stall", (String) null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("no record applied for 2 s: is the streams app running? (0 of 100 budgets "
                        + "applied; no reply yet for 100 budgets [s")
                .hasMessageEndingWith(", ...])");
        int records = data.destinations().size() + data.tariffPlans().size() + 100;
        List<String> lines = printed.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).isNotEmpty().allMatch(line -> LoaderProgressTest.LINE.matcher(line).matches())
                .noneMatch(line -> line.startsWith("load: done"));
        assertThat(lines.get(lines.size() - 1)).contains("sent " + records + "/" + records + " records, acknowledged "
                + records + " (").contains("applied 0/100 budgets").endsWith("time left unknown");
    }

    @Test
    void shouldFailWhenTheStreamsAppDoesNotAnswerTheProbesOfTheRatingProfiles() {
        DataSet data = LoaderProgressTest.data("probes", 0, 3);

        assertThatThrownBy(() -> new Loader(broker.bootstrapServers(), Clock.systemUTC())
                .withStallTimeout(Duration.ofSeconds(1)).load(data, "probes", (String) null))
                .hasMessageStartingWith("no record applied for 1 s: is the streams app running? (the streams app "
                        + "did not answer the probes of the rating profiles [");
    }

    @Test
    void shouldFailOnceTheOverallTimeoutPassesHoweverLongTheStallTimeout() {
        DataSet data = LoaderProgressTest.data("overall", 10, 0);

        assertThatThrownBy(() -> new Loader(broker.bootstrapServers(), Clock.systemUTC())
                .withStallTimeout(Duration.ofHours(1)).withTimeout(Duration.ofSeconds(1))
                .load(data, "overall", (String) null))
                .hasMessageStartingWith("the load took longer than its overall timeout of 1 s: sent ")
                .hasMessageContaining("applied 0/10 budgets");
    }

    @Test
    void shouldExitNonZeroWithTheStallSentenceFromTheCommandLine(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("user_budgets.json"), "[{\"Id\":\"u0\",\"Credit\":5,\"SmsCredit\":0,"
                + "\"Traffic\":0,\"VolumeDiscountSeconds\":0,\"ReceivedCallSeconds\":0,\"ResetDayOfTheMonth\":10,"
                + "\"MinuteBuckets\":[]}]");

        CliTest.Run load = CliTest.cli("load", "--bootstrap", broker.bootstrapServers(), "--user-budgets",
                file.toString(), "--stall-timeout-seconds", "1");

        assertThat(load.code()).isEqualTo(1);
        assertThat(load.out()).isEmpty();
        assertThat(load.err()).contains("ratestream load: no record applied for 1 s: is the streams app running? "
                + "(0 of 1 budgets applied; no reply yet for 1 budgets [u0])");
    }
}
