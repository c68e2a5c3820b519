package io.ratestream.gateway;

import io.ratestream.schemas.topics.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether Kafka answers, checked every second in the background, so that a request can be refused at
 * once with "Kafka is unavailable" instead of waiting for a timeout, and readiness can say so.
 */
final class KafkaHealth implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaHealth.class);

    /** Checks between two refreshes of the streams instances (a check a second). */
    private static final int INSTANCES_EVERY = 5;

    private final Admin admin;
    private final BooleanSupplier publisherReady;
    private final ScheduledExecutorService checker;
    private volatile boolean up;
    private volatile String problem = "not checked yet";
    private volatile List<Map<String, Object>> instances = List.of();
    private int checks;

    /**
     * @param publisherReady asked on the health thread after each successful check: whether the command
     *     publisher can send without blocking (it knows the partitions of the commands and queries topics)
     */
    KafkaHealth(String bootstrapServers, Map<String, String> kafkaProperties, BooleanSupplier publisherReady) {
        this.publisherReady = publisherReady;
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "1500");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "1500");
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
        props.putAll(kafkaProperties);
        admin = Admin.create(props);
        checker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "ratestream-kafka-health");
            thread.setDaemon(true);
            return thread;
        });
    }

    void start() {
        check();
        checker.scheduleWithFixedDelay(this::check, 1, 1, TimeUnit.SECONDS);
    }

    private void check() {
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs(1500)).nodes().get(2, TimeUnit.SECONDS);
            if (!publisherReady.getAsBoolean()) {
                throw new IllegalStateException("the command publisher does not know " + Topics.COMMANDS + " and "
                        + Topics.QUERIES + " yet (the streams app creates them at its first start)");
            }
            if (!up) {
                LOG.info("Kafka answers");
            }
            up = true;
            problem = null;
            if (checks++ % INSTANCES_EVERY == 0) {
                instances = findStreamsInstances();
            }
        } catch (Exception e) {
            if (up) {
                LOG.warn("Kafka does not answer: {}", e.toString());
            }
            up = false;
            problem = e.getCause() != null ? e.getCause().toString() : e.toString();
        } 
    }

    /**
     * The Kafka Streams instances that consume ratestream.commands, as the health thread last found them
     * (every few seconds): never blocks, so a status request on an event loop can read it.
     */
    List<Map<String, Object>> streamsInstances() {
        return instances;
    }

    /**
     * Finds the Kafka Streams instances from the consumer groups (any application id): one entry per
     * instance with its host and command partitions. Empty when Kafka does not answer within a second.
     */
    private List<Map<String, Object>> findStreamsInstances() {
        try {
            List<String> groups = admin.listConsumerGroups().all().get(1, TimeUnit.SECONDS).stream()
                    .map(ConsumerGroupListing::groupId).toList();
            if (groups.isEmpty()) {
                return List.of();
            }
            List<Map<String, Object>> instances = new ArrayList<>();
            for (ConsumerGroupDescription group : admin.describeConsumerGroups(groups).all()
                    .get(1, TimeUnit.SECONDS).values()) {
                for (MemberDescription member : group.members()) {
                    List<Integer> partitions = member.assignment().topicPartitions().stream()
                            .filter(p -> p.topic().equals(Topics.COMMANDS)).map(TopicPartition::partition).sorted()
                            .toList();
                    if (member.clientId().contains("-StreamThread-")) {
                        Map<String, Object> instance = new LinkedHashMap<>();
                        instance.put("Application", group.groupId());
                        instance.put("Host", member.host());
                        instance.put("Client", member.clientId());
                        instance.put("CommandPartitions", partitions);
                        instances.add(instance);
                    }
                }
            }
            return instances;
        } catch (Exception e) {
            return List.of();
        }
    }

    boolean up() {
        return up;
    }

    String problem() {
        return problem;
    }

    @Override
    public void close() {
        checker.shutdownNow();
        admin.close(Duration.ofSeconds(2));
    }
}
