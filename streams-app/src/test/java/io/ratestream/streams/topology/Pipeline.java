package io.ratestream.streams.topology;

import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.command.ReplyTo;
import io.ratestream.schemas.event.BudgetEvent;
import io.ratestream.schemas.files.CgratesFiles;
import io.ratestream.schemas.files.DataSet;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.reply.Reply;
import io.ratestream.schemas.topics.DeadLetter;
import io.ratestream.schemas.topics.Topics;
import io.ratestream.streams.StreamsAppConfig;
import io.ratestream.streams.state.BudgetCodec;
import io.ratestream.streams.state.ProcessedReplyCodec;
import io.ratestream.streams.state.StateCodec;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/** The topology in a TopologyTestDriver, with the demo reference data loaded and topic handles. */
final class Pipeline implements AutoCloseable {

    static final DataSet DEMO = new CgratesFiles(Json.newMapper()).readDirectory(Path.of("..", "demo", "cgrates-2012"));

    final Topics topics = new Topics(Json.newMapper());
    final ReferenceBook book = new ReferenceBook();
    final TopologyTestDriver driver;
    final TestInputTopic<String, Command> commands;
    final TestInputTopic<byte[], byte[]> rawCommands;
    final TestInputTopic<String, Command> adminCommands;
    final TestInputTopic<byte[], byte[]> rawAdminCommands;
    final TestInputTopic<String, Command> queries;
    final TestOutputTopic<String, Reply> replies;
    final TestOutputTopic<String, BudgetEvent> events;
    final TestOutputTopic<String, DeadLetter> deadLetters;
    final TestOutputTopic<String, Command> commandsOut;
    final TestOutputTopic<String, Command> adminCommandsOut;
    private long sequence;

    Pipeline(Path stateDir, Instant wallClock) {
        this(stateDir, wallClock, Map.of());
    }

    /** A pipeline whose Kafka Streams configuration also has {@code kafkaProperties}. */
    Pipeline(Path stateDir, Instant wallClock, Map<String, String> kafkaProperties) {
        this(stateDir, wallClock, kafkaProperties, CommandMetrics.NONE);
    }

    /** A pipeline that reports what becomes of each command to {@code metrics}. */
    Pipeline(Path stateDir, Instant wallClock, Map<String, String> kafkaProperties, CommandMetrics metrics) {
        this(stateDir, wallClock, config -> config.withKafkaProperties(kafkaProperties), metrics);
    }

    /** A pipeline with the default configuration as {@code configure} changes it. */
    Pipeline(Path stateDir, Instant wallClock, UnaryOperator<StreamsAppConfig> configure, CommandMetrics metrics) {
        StreamsAppConfig config = configure.apply(StreamsAppConfig.defaults("dummy:9092", stateDir));
        driver = new TopologyTestDriver(RatestreamTopology.build(config, book, metrics), config.toProperties(),
                wallClock);
        StringSerializer keys = new StringSerializer();
        commands = driver.createInputTopic(Topics.COMMANDS, keys, topics.commands().valueSerde().serializer());
        rawCommands = driver.createInputTopic(Topics.COMMANDS, new ByteArraySerializer(), new ByteArraySerializer());
        adminCommands = driver.createInputTopic(Topics.ADMIN_COMMANDS, keys, topics.adminCommands().valueSerde().serializer());
        rawAdminCommands = driver.createInputTopic(Topics.ADMIN_COMMANDS, new ByteArraySerializer(),
                new ByteArraySerializer());
        queries = driver.createInputTopic(Topics.QUERIES, keys, topics.queries().valueSerde().serializer());
        StringDeserializer keysOut = new StringDeserializer();
        replies = driver.createOutputTopic(Topics.REPLIES, keysOut, topics.replies().valueSerde().deserializer());
        events = driver.createOutputTopic(Topics.EVENTS, keysOut, topics.events().valueSerde().deserializer());
        deadLetters = driver.createOutputTopic(Topics.DEAD_LETTERS, keysOut,
                topics.deadLetters().valueSerde().deserializer());
        commandsOut = driver.createOutputTopic(Topics.COMMANDS, keysOut, topics.commands().valueSerde().deserializer());
        adminCommandsOut = driver.createOutputTopic(Topics.ADMIN_COMMANDS, keysOut,
                topics.adminCommands().valueSerde().deserializer());
        var profiles = driver.createInputTopic(Topics.RATING_PROFILES, keys, topics.ratingProfiles().valueSerde().serializer());
        DEMO.ratingProfiles().forEach(p -> profiles.pipeInput(p.key(), p));
        var destinations = driver.createInputTopic(Topics.DESTINATIONS, keys, topics.destinations().valueSerde().serializer());
        DEMO.destinations().forEach(d -> destinations.pipeInput(d.id(), d));
        var plans = driver.createInputTopic(Topics.TARIFF_PLANS, keys, topics.tariffPlans().valueSerde().serializer());
        DEMO.tariffPlans().forEach(p -> plans.pipeInput(p.id(), p));
    }

