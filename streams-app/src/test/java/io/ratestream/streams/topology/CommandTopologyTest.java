package io.ratestream.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.command.ReplyTo;
import io.ratestream.schemas.event.BudgetEvent;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.reply.ErrorKind;
import io.ratestream.schemas.reply.Reply;
import io.ratestream.schemas.topics.DeadLetter;
import io.ratestream.schemas.topics.Topics;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.Base64;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The topology with TopologyTestDriver: command in, reply, events and store contents out. */
class CommandTopologyTest {

    private static final Instant T0 = Instant.parse("2012-02-02T17:00:00Z");

    @TempDir
    Path stateDir;

    private Pipeline pipeline;

    @BeforeEach
    void start() {
        pipeline = new Pipeline(stateDir, T0);
        pipeline.send(pipeline.setBudget(Pipeline.demoBudget("minutosu"), T0));
        pipeline.events.readValuesToList();
        pipeline.commandsOut.readRecordsToList(); // the budget's admitted copy
    }

    @AfterEach
    void stop() {
        pipeline.close();
    }

    private Reply send(String requestId, Method method, String destination, String amount) {
        return pipeline.send(pipeline.command(requestId, method, "minutosu", destination, amount, T0, null));
    }

    @Test
    void shouldAnswerGetCostWithTheWorkedExample() {
        Reply reply = pipeline.send(pipeline.command(Method.GET_COST, Pipeline.workedExample(), T0));

        assertThat(reply.error()).isNull();
        assertThat(reply.callCost().cost()).isEqualByComparingTo("540");
        assertThat(pipeline.events.isEmpty()).isTrue();
    }

    @Test
    void shouldRoundTripEveryCommandType() {
        // minutosu: credit 21, SMS 0, buckets nationale 10 s at 0.01 (prio 10) and retea 100 s free (prio 20)
        assertThat(send("a", Method.DEBIT_BALANCE, null, "1").value()).isEqualByComparingTo("20");
        assertThat(send("b", Method.DEBIT_SMS, null, "1").error()).contains("amount exceeds budget");
        assertThat(send("c", Method.DEBIT_SECONDS, "0723", "105").value()).isEqualByComparingTo("5");
        assertThat(send("d", Method.GET_MAX_SESSION_TIME, "0723", "100").value()).isEqualByComparingTo("100");
        assertThat(send("e", Method.GET_EXACT_MAX_SESSION_TIME, "0723", "10").value()).isEqualByComparingTo("10");
        assertThat(send("f", Method.ADD_VOLUME_DISCOUNT_SECONDS, null, "100").value()).isEqualByComparingTo("100");
        assertThat(send("g", Method.RESET_VOLUME_DISCOUNT_SECONDS, null, null).value()).isEqualByComparingTo("0");
        assertThat(send("h", Method.ADD_RECEIVED_CALL_SECONDS, null, "100").value()).isEqualByComparingTo("0");
        assertThat(send("i", Method.RESET_USER_BUDGET, null, null).value()).isEqualByComparingTo("0");
        assertThat(send("j", Method.MONTHLY_REFILL, null, null).value()).isEqualByComparingTo("0");

        UserBudget after = pipeline.budgets().get("vdf:minutosu");
        // 21 - 1 - 0.05 (5 s at 0.01) + 100 (received-call bonus) = 119.95
        assertThat(after.credit()).isEqualByComparingTo("119.95");
        assertThat(after.smsCredit()).isEqualByComparingTo("100");
        assertThat(after.minuteBuckets()).isEqualTo(Pipeline.DEMO.tariffPlans().get(0).minuteBuckets());
        // a, c, f, g, h, i changed the budget; b failed; d, e read; j was not due
        assertThat(pipeline.events.readValuesToList()).extracting(BudgetEvent::requestId)
                .containsExactly("a", "c", "f", "g", "h", "i");
    }

