package io.ratestream.streams.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.files.CgratesFiles;
import io.ratestream.schemas.files.DataSet;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.reply.Reply;
import io.ratestream.schemas.topics.DeadLetter;
import io.ratestream.schemas.topics.Topics;
import io.ratestream.streams.StreamsApp;
import io.ratestream.streams.StreamsAppConfig;
import io.ratestream.streams.ThreadReplacementLimit;
import io.ratestream.streams.TopicSetup;
import io.ratestream.streams.topology.DeadLetters;
import io.ratestream.streams.topology.Replay;
import io.ratestream.testkit.junit.KafkaBroker;
import io.ratestream.testkit.junit.KafkaBrokerExtension;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.DefaultProductionExceptionHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Poison on a real broker: a record that cannot be processed is dead-lettered and skipped, and the
 * partition it is on goes on being served by the same stream thread; state that cannot be read fails
 * only its own subscriber's commands; garbage reference data never stops the global thread; and a
 * failure that does repeat shuts the client down after the replacements allowed, instead of looping.
 */
@ExtendWith(KafkaBrokerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PoisonRecordTest {

    private static final DataSet DEMO = new CgratesFiles(Json.newMapper()).readDirectory(Path.of("..", "demo", "cgrates-2012"));
    private static final Instant T0 = Instant.parse("2012-02-02T17:00:00Z");
    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(30);
    private static final int POISON_BYTES = 600_000;

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String subject = "poison-" + run;
    private final String broken = "broken-" + run;
    private final String applicationId = "it-poison-" + run;
    private String bootstrap;
    private StreamsApp app;
    private TestClient client;
    private KafkaProducer<byte[], byte[]> raw;

    @BeforeAll
    void start(KafkaBroker broker, @TempDir Path state) throws Exception {
        bootstrap = broker.bootstrapServers();
        TopicSetup.ensure(bootstrap, 4, (short) 1);
        Properties producer = new Properties();
        producer.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        producer.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        raw = new KafkaProducer<>(producer, new ByteArraySerializer(), new ByteArraySerializer());
        client = new TestClient(bootstrap);
        client.loadReference(DEMO, List.of(subject, broken), "minutosu");
        writeUnreadableBudget();
        app = StreamsApp.start(StreamsAppConfig.defaults(bootstrap, state).withApplicationId(applicationId));
        assertThat(app.awaitRunning(Duration.ofSeconds(60))).isTrue();
        Reply set = client.call(new Command("set-" + run, Method.SET_USER_BUDGET, descriptor(subject, null), T0, null,
                budget(subject)), REPLY_TIMEOUT);
        assertThat(set.error()).isNull();
    }

    /**
     * The budget of {@code broken} as bytes that do not deserialize, written into the budgets changelog
     * before the app first starts: the app restores its store from that topic, as it would after any
     * restart, so the store holds exactly these bytes. (The topic is created here as Kafka Streams would:
     * compacted, with the partitions of the commands topic, and keyed alike, so the garbage lands in the
     * partition, and the task, that the subscriber's commands go to.)
     */
    private void writeUnreadableBudget() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(Replay.changelog(applicationId), 4, (short) 1)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))))
                    .all().get(30, TimeUnit.SECONDS);
        }
        raw.send(new ProducerRecord<>(Replay.changelog(applicationId), bytes("vdf:" + broken),
                bytes("{\"Id\":\"" + broken + "\",\"Credit\":"))).get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        if (client != null) {
            client.close();
        }
        if (raw != null) {
            raw.close();
        }
    }

    @Test
    void shouldDeadLetterA600KbUnparsableRecordAndServeTheCommandBehindItOnTheSamePartition() throws Exception {
        byte[] poison = new byte[POISON_BYTES];
        Arrays.fill(poison, (byte) '{');
        RecordMetadata written = raw.send(new ProducerRecord<>(Topics.COMMANDS, bytes("vdf:" + subject), poison))
                .get(30, TimeUnit.SECONDS);

        Reply behind = client.call(new Command("behind-" + run, Method.DEBIT_BALANCE, descriptor(subject, "1"), T0,
                null, null), REPLY_TIMEOUT);

        assertThat(client.replyPartition("behind-" + run)).isNotNull();
        assertThat(behind.error()).isNull();
        assertThat(behind.value()).isEqualByComparingTo("20");
        DeadLetter letter = deadLetter(written.partition(), written.offset());
        assertThat(letter.topic()).isEqualTo(Topics.COMMANDS);
        assertThat(letter.key()).isEqualTo("vdf:" + subject);
        assertThat(letter.reason()).contains("600000 bytes");
        assertThat(letter.truncated()).isTrue();
        assertThat(letter.valueBytes()).isEqualTo(POISON_BYTES);
        assertThat(Base64.getDecoder().decode(letter.valueBase64()))
                .isEqualTo(Arrays.copyOf(poison, DeadLetters.MAX_VALUE_BYTES));
        // the same stream thread did it all: none died, none was replaced
        assertThat(app.awaitRunning(java.time.Duration.ofSeconds(60))).as("state " + app.state()).isTrue();
        assertThat(app.threadReplacements()).isZero();
        assertThat(app.failure()).isNotDone();
    }

    @Test
    void shouldAnswerAnErrorForTheSubscriberWhoseBudgetCannotBeReadAndServeTheOthers() throws Exception {
        Reply onBroken = client.call(new Command("on-broken-" + run, Method.DEBIT_BALANCE, descriptor(broken, "1"), T0,
                null, null), REPLY_TIMEOUT);
        Reply onOther = client.call(new Command("on-other-" + run, Method.DEBIT_BALANCE, descriptor(subject, "0"), T0,
                null, null), REPLY_TIMEOUT);

        assertThat(onBroken.error()).contains("the stored budgets entry for 'vdf:" + broken + "' cannot be read")
                .contains("nothing changed");
        assertThat(onOther.error()).isNull();
        assertThat(app.threadReplacements()).isZero();
        assertThat(app.awaitRunning(java.time.Duration.ofSeconds(60))).as("state " + app.state()).isTrue();
    }

    @Test
    void shouldSkipGarbageReferenceRecordsAndKeepApplyingTheOnesAfterThem() throws Exception {
        String id = "later-" + run;
        byte[] valid = bytes("{\"Id\":\"" + id + "\",\"Prefixes\":[\"0999\"]}");
        byte[] garbage = new byte[900_000];
        Arrays.fill(garbage, (byte) '[');
        raw.send(new ProducerRecord<>(Topics.DESTINATIONS, new byte[] {(byte) 0xff, (byte) 0xfe}, valid)).get();
        // (a record without a key never gets here: the broker refuses it on a compacted topic)
        raw.send(new ProducerRecord<>(Topics.DESTINATIONS, bytes(id), garbage)).get();
        raw.send(new ProducerRecord<>(Topics.DESTINATIONS, bytes(id), bytes("{\"Id\":7}"))).get();
        raw.send(new ProducerRecord<>(Topics.DESTINATIONS, bytes(id), valid)).get();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (app.reference().destination(id) == null && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }

        assertThat(app.reference().destination(id)).isNotNull();
        assertThat(app.awaitRunning(java.time.Duration.ofSeconds(60))).as("state " + app.state()).isTrue();
        assertThat(app.failure()).isNotDone();
    }

    /**
     * With Kafka's default production handler (fail on a record that cannot be written) and a producer
     * that may send less than the dead letter of a 600 KB record, that record kills the stream thread
     * every time it is processed: exactly the loop this app must not enter. One replacement is allowed
     * here; the second failure shuts the client down to ERROR and completes {@link StreamsApp#failure()}.
     */
    @Test
    void shouldShutTheClientDownWhenAFailureOutlastsTheReplacementsAllowed(@TempDir Path state) throws Exception {
        byte[] poison = new byte[POISON_BYTES];
        Arrays.fill(poison, (byte) '{');
        String loopSubject = "loop-" + run;
        raw.send(new ProducerRecord<>(Topics.COMMANDS, bytes("vdf:" + loopSubject), poison)).get(30, TimeUnit.SECONDS);
        StreamsAppConfig config = StreamsAppConfig.defaults(bootstrap, state).withApplicationId("it-loop-" + run)
                .withKafkaProperties(Map.of(
                        "production.exception.handler", DefaultProductionExceptionHandler.class.getName(),
                        "producer.max.request.size", "100000"));

        try (StreamsApp looping = StreamsApp.start(config, new ThreadReplacementLimit(1, Duration.ofMinutes(10)))) {
            Throwable cause = looping.failure().get(120, TimeUnit.SECONDS);

            assertThat(looping.state()).isIn(KafkaStreams.State.PENDING_ERROR, KafkaStreams.State.ERROR);
            assertThat(looping.threadReplacements()).isEqualTo(1);
            assertThat(cause).hasStackTraceContaining("would be").hasStackTraceContaining("a record may have");
        }
    }

    /**
     * The production handler on a real broker: with a producer that may send at most 100,000 bytes, the
     * dead letter of a 600 KB record (64 KiB of it, as text and Base64) cannot be written; it is skipped,
     * counted, and sent again without its payload, and the thread goes on.
     */
    @Test
    void shouldSendADeadLetterThatDoesNotFitWithoutItsPayloadAndCountTheSkip(@TempDir Path state) throws Exception {
        byte[] poison = new byte[POISON_BYTES];
        Arrays.fill(poison, (byte) '{');
        RecordMetadata written = raw.send(new ProducerRecord<>(Topics.COMMANDS, bytes("vdf:small-" + run), poison))
                .get(30, TimeUnit.SECONDS);
        StreamsAppConfig config = StreamsAppConfig.defaults(bootstrap, state).withApplicationId("it-small-" + run)
                .withKafkaProperties(Map.of("producer.max.request.size", "100000"));

        try (StreamsApp small = StreamsApp.start(config)) {
            DeadLetter letter = deadLetter(written.partition(), written.offset(), l -> l.valueBase64() == null);

            assertThat(letter.truncated()).isTrue();
            assertThat(letter.valueBytes()).isEqualTo(POISON_BYTES);
            assertThat(letter.reason()).contains("600000 bytes");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (small.droppedRecords() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(small.droppedRecords()).isPositive();
            assertThat(small.threadReplacements()).isZero();
            // Alive and serving: a follow-up rebalance may still be going on (two source topics, new stores).
            assertThat(small.awaitRunning(java.time.Duration.ofSeconds(60))).as("state " + small.state()).isTrue();
        }
    }

    /** The dead letter of the commands record at {@code partition}/{@code offset}, waiting until it is there. */
    private DeadLetter deadLetter(int partition, long offset) throws Exception {
        return deadLetter(partition, offset, letter -> true);
    }

    /** The first dead letter of that record that {@code matches}, waiting until it is there. */
    private DeadLetter deadLetter(int partition, long offset, Predicate<DeadLetter> matches) throws Exception {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Topics topics = new Topics(Json.newMapper());
        try (KafkaConsumer<String, DeadLetter> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                topics.deadLetters().valueSerde().deserializer())) {
            List<TopicPartition> all = consumer.partitionsFor(Topics.DEAD_LETTERS, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(Topics.DEAD_LETTERS, p.partition())).toList();
            consumer.assign(all);
            consumer.seekToBeginning(all);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, DeadLetter> record : consumer.poll(Duration.ofMillis(200))) {
                    DeadLetter letter = record.value();
                    if (Topics.COMMANDS.equals(letter.topic()) && letter.partition() == partition
                            && letter.offset() == offset && matches.test(letter)) {
                        return letter;
                    }
                }
            }
        }
        throw new AssertionError("no dead letter for " + Topics.COMMANDS + "-" + partition + "@" + offset);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static CallDescriptor descriptor(String subject, String amount) {
        return new CallDescriptor(0, "vdf", subject, null, null, null, amount == null ? null : new BigDecimal(amount),
                null);
    }

    private static UserBudget budget(String id) {
        UserBudget minutosu = DEMO.userBudgets().get(0);
        return new UserBudget(id, minutosu.credit(), minutosu.smsCredit(), minutosu.traffic(),
                minutosu.volumeDiscountSeconds(), minutosu.receivedCallSeconds(), minutosu.resetDayOfTheMonth(),
                minutosu.tariffPlanId(), minutosu.minuteBuckets(), null);
    }
}
