package io.ratestream.streams.it;

import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.files.DataSet;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.model.RatingProfile;
import io.ratestream.schemas.reply.Reply;
import io.ratestream.schemas.topics.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A plain Kafka client of the pipeline, as a gateway is: produces commands, reads replies
 * (read_committed) by request id. Also loads reference data.
 */
final class TestClient implements AutoCloseable {

    private final Topics topics = new Topics(Json.newMapper());
    private final KafkaProducer<String, Command> commands;
    private final KafkaProducer<String, Object> reference;
    private final KafkaConsumer<String, Reply> replies;
    private final Map<String, CompletableFuture<Reply>> pending = new ConcurrentHashMap<>();
    private final Map<String, Integer> partitions = new ConcurrentHashMap<>();
    private final Thread poller;
    private volatile boolean running = true;

    TestClient(String bootstrap) {
        Properties producer = new Properties();
        producer.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        producer.put(ProducerConfig.ACKS_CONFIG, "all");
        producer.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        producer.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        commands = new KafkaProducer<>(producer, new StringSerializer(), topics.commands().valueSerde().serializer());
        reference = new KafkaProducer<>(producer, new StringSerializer(), (topic, value) -> {
            try {
                return value == null ? null : Json.newMapper().writeValueAsBytes(value);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        });
        Properties consumer = new Properties();
        consumer.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        replies = new KafkaConsumer<>(consumer, new StringDeserializer(), topics.replies().valueSerde().deserializer());
        List<TopicPartition> partitions = replies.partitionsFor(Topics.REPLIES, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(Topics.REPLIES, p.partition())).toList();
        replies.assign(partitions);
        replies.seekToEnd(partitions);
        partitions.forEach(p -> replies.position(p, Duration.ofSeconds(30)));
        poller = new Thread(this::poll, "test-client-replies");
        poller.setDaemon(true);
        poller.start();
    }

    /** Loads the reference data of a data set; profiles also copied for extra subjects. */
    void loadReference(DataSet data, List<String> extraSubjectsLike, String like) throws Exception {
        for (RatingProfile profile : data.ratingProfiles()) {
            reference.send(new ProducerRecord<>(Topics.RATING_PROFILES, profile.key(), profile)).get();
            if (profile.subject().equals(like)) {
                for (String subject : extraSubjectsLike) {
                    RatingProfile copy = new RatingProfile(profile.tor(), profile.cstmId(), subject,
                            profile.destinationPrefix(), profile.activationPeriods());
                    reference.send(new ProducerRecord<>(Topics.RATING_PROFILES, copy.key(), copy)).get();
                }
            }
        }
        for (var destination : data.destinations()) {
            reference.send(new ProducerRecord<>(Topics.DESTINATIONS, destination.id(), destination)).get();
        }
        for (var plan : data.tariffPlans()) {
            reference.send(new ProducerRecord<>(Topics.TARIFF_PLANS, plan.id(), plan)).get();
        }
    }

    /**
     * Sends a command where it belongs (a budget-setting one on ratestream.admin-commands, any other on
     * ratestream.commands); the future completes with its reply.
     */
    CompletableFuture<Reply> send(Command command) {
        return sendOn(command.method().adminOnly() ? Topics.ADMIN_COMMANDS : Topics.COMMANDS, command);
    }

    /** Sends a command on the given topic; the future completes with its reply. */
    CompletableFuture<Reply> sendOn(String topic, Command command) {
        CompletableFuture<Reply> reply = pending.computeIfAbsent(command.requestId(), id -> new CompletableFuture<>());
        commands.send(new ProducerRecord<>(topic, null, command.acceptedAt().toEpochMilli(), command.key(), command));
        return reply;
    }

    /** Sends a command and waits for its reply. */
    Reply call(Command command, Duration timeout) throws Exception {
        try {
            return send(command).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            pending.remove(command.requestId());
            throw e;
        }
    }

    /** The partition the reply of a request arrived on, or null. */
    Integer replyPartition(String requestId) {
        return partitions.get(requestId);
    }

    /** Forgets a request so that it can be sent again and waited for. */
    void forget(String requestId) {
        pending.remove(requestId);
    }

    private void poll() {
        try {
            while (running) {
                for (ConsumerRecord<String, Reply> record : replies.poll(Duration.ofMillis(50))) {
                    partitions.put(record.key(), record.partition());
                    CompletableFuture<Reply> waiting = pending.remove(record.key());
                    if (waiting != null) {
                        waiting.complete(record.value());
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        replies.wakeup();
        poller.join(5000);
        replies.close();
        commands.close();
        reference.close();
    }
}
