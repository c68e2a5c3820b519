package io.ratestream.streams.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.command.ReplyTo;
import io.ratestream.schemas.topics.Topics;
import io.ratestream.schemas.files.CgratesFiles;
import io.ratestream.schemas.files.DataSet;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.reply.Reply;
import io.ratestream.streams.StreamsApp;
import io.ratestream.streams.StreamsAppConfig;
import io.ratestream.streams.TopicSetup;
import io.ratestream.streams.topology.Replay;
import io.ratestream.testkit.junit.KafkaBroker;
import io.ratestream.testkit.junit.KafkaBrokerExtension;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline on a real broker: every command round-trips, a repeated request id changes nothing,
 * and a replay of the command log rebuilds the live budgets digit for digit.
 */
@ExtendWith(KafkaBrokerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KafkaPipelineTest {

    static final DataSet DEMO = new CgratesFiles(Json.newMapper()).readDirectory(Path.of("..", "demo", "cgrates-2012"));
    static final Instant T0 = Instant.parse("2012-02-02T17:00:00Z");
    static final Duration REPLY_TIMEOUT = Duration.ofSeconds(30);

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String subject = "minutosu-" + run;
    private String bootstrap;
    private StreamsApp app;
    /** Records of the shared command log the replay rejected before this class wrote any. */
    private long rejectedBefore;
    private TestClient client;
    private int sequence;

    @BeforeAll
    void start(KafkaBroker broker, @TempDir Path state) throws Exception {
        bootstrap = broker.bootstrapServers();
        TopicSetup.ensure(bootstrap, 4, (short) 1);
        client = new TestClient(bootstrap);
        client.loadReference(DEMO, List.of(subject), "minutosu");
        // The log is shared with the classes that ran before on this broker (some wrote unreadable records)
        rejectedBefore = new Replay(bootstrap, Duration.ofHours(24), Duration.ofSeconds(60)).run().rejected();
        app = StreamsApp.start(StreamsAppConfig.defaults(bootstrap, state).withApplicationId("it-pipeline-" + run));
        assertThat(app.awaitRunning(Duration.ofSeconds(60))).isTrue();
        UserBudget minutosu = DEMO.userBudgets().get(0);
        UserBudget budget = new UserBudget(subject, minutosu.credit(), minutosu.smsCredit(), minutosu.traffic(),
                minutosu.volumeDiscountSeconds(), minutosu.receivedCallSeconds(), minutosu.resetDayOfTheMonth(),
                minutosu.tariffPlanId(), minutosu.minuteBuckets(), null);
        Reply set = client.call(new Command("set-" + run, Method.SET_USER_BUDGET, descriptor(null, null), T0, null,
                budget), REPLY_TIMEOUT);
        assertThat(set.error()).isNull();
    }

    @AfterAll
    void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (app != null) {
            app.close();
        }
    }

    private CallDescriptor descriptor(String destination, String amount) {
        return new CallDescriptor(0, "vdf", subject, destination, null, null,
                amount == null ? null : new BigDecimal(amount), null);
    }

    private Reply call(String requestId, Method method, String destination, String amount) throws Exception {
        return client.call(new Command(requestId, method, descriptor(destination, amount), T0, null, null), REPLY_TIMEOUT);
    }

    private String id() {
        return run + "-" + (++sequence);
    }

    @Test
    @Order(1)
    void shouldRoundTripEveryCommandType() throws Exception {
        CallDescriptor call = new CallDescriptor(0, "vdf", subject, "0723", OffsetDateTime.parse("2012-02-02T17:30:00Z"),
                OffsetDateTime.parse("2012-02-02T17:32:50Z"), null, null);
        Reply cost = client.call(new Command(id(), Method.GET_COST, call, T0, null, null), REPLY_TIMEOUT);
        // 100 s free + 10 s x 0.01 + 60 s at 1 per 60 s
        assertThat(cost.callCost().cost()).isEqualByComparingTo("1.1");

        assertThat(call(id(), Method.DEBIT_BALANCE, null, "1").value()).isEqualByComparingTo("20");
        assertThat(call(id(), Method.DEBIT_SMS, null, "1").error()).contains("amount exceeds budget");
        assertThat(call(id(), Method.DEBIT_SECONDS, "0723", "105").value()).isEqualByComparingTo("5");
        assertThat(call(id(), Method.GET_MAX_SESSION_TIME, "0723", "100").value()).isEqualByComparingTo("100");
        assertThat(call(id(), Method.GET_EXACT_MAX_SESSION_TIME, "0723", "10").value()).isEqualByComparingTo("10");
        assertThat(call(id(), Method.ADD_VOLUME_DISCOUNT_SECONDS, null, "100").value()).isEqualByComparingTo("100");
        assertThat(call(id(), Method.RESET_VOLUME_DISCOUNT_SECONDS, null, null).value()).isEqualByComparingTo("0");
        assertThat(call(id(), Method.ADD_RECEIVED_CALL_SECONDS, null, "100").value()).isEqualByComparingTo("0");
        assertThat(call(id(), Method.RESET_USER_BUDGET, null, null).value()).isEqualByComparingTo("0");
        // 20 - 0.05 + 100 bonus
        assertThat(call(id(), Method.DEBIT_BALANCE, null, "0").value()).isEqualByComparingTo("119.95");
    }

    @Test
    @Order(2)
    void shouldApplyACommandReplayedWithTheSameRequestIdOnce() throws Exception {
        String requestId = id();
        Reply first = call(requestId, Method.DEBIT_BALANCE, null, "2.5");
        client.forget(requestId);
        Reply again = call(requestId, Method.DEBIT_BALANCE, null, "2.5");

        assertThat(again).isEqualTo(first);
        assertThat(call(id(), Method.DEBIT_BALANCE, null, "0").value()).isEqualByComparingTo(first.value());
    }

    @Test
    @Order(3)
    void shouldSendTheReplyToThePartitionTheCommandAsksFor() throws Exception {
        for (int partition = 0; partition < 4; partition++) {
            String requestId = id();
            Reply reply = client.call(new Command(requestId, Method.DEBIT_BALANCE, descriptor(null, "0"), T0,
                    new ReplyTo(Topics.REPLIES, partition), null), REPLY_TIMEOUT);

            assertThat(reply.error()).isNull();
            assertThat(client.replyPartition(requestId)).isEqualTo(partition);
        }
    }

    @Test
    @Order(4)
    void shouldApplyBudgetsSetOnTheAdminTopicBetweenDebitsAndRefuseOneOnTheClientTopic() throws Exception {
        String second = "second-" + run;
        CallDescriptor who = new CallDescriptor(0, "vdf", second, null, null, null, null, null);
        CallDescriptor debit1 = new CallDescriptor(0, "vdf", second, null, null, null, new BigDecimal("1"), null);
        CallDescriptor debit2 = new CallDescriptor(0, "vdf", second, null, null, null, new BigDecimal("2"), null);
        UserBudget ten = new UserBudget(second, new BigDecimal("10"), BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO,
                BigDecimal.ZERO, 0, null, List.of(), null);
        UserBudget rich = ten.withCredit(new BigDecimal("1000000"));
        // Increasing timestamps: the order of the two topics is the order of their records' timestamps.
        Instant t = Instant.parse("2012-02-03T00:00:00Z");
        assertThat(client.call(new Command(id(), Method.SET_USER_BUDGET, who, t, null, ten), REPLY_TIMEOUT).error())
                .isNull();
        assertThat(client.call(new Command(id(), Method.DEBIT_BALANCE, debit1, t.plusSeconds(1), null, null),
                REPLY_TIMEOUT).value()).isEqualByComparingTo("9");
        assertThat(client.call(new Command(id(), Method.SET_USER_BUDGET, who, t.plusSeconds(2), null,
                ten.withCredit(new BigDecimal("50"))), REPLY_TIMEOUT).error()).isNull();
        assertThat(client.call(new Command(id(), Method.DEBIT_BALANCE, debit2, t.plusSeconds(3), null, null),
                REPLY_TIMEOUT).value()).isEqualByComparingTo("48");

        Reply forged = client.sendOn(Topics.COMMANDS, new Command(id(), Method.SET_USER_BUDGET, who, t.plusSeconds(4),
                null, rich)).get(REPLY_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);

        assertThat(forged.errorKind()).isEqualTo(io.ratestream.schemas.reply.ErrorKind.BAD_REQUEST);
        assertThat(forged.error()).contains("SetUserBudget is admitted only through " + Topics.ADMIN_COMMANDS);
        assertThat(client.call(new Command(id(), Method.DEBIT_BALANCE, debit1, t.plusSeconds(5), null, null),
                REPLY_TIMEOUT).value()).isEqualByComparingTo("47");
    }

    /**
     * Budget-setting commands and admin corrections stamped earlier than client debits the task has already
     * processed (as a refill written by the punctuator, visible only once its transaction commits, can be):
     * they apply in the order of the one command log, after those debits, live and in the replay
     * ({@link #shouldRebuildTheLiveBudgetsFromTheCommandLog}). Merging the two topics by timestamp would
     * replay every one of them before the debits, and end at 99.5 instead of 119.5.
     */
    @Test
    @Order(5)
    void shouldApplyAdminCommandsInTheOrderOfTheCommandLogWhateverTheirTimestamps() throws Exception {
        String third = "third-" + run;
        CallDescriptor who = new CallDescriptor(0, "vdf", third, null, null, null, null, null);
        CallDescriptor debitOne = new CallDescriptor(0, "vdf", third, null, null, null, BigDecimal.ONE, null);
        CallDescriptor correction = new CallDescriptor(0, "vdf", third, null, null, null, new BigDecimal("0.5"), null);
        UserBudget budget = new UserBudget(third, new BigDecimal("10"), BigDecimal.ZERO, BigDecimal.ZERO,
                BigDecimal.ZERO, BigDecimal.ZERO, 0, null, List.of(), null);
        // Within hours of T0: every test class on this JVM's broker reads these records, and AcceptedAt
        // values far from their own would move their tasks' idempotency watermark (see CommandHandler).
        Instant early = T0.plus(Duration.ofHours(1));
        Instant late = early.plus(Duration.ofHours(6));
        assertThat(client.call(new Command(id(), Method.SET_USER_BUDGET, who, early, null, budget), REPLY_TIMEOUT)
                .error()).isNull();
        for (int round = 1; round <= ROUNDS; round++) {
            // a debit stamped late is applied; then the admin topic's commands, stamped six hours earlier
            assertThat(client.call(new Command(id(), Method.DEBIT_BALANCE, debitOne, late.plusSeconds(round), null,
                    null), REPLY_TIMEOUT).error()).isNull();
            UserBudget set = budget.withCredit(BigDecimal.valueOf(100 + round));
            assertThat(client.call(new Command(id(), Method.SET_USER_BUDGET, who, early.plusSeconds(round), null, set),
                    REPLY_TIMEOUT).error()).isNull();
            Reply corrected = client.sendOn(Topics.ADMIN_COMMANDS, new Command(id(), Method.DEBIT_BALANCE, correction,
                    early.plusSeconds(round), null, null)).get(REPLY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(corrected.value()).isEqualByComparingTo(BigDecimal.valueOf(100 + round).subtract(
                    new BigDecimal("0.5")));
        }
        assertThat(client.call(new Command(id(), Method.DEBIT_BALANCE, debitOne.withAmount(BigDecimal.ZERO),
                late.plus(Duration.ofHours(1)), null, null), REPLY_TIMEOUT).value())
                .isEqualByComparingTo(THIRD_CREDIT);
    }

    /** Rounds of {@link #shouldApplyAdminCommandsInTheOrderOfTheCommandLogWhateverTheirTimestamps}. */
    private static final int ROUNDS = 20;
    /** The last round sets 120, the correction takes 0.5. */
    private static final String THIRD_CREDIT = "119.5";

    @Test
    @Order(6)
    void shouldRebuildTheLiveBudgetsFromTheCommandLog() throws Exception {
        Replay replay = new Replay(bootstrap, Duration.ofHours(24), Duration.ofSeconds(60));
        Replay.Verification verification = null;
        // The live app commits every 100 ms: wait until it has committed what the replay reads.
        for (int attempt = 0; attempt < 50; attempt++) {
            verification = replay.verify(app.config().applicationId());
            if (verification.liveAtSnapshot()) {
                break;
            }
            Thread.sleep(200);
        }

        assertThat(verification.liveAtSnapshot()).as("live offsets %s, replayed to %s (%s commands, %s rejected)",
                verification.liveOffsets(), verification.replay().endOffsets(), verification.replay().commands(),
                verification.replay().rejected()).isTrue();
        assertThat(verification.differences()).isEmpty();
        assertThat(verification.replay().budgets()).containsKey("vdf:" + subject);
        assertThat(verification.replay().budgets().get("vdf:" + subject).credit()).isEqualByComparingTo("117.45");
        // set 10, debit 1, set 50, debit 2, a refused set on the client topic, debit 1: one log
        assertThat(verification.replay().budgets().get("vdf:second-" + run).credit()).isEqualByComparingTo("47");
        assertThat(verification.replay().budgets().get("vdf:third-" + run).credit()).isEqualByComparingTo(THIRD_CREDIT);
        assertThat(verification.replay().rejected() - rejectedBefore).as("rejected by this class").isEqualTo(1);
    }

    @Test
    @Order(7)
    void shouldReportADifferenceWhenTheLiveStateIsNotWhatTheLogSays() {
        Replay.Result replayed = new Replay(bootstrap, Duration.ofHours(24), Duration.ofSeconds(60)).run();
        List<String> keys = new ArrayList<>(replayed.budgets().keySet());

        // a different application id has no live budgets at all: every replayed budget differs
        Replay.Verification none = new Replay(bootstrap, Duration.ofHours(24), Duration.ofSeconds(60))
                .verify("no-such-app-" + run);
        assertThat(none.identical()).isFalse();
        assertThat(none.differences()).extracting(Replay.Difference::key).containsAll(keys);
    }
}
