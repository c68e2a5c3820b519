package io.ratestream.streams.topology;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.json.JsonSerde;
import io.ratestream.schemas.model.Destination;
import io.ratestream.schemas.model.RatingProfile;
import io.ratestream.schemas.model.TariffPlan;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.topics.Topics;
import io.ratestream.streams.rating.Engine;
import io.ratestream.streams.rating.InMemoryReferenceData;
import io.ratestream.streams.rating.ReferenceData;
import io.ratestream.streams.state.BudgetCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Rebuilds every budget from the command log and compares the result with the live state: the proof
 * that processing is deterministic, and the tool to check a deployment ({@code ratestream replay
 * --verify}). It writes nothing, and reads committed records only, up to the end offsets it sees when it
 * starts, through the same {@link CommandReader} and {@link CommandHandler} as the streams app, in memory:
 *
 * <ol>
 *   <li>{@code ratestream.admin-commands}, whole, for the admission digests ({@link Admission#digest}) of
 *       its budget-setting records: what the streams app admits;
 *   <li>{@code ratestream.commands} alone, each partition in offset order, which is the order the streams
 *       app applies it in: a budget-setting command is applied when its digest was admitted (or, as live,
 *       when it repeats a processed request: a retry, which changes nothing).
 * </ol>
 *
 * <p>{@code ratestream.queries} is not read: a query there changed nothing and left nothing behind (no
 * processed entry a later command could meet), so the budgets do not depend on it; its offsets are not
 * compared either.
 *
 * <p>The end offsets of ratestream.commands are taken before those of the admin topic, so that every
 * admitted copy the replay reads has its admin record below the admin topic's end (a copy is written after
 * its admin record). docs/design.md ("One command log, two doors") gives the one case where replay and
 * live can differ: a forged record byte for byte equal to an admin record not yet admitted.
 *
 * <p>Memory: the admitted digests take {@value Admission#DIGEST_BYTES} bytes per budget-setting record of
 * the admin topic (32 MB per million; up to twice that while their array grows), besides the budgets and
 * the processed request ids.
 *
 * <p>The reference data of a replay is what the compacted topics hold now. A replay equals the live
 * state when the reference data that the replayed commands used has not changed since (see
 * docs/design.md).
 */
public final class Replay {

    /** The two command topics, whose committed offsets tell whether the live app is where the replay is. */
    private static final List<String> COMMAND_TOPICS = List.of(Topics.ADMIN_COMMANDS, Topics.COMMANDS);

    private final String bootstrapServers;
    private final Map<String, String> kafkaProperties;
    private final Duration retention;
    private final Duration timeout;
    private final ObjectMapper mapper = Json.newMapper();

    /** A replay against a cluster, with no client properties of its own. */
    public Replay(String bootstrapServers, Duration retention, Duration timeout) {
        this(bootstrapServers, Map.of(), retention, timeout);
    }

    /**
     * A replay against a cluster.
     *
     * @param kafkaProperties client properties applied after the replay's own, to its consumer and admin
     *     client (security settings: e.g. SASL as the streams app's principal); never null
     * @param retention the streams app's idempotency retention (it decides which repeats are duplicates)
     * @param timeout the longest to wait for the cluster while reading
     */
    public Replay(String bootstrapServers, Map<String, String> kafkaProperties, Duration retention, Duration timeout) {
        this.bootstrapServers = bootstrapServers;
        this.kafkaProperties = Map.copyOf(kafkaProperties);
        this.retention = retention;
        this.timeout = timeout;
    }

    /**
     * What a replay rebuilt.
     *
     * @param budgets every budget, by {@code tenant:subject}
     * @param endOffsets the offsets the replay read up to, by topic partition ({@code ratestream.commands-0},
     *     {@code ratestream.admin-commands-0}, ...)
     * @param commands commands applied (duplicates included)
     * @param rejected records a streams app would dead-letter: unusable records of either topic, and
     *     budget-setting commands on ratestream.commands that were not admitted
     */
    public record Result(Map<String, UserBudget> budgets, Map<String, Long> endOffsets, long commands, long rejected) {
    }

    /** A budget that differs between the live state and the replay (either side null when absent). */
    public record Difference(String key, UserBudget live, UserBudget replayed) {
    }

    /**
     * A comparison of the live state with a replay.
     *
     * @param liveAtSnapshot whether the live application had processed exactly the replayed commands when
     *     the live budgets were read; when false, differences may be traffic between the two reads
     * @param liveOffsets the live application's committed offsets on the two command topics, by topic partition
     */
    public record Verification(Result replay, int liveBudgets, List<Difference> differences, boolean liveAtSnapshot,
            Map<String, Long> liveOffsets) {
        /** Whether live and replay agree on every budget. */
        public boolean identical() {
            return differences.isEmpty();
        }
    }

    /** Replays the command log into memory. */
    public Result run() {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            ReferenceData book = readReference(consumer);
            CommandHandler handler = new CommandHandler(new Engine(book), retention);
            CommandReader reader = new CommandReader(new JsonSerde<>(mapper, Command.class));
            Map<String, UserBudget> budgets = new HashMap<>();
            MemoryLedger ledger = new MemoryLedger(budgets);
            long[] counts = new long[2];
            // Commands first, then admin: every admitted copy below the first has its admin record below the second.
            Map<TopicPartition, Long> commandEnds = endOffsets(consumer, Topics.COMMANDS);
            Map<TopicPartition, Long> adminEnds = endOffsets(consumer, Topics.ADMIN_COMMANDS);
            Map<String, Long> ends = new TreeMap<>();
            adminEnds.forEach((partition, end) -> ends.put(partition.toString(), end));
            commandEnds.forEach((partition, end) -> ends.put(partition.toString(), end));

            DigestSet admitted = new DigestSet();
            adminEnds.forEach((partition, end) -> read(consumer, partition, end, record -> {
                CommandReader.Read read = reader.read(Topics.ADMIN_COMMANDS, record.key(), record.value());
                if (read.rejection() != null) {
                    counts[1]++;
                } else if (read.command().method().adminOnly()) {
                    admitted.add(Admission.digest(record.value()));
                }
            }));
            // One handler per task in the app; the handler's only memory is its forgetting watermark,
            // which never changes a result, so one handler serves every task here.
            commandEnds.forEach((partition, end) -> read(consumer, partition, end, record -> {
                CommandReader.Read read = reader.read(Topics.COMMANDS, record.key(), record.value());
                Command command = read.command();
                if (read.rejection() != null || command.method().adminOnly()
                        && !admitted.contains(Admission.digest(record.value())) && !handler.isRepeat(ledger, command)) {
                    counts[1]++;
                } else {
                    handler.handle(ledger, command);
                    counts[0]++;
                }
            }));
            return new Result(new TreeMap<>(budgets), ends, counts[0], counts[1]);
        }
    }

    /** The live budgets of an application: the latest committed value of each key of its changelog. */
    public Map<String, UserBudget> liveBudgets(String applicationId) {
        BudgetCodec codec = new BudgetCodec(mapper); // JSON of earlier releases, and the binary format
        Map<String, UserBudget> live = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            readAll(consumer, changelog(applicationId), (key, value) -> {
                String text = new String(key, StandardCharsets.UTF_8);
                if (value == null) {
                    live.remove(text);
                } else {
                    live.put(text, codec.decode(value));
                }
            });
        }
        return live;
    }

    /** Replays, reads the live budgets of {@code applicationId}, and compares them key by key. */
    public Verification verify(String applicationId) {
        Result replayed = run();
        Map<String, UserBudget> live = liveBudgets(applicationId);
        Map<String, Long> liveOffsets = committedOffsets(applicationId);
        List<Difference> differences = new ArrayList<>();
        TreeSet<String> keys = new TreeSet<>(live.keySet());
        keys.addAll(replayed.budgets().keySet());
        for (String key : keys) {
            UserBudget a = live.get(key);
            UserBudget b = replayed.budgets().get(key);
            if (!Objects.equals(canonical(a), canonical(b))) {
                differences.add(new Difference(key, a, b));
            }
        }
        // A partition the app never read from has no committed offset: it is at 0.
        boolean atSnapshot = replayed.endOffsets().entrySet().stream()
                .allMatch(end -> liveOffsets.getOrDefault(end.getKey(), 0L).equals(end.getValue()));
        return new Verification(replayed, live.size(), differences, atSnapshot, liveOffsets);
    }

    /** The changelog topic of an application's budgets store. */
    public static String changelog(String applicationId) {
        return applicationId + "-" + RatestreamTopology.BUDGETS_STORE + "-changelog";
    }

    /** Budgets compare by their JSON: 1.50 and 1.5 are the same money. */
    private String canonical(UserBudget budget) {
        try {
            return budget == null ? null : mapper.writeValueAsString(budget);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a budget always serializes", e);
        }
    }

    private ReferenceData readReference(KafkaConsumer<byte[], byte[]> consumer) {
        Map<String, RatingProfile> profileMap = new HashMap<>();
        Map<String, Destination> destinationMap = new HashMap<>();
        Map<String, TariffPlan> planMap = new HashMap<>();
        JsonSerde<RatingProfile> profiles = new JsonSerde<>(mapper, RatingProfile.class);
        JsonSerde<Destination> destinations = new JsonSerde<>(mapper, Destination.class);
        JsonSerde<TariffPlan> plans = new JsonSerde<>(mapper, TariffPlan.class);
        readAll(consumer, Topics.RATING_PROFILES, (key, value) ->
                ReferenceProcessor.apply(profileMap, profiles, RatingProfile::key, text(key), value));
        readAll(consumer, Topics.DESTINATIONS, (key, value) ->
                ReferenceProcessor.apply(destinationMap, destinations, Destination::id, text(key), value));
        readAll(consumer, Topics.TARIFF_PLANS, (key, value) ->
                ReferenceProcessor.apply(planMap, plans, TariffPlan::id, text(key), value));
        return new InMemoryReferenceData(profileMap.values(), destinationMap.values(), planMap.values());
    }

    private static String text(byte[] key) {
        return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }

    private List<PartitionInfo> partitionsOf(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
        return infos == null ? List.of() : infos;
    }

    /** The end offsets of a topic's partitions now (committed records), by partition in partition order. */
    private Map<TopicPartition, Long> endOffsets(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        List<TopicPartition> partitions = partitionsOf(consumer, topic).stream()
                .map(info -> new TopicPartition(topic, info.partition()))
                .sorted(Comparator.comparingInt(TopicPartition::partition)).toList();
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
        Map<TopicPartition, Long> ordered = new LinkedHashMap<>();
        partitions.forEach(partition -> ordered.put(partition, ends.get(partition)));
        return ordered;
    }

    /** Reads a whole topic, partition by partition in offset order, up to its end offsets now. */
    private void readAll(KafkaConsumer<byte[], byte[]> consumer, String topic, BiConsumer<byte[], byte[]> each) {
        endOffsets(consumer, topic).forEach((partition, end) -> read(consumer, partition, end,
                record -> each.accept(record.key(), record.value())));
    }

    /**
     * Reads one partition from its beginning up to {@code end}, in offset order; fails when no record
     * comes for the replay's timeout.
     */
    private void read(KafkaConsumer<byte[], byte[]> consumer, TopicPartition partition, long end,
            Consumer<ConsumerRecord<byte[], byte[]>> each) {
        List<TopicPartition> one = List.of(partition);
        consumer.assign(one);
        consumer.seekToBeginning(one);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (consumer.position(partition, timeout) < end) {
            ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
            if (!records.isEmpty()) {
                deadline = System.nanoTime() + timeout.toNanos();
            }
            for (ConsumerRecord<byte[], byte[]> record : records) {
                if (record.offset() < end) {
                    each.accept(record);
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("reading " + partition + " did not reach offset " + end + ": no "
                        + "record for " + timeout + " (is the cluster reachable?)");
            }
        }
        consumer.unsubscribe();
    }

    private Map<String, Long> committedOffsets(String applicationId) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.putAll(kafkaProperties);
        try (Admin admin = Admin.create(props)) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(applicationId)
                    .partitionsToOffsetAndMetadata().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            Map<String, Long> commands = new TreeMap<>();
            offsets.forEach((partition, offset) -> {
                if (COMMAND_TOPICS.contains(partition.topic()) && offset != null) {
                    commands.put(partition.toString(), offset.offset());
                }
            });
            return commands;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the offsets of " + applicationId, e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot read the committed offsets of " + applicationId + ": " + e, e);
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString().toLowerCase(java.util.Locale.ROOT));
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        props.putAll(kafkaProperties);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