    @Test
    void shouldAnswerARepeatedRequestIdWithTheOriginalReplyAndChangeNothing() {
        Reply first = send("same", Method.DEBIT_BALANCE, null, "5");
        Reply again = send("same", Method.DEBIT_BALANCE, null, "5");
        Reply other = send("same", Method.DEBIT_BALANCE, null, "7");
        Reply otherMethod = send("same", Method.DEBIT_SMS, null, "5");
        Reply stillTheFirst = send("same", Method.DEBIT_BALANCE, null, "5.0");

        assertThat(first.value()).isEqualByComparingTo("16");
        assertThat(first.subscriber()).isEqualTo("vdf:minutosu");
        assertThat(again).isEqualTo(first);
        assertThat(stillTheFirst).as("the same amount written otherwise").isEqualTo(first);
        for (Reply conflict : List.of(other, otherMethod)) {
            assertThat(conflict.errorKind()).isEqualTo(ErrorKind.REQUEST_ID_CONFLICT);
            assertThat(conflict.error()).contains("RequestId same was already used for a different request");
            assertThat(conflict.subscriber()).isEqualTo("vdf:minutosu");
        }
        assertThat(pipeline.budgets().get("vdf:minutosu").credit()).isEqualByComparingTo("16");
        assertThat(pipeline.events.readValuesToList()).hasSize(1);
    }

    @Test
    void shouldTreatARequestIdAsNewAfterTheRetention() {
        send("old", Method.DEBIT_BALANCE, null, "5");

        Instant dayAndASecondLater = T0.plus(Duration.ofHours(24)).plusSeconds(1);
        Reply later = pipeline.send(pipeline.command("old", Method.DEBIT_BALANCE, "minutosu", null, "5",
                dayAndASecondLater, null));

        assertThat(later.value()).isEqualByComparingTo("11");
    }

    @Test
    void shouldRefuseToWriteRepliesIntoAnyOtherTopic() {
        String json = "{\"RequestId\":\"evil\",\"Method\":\"DebitBalance\",\"Descriptor\":{\"CstmId\":\"vdf\","
                + "\"Subject\":\"minutosu\",\"Amount\":1},\"AcceptedAt\":\"2012-02-02T17:00:00Z\","
                + "\"ReplyTo\":{\"Topic\":\"ratestream.commands\",\"Partition\":0}}";

        pipeline.rawCommands.pipeInput("vdf:minutosu".getBytes(StandardCharsets.UTF_8),
                json.getBytes(StandardCharsets.UTF_8));

        assertThat(pipeline.deadLetters.readValue().reason()).contains("must be ratestream.replies");
        assertThat(pipeline.replies.readKeyValue().key).isEqualTo("evil");
        assertThat(pipeline.commandsOut.isEmpty()).isTrue();
        assertThat(pipeline.budgets().get("vdf:minutosu").credit()).isEqualByComparingTo("21");
    }

    @Test
    void shouldKeepRequestIdsOfDifferentSubscribersApart() {
        pipeline.send(pipeline.setBudget(Pipeline.demoBudget("broker"), T0));
        Reply minutosu = pipeline.send(pipeline.command("shared-id", Method.DEBIT_BALANCE, "minutosu", null, "1", T0,
                null));
        Reply broker = pipeline.send(pipeline.command("shared-id", Method.DEBIT_BALANCE, "broker", null, "1", T0,
                null));

        assertThat(minutosu.value()).isEqualByComparingTo("20");
        assertThat(broker.value()).isEqualByComparingTo("-1");
    }

    @Test
    void shouldNotLetOneFarFutureCommandMakeTheLedgerForgetRecentRequests() {
        send("recent", Method.DEBIT_BALANCE, null, "1");
        pipeline.send(pipeline.command("future", Method.DEBIT_BALANCE, "minutosu", null, "1",
                Instant.parse("2199-01-01T00:00:00Z"), null));

        Reply retry = send("recent", Method.DEBIT_BALANCE, null, "1");

        assertThat(retry.value()).isEqualByComparingTo("20");
        assertThat(pipeline.budgets().get("vdf:minutosu").credit()).isEqualByComparingTo("19");
    }

