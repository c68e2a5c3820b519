package io.ratestream.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.json.JsonSerde;
import io.ratestream.schemas.model.MinuteBucket;
import io.ratestream.schemas.model.TariffPlan;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.reply.Reply;
import io.ratestream.schemas.topics.DeadLetter;
import io.ratestream.schemas.topics.Topics;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records that cannot be processed, in the TopologyTestDriver: each is dead-lettered (cut to fit) and
 * skipped, with an error reply when it can be addressed, no store change, and the next command answered.
 */
class PoisonTopologyTest {

    private static final Instant T0 = Instant.parse("2012-02-02T17:00:00Z");
    private static final byte[] MINUTOSU = "vdf:minutosu".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path stateDir;

    private Pipeline pipeline;

    private Pipeline start(Instant wallClock, Map<String, String> kafkaProperties) {
        pipeline = new Pipeline(stateDir, wallClock, kafkaProperties);
        pipeline.send(pipeline.setBudget(Pipeline.demoBudget("minutosu"), T0));
        pipeline.events.readValuesToList();
        return pipeline;
    }

    @AfterEach
    void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    private Reply debit(String requestId, String subject, String amount) {
        return pipeline.send(pipeline.command(requestId, Method.DEBIT_BALANCE, subject, null, amount, T0, null));
    }

