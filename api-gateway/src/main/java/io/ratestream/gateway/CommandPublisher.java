package io.ratestream.gateway;

import io.ratestream.gateway.rpc.RpcException;
import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.json.JsonSerde;
import io.ratestream.schemas.reply.ErrorKind;
import io.ratestream.schemas.topics.Topics;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes commands to ratestream.commands, and queries that nobody can retry to ratestream.queries (see
 * {@link #send}), keyed {@code tenant:subject}: idempotent, acks=all, no
 * linger (a request waits for nothing but the broker), and failing within a few seconds when Kafka is
 * gone rather than the producer's default two minutes.
 *
 * <p>{@link #send} never blocks the caller, which is often a Netty event loop: {@code max.block.ms} is 0,
 * so a send the producer cannot take at once (the topic's partitions not known yet, the buffer full)
 * fails at once, as "unavailable" or "busy", and the health thread keeps the topic's metadata known
 * ({@link #ready}).
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
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "0");
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "4000");
        props.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
        props.putAll(kafkaProperties);
        producer = new KafkaProducer<>(props, new StringSerializer(), commands);
    }

    /**
     * Whether a send can go out without waiting: the producer knows the partitions of both topics it writes.
     * Asks for them when it does not; called by the health thread, never per request.
     */
    boolean ready() {
        try {
            return !producer.partitionsFor(Topics.COMMANDS).isEmpty() && !producer.partitionsFor(Topics.QUERIES).isEmpty();
        } catch (KafkaException e) {
            return false; // not known yet: the call asked for it, the next check will see it
        }
    }

    /**
     * Sends a command without blocking; completes when Kafka has it, or fails. A send the producer refused
     * on the spot (nothing was sent) fails with an {@link RpcException}: busy when its buffer is full,
     * unavailable otherwise; any later failure is the producer's exception (the command may have reached
     * Kafka).
     *
     * @param query true to write it to ratestream.queries: only for a method that changes no budget and
     *     whose request id the gateway made up (nobody can retry it), so that it needs no idempotency entry
     *     and no place in the permanent log; false for ratestream.commands
     */
    CompletableFuture<Void> send(Command command, boolean query) {
        if (query && command.method().changesBudget()) {
            throw new IllegalArgumentException(command.method().wireName() + " changes a budget: never a query");
        }
        String topic = query ? Topics.QUERIES : Topics.COMMANDS;
        CompletableFuture<Void> sent = new CompletableFuture<>();
        // The producer reports a send it refuses on the spot through the callback, before send() returns.
        AtomicBoolean accepted = new AtomicBoolean();
        try {
            producer.send(new ProducerRecord<>(topic, null, command.acceptedAt().toEpochMilli(),
                    command.key(), command), (metadata, error) -> {
                        if (error == null) {
                            sent.complete(null);
                        } else {
                            sent.completeExceptionally(accepted.get() ? error : refused(error));
                        }
                    });
            accepted.set(true);
        } catch (RuntimeException e) {
            sent.completeExceptionally(refused(e));
        }
        return sent;
    }

    private static RpcException refused(Throwable error) {
        if (error instanceof BufferExhaustedException) {
            return new RpcException(ErrorKind.BUSY, "busy: the gateway's Kafka producer buffer is full: retry shortly");
        }
        return new RpcException(ErrorKind.UNAVAILABLE, "Kafka cannot take the request now ("
                + error.getClass().getSimpleName() + "): try again shortly");
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