    @Test
    void shouldNotLetAFarFutureFirstCommandMakeTheLedgerForgetTheCommandsAfterIt() {
        pipeline.close();
        pipeline = new Pipeline(stateDir.resolve("far-first"), T0);
        // The first command this task handles (after a restart, say) comes from a clock two centuries ahead.
        pipeline.send(pipeline.command("future", Method.DEBIT_BALANCE, "minutosu", null, "1",
                Instant.parse("2199-01-01T00:00:00Z"), null));
        pipeline.send(pipeline.setBudget(Pipeline.demoBudget("minutosu"), T0));
        send("recent", Method.DEBIT_BALANCE, null, "1");

        Reply retry = send("recent", Method.DEBIT_BALANCE, null, "1");

        assertThat(retry.value()).isEqualByComparingTo("20");
        assertThat(pipeline.budgets().get("vdf:minutosu").credit()).isEqualByComparingTo("20");
    }

    @Test
    void shouldDeadLetterGarbageAndKeepGoing() {
        byte[] garbage = {'{', 'x', (byte) 0xff};
        pipeline.rawCommands.pipeInput("vdf:minutosu".getBytes(StandardCharsets.UTF_8), garbage);

        DeadLetter letter = pipeline.deadLetters.readValue();
        assertThat(letter.reason()).contains("not a valid Command");
        assertThat(letter.topic()).isEqualTo(Topics.COMMANDS);
        assertThat(letter.key()).isEqualTo("vdf:minutosu");
        assertThat(letter.value()).isNull(); // not UTF-8
        assertThat(Base64.getDecoder().decode(letter.valueBase64())).isEqualTo(garbage);
        assertThat(pipeline.replies.isEmpty()).isTrue();
        assertThat(send("after", Method.DEBIT_BALANCE, null, "1").value()).isEqualByComparingTo("20");
    }

    @Test
    void shouldAnswerAnInvalidCommandWhoseRequestIdCanBeRead() {
        String json = "{\"RequestId\":\"bad-1\",\"Method\":\"Responder.Steal\",\"Descriptor\":{\"CstmId\":\"vdf\","
                + "\"Subject\":\"minutosu\"},\"AcceptedAt\":\"2012-02-02T17:00:00Z\"}";
        pipeline.rawCommands.pipeInput("vdf:minutosu".getBytes(StandardCharsets.UTF_8),
                json.getBytes(StandardCharsets.UTF_8));

        assertThat(pipeline.deadLetters.readValue().value()).isEqualTo(json);
        var reply = pipeline.replies.readKeyValue();
        assertThat(reply.key).isEqualTo("bad-1");
        assertThat(reply.value.error()).contains("bad command").contains("unknown method");
        assertThat(pipeline.budgets().get("vdf:minutosu").credit()).isEqualByComparingTo("21");
    }

    @Test
    void shouldRefuseACommandUnderAnotherSubscribersKey() {
        Command debit = pipeline.command("wrong-key", Method.DEBIT_BALANCE, "minutosu", null, "1", T0, null);

        pipeline.commands.pipeInput("vdf:broker", debit);

        assertThat(pipeline.deadLetters.readValue().reason()).contains("must be the command's CstmId:Subject");
        assertThat(pipeline.replies.readValue().error()).contains("bad command");
        assertThat(pipeline.budgets().get("vdf:minutosu").credit()).isEqualByComparingTo("21");
    }

    @Test
    void shouldDeadLetterATombstone() {
        pipeline.rawCommands.pipeInput("vdf:minutosu".getBytes(StandardCharsets.UTF_8), (byte[]) null);

        assertThat(pipeline.deadLetters.readValue().reason()).contains("tombstone");
    }

