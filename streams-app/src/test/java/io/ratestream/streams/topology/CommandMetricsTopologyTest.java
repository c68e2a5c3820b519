package io.ratestream.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.reply.ErrorKind;
import io.ratestream.schemas.reply.Reply;
import io.ratestream.streams.ops.StreamsMeters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the command processor reports to its {@link CommandMetrics}, in the TopologyTestDriver with the
 * real meters: one count per record, by method and outcome, dead letters by reason, refills written;
 * and the replies are the same as without metrics.
 */
class CommandMetricsTopologyTest {

    private static final Instant T0 = Instant.parse("2012-02-02T17:00:00Z");

    @TempDir
    Path stateDir;

    private final StreamsMeters meters = new StreamsMeters();
    private Pipeline pipeline;

    @BeforeEach
    void start() {
        // minutosu resets on the 10th: from 2012-02-10 its refill is due
        pipeline = new Pipeline(stateDir, Instant.parse("2012-02-09T23:50:00Z"), Map.of(), meters);
        pipeline.send(pipeline.setBudget(Pipeline.demoBudget("minutosu"), T0));
    }

    @AfterEach
    void stop() {
        pipeline.close();
        meters.close();
    }

    private double commands(String method, String outcome) {
        Counter counter = meters.registry().find("ratestream.streams.commands").tags("method", method, "outcome", outcome)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private double letters(DeadLetterReason reason) {
        return meters.registry().get("ratestream.streams.dead.letters").tags("reason", reason.wireName()).counter()
                .count();
    }

    @Test
    void shouldCountTheAdmissionAndTheApplicationOfABudgetSettingCommand() {
        assertThat(commands("SetUserBudget", CommandMetrics.ADMITTED)).isEqualTo(1);
        assertThat(commands("SetUserBudget", CommandMetrics.OK)).isEqualTo(1);
    }

    @Test
    void shouldCountAnsweredCommandsByMethodAndOutcome() {
        Command getCost = pipeline.command(Method.GET_COST, Pipeline.workedExample(), T0);
        Command debit = pipeline.command("d1", Method.DEBIT_BALANCE, "minutosu", null, "1", T0, null);
        Command tooMuch = pipeline.command("d2", Method.DEBIT_SMS, "minutosu", null, "1000000", T0, null);

        assertThat(pipeline.send(getCost).error()).isNull();
        assertThat(pipeline.send(debit).error()).isNull();
        assertThat(pipeline.send(debit).error()).as("a retry").isNull();
        Reply refused = pipeline.send(tooMuch);

        assertThat(refused.errorKind()).isEqualTo(ErrorKind.INSUFFICIENT_FUNDS);
        assertThat(commands("GetCost", CommandMetrics.OK)).isEqualTo(1);
        assertThat(commands("DebitBalance", CommandMetrics.OK)).isEqualTo(1);
        assertThat(commands("DebitBalance", CommandMetrics.DUPLICATE)).isEqualTo(1);
        assertThat(commands("DebitSMS", "insufficient_funds")).isEqualTo(1);
        assertThat(DeadLetterReason.values()).allSatisfy(reason -> assertThat(letters(reason)).isZero());
    }

    @Test
    void shouldCountDeadLettersByReason() {
        byte[] key = "vdf:minutosu".getBytes(StandardCharsets.UTF_8);
        pipeline.rawCommands.pipeInput(key, "{not json".getBytes(StandardCharsets.UTF_8));
        pipeline.rawCommands.pipeInput(key, (byte[]) null);
        Command notAdmitted = pipeline.setBudget(Pipeline.demoBudget("minutosu"), T0);
        pipeline.sendOn(pipeline.commands, notAdmitted);
        Command misKeyed = pipeline.command(Method.GET_COST, Pipeline.workedExample(), T0);
        pipeline.commands.pipeInput("vdf:someone-else", misKeyed, T0);

        assertThat(pipeline.deadLetters.readValuesToList()).hasSize(4);
        assertThat(letters(DeadLetterReason.UNREADABLE)).isEqualTo(1);
        assertThat(letters(DeadLetterReason.TOMBSTONE)).isEqualTo(1);
        assertThat(letters(DeadLetterReason.NOT_ADMITTED)).isEqualTo(1);
        assertThat(letters(DeadLetterReason.WRONG_KEY)).isEqualTo(1);
        assertThat(commands(CommandMetrics.UNKNOWN_METHOD, "unreadable")).isEqualTo(1);
        assertThat(commands(CommandMetrics.UNKNOWN_METHOD, "tombstone")).isEqualTo(1);
        assertThat(commands(CommandMetrics.UNKNOWN_METHOD, "wrong_key")).isEqualTo(1);
        assertThat(commands("SetUserBudget", "not_admitted")).isEqualTo(1);
    }

    @Test
    void shouldCountTheRefillCommandsTheRefillCheckWrites() {
        assertThat(meters.registry().get("ratestream.streams.refills").counter().count()).isZero();

        pipeline.advanceWallClock(Duration.ofMinutes(15)); // 2012-02-10T00:05Z: due

        assertThat(pipeline.adminCommandsOut.readValuesToList()).hasSize(1);
        assertThat(meters.registry().get("ratestream.streams.refills").counter().count()).isEqualTo(1);
        assertThat(commands("MonthlyRefill", CommandMetrics.ADMITTED)).isEqualTo(1);
        assertThat(commands("MonthlyRefill", CommandMetrics.OK)).isEqualTo(1);
    }
}
