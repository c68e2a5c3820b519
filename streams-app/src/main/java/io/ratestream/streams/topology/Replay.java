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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
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
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Rebuilds every budget from the command logs and compares the result with the live state: the proof
 * that processing is deterministic, and the tool to check a deployment ({@code ratestream replay
 * --verify}). The replay reads {@code ratestream.commands} and {@code ratestream.admin-commands} from the
 * beginning to the end offsets it sees when it starts (committed records only), through the same
 * {@link CommandReader} and {@link CommandHandler} as the streams app, in memory. It writes nothing.
 *
 * <p>Partition {@code p} of both topics is one task of the streams app, and the replay takes their records
 * in the order that task does: within a topic, offset order; between the two, the record with the smaller
 * timestamp first (on equal timestamps, ratestream.admin-commands first: a budget is normally loaded
 * before the traffic that uses it). That is Kafka Streams' order whenever both records were in Kafka
 * before the task reached either; docs/design.md ("Two command topics") says when it is not.
 *
 * <p>The reference data of a replay is what the compacted topics hold now. A replay equals the live
 * state when the reference data that the replayed commands used has not changed since (see
 * docs/design.md).
 */
public final class Replay {

    /** Records buffered per partition while the other topic's partition is read: bounds the replay's memory. */
    private static final int MAX_BUFFERED = 10_000;
    /** The two command topics, in the order the replay prefers on equal timestamps. */
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
     * @param rejected records a streams app would dead-letter (budget-setting commands on
     *     ratestream.commands included)
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