    @Test
    void shouldFollowReferenceDataChangesAndSkipBadReferenceRecords() {
        var profiles = pipeline.driver.createInputTopic(Topics.RATING_PROFILES,
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.StringSerializer());

        profiles.pipeInput("vdf:rif:0256", "{not json");
        assertThat(pipeline.send(pipeline.command(Method.GET_COST, Pipeline.workedExample(), T0)).callCost().cost())
                .isEqualByComparingTo("540");

        profiles.pipeInput("vdf:rif:0256", (String) null);
        assertThat(pipeline.send(pipeline.command(Method.GET_COST, Pipeline.workedExample(), T0)).error())
                .contains("no rating profile");
        assertThat(pipeline.book.summary()).startsWith("3 rating profiles");
    }

    @Test
    void shouldWriteARefillCommandWhenTheResetDayComesAndApplyItOnce() {
        // minutosu resets on the 10th; loaded on 2 February its last refill is January's.
        pipeline.close();
        pipeline = new Pipeline(stateDir.resolve("refill"), Instant.parse("2012-02-09T23:50:00Z"));
        pipeline.send(pipeline.setBudget(Pipeline.demoBudget("minutosu"), T0));
        pipeline.send(pipeline.command("used", Method.DEBIT_SECONDS, "minutosu", "0723", "100", T0, null));
        pipeline.commandsOut.readRecordsToList();

        pipeline.advanceWallClock(Duration.ofMinutes(15)); // 2012-02-10T00:05Z: due
        List<Command> written = pipeline.adminCommandsOut.readValuesToList();

        assertThat(written).singleElement().satisfies(refill -> {
            assertThat(refill.method()).isEqualTo(Method.MONTHLY_REFILL);
            assertThat(refill.key()).isEqualTo("vdf:minutosu");
        });
        // admitted from the admin topic, applied as its copy on ratestream.commands
        assertThat(pipeline.commandsOut.readValuesToList()).containsExactly(written.get(0));
        Reply applied = pipeline.replies.readValue();
        assertThat(applied.requestId()).isEqualTo(written.get(0).requestId());
        assertThat(applied.error()).isNull();
        UserBudget refilled = pipeline.budgets().get("vdf:minutosu");
        assertThat(refilled.lastRefill()).isEqualTo(YearMonth.of(2012, 2));
        assertThat(refilled.minuteBuckets().get(1).seconds()).isEqualByComparingTo("100");
        assertThat(pipeline.send(written.get(0))).as("written again: a retry").isEqualTo(applied);
        assertThat(pipeline.budgets().get("vdf:minutosu")).isEqualTo(refilled);

        pipeline.advanceWallClock(Duration.ofMinutes(15));
        assertThat(pipeline.adminCommandsOut.isEmpty()).isTrue();
    }

    @Test
    void shouldPaceTheRefillsOfAResetDayAcrossSteps() {
        // A reset day: every budget is due at once. Each step writes at most MAX_REFILLS_PER_STEP of them.
        pipeline.close();
        pipeline = new Pipeline(stateDir.resolve("paced"), Instant.parse("2012-02-09T23:50:00Z"));
        int budgets = 2 * RefillSweep.MAX_REFILLS_PER_STEP + 20;
        for (int i = 0; i < budgets; i++) {
            pipeline.send(pipeline.setBudget(resetsOnThe10th(String.format("m-%03d", i)), T0));
        }
        pipeline.commandsOut.readRecordsToList();

        pipeline.advanceWallClock(Duration.ofMinutes(15)); // 2012-02-10T00:05Z: all due; the first step
        List<Command> first = refillsWritten();
        pipeline.advanceWallClock(RefillSweep.STEP);
        List<Command> second = refillsWritten();
        pipeline.advanceWallClock(RefillSweep.STEP);
        List<Command> third = refillsWritten();
        pipeline.advanceWallClock(RefillSweep.STEP);

        assertThat(first).hasSize(RefillSweep.MAX_REFILLS_PER_STEP);
        assertThat(second).hasSize(RefillSweep.MAX_REFILLS_PER_STEP);
        assertThat(third).hasSize(20);
        assertThat(refillsWritten()).as("the sweep is over").isEmpty();
        List<String> keys = java.util.stream.Stream.of(first, second, third).flatMap(List::stream).map(Command::key)
                .toList();
        assertThat(keys).doesNotHaveDuplicates().hasSize(budgets);
        for (int i = 0; i < budgets; i++) {
            assertThat(pipeline.budgets().get(String.format("vdf:m-%03d", i)).lastRefill())
                    .isEqualTo(YearMonth.of(2012, 2));
        }
        pipeline.advanceWallClock(Duration.ofMinutes(15)); // the next sweep: nothing is due any more
        pipeline.advanceWallClock(RefillSweep.STEP);
        assertThat(refillsWritten()).isEmpty();
    }

