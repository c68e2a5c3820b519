package io.ratestream.streams;

import io.ratestream.schemas.topics.Topic;
import io.ratestream.schemas.topics.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates ratestream's topics when they are missing; leaves existing ones as they are. The commands,
 * replies and events topics get {@code partitions} partitions (commands are keyed by subscriber, so
 * partitions are the unit of scale-out); the commands topic keeps its records forever (it is what a
 * replay rebuilds the budgets from); reference topics are compacted with one partition; dead letters
 * one partition.
 */
public final class TopicSetup {

    private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);

    private TopicSetup() {
    }

    /** Creates what is missing; returns the names it created. */
    public static List<String> ensure(String bootstrapServers, int partitions, short replication) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        try (Admin admin = Admin.create(props)) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (Topic<String, ?> topic : new Topics(io.ratestream.schemas.json.Json.newMapper()).all()) {
                if (!existing.contains(topic.name())) {
                    missing.add(newTopic(topic, partitions, replication));
                }
            }
            List<String> created = new ArrayList<>();
            for (NewTopic topic : missing) {
                try {
                    admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
                    created.add(topic.name());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + topic.name() + ": " + e.getCause(), e);
                    }
                }
            }
            if (!created.isEmpty()) {
                LOG.info("created topics {}", created);
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

    private static NewTopic newTopic(Topic<String, ?> topic, int partitions, short replication) {
        if (topic.compacted()) {
            return new NewTopic(topic.name(), 1, replication)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        }
        int count = topic.name().equals(Topics.DEAD_LETTERS) ? 1 : partitions;
        NewTopic created = new NewTopic(topic.name(), count, replication);
        if (topic.name().equals(Topics.COMMANDS)) {
            // The command log is the source of truth: replay rebuilds every budget from it.
            created.configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, "-1"));
        }
        return created;
    }
}