    /** Replays the command logs into memory. */
    public Result run() {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            ReferenceBook book = readReference(consumer);
            CommandHandler handler = new CommandHandler(new Engine(book), retention);
            CommandReader reader = new CommandReader(new JsonSerde<>(mapper, Command.class));
            Map<String, UserBudget> budgets = new HashMap<>();
            MemoryLedger ledger = new MemoryLedger(budgets);
            long[] counts = new long[2];
            // One handler per task in the app; the handler's only memory is its forgetting watermark,
            // which never changes a result, so one handler serves every task here.
            Map<String, Long> ends = new TreeMap<>();
            TreeMap<Integer, List<TopicPartition>> tasks = new TreeMap<>();
            for (String topic : COMMAND_TOPICS) {
                for (PartitionInfo info : partitionsOf(consumer, topic)) {
                    tasks.computeIfAbsent(info.partition(), p -> new ArrayList<>())
                            .add(new TopicPartition(topic, info.partition()));
                }
            }
            for (List<TopicPartition> task : tasks.values()) {
                readMerged(consumer, task, ends, record -> {
                    CommandReader.Read read = reader.read(record.topic(), record.key(), record.value());
                    if (read.rejection() != null) {
                        counts[1]++;
                    } else {
                        handler.handle(ledger, read.command());
                        counts[0]++;
                    }
                });
            }
            return new Result(new TreeMap<>(budgets), ends, counts[0], counts[1]);
        }
    }

    /** The live budgets of an application: the latest committed value of each key of its changelog. */
    public Map<String, UserBudget> liveBudgets(String applicationId) {
        JsonSerde<UserBudget> serde = new JsonSerde<>(mapper, UserBudget.class);
        Map<String, UserBudget> live = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            readAll(consumer, changelog(applicationId), (key, value) -> {
                String text = new String(key, StandardCharsets.UTF_8);
                if (value == null) {
                    live.remove(text);
                } else {
                    live.put(text, serde.deserialize(Topics.COMMANDS, value));
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

    private ReferenceBook readReference(KafkaConsumer<byte[], byte[]> consumer) {
        ReferenceBook book = new ReferenceBook();
        JsonSerde<RatingProfile> profiles = new JsonSerde<>(mapper, RatingProfile.class);
        JsonSerde<Destination> destinations = new JsonSerde<>(mapper, Destination.class);
        JsonSerde<TariffPlan> plans = new JsonSerde<>(mapper, TariffPlan.class);
        readAll(consumer, Topics.RATING_PROFILES, (key, value) ->
                ReferenceProcessor.apply(book.profiles(), profiles, RatingProfile::key, text(key), value));
        readAll(consumer, Topics.DESTINATIONS, (key, value) ->
                ReferenceProcessor.apply(book.destinations(), destinations, Destination::id, text(key), value));
        readAll(consumer, Topics.TARIFF_PLANS, (key, value) ->
                ReferenceProcessor.apply(book.plans(), plans, TariffPlan::id, text(key), value));
        return book;
    }

    private static String text(byte[] key) {
        return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }

    private List<PartitionInfo> partitionsOf(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
        return infos == null ? List.of() : infos;
    }

    /** Reads a whole topic, partition by partition in offset order, up to its end offsets now. */
    private void readAll(KafkaConsumer<byte[], byte[]> consumer, String topic, BiConsumer<byte[], byte[]> each) {
        for (PartitionInfo info : partitionsOf(consumer, topic)) {
            readMerged(consumer, List.of(new TopicPartition(topic, info.partition())), new TreeMap<>(),
                    record -> each.accept(record.key(), record.value()));
        }
    }

    /**
     * Reads the partitions of one task up to their end offsets now, handing each record to {@code each}:
     * each partition in offset order, and between partitions the record with the smallest timestamp first
     * (on equal timestamps, the partition listed first), as a Kafka Streams task does. Records the other
     * partitions are not ready for wait in memory, at most {@link #MAX_BUFFERED} per partition.
     *
     * @param ends where the end offset of each partition is recorded, by {@code topic-partition}
     */
    private void readMerged(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions,
            Map<String, Long> ends, Consumer<ConsumerRecord<byte[], byte[]>> each) {
        Map<TopicPartition, Long> endOffsets = consumer.endOffsets(partitions, timeout);
        Map<TopicPartition, ArrayDeque<ConsumerRecord<byte[], byte[]>>> buffers = new LinkedHashMap<>();
        for (TopicPartition partition : partitions) {
            buffers.put(partition, new ArrayDeque<>());
            ends.put(partition.toString(), endOffsets.get(partition));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean done = true;
            for (TopicPartition partition : partitions) {
                done &= buffers.get(partition).isEmpty() && consumer.position(partition, timeout) >= endOffsets.get(partition);
            }
            if (done) {
                break;
            }
            List<TopicPartition> full = partitions.stream().filter(p -> buffers.get(p).size() >= MAX_BUFFERED).toList();
            consumer.pause(full);
            consumer.resume(partitions.stream().filter(p -> !full.contains(p)).toList());
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                if (record.offset() < endOffsets.get(partition)) {
                    buffers.get(partition).add(record);
                }
            }
            drain(consumer, buffers, endOffsets, each);
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("reading " + partitions + " did not reach offsets " + endOffsets
                        + " within " + timeout + ": is the cluster reachable?");
            }
        }
        consumer.unsubscribe();
    }

    /**
     * Hands on records while every partition either has one waiting or has been read to its end: only then
     * is the smallest timestamp known.
     */
    private void drain(KafkaConsumer<byte[], byte[]> consumer,
            Map<TopicPartition, ArrayDeque<ConsumerRecord<byte[], byte[]>>> buffers,
            Map<TopicPartition, Long> endOffsets, Consumer<ConsumerRecord<byte[], byte[]>> each) {
        while (true) {
            ArrayDeque<ConsumerRecord<byte[], byte[]>> next = null;
            for (Map.Entry<TopicPartition, ArrayDeque<ConsumerRecord<byte[], byte[]>>> buffer : buffers.entrySet()) {
                ConsumerRecord<byte[], byte[]> head = buffer.getValue().peek();
                if (head == null) {
                    if (consumer.position(buffer.getKey(), timeout) < endOffsets.get(buffer.getKey())) {
                        return; // this partition may still have an earlier record
                    }
                } else if (next == null || head.timestamp() < next.peek().timestamp()) {
                    next = buffer.getValue();
                }
            }
            if (next == null) {
                return;
            }
            each.accept(next.poll());
        }
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