    @Test
    void shouldReadAtMostMaxVisitsBudgetsPerStepAndGoOnWhereTheLastStepStopped() {
        pipeline.close();
        pipeline = new Pipeline(stateDir.resolve("visits"), Instant.parse("2012-02-09T23:50:00Z"));
        for (int i = 0; i < RefillSweep.MAX_VISITS_PER_STEP; i++) {
            UserBudget never = new UserBudget(String.format("a-%05d", i), BigDecimal.TEN, BigDecimal.ZERO,
                    BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, 0, null, List.of(), null);
            pipeline.send(pipeline.setBudget(never, T0));
        }
        pipeline.send(pipeline.setBudget(resetsOnThe10th("z-due"), T0)); // sorts after all of them
        pipeline.commandsOut.readRecordsToList();

        pipeline.advanceWallClock(Duration.ofMinutes(15));
        assertThat(refillsWritten()).as("the first step read only budgets that never reset").isEmpty();
        pipeline.advanceWallClock(RefillSweep.STEP);
        assertThat(refillsWritten()).singleElement().extracting(Command::key).isEqualTo("vdf:z-due");
    }

    /** A budget with minutosu's allowances that resets on the 10th. */
    private static UserBudget resetsOnThe10th(String id) {
        UserBudget minutosu = Pipeline.demoBudget("minutosu");
        return new UserBudget(id, minutosu.credit(), minutosu.smsCredit(), minutosu.traffic(),
                minutosu.volumeDiscountSeconds(), minutosu.receivedCallSeconds(), minutosu.resetDayOfTheMonth(),
                minutosu.tariffPlanId(), minutosu.minuteBuckets(), null);
    }

    /** The refill commands the processor wrote since the last call (each admitted and applied already). */
    private List<Command> refillsWritten() {
        pipeline.commandsOut.readRecordsToList();
        pipeline.replies.readRecordsToList();
        pipeline.events.readRecordsToList();
        return pipeline.adminCommandsOut.readValuesToList();
    }

    @Test
    void shouldGiveTheSameBudgetsWhenTheSameCommandsAreReplayed() {
        List<Command> log = List.of(
                pipeline.command("r1", Method.DEBIT_SECONDS, "minutosu", "0723", "42.5", T0, null),
                pipeline.command("r2", Method.ADD_RECEIVED_CALL_SECONDS, "minutosu", null, "150", T0, null),
                pipeline.command("r1", Method.DEBIT_SECONDS, "minutosu", "0723", "42.5", T0, null),
                pipeline.command("r3", Method.DEBIT_BALANCE, "minutosu", null, "0.3", T0, null));
        log.forEach(pipeline::send);

        try (Pipeline replay = new Pipeline(stateDir.resolve("replay"), T0)) {
            replay.send(replay.setBudget(Pipeline.demoBudget("minutosu"), T0));
            log.forEach(replay::send);

            assertThat(replay.budgets().get("vdf:minutosu")).isEqualTo(pipeline.budgets().get("vdf:minutosu"));
        }
        // 21 - 0.3 + 100 (bonus): the repeated r1 did not count twice (its 42.5 s came from the free bucket)
        assertThat(pipeline.budgets().get("vdf:minutosu").credit()).isEqualByComparingTo(new BigDecimal("120.7"));
    }

