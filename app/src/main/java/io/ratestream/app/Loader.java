package io.ratestream.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.files.DataSet;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.model.Keys;
import io.ratestream.schemas.model.RatingProfile;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.reply.ErrorKind;
import io.ratestream.schemas.reply.Reply;
import io.ratestream.schemas.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;

/**
 * Loads a data set in the original formats into a running system: reference data onto the compacted
 * topics, budgets as {@code SetUserBudget} commands on {@code ratestream.admin-commands} (the only topic
 * the streams app takes them from), then waits for every budget's reply. Everything it writes goes to
 * topics that only the loader's Kafka principal may write (docs/security.md); it reads the replies. A budget's
 * request id is derived from its tenant and content, so loading the same files twice changes nothing.
 * The data set is read and validated completely (by {@code CgratesFiles}) before this writes anything.
 *
 * <p>Everything is sent at once and then awaited (a million budgets take minutes, bound by the streams
 * app, not by round trips). Whether the streams app rates with the loaded profiles is checked with a
 * few probes, not one per profile: see {@link #awaitProfiles}.
 */
public final class Loader {

    private static final int SHOWN = 10;

    private final String bootstrapServers;
    private final Map<String, String> kafkaProperties;
    private final ObjectMapper mapper = Json.newMapper();
    private final Clock clock;

    public Loader(String bootstrapServers, Clock clock) {
        this(bootstrapServers, Map.of(), clock);
    }

    /**
     * @param kafkaProperties client properties applied after the loader's own, to its producer and consumer
     *     (security settings: e.g. SASL as the loader's principal); never null
     */
    public Loader(String bootstrapServers, Map<String, String> kafkaProperties, Clock clock) {
        this.bootstrapServers = bootstrapServers;
        this.kafkaProperties = Map.copyOf(kafkaProperties);
        this.clock = clock;
    }

    /** What a load wrote. */
    public record Report(int ratingProfiles, int destinations, int tariffPlans, int budgets, List<String> errors) {
    }

    /**
     * Writes the data set and waits until every budget command is answered and the streams app rates
     * with the loaded rating profiles (reference data reaches the app's global stores on their own thread).
     *
     * @param tenant the tenant of the budgets (the original files carry none)
     */
    public Report load(DataSet data, String tenant, Duration timeout) throws Exception {
        return load(data, tenant, null, timeout);
    }

