package io.ratestream.streams.topology;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.json.JsonSerde;
import io.ratestream.schemas.model.Destination;
import io.ratestream.schemas.model.RatingProfile;
import io.ratestream.schemas.model.TariffPlan;
import io.ratestream.schemas.topics.Topics;
import io.ratestream.streams.StreamsAppConfig;
import java.util.function.Function;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds the whole topology; does no I/O. Read it top to bottom:
 *
 * <pre>
 *  ratestream.commands ───────┐
 *  ratestream.queries ────────┤  (answered only: no store written, no event)
 *  ratestream.admin-commands ─┴► command-processor ─┬─► replies sink  (topic/partition from the command's ReplyTo)
 *     (raw bytes, one source)    budgets            ├─► ratestream.events
 *                                processed-requests ├─► ratestream.dead-letters
 *                                ...-by-time        ├─► ratestream.admin-commands (monthly refill and session
 *                                admitted-commands  │     expiry commands)
 *                                session-deadlines  └─► ratestream.commands (admitted copies of admin records,
 *                                                         to the admin record's partition number)
 *  ratestream.rating-profiles ─► global store (RocksDB) ◄── read by command-processor, through the ReferenceBook
 *  ratestream.destinations    ─► global store (RocksDB) + ReferenceBook
 *  ratestream.tariff-plans    ─► global store (RocksDB) + ReferenceBook
 * </pre>
 *
 * <p>The three command topics are co-partitioned (same key, same partition count) and read by one source
 * node, so partition {@code p} of all three is one task with one set of stores. Only ratestream.commands
 * is applied, in offset order: a record of the admin topic is admitted there as a copy, which comes back
 * through the same task (docs/design.md, "One command log, two doors"; {@link Admission}); a record of
 * ratestream.queries is answered from the task's budget and changes nothing (docs/design.md, "Queries").
 */
public final class RatestreamTopology {

    public static final String COMMANDS_SOURCE = "commands-source";
    public static final String COMMAND_PROCESSOR = "command-processor";
    public static final String REPLIES_SINK = "replies-sink";
    public static final String EVENTS_SINK = "events-sink";
    public static final String DEAD_LETTERS_SINK = "dead-letters-sink";
    /** ratestream.admin-commands: the commands the processor's checks write (monthly refills, session expiries). */
    public static final String REFILL_SINK = "refill-commands-sink";
    public static final String ADMITTED_SINK = "admitted-commands-sink";

    /** Budgets by {@code tenant:subject}: persistent, changelogged. */
    public static final String BUDGETS_STORE = "budgets";
    /** Replies by request id, for idempotent retries. */
    public static final String PROCESSED_STORE = "processed-requests";
    /** Accepted-at + request id, to forget the oldest processed requests cheaply. */
    public static final String PROCESSED_INDEX_STORE = "processed-requests-by-time";
    /**
     * Admission entries of budget-setting commands read from ratestream.admin-commands whose copy on
     * ratestream.commands has not been applied yet: persistent, changelogged; an entry is deleted when its
     * copy is applied, so the store holds about the commands in flight.
     */
    public static final String ADMITTED_STORE = "admitted-commands";
    /**
     * The deadlines of the open prepaid sessions, ordered by time ({@link SessionDeadlines}): persistent,
     * changelogged; an entry per open session, written and removed with its budget.
     */
    public static final String SESSION_DEADLINES_STORE = "session-deadlines";
    public static final String RATING_PROFILES_STORE = "rating-profiles";
    public static final String DESTINATIONS_STORE = "destinations";
    public static final String TARIFF_PLANS_STORE = "tariff-plans";

    private RatestreamTopology() {
    }

    /** The topology of one instance, with a reference book of its own. */
    public static Topology build(StreamsAppConfig config) {
        return build(config, new ReferenceBook());
    }

    /**
     * The topology of one instance, rating with {@code book}, which its global stores fill. Every sink
     * refuses, at serialization, a value larger than {@link RecordLimits#maxValueBytes} allows for this
     * configuration: the production exception handler ({@link ProductionErrors}) then skips it and
     * reports it on the dead-letter topic.
     */
    public static Topology build(StreamsAppConfig config, ReferenceBook book) {
        return build(config, book, CommandMetrics.NONE);
    }

    /**
     * The topology of one instance, rating with {@code book}, as {@link #build(StreamsAppConfig, ReferenceBook)},
     * reporting what becomes of each command record to {@code metrics} (side effects only: the results do
     * not depend on it).
     */
    public static Topology build(StreamsAppConfig config, ReferenceBook book, CommandMetrics metrics) {
        ObjectMapper mapper = Json.newMapper();
        Topics topics = new Topics(mapper);
        int maxValueBytes = RecordLimits.maxValueBytes(config.toProperties());
        Topology topology = new Topology();

        topology.addSource(COMMANDS_SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), Topics.COMMANDS,
                Topics.ADMIN_COMMANDS, Topics.QUERIES);
        topology.addProcessor(COMMAND_PROCESSOR, () -> new CommandProcessor(book, mapper,
                config.idempotencyRetention(), config.refillCheck(), config.sessionGrace(), maxValueBytes, metrics),
                COMMANDS_SOURCE);
        // Byte-valued: the processor's StagedStores encode each value once (io.ratestream.streams.state).
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(BUDGETS_STORE),
                Serdes.String(), Serdes.ByteArray()), COMMAND_PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PROCESSED_STORE),
                Serdes.String(), Serdes.ByteArray()), COMMAND_PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PROCESSED_INDEX_STORE),
                Serdes.Bytes(), Serdes.ByteArray()), COMMAND_PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ADMITTED_STORE),
                Serdes.String(), Serdes.ByteArray()), COMMAND_PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SESSION_DEADLINES_STORE),
                Serdes.Bytes(), Serdes.ByteArray()), COMMAND_PROCESSOR);

        topology.addSink(REPLIES_SINK, RoutedReply.topics(Topics.REPLIES), new StringSerializer(),
                RecordLimits.bounded(RoutedReply.serializer(topics.replies().valueSerde().serializer()), maxValueBytes),
                RoutedReply.partitions(), COMMAND_PROCESSOR);
        topology.addSink(EVENTS_SINK, Topics.EVENTS, new StringSerializer(),
                RecordLimits.bounded(topics.events().valueSerde().serializer(), maxValueBytes), COMMAND_PROCESSOR);
        topology.addSink(DEAD_LETTERS_SINK, Topics.DEAD_LETTERS, new StringSerializer(),
                RecordLimits.bounded(topics.deadLetters().valueSerde().serializer(), maxValueBytes), COMMAND_PROCESSOR);
        topology.addSink(REFILL_SINK, Topics.ADMIN_COMMANDS, new StringSerializer(),
                RecordLimits.bounded(topics.adminCommands().valueSerde().serializer(), maxValueBytes),
                COMMAND_PROCESSOR);
        topology.addSink(ADMITTED_SINK, Topics.COMMANDS, new StringSerializer(),
                RecordLimits.bounded(Admission.Copy.serializer(), maxValueBytes), Admission.Copy.partitions(),
                COMMAND_PROCESSOR);

        addReference(topology, Topics.RATING_PROFILES, RATING_PROFILES_STORE,
                new JsonSerde<>(mapper, RatingProfile.class), RatingProfile::key, book, book.profiles());
        addReference(topology, Topics.DESTINATIONS, DESTINATIONS_STORE,
                new JsonSerde<>(mapper, Destination.class), Destination::id, book, book.destinations());
        addReference(topology, Topics.TARIFF_PLANS, TARIFF_PLANS_STORE,
                new JsonSerde<>(mapper, TariffPlan.class), TariffPlan::id, book, book.plans());
        return topology;
    }

    private static <T> void addReference(Topology topology, String topic, String store, JsonSerde<T> serde,
            Function<T, String> keyOf, ReferenceBook book, ReferenceBook.Shelf<T> shelf) {
        // Persistent: Kafka Streams checkpoints a global store's offsets, so a restart with the state dir
        // kept reprocesses only what the topic gained since (through a new processor, see
        // ReferenceProcessor). Not cached: the stream threads read it while the global thread writes it.
        topology.addGlobalStore(
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(store), Serdes.String(), Serdes.ByteArray())
                        .withLoggingDisabled().withCachingDisabled(),
                store + "-source", new StringDeserializer(), new ByteArrayDeserializer(), topic,
                store + "-processor", () -> new ReferenceProcessor<>(store, serde, keyOf, book, shelf));
    }
}