    @Test
    void shouldRefuseASetUserBudgetOnTheClientTopicAndChangeNothing() {
        UserBudget rich = Pipeline.demoBudget("minutosu").withCredit(new BigDecimal("1000000"));
        Command set = new Command("forged", Method.SET_USER_BUDGET, pipeline.setBudget(rich, T0).descriptor(), T0,
                new ReplyTo(Topics.REPLIES, 2), rich);

        Reply reply = pipeline.sendOn(pipeline.commands, set);

        assertThat(reply.requestId()).isEqualTo("forged");
        assertThat(reply.errorKind()).isEqualTo(ErrorKind.BAD_REQUEST);
        assertThat(reply.error()).contains("SetUserBudget is admitted only through ratestream.admin-commands");
        DeadLetter letter = pipeline.deadLetters.readValue();
        assertThat(letter.topic()).isEqualTo(Topics.COMMANDS);
        assertThat(letter.reason()).startsWith("SetUserBudget is admitted only through ratestream.admin-commands: ")
                .contains("nothing was changed");
        assertThat(pipeline.budgets().get("vdf:minutosu").credit()).isEqualByComparingTo("21");
        assertThat(pipeline.events.isEmpty()).isTrue();
        // the same command where it belongs is applied: the refusal is the topic's, not the command's
        assertThat(pipeline.sendOn(pipeline.adminCommands, set).value()).isEqualByComparingTo("1000000");
    }

    @Test
    void shouldRefuseAMonthlyRefillOnTheClientTopic() {
        // A refill from far in the future would refill now and block every refill until then.
        Command refill = pipeline.command("refill:2099-01:vdf:minutosu", Method.MONTHLY_REFILL, "minutosu", null,
                null, Instant.parse("2099-01-20T00:00:00Z"), null);
        send("used", Method.DEBIT_SECONDS, "0723", "100");
        pipeline.events.readValuesToList();

        Reply reply = pipeline.sendOn(pipeline.commands, refill);

        assertThat(reply.errorKind()).isEqualTo(ErrorKind.BAD_REQUEST);
        assertThat(reply.error()).contains("MonthlyRefill is admitted only through ratestream.admin-commands");
        assertThat(pipeline.deadLetters.readValue().reason()).contains("nothing was changed");
        UserBudget after = pipeline.budgets().get("vdf:minutosu");
        assertThat(after.lastRefill()).isNotEqualTo(YearMonth.of(2099, 1));
        assertThat(after.minuteBuckets().get(1).seconds()).isEqualByComparingTo("0");
        assertThat(pipeline.events.isEmpty()).isTrue();
    }

    @Test
    void shouldAcceptClientMethodsOnTheAdminTopic() {
        // The loader probes with GetCost on the admin topic; an admin principal may also correct a balance.
        Reply cost = pipeline.sendOn(pipeline.adminCommands, pipeline.command(Method.GET_COST, Pipeline.workedExample(), T0));
        Reply debit = pipeline.sendOn(pipeline.adminCommands,
                pipeline.command("fix", Method.DEBIT_BALANCE, "minutosu", null, "-4", T0, null));

        assertThat(cost.callCost().cost()).isEqualByComparingTo("540");
        assertThat(debit.value()).isEqualByComparingTo("25");
        assertThat(pipeline.deadLetters.isEmpty()).isTrue();
    }

    @Test
    void shouldApplyBothCommandTopicsToTheSameBudgets() {
        send("d1", Method.DEBIT_BALANCE, null, "1");
        pipeline.send(pipeline.setBudget(Pipeline.demoBudget("minutosu").withCredit(new BigDecimal("50")), T0));
        Reply after = send("d2", Method.DEBIT_BALANCE, null, "2");

        assertThat(after.value()).isEqualByComparingTo("48");
        assertThat(pipeline.budgets().get("vdf:minutosu").credit()).isEqualByComparingTo("48");
    }

    // --- one command log: the admin topic admits, ratestream.commands is applied ---

    private static final String ADMITTED_CHANGELOG = "ratestream-" + RatestreamTopology.ADMITTED_STORE + "-changelog";

