package io.ratestream.gateway;

import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.json.JsonSerde;
import io.ratestream.schemas.topics.Topics;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes commands to ratestream.commands, keyed {@code tenant:subject}: idempotent, acks=all, no
 * linger (a request waits for nothing but the broker), and failing within a few seconds when Kafka is
 * gone rather than the producer's default two minutes.
 */
final class CommandPublisher implements AutoCloseable {

    private final KafkaProducer<String, Command> producer;

    CommandPublisher(String bootstrapServers, Map<String, String> kafkaProperties, JsonSerde<Command> commands) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        // Adaptive batching: no wait when idle, and under load every command that arrives while one produce
        // request is out joins the next batch (docs/performance.md measured +18% throughput, lower p99).
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "2000");
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "4000");
        props.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
        props.putAll(kafkaProperties);
        producer = new KafkaProducer<>(props, new StringSerializer(), commands);
    }

    /** Sends a command; completes when Kafka has it, or fails. */
    CompletableFuture<Void> send(Command command) {
        CompletableFuture<Void> sent = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(Topics.COMMANDS, null, command.acceptedAt().toEpochMilli(),
                    command.key(), command), (metadata, error) -> {
                        if (error == null) {
                            sent.complete(null);
                        } else {
                            sent.completeExceptionally(error);
                        }
                    });
        } catch (RuntimeException e) {
            sent.completeExceptionally(e);
        }
        return sent;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
