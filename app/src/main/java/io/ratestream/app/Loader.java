package io.ratestream.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.files.DataSet;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.model.RatingProfile;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.reply.Reply;
import io.ratestream.schemas.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Loads a data set in the original formats into a running system: reference data onto the compacted
 * topics, budgets as {@code SetUserBudget} commands, then waits for every budget's reply. A budget's
 * request id is derived from its tenant and content, so loading the same files twice changes nothing.
 * The data set is read and validated completely (by {@code CgratesFiles}) before this writes anything.
 */
public final class Loader {

    private final String bootstrapServers;
    private final ObjectMapper mapper = Json.newMapper();
    private final Clock clock;

    public Loader(String bootstrapServers, Clock clock) {
        this.bootstrapServers = bootstrapServers;
        this.clock = clock;
    }

    /** What a load wrote. */
    public record Report(int ratingProfiles, int destinations, int tariffPlans, int budgets, List<String> errors) {
    }

    /**
     * Writes the data set and waits until every budget command is answered and the streams app rates
     * with every loaded rating profile (one GetCost probe per profile, repeated until it no longer
     * says "no rating profile"; reference data reaches the app's global stores on their own thread).
     *
     * @param tenant the tenant of the budgets (the original files carry none)
     */
    public Report load(DataSet data, String tenant, Duration timeout) throws Exception {
        Map<String, UserBudget> waiting = new HashMap<>();
        List<String> errors = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, byte[]> replies = repliesFromNow();
                KafkaProducer<String, byte[]> producer = producer()) {
            for (var profile : data.ratingProfiles()) {
                producer.send(new ProducerRecord<>(Topics.RATING_PROFILES, profile.key(), mapper.writeValueAsBytes(profile)));
            }
            for (var destination : data.destinations()) {
                producer.send(new ProducerRecord<>(Topics.DESTINATIONS, destination.id(),
                        mapper.writeValueAsBytes(destination)));
            }
            for (var plan : data.tariffPlans()) {
                producer.send(new ProducerRecord<>(Topics.TARIFF_PLANS, plan.id(), mapper.writeValueAsBytes(plan)));
            }
            for (UserBudget budget : data.userBudgets()) {
                Command command = setBudget(tenant, budget);
                waiting.put(command.requestId(), budget);
                producer.send(new ProducerRecord<>(Topics.COMMANDS, null, command.acceptedAt().toEpochMilli(),
                        command.key(), mapper.writeValueAsBytes(command)));
            }
            producer.flush();
            while (!waiting.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no reply within " + timeout + " for the budgets "
                            + waiting.values().stream().map(UserBudget::id).toList() + ": is the streams app running?");
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
            awaitProfiles(data.ratingProfiles(), producer, replies, deadline);
        }
        return new Report(data.ratingProfiles().size(), data.destinations().size(), data.tariffPlans().size(),
                data.userBudgets().size(), errors);
    }

    /** Probes each profile with a zero-length GetCost at its first activation until the app knows it. */
    private void awaitProfiles(List<RatingProfile> profiles, KafkaProducer<String, byte[]> producer,
            KafkaConsumer<String, byte[]> replies, long deadline) throws Exception {
        List<RatingProfile> unknown = new ArrayList<>(profiles);
        int round = 0;
        while (!unknown.isEmpty()) {
            round++;
            Map<String, RatingProfile> probes = new HashMap<>();
            for (RatingProfile profile : unknown) {
                OffsetDateTime at = profile.activationPeriods().isEmpty() ? OffsetDateTime.now(clock)
                        : profile.activationPeriods().get(0).activationTime();
                CallDescriptor call = new CallDescriptor(0, profile.cstmId(), profile.subject(),
                        profile.destinationPrefix(), at, at, null, null);
                Command probe = new Command("probe:" + UUID.randomUUID(), Method.GET_COST, call, clock.instant(), null,
                        null);
                probes.put(probe.requestId(), profile);
                producer.send(new ProducerRecord<>(Topics.COMMANDS, null, probe.acceptedAt().toEpochMilli(), probe.key(),
                        mapper.writeValueAsBytes(probe)));
            }
            producer.flush();
            unknown.clear();
            while (!probes.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the streams app did not apply the rating profiles "
                            + probes.values().stream().map(RatingProfile::key).toList() + " in time");
                }
                for (ConsumerRecord<String, byte[]> record : replies.poll(Duration.ofMillis(100))) {
                    RatingProfile profile = probes.remove(record.key());
                    if (profile != null) {
                        Reply reply = mapper.readValue(record.value(), Reply.class);
                        if (reply.isError() && reply.error().startsWith("no rating profile")) {
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

    private Command setBudget(String tenant, UserBudget budget) throws Exception {
        String id = "load:" + tenant + ":" + digest(mapper.writeValueAsString(budget));
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

    private KafkaProducer<String, byte[]> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    private KafkaConsumer<String, byte[]> repliesFromNow() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.REPLIES, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(Topics.REPLIES, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(p -> consumer.position(p, Duration.ofSeconds(30)));
        return consumer;
    }
}