    private byte[] bytes(Command command) {
        return pipeline.topics.commands().valueSerde().serializer().serialize(Topics.COMMANDS, command);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Writes raw bytes onto ratestream.commands (with the admission header, as a forger would) and returns the reply. */
    private Reply forge(Command command, byte[] value) {
        pipeline.rawCommands.pipeInput(new TestRecord<>(utf8(command.key()), value,
                new RecordHeaders().add(Admission.HEADER, utf8(Topics.ADMIN_COMMANDS + "/0/0")), command.acceptedAt()));
        return pipeline.replies.readValue();
    }

    private KeyValueStore<String, byte[]> admitted() {
        return pipeline.driver.getKeyValueStore(RatestreamTopology.ADMITTED_STORE);
    }

    private List<TestRecord<String, String>> admittedChangelog() {
        return pipeline.driver.createOutputTopic(ADMITTED_CHANGELOG, new StringDeserializer(), new StringDeserializer())
                .readRecordsToList();
    }

    @Test
    void shouldAdmitASetUserBudgetOnTheAdminTopicAndApplyItsCopyFromTheCommandLog() {
        UserBudget fifty = Pipeline.demoBudget("minutosu").withCredit(new BigDecimal("50"));
        Command set = pipeline.setBudget(fifty, T0);
        byte[] value = bytes(set);
        admittedChangelog();

        pipeline.rawAdminCommands.pipeInput(utf8(set.key()), value, T0);

        TestRecord<String, Command> copy = pipeline.commandsOut.readRecord();
        assertThat(copy.key()).isEqualTo("vdf:minutosu");
        assertThat(copy.timestamp()).as("after its admin record, which a task reading both then reads first")
                .isEqualTo(T0.toEpochMilli() + 1);
        assertThat(copy.value()).isEqualTo(set);
        assertThat(new String(copy.headers().lastHeader(Admission.HEADER).value(), StandardCharsets.UTF_8))
                .matches("ratestream\\.admin-commands/0/[0-9]+");
        assertThat(pipeline.commandsOut.isEmpty()).isTrue();
        Reply reply = pipeline.replies.readValue();
        assertThat(reply.requestId()).isEqualTo(set.requestId());
        assertThat(reply.error()).isNull();
        assertThat(pipeline.replies.isEmpty()).as("answered once, by the copy").isTrue();
        assertThat(pipeline.budgets().get("vdf:minutosu").credit()).isEqualByComparingTo("50");
        // the entry was written when admitted and deleted when its copy was applied
        List<TestRecord<String, String>> entries = admittedChangelog();
        String key = Admission.entryKey(set, Admission.digest(value));
        assertThat(entries).extracting(TestRecord::key).containsExactly(key, key);
        assertThat(entries.get(0).value()).matches("ratestream\\.admin-commands/0/[0-9]+");
        assertThat(entries.get(1).value()).isNull();
        assertThat(admitted().get(key)).isNull();
    }

    @Test
    void shouldForwardClientMethodsOfTheAdminTopicWithoutAnAdmissionEntry() {
        admittedChangelog();
        Command probe = pipeline.command(Method.GET_COST, Pipeline.workedExample(), T0);

        Reply cost = pipeline.sendOn(pipeline.adminCommands, probe);

        assertThat(cost.callCost().cost()).isEqualByComparingTo("540");
        assertThat(pipeline.commandsOut.readValue()).isEqualTo(probe);
        assertThat(admittedChangelog()).isEmpty();
    }

    @Test
    void shouldApplyACopyOnlyWhenItIsByteForByteTheAdmittedCommand() {
        // Admitted, its copy not yet read: the state admission leaves between the two.
        UserBudget fifty = Pipeline.demoBudget("minutosu").withCredit(new BigDecimal("50"));
        Command set = new Command("admitted-1", Method.SET_USER_BUDGET, pipeline.setBudget(fifty, T0).descriptor(), T0,
                null, fifty);
        String entry = Admission.entryKey(set, Admission.digest(bytes(set)));
        admitted().put(entry, utf8(Topics.ADMIN_COMMANDS + "/0/7"));

        UserBudget rich = fifty.withCredit(new BigDecimal("1000000"));
        Command otherBudget = new Command(set.requestId(), set.method(), set.descriptor(), T0, null, rich);
        Command otherTime = new Command(set.requestId(), set.method(), set.descriptor(), T0.plusSeconds(1), null, fifty);
        Command otherRoute = new Command(set.requestId(), set.method(), set.descriptor(), T0,
                new ReplyTo(Topics.REPLIES, 1), fifty);
        for (Command forged : List.of(otherBudget, otherTime, otherRoute)) {
            Reply refused = forge(forged, bytes(forged));
            assertThat(refused.errorKind()).isEqualTo(ErrorKind.BAD_REQUEST);
            assertThat(refused.error()).contains("SetUserBudget is admitted only through ratestream.admin-commands");
            assertThat(pipeline.deadLetters.readValue().reason()).contains("is not a copy the streams app admitted");
        }
        assertThat(pipeline.budgets().get("vdf:minutosu").credit()).isEqualByComparingTo("21");
        assertThat(admitted().get(entry)).as("a refused record leaves the entry").isNotNull();
        assertThat(pipeline.events.isEmpty()).isTrue();

        Reply applied = forge(set, bytes(set));

        assertThat(applied.error()).isNull();
        assertThat(pipeline.budgets().get("vdf:minutosu").credit()).isEqualByComparingTo("50");
        assertThat(admitted().get(entry)).as("used up with the budget").isNull();
        assertThat(pipeline.deadLetters.isEmpty()).isTrue();
    }

    @Test
    void shouldRefuseACopyThatWasNeverAdmittedWhateverItsHeaderSays() {
        UserBudget rich = Pipeline.demoBudget("minutosu").withCredit(new BigDecimal("1000000"));
        Command set = new Command("never-admitted", Method.SET_USER_BUDGET, pipeline.setBudget(rich, T0).descriptor(),
                T0, null, rich);

        Reply reply = forge(set, bytes(set));

        assertThat(reply.errorKind()).isEqualTo(ErrorKind.BAD_REQUEST);
        DeadLetter letter = pipeline.deadLetters.readValue();
        assertThat(letter.topic()).isEqualTo(Topics.COMMANDS);
        assertThat(letter.reason()).startsWith("SetUserBudget is admitted only through ratestream.admin-commands: ");
        assertThat(pipeline.budgets().get("vdf:minutosu").credit()).isEqualByComparingTo("21");
        assertThat(pipeline.events.isEmpty()).isTrue();
    }

    @Test
    void shouldAnswerARepeatedCopyOrAdminRecordAsARetryAndChangeNothing() {
        UserBudget fifty = Pipeline.demoBudget("minutosu").withCredit(new BigDecimal("50"));
        Command set = pipeline.setBudget(fifty, T0);
        byte[] value = bytes(set);
        pipeline.rawAdminCommands.pipeInput(utf8(set.key()), value);
        Reply first = pipeline.replies.readValue();
        assertThat(send("spend", Method.DEBIT_BALANCE, null, "8").value()).isEqualByComparingTo("42");
        pipeline.events.readValuesToList();

        Reply copyAgain = forge(set, value);
        pipeline.rawAdminCommands.pipeInput(utf8(set.key()), value); // the loader's retry
        Reply adminAgain = pipeline.replies.readValue();

        assertThat(copyAgain).isEqualTo(first);
        assertThat(adminAgain).isEqualTo(first);
        assertThat(pipeline.budgets().get("vdf:minutosu").credit()).isEqualByComparingTo("42");
        assertThat(pipeline.deadLetters.isEmpty()).isTrue();
        assertThat(pipeline.events.isEmpty()).isTrue();
        assertThat(admitted().get(Admission.entryKey(set, Admission.digest(value)))).isNull();
    }
}
