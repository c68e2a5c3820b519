package io.ratestream.streams;

import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.topics.Topic;
import io.ratestream.schemas.topics.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates ratestream's topics when they are missing; leaves existing ones as they are. The commands,
 * replies and events topics get {@code partitions} partitions (commands are keyed by subscriber, so
 * partitions are the unit of scale-out); the two command topics keep their records forever (they are
 * what a replay rebuilds the budgets from); {@code ratestream.queries} keeps its records for
 * {@link #QUERIES_RETENTION} only (nothing is rebuilt from it); reference topics are compacted with one
 * partition; dead letters one partition.
 *
 * <p>{@code ratestream.admin-commands} and {@code ratestream.queries} are co-partitioned with
 * {@code ratestream.commands}: they are created with exactly the commands topic's partition count (the
 * existing one's, when that exists), and set-up refuses to go on when two of them exist with different
 * counts, since the streams app could not read them into the same budgets.
 *
 * <p>Topics that exist but that the principal may not describe look missing to it: creating them then
 * fails with Kafka's authorization error, which names the topic. With ACLs, an administrator creates the
 * topics first (docs/security.md) and the streams app's principal only checks them.
 */
public final class TopicSetup {

    private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);
    private static final int TIMEOUT_SECONDS = 30;
    /** The topics that must have the same partition count: read by one source node, into the same tasks. */
    private static final List<String> CO_PARTITIONED = List.of(Topics.COMMANDS, Topics.ADMIN_COMMANDS, Topics.QUERIES);

    /**
     * How long {@code ratestream.queries} keeps a record ({@code retention.ms} of the topic when set-up
     * creates it): 1 hour. A query is useless once its gateway stopped waiting (the reply timeout, seconds),
     * and no replay reads the topic; the hour leaves time to look at recent queries with a console consumer
     * and lets a streams app that was down for less than that answer what was sent meanwhile (to nobody).
     * An existing topic keeps its setting: change it with {@code kafka-configs --alter --add-config
     * retention.ms=N} (docs/topics.md).
     */
    public static final Duration QUERIES_RETENTION = Duration.ofHours(1);
    /**
     * How often the broker starts a new segment of {@code ratestream.queries} ({@code segment.ms}): 10
     * minutes. Kafka deletes whole segments, never the one being written: with its default of 7 days a
     * quiet topic would keep a week of queries whatever {@link #QUERIES_RETENTION} says; with 10 minutes a
     * record is gone at most about retention + 10 minutes + the broker's retention check interval (5
     * minutes by default) after it was written.
     */
    public static final Duration QUERIES_SEGMENT = Duration.ofMinutes(10);

    private TopicSetup() {
    }

    /** Creates what is missing, with no client properties of its own; returns the names it created. */
    public static List<String> ensure(String bootstrapServers, int partitions, short replication) {
        return ensure(bootstrapServers, Map.of(), partitions, Replication.of(replication));
    }

    /** Creates what is missing with a fixed replication factor and the broker's min.insync.replicas. */
    public static List<String> ensure(String bootstrapServers, Map<String, String> kafkaProperties, int partitions,
            short replication) {
        return ensure(bootstrapServers, kafkaProperties, partitions, Replication.of(replication));
    }

    /**
     * Creates what is missing; returns the names it created.
     *
     * @param kafkaProperties client properties applied after set-up's own (security settings); never null
     * @param replication copies of each new topic and min.insync.replicas ({@link Replication#DEFAULTS}: the
     *     broker's); topics that exist keep theirs
     * @throws IllegalStateException when Kafka cannot be reached, a topic cannot be created, or the
     *     co-partitioned topics (commands, admin commands, queries) have different partition counts; the
     *     message says what to do
     */
    public static List<String> ensure(String bootstrapServers, Map<String, String> kafkaProperties, int partitions,
            Replication replication) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        props.putAll(kafkaProperties);
        try (Admin admin = Admin.create(props)) {
            Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            Map<String, Integer> counts = partitionCounts(admin, existing);
            requireCoPartitioned(counts);
            int commandPartitions = counts.getOrDefault(Topics.COMMANDS, partitions);
            List<NewTopic> missing = new ArrayList<>();
            for (Topic<String, ?> topic : new Topics(Json.newMapper()).all()) {
                if (!existing.contains(topic.name())) {
                    missing.add(newTopic(topic, partitions, commandPartitions, replication));
                }
            }
            List<String> created = create(admin, missing);
            if (!missing.isEmpty()) {
                // Someone else may have created a command topic since we looked (or the broker did not list it
                // yet): check them as they are now.
                requireCoPartitioned(partitionCountsOnceKnown(admin));
            }
            return created;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot reach Kafka at " + bootstrapServers
                    + " to create topics: is it running? (" + e + ")", e);
        }
    }

    private static void requireCoPartitioned(Map<String, Integer> counts) {
        Integer commandPartitions = counts.get(Topics.COMMANDS);
        Integer adminPartitions = counts.get(Topics.ADMIN_COMMANDS);
        if (commandPartitions != null && adminPartitions != null && !adminPartitions.equals(commandPartitions)) {
            throw new IllegalStateException(Topics.ADMIN_COMMANDS + " has " + adminPartitions + " partitions and "
                    + Topics.COMMANDS + " " + commandPartitions + ": they must have the same count, since "
                    + "partition p of both holds the same subscribers' commands; recreate the one that is newer "
                    + "(an empty " + Topics.ADMIN_COMMANDS + " can be deleted and is created again at the next "
                    + "start) or add partitions to the other before anything is written with the new count");
        }
        Integer queryPartitions = counts.get(Topics.QUERIES);
        Integer reference = commandPartitions != null ? commandPartitions : adminPartitions;
        if (queryPartitions != null && reference != null && !queryPartitions.equals(reference)) {
            String other = commandPartitions != null ? Topics.COMMANDS : Topics.ADMIN_COMMANDS;
            throw new IllegalStateException(Topics.QUERIES + " has " + queryPartitions + " partitions and " + other
                    + " " + reference + ": they must have the same count, since partition p of both holds the same "
                    + "subscribers' requests (a query must meet the subscriber's budget in its task); delete "
                    + Topics.QUERIES + " (it holds only recent queries, which nobody waits for once the gateways "
                    + "are stopped) and it is created again at the next start, or add partitions to it");
        }
    }

    /** The counts of both command topics, waiting (a little) for the broker to know a topic just created. */
    private static Map<String, Integer> partitionCountsOnceKnown(Admin admin)
            throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (true) {
            try {
                return partitionCounts(admin, Set.copyOf(CO_PARTITIONED));
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private static Map<String, Integer> partitionCounts(Admin admin, Set<String> existing)
            throws InterruptedException, ExecutionException, TimeoutException {
        List<String> commandTopics = CO_PARTITIONED.stream().filter(existing::contains).toList();
        Map<String, TopicDescription> descriptions = admin.describeTopics(commandTopics).allTopicNames()
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        Map<String, Integer> counts = new java.util.HashMap<>();
        descriptions.forEach((name, description) -> counts.put(name, description.partitions().size()));
        return counts;
    }

    private static List<String> create(Admin admin, List<NewTopic> missing)
            throws InterruptedException, TimeoutException {
        List<String> created = new ArrayList<>();
        for (NewTopic topic : missing) {
            try {
                admin.createTopics(List.of(topic)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                created.add(topic.name());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topic " + topic.name() + ": " + e.getCause()
                            + (e.getCause() instanceof org.apache.kafka.common.errors.AuthorizationException
                                    ? " (with ACLs, an administrator creates the topics: see docs/security.md)" : ""),
                            e);
                }
            }
        }
        if (!created.isEmpty()) {
            LOG.info("created topics {}", created);
        }
        return created;
    }

    private static NewTopic newTopic(Topic<String, ?> topic, int partitions, int commandPartitions,
            Replication replication) {
        Map<String, String> configs = replication.topicConfigs();
        if (topic.compacted()) {
            configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
            return new NewTopic(topic.name(), Optional.of(1), replication.factorForNewTopic()).configs(configs);
        }
        int count = switch (topic.name()) {
            case Topics.DEAD_LETTERS -> 1;
            case Topics.COMMANDS, Topics.ADMIN_COMMANDS, Topics.QUERIES -> commandPartitions;
            default -> partitions;
        };
        if (topic.name().equals(Topics.COMMANDS) || topic.name().equals(Topics.ADMIN_COMMANDS)) {
            // The command logs are the source of truth: replay rebuilds every budget from them.
            configs.put(TopicConfig.RETENTION_MS_CONFIG, "-1");
        }
        if (topic.name().equals(Topics.QUERIES)) {
            // Queries change nothing and nobody retries them: kept only for a while (see QUERIES_RETENTION).
            configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
            configs.put(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(QUERIES_RETENTION.toMillis()));
            configs.put(TopicConfig.SEGMENT_MS_CONFIG, String.valueOf(QUERIES_SEGMENT.toMillis()));
        }
        return new NewTopic(topic.name(), Optional.of(count), replication.factorForNewTopic()).configs(configs);
    }
}