    private static byte[] garbage(int size) {
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, (byte) 'x');
        bytes[0] = '{';
        return bytes;
    }

    @Test
    void shouldDeadLetterA600KbRecordWithItsPayloadCutAndAnswerTheNextCommand() {
        start(T0, Map.of());
        byte[] poison = garbage(600_000);

        pipeline.rawCommands.pipeInput(MINUTOSU, poison);

        DeadLetter letter = pipeline.deadLetters.readValue();
        assertThat(letter.reason()).contains("600000 bytes, more than the 262144 a command may have");
        assertThat(letter.topic()).isEqualTo(Topics.COMMANDS);
        assertThat(letter.offset()).isEqualTo(1); // after the copy of the budget set up on the admin topic
        assertThat(letter.key()).isEqualTo("vdf:minutosu");
        assertThat(letter.truncated()).isTrue();
        assertThat(letter.valueBytes()).isEqualTo(600_000);
        byte[] kept = Base64.getDecoder().decode(letter.valueBase64());
        assertThat(kept).isEqualTo(Arrays.copyOf(poison, DeadLetters.MAX_VALUE_BYTES));
        assertThat(letter.value()).isEqualTo(new String(kept, StandardCharsets.US_ASCII));
        assertThat(pipeline.replies.isEmpty()).isTrue();

        assertThat(debit("after", "minutosu", "1").value()).isEqualByComparingTo("20");
    }

    @Test
    void shouldAnswerAnOversizeCommandWhoseRequestIdCanBeRead() {
        start(T0, Map.of());
        String json = "{\"RequestId\":\"big-1\",\"Method\":\"DebitBalance\",\"Descriptor\":{\"CstmId\":\"vdf\","
                + "\"Subject\":\"minutosu\",\"Amount\":1},\"AcceptedAt\":\"2012-02-02T17:00:00Z\",\"Pad\":\""
                + "p".repeat(RecordLimits.MAX_COMMAND_BYTES) + "\"}";

        pipeline.rawCommands.pipeInput(MINUTOSU, json.getBytes(StandardCharsets.UTF_8));

        var reply = pipeline.replies.readKeyValue();
        assertThat(reply.key).isEqualTo("big-1");
        assertThat(reply.value.error()).startsWith("bad command: the record is").contains("a command may have");
        assertThat(pipeline.deadLetters.readValue().truncated()).isTrue();
        assertThat(pipeline.budgets().get("vdf:minutosu").credit()).isEqualByComparingTo("21");
    }

    @Test
    void shouldCutAHugeKeyAndTheReasonThatQuotesIt() {
        start(T0, Map.of());
        Command debit = pipeline.command("long-key", Method.DEBIT_BALANCE, "minutosu", null, "1", T0, null);
        byte[] key = "k".repeat(5000).getBytes(StandardCharsets.UTF_8);

        pipeline.rawCommands.pipeInput(key, pipeline.topics.commands().valueSerde().serializer()
                .serialize(Topics.COMMANDS, debit));

        var letter = pipeline.deadLetters.readKeyValue();
        assertThat(letter.key).hasSize(DeadLetters.MAX_KEY_BYTES);
        assertThat(letter.value.key()).hasSize(DeadLetters.MAX_KEY_BYTES);
        assertThat(letter.value.keyBytes()).isEqualTo(5000);
        assertThat(letter.value.truncated()).isTrue();
        assertThat(letter.value.value()).isNotNull(); // the value itself was small: kept whole
        assertThat(letter.value.reason()).hasSize(DeadLetters.MAX_REASON_CHARS).endsWith("...");
        Reply reply = pipeline.replies.readValue();
        assertThat(reply.error()).startsWith("bad command: the record key 'kkk");
        assertThat(reply.error().length()).isLessThanOrEqualTo("bad command: ".length() + DeadLetters.MAX_REASON_CHARS);
    }

    @Test
    void shouldAnswerAnErrorForASubjectWhoseStoredBudgetCannotBeReadAndServeTheOthers() {
        start(T0, Map.of());
        byte[] unreadable = "{\"Id\":\"broken\",\"Credit\":".getBytes(StandardCharsets.UTF_8);
        Bytes brokenKey = Bytes.wrap("vdf:broken".getBytes(StandardCharsets.UTF_8));
        pipeline.rawStore(RatestreamTopology.BUDGETS_STORE).put(brokenKey, unreadable);

        Reply reply = debit("on-broken", "broken", "1");

        assertThat(reply.requestId()).isEqualTo("on-broken");
        assertThat(reply.method()).isEqualTo(Method.DEBIT_BALANCE);
        assertThat(reply.error()).startsWith("internal error: cannot be processed: the stored budgets entry for "
                + "'vdf:broken' cannot be read").endsWith("(nothing changed)");
        DeadLetter letter = pipeline.deadLetters.readValue();
        assertThat(letter.reason()).contains("cannot be read");
        assertThat(letter.key()).isEqualTo("vdf:broken");
        assertThat(letter.offset()).isEqualTo(1); // after the budget's admitted copy
        assertThat(pipeline.rawStore(RatestreamTopology.BUDGETS_STORE).get(brokenKey)).isEqualTo(unreadable);
        assertThat(pipeline.processed().get("vdf:broken" + CommandHandler.SEPARATOR + "on-broken")).isNull();
        assertThat(pipeline.events.isEmpty()).isTrue();

        assertThat(debit("on-minutosu", "minutosu", "1").value()).isEqualByComparingTo("20");
    }

    @Test
    void shouldAnswerAnErrorWhenTheProcessedEntryOfARequestCannotBeRead() {
        start(T0, Map.of());
        pipeline.rawStore(RatestreamTopology.PROCESSED_STORE).put(Bytes.wrap(("vdf:minutosu"
                + CommandHandler.SEPARATOR + "seen").getBytes(StandardCharsets.UTF_8)), new byte[] {(byte) 0xff});

        Reply reply = debit("seen", "minutosu", "1");

        assertThat(reply.error()).contains("the stored processed-requests entry").contains("cannot be read");
        assertThat(pipeline.budgets().get("vdf:minutosu").credit()).isEqualByComparingTo("21");
        assertThat(debit("fresh", "minutosu", "1").value()).isEqualByComparingTo("20");
    }

    @Test
    void shouldReadBudgetsAndProcessedEntriesThatAnEarlierReleaseStoredAsJsonAndRewriteThemInBinary() {
        start(T0, Map.of());
        Bytes key = Bytes.wrap("vdf:minutosu".getBytes(StandardCharsets.UTF_8));
        // minutosu as the JSON store of earlier releases held it (credit 21), and the entry of a debit it answered
        pipeline.rawStore(RatestreamTopology.BUDGETS_STORE).put(key, new JsonSerde<>(Json.newMapper(),
                UserBudget.class).serialize("budgets", Pipeline.demoBudget("minutosu")));
        Command old = pipeline.command("old", Method.DEBIT_BALANCE, "minutosu", null, "5", T0, null);
        pipeline.rawStore(RatestreamTopology.PROCESSED_STORE).put(Bytes.wrap(("vdf:minutosu" + CommandHandler.SEPARATOR
                + "old").getBytes(StandardCharsets.UTF_8)), ("{\"Reply\":{\"RequestId\":\"old\",\"Method\":"
                + "\"DebitBalance\",\"Value\":16.5},\"AcceptedAt\":\"2012-02-02T17:00:00Z\",\"Fingerprint\":"
                + old.fingerprint() + "}").getBytes(StandardCharsets.UTF_8));

        Reply retry = pipeline.send(old);
        Reply fresh = debit("fresh", "minutosu", "1");

        assertThat(retry.error()).isNull();
        assertThat(retry.value()).as("the original reply, from the JSON entry").isEqualByComparingTo("16.5");
        assertThat(retry.subscriber()).isEqualTo("vdf:minutosu");
        assertThat(fresh.value()).isEqualByComparingTo("20");
        byte[] stored = pipeline.rawStore(RatestreamTopology.BUDGETS_STORE).get(key);
        assertThat(stored[0]).as("rewritten in the binary format, version 1").isEqualTo((byte) 1);
        assertThat(pipeline.budgets().get("vdf:minutosu").credit()).isEqualByComparingTo("20");
        assertThat(pipeline.processed().bytes("vdf:minutosu" + CommandHandler.SEPARATOR + "fresh")[0]).isEqualTo((byte) 1);
        assertThat(pipeline.deadLetters.isEmpty()).isTrue();
    }

    @Test
    void shouldAnswerAnErrorForABudgetInAStateFormatVersionItDoesNotKnow() {
        start(T0, Map.of());
        Bytes key = Bytes.wrap("vdf:minutosu".getBytes(StandardCharsets.UTF_8));
        byte[] newer = pipeline.rawStore(RatestreamTopology.BUDGETS_STORE).get(key).clone();
        newer[0] = 3; // as a later release might write it

        pipeline.rawStore(RatestreamTopology.BUDGETS_STORE).put(key, newer);
        Reply reply = debit("on-newer", "minutosu", "1");

        assertThat(reply.error()).contains("the stored budgets entry for 'vdf:minutosu' cannot be read")
                .contains("unknown state format version 3");
        assertThat(pipeline.deadLetters.readValue().reason()).contains("unknown state format version 3");
        assertThat(pipeline.rawStore(RatestreamTopology.BUDGETS_STORE).get(key)).isEqualTo(newer);
    }

    @Test
    void shouldKeepCheckingRefillsPastABudgetThatCannotBeRead() {
        // minutosu resets on the 10th; loaded on 2 February its last refill is January's.
        start(Instant.parse("2012-02-09T23:50:00Z"), Map.of());
        // sorts before vdf:minutosu: the check meets it first
        pipeline.rawStore(RatestreamTopology.BUDGETS_STORE).put(Bytes.wrap("vdf:aaa".getBytes(StandardCharsets.UTF_8)),
                new byte[] {'['});

        pipeline.advanceWallClock(Duration.ofMinutes(15));

        assertThat(pipeline.adminCommandsOut.readValuesToList()).singleElement()
                .satisfies(refill -> assertThat(refill.key()).isEqualTo("vdf:minutosu"));
    }

    @Test
    void shouldSkipGarbageReferenceRecordsAndApplyTheOnesAfterThem() {
        start(T0, Map.of());
        var destinations = pipeline.driver.createInputTopic(Topics.DESTINATIONS, new ByteArraySerializer(),
                new ByteArraySerializer());
        byte[] valid = "{\"Id\":\"later\",\"Prefixes\":[\"0999\"]}".getBytes(StandardCharsets.UTF_8);

        destinations.pipeInput(new byte[] {(byte) 0xff, (byte) 0xfe}, valid); // not UTF-8: matches no Id
        destinations.pipeInput((byte[]) null, valid);
        destinations.pipeInput("later".getBytes(StandardCharsets.UTF_8), garbage(900_000));
        destinations.pipeInput("later".getBytes(StandardCharsets.UTF_8), "[]".getBytes(StandardCharsets.UTF_8));
        destinations.pipeInput("later".getBytes(StandardCharsets.UTF_8), "{\"Id\":null}".getBytes(StandardCharsets.UTF_8));
        assertThat(pipeline.book.destination("later")).isNull();

        destinations.pipeInput("later".getBytes(StandardCharsets.UTF_8), valid);

        assertThat(pipeline.book.destination("later").prefixes()).containsExactly("0999");
        assertThat(pipeline.deadLetters.isEmpty()).isTrue();
    }

    @Test
    void shouldSkipAndReportAnEventTooLargeToWriteAndStillAnswer() {
        // max.request.size 4000: records of at most 3000 bytes
        start(T0, Map.of("producer.max.request.size", "4000"));
        UserBudget large = largeBudget("large", 1800);
        pipeline.send(pipeline.setBudget(large, T0));
        assertThat(pipeline.events.readValue().requestId()).startsWith("set-"); // before: none; it fits

        Reply reply = debit("debit-large", "large", "1");

        assertThat(reply.error()).isNull();
        assertThat(reply.value()).isEqualByComparingTo(large.credit().subtract(BigDecimal.ONE));
        assertThat(pipeline.events.isEmpty()).isTrue(); // before + after: about 3,700 bytes
        DeadLetter letter = pipeline.deadLetters.readValue();
        assertThat(letter.reason()).contains("its output to " + Topics.EVENTS + " was not written")
                .contains("more than the 3000 a record may have");
        assertThat(letter.offset()).isEqualTo(2); // after the copies of the two budgets
        assertThat(debit("after", "minutosu", "1").value()).isEqualByComparingTo("20");
    }

    @Test
    void shouldRefuseACommandWhoseStoredValueWouldBeTooLargeAndChangeNothing() {
        start(T0, Map.of("producer.max.request.size", "4000"));
        // a small budget whose tariff plan gives about 230 buckets (16,000 bytes as JSON, 3,900 in the
        // store's binary format): ResetUserBudget would store them
        UserBudget large = largeBudget("huge", 16_000);
        TariffPlan base = Pipeline.DEMO.tariffPlans().get(0);
        TariffPlan big = new TariffPlan("big", base.smsCredit(), base.traffic(), base.receivedCallSecondsLimit(),
                base.receivedCallBonus(), large.minuteBuckets(), base.volumeDiscountThresholds());
        pipeline.driver.createInputTopic(Topics.TARIFF_PLANS, new StringSerializer(),
                pipeline.topics.tariffPlans().valueSerde().serializer()).pipeInput(big.id(), big);
        UserBudget small = new UserBudget("huge", large.credit(), large.smsCredit(), large.traffic(),
                large.volumeDiscountSeconds(), large.receivedCallSeconds(), large.resetDayOfTheMonth(), "big",
                List.of(), large.lastRefill());
        assertThat(pipeline.send(pipeline.setBudget(small, T0)).error()).isNull();
        UserBudget before = pipeline.budgets().get("vdf:huge");

        Reply reply = pipeline.send(pipeline.command("reset", Method.RESET_USER_BUDGET, "huge", null, null, T0, null));

        assertThat(reply.error()).contains("a value for budgets would be").contains("more than the 3000");
        assertThat(pipeline.budgets().get("vdf:huge")).isEqualTo(before);
        assertThat(pipeline.deadLetters.readValue().reason()).contains("a value for budgets would be");
    }

    @Test
    void shouldRefuseToAdmitACommandTooLargeForItsCopyAndChangeNothing() {
        start(T0, Map.of("producer.max.request.size", "4000"));

        Reply reply = pipeline.send(pipeline.setBudget(largeBudget("huge", 3500), T0));

        assertThat(reply.error()).startsWith("bad command: the record is ")
                .contains("its copy onto ratestream.commands would be more than the 3000 a record may have");
        DeadLetter letter = pipeline.deadLetters.readValue();
        assertThat(letter.topic()).isEqualTo(Topics.ADMIN_COMMANDS);
        assertThat(letter.reason()).contains("cannot be admitted");
        assertThat(pipeline.budgets().get("vdf:huge")).isNull();
        assertThat(pipeline.commandsOut.readValuesToList()).as("only the first budget's copy")
                .extracting(Command::key).containsExactly("vdf:minutosu");
        assertThat(pipeline.driver.<String, byte[]>getKeyValueStore(RatestreamTopology.ADMITTED_STORE).approximateNumEntries())
                .isZero();
    }

    @Test
    void shouldSendADeadLetterThatDoesNotFitWithoutItsPayload() {
        start(T0, Map.of("producer.max.request.size", "4000"));

        pipeline.rawCommands.pipeInput(MINUTOSU, garbage(600_000));

        var record = pipeline.deadLetters.readKeyValue();
        DeadLetter letter = record.value;
        assertThat(record.key).isEqualTo("vdf:minutosu");
        assertThat(letter.reason()).contains("600000 bytes");
        assertThat(letter.valueBase64()).isNull();
        assertThat(letter.value()).isNull();
        assertThat(letter.key()).isNull();
        assertThat(letter.truncated()).isTrue();
        assertThat(letter.valueBytes()).isEqualTo(600_000);
        assertThat(letter.offset()).isEqualTo(1); // after the budget's admitted copy
        assertThat(pipeline.deadLetters.isEmpty()).isTrue();
        assertThat(debit("after", "minutosu", "1").value()).isEqualByComparingTo("20");
    }

    /** A budget whose JSON is about {@code bytes} long (many minute buckets). */
    private static UserBudget largeBudget(String id, int bytes) {
        UserBudget base = Pipeline.demoBudget("minutosu");
        List<MinuteBucket> buckets = new ArrayList<>();
        UserBudget budget = new UserBudget(id, base.credit(), base.smsCredit(), base.traffic(),
                base.volumeDiscountSeconds(), base.receivedCallSeconds(), base.resetDayOfTheMonth(),
                base.tariffPlanId(), buckets, base.lastRefill());
        while (size(budget) < bytes) {
            buckets.add(new MinuteBucket(new BigDecimal("10"), 10, new BigDecimal("0.01"), "nationale"));
            budget = budget.withMinuteBuckets(buckets);
        }
        return budget;
    }

    private static int size(Object value) {
        try {
            return Json.newMapper().writeValueAsBytes(value).length;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