    /**
     * As {@link #load(DataSet, String, Duration)}; with a {@code batch}, the budget commands' request ids
     * also carry it, so each budget is set to the loaded value even where the same budget was loaded
     * before and has changed since (the streams app answers a request id it has already processed from
     * its idempotency store, without applying it again).
     *
     * @param batch null for request ids from the content alone, else a name unique to this load
     */
    public Report load(DataSet data, String tenant, String batch, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, byte[]> replies = repliesFromNow();
                KafkaProducer<String, byte[]> producer = producer()) {
            AtomicReference<Exception> failure = new AtomicReference<>();
            Map<List<Integer>, RatingProfile> probes = sendReferenceData(data, producer, failure);
            Map<String, UserBudget> waiting = new HashMap<>();
            for (UserBudget budget : data.userBudgets()) {
                Command command = setBudget(tenant, budget, batch);
                waiting.put(command.requestId(), budget);
                producer.send(new ProducerRecord<>(Topics.ADMIN_COMMANDS, null, command.acceptedAt().toEpochMilli(),
                        command.key(), mapper.writeValueAsBytes(command)), (metadata, e) -> failed(failure, e));
            }
            producer.flush();
            if (failure.get() != null) {
                throw new IllegalStateException("could not write to Kafka at " + bootstrapServers + ": "
                        + failure.get().getMessage(), failure.get());
            }
            List<String> errors = awaitBudgets(waiting, replies, deadline, timeout);
            awaitProfiles(probes.values(), producer, replies, deadline);
            return new Report(data.ratingProfiles().size(), data.destinations().size(), data.tariffPlans().size(),
                    data.userBudgets().size(), errors);
        }
    }

    /**
     * Sends the reference data; returns, for each pair (partition of the profiles topic, partition of the
     * commands topic), the profile last written to the first whose subject's commands go to the second.
     */
    private Map<List<Integer>, RatingProfile> sendReferenceData(DataSet data, KafkaProducer<String, byte[]> producer,
            AtomicReference<Exception> failure) throws Exception {
        // Co-partitioned with ratestream.commands: the same count, the same task for a subscriber.
        int commandPartitions = producer.partitionsFor(Topics.ADMIN_COMMANDS).size();
        Map<List<Integer>, RatingProfile> last = new ConcurrentHashMap<>();
        for (RatingProfile profile : data.ratingProfiles()) {
            int commandPartition = partitionOf(Keys.budget(profile.cstmId(), profile.subject()), commandPartitions);
            // Callbacks of one partition run in the order of its offsets, so the last put is the last record.
            producer.send(new ProducerRecord<>(Topics.RATING_PROFILES, profile.key(), mapper.writeValueAsBytes(profile)),
                    (metadata, e) -> {
                        if (e == null) {
                            last.put(List.of(metadata.partition(), commandPartition), profile);
                        }
                        failed(failure, e);
                    });
        }
        for (var destination : data.destinations()) {
            producer.send(new ProducerRecord<>(Topics.DESTINATIONS, destination.id(),
                    mapper.writeValueAsBytes(destination)), (metadata, e) -> failed(failure, e));
        }
        for (var plan : data.tariffPlans()) {
            producer.send(new ProducerRecord<>(Topics.TARIFF_PLANS, plan.id(), mapper.writeValueAsBytes(plan)),
                    (metadata, e) -> failed(failure, e));
        }
        return last;
    }

    private static void failed(AtomicReference<Exception> failure, Exception e) {
        if (e != null) {
            failure.compareAndSet(null, e);
        }
    }

    /** The partition the producer's default partitioner gives a key: murmur2 of its bytes, as every Kafka client. */
    private static int partitionOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** Waits for the reply to every budget command; returns the refusals, one sentence each. */
    private List<String> awaitBudgets(Map<String, UserBudget> waiting, KafkaConsumer<String, byte[]> replies,
            long deadline, Duration timeout) throws Exception {
        List<String> errors = new ArrayList<>();
        while (!waiting.isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no reply within " + timeout + " for " + waiting.size()
                        + " budgets " + sample(waiting.values().stream().map(UserBudget::id).toList())
                        + ": is the streams app running?");
            }
            for (ConsumerRecord<String, byte[]> record : replies.poll(Duration.ofMillis(100))) {
                UserBudget budget = waiting.remove(record.key());
                if (budget != null) {
                    Reply reply = mapper.readValue(record.value(), Reply.class);
                    if (reply.isError()) {
                        errors.add(budget.id() + ": " + reply.error());
                    }
                }
            }
        }
        return errors;
    }

    /**
     * Probes profiles with a zero-length GetCost at their first activation until the app knows them. A
     * global store applies each partition of the profiles topic in offset order, so an instance that
     * knows the last profile written to a partition knows every earlier one; one probe per pair of
     * profiles partition and commands partition thus reaches every instance that rates a command
     * partition and asks it about each profiles partition.
     */
    private void awaitProfiles(Collection<RatingProfile> profiles, KafkaProducer<String, byte[]> producer,
            KafkaConsumer<String, byte[]> replies, long deadline) throws Exception {
        List<RatingProfile> unknown = new ArrayList<>(profiles);
        int round = 0;
        while (!unknown.isEmpty()) {
            round++;
            Map<String, RatingProfile> probes = new HashMap<>();
            for (RatingProfile profile : unknown) {
                Command probe = probe(profile);
                probes.put(probe.requestId(), profile);
                // On the admin topic too: the same task rates it, and the loader needs no access to the client topic.
                producer.send(new ProducerRecord<>(Topics.ADMIN_COMMANDS, null, probe.acceptedAt().toEpochMilli(),
                        probe.key(), mapper.writeValueAsBytes(probe)));
            }
            producer.flush();
            unknown.clear();
            while (!probes.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the streams app did not apply the rating profiles "
                            + sample(probes.values().stream().map(RatingProfile::key).toList()) + " in time");
                }
                for (ConsumerRecord<String, byte[]> record : replies.poll(Duration.ofMillis(100))) {
                    RatingProfile profile = probes.remove(record.key());
                    if (profile != null) {
                        Reply reply = mapper.readValue(record.value(), Reply.class);
                        // Not found: this instance does not know the profile yet (a tariff gap at the
                        // activation instant would read the same; the deadline then says which profile).
                        if (reply.isError() && reply.errorKind() == ErrorKind.NOT_FOUND) {
                            unknown.add(profile);
                        }
                    }
                }
            }
            if (!unknown.isEmpty()) {
                Thread.sleep(Math.min(1000, 50L * round));
            }
        }
    }

    private Command probe(RatingProfile profile) {
        OffsetDateTime at = profile.activationPeriods().isEmpty() ? OffsetDateTime.now(clock)
                : profile.activationPeriods().get(0).activationTime();
        CallDescriptor call = new CallDescriptor(0, profile.cstmId(), profile.subject(), profile.destinationPrefix(),
                at, at, null, null);
        return new Command("probe:" + UUID.randomUUID(), Method.GET_COST, call, clock.instant(), null, null);
    }

    private static String sample(List<String> names) {
        return names.size() <= SHOWN ? names.toString()
                : names.subList(0, SHOWN).toString().replace("]", ", ...]");
    }

    private Command setBudget(String tenant, UserBudget budget, String batch) throws Exception {
        String content = digest(mapper.writeValueAsString(budget));
        String id = "load:" + tenant + ":" + (batch == null ? content : batch + ":" + content);
        CallDescriptor descriptor = new CallDescriptor(0, tenant, budget.id(), null, null, null, null, null);
        return new Command(id, Method.SET_USER_BUDGET, descriptor, clock.instant(), null, budget);
    }

    private static String digest(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Batches and compresses: a million budgets and two million profiles are gigabytes of JSON. */
    private KafkaProducer<String, byte[]> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        props.putAll(kafkaProperties);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    private KafkaConsumer<String, byte[]> repliesFromNow() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.putAll(kafkaProperties);
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.REPLIES, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(Topics.REPLIES, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(p -> consumer.position(p, Duration.ofSeconds(30)));
        return consumer;
    }
}