    /** The budgets store, decoded as the processor decodes it. */
    Decoded<UserBudget> budgets() {
        return new Decoded<>(driver.getKeyValueStore(RatestreamTopology.BUDGETS_STORE), new BudgetCodec(Json.newMapper()));
    }

    /** The processed-requests store, decoded as the processor decodes it. */
    Decoded<ProcessedReply> processed() {
        return new Decoded<>(driver.getKeyValueStore(RatestreamTopology.PROCESSED_STORE),
                new ProcessedReplyCodec(Json.newMapper()));
    }

    /** A byte-valued store of the topology read through its codec. */
    record Decoded<V>(KeyValueStore<String, byte[]> store, StateCodec<V> codec) {
        V get(String key) {
            byte[] bytes = store.get(key);
            return bytes == null ? null : codec.decode(bytes);
        }

        byte[] bytes(String key) {
            return store.get(key);
        }
    }

    /** The bytes under a store of the topology, as a changelog restores them: no serde, no changelog. */
    KeyValueStore<Bytes, byte[]> rawStore(String name) {
        return bytesUnder(driver.getAllStateStores().get(name));
    }

    /** The innermost store under {@code store}'s serdes, metrics and changelogging. */
    @SuppressWarnings("unchecked")
    static KeyValueStore<Bytes, byte[]> bytesUnder(StateStore store) {
        StateStore inner = store;
        while (inner instanceof WrappedStateStore<?, ?, ?> wrapped) {
            inner = wrapped.wrapped();
        }
        return (KeyValueStore<Bytes, byte[]>) inner;
    }

    /**
     * Sends a command where it belongs (a budget-setting one on ratestream.admin-commands, any other on
     * ratestream.commands) and returns its reply (the one reply it must produce).
     */
    Reply send(Command command) {
        return sendOn(command.method().adminOnly() ? adminCommands : commands, command);
    }

    /** Sends a command on the given topic and returns its reply (the one reply it must produce). */
    Reply sendOn(TestInputTopic<String, Command> topic, Command command) {
        topic.pipeInput(command.key(), command, command.acceptedAt());
        return replies.readValue();
    }

    Command command(Method method, CallDescriptor descriptor, Instant acceptedAt) {
        return new Command("t-" + (++sequence), method, descriptor, acceptedAt, null, null);
    }

    Command command(String requestId, Method method, String subject, String destination, String amount,
            Instant acceptedAt, ReplyTo replyTo) {
        CallDescriptor descriptor = new CallDescriptor(0, "vdf", subject, destination, null, null,
                amount == null ? null : new BigDecimal(amount), null);
        return new Command(requestId, method, descriptor, acceptedAt, replyTo, null);
    }

    Command setBudget(UserBudget budget, Instant acceptedAt) {
        CallDescriptor descriptor = new CallDescriptor(0, "vdf", budget.id(), null, null, null, null, null);
        return new Command("set-" + (++sequence), Method.SET_USER_BUDGET, descriptor, acceptedAt, null, budget);
    }

    static CallDescriptor workedExample() {
        return new CallDescriptor(0, "vdf", "rif", "0256", OffsetDateTime.parse("2012-02-02T17:30:00Z"),
                OffsetDateTime.parse("2012-02-02T18:30:00Z"), null, null);
    }

    static UserBudget demoBudget(String id) {
        return DEMO.userBudgets().stream().filter(b -> b.id().equals(id)).findFirst().orElseThrow();
    }

    void advanceWallClock(Duration by) {
        driver.advanceWallClockTime(by);
    }

    @Override
    public void close() {
        driver.close();
    }
}
