package io.ratestream.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.topics.Topics;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Gives a running streams app the idempotency entries of a long-running one: {@code N} DebitBalance
 * commands of 0 for one subscriber, each with its own request id and an {@code AcceptedAt} days in the
 * past, written to {@code ratestream.commands}; waits until the application has committed past them.
 * The load that follows (a later {@code AcceptedAt}) then moves the task's forgetting watermark past
 * them, and each of its commands also forgets entries, as in a deployment that has run longer than twice
 * the idempotency retention: what a fresh benchmark stack never pays.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.ratestream.benchmarks.ProcessedBacklog \
 *   --bootstrap 127.0.0.1:9092 --application-id ratestream --entries 1000000 --subscriber vdf:minutosu
 * </pre>
 */
public final class ProcessedBacklog {

    private ProcessedBacklog() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = "127.0.0.1:9092";
        String applicationId = "ratestream";
        long entries = 1_000_000;
        String subscriber = "vdf:minutosu";
        Duration age = Duration.ofDays(3);
        for (int i = 0; i < args.length; i += 2) {
            String value = args[i + 1];
            switch (args[i]) {
                case "--bootstrap" -> bootstrap = value;
                case "--application-id" -> applicationId = value;
                case "--entries" -> entries = Long.parseLong(value);
                case "--subscriber" -> subscriber = value;
                case "--age-hours" -> age = Duration.ofHours(Long.parseLong(value));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        String[] key = subscriber.split(":", 2);
        ObjectMapper mapper = Json.newMapper();
        Instant at = Instant.now().minus(age);
        String run = UUID.randomUUID().toString().substring(0, 8);
        CallDescriptor zero = new CallDescriptor(0, key[0], key[1], null, null, null, BigDecimal.ZERO, null);
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        AtomicReference<Exception> failure = new AtomicReference<>();
        long started = System.nanoTime();
        int partition;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            for (long n = 0; n < entries && failure.get() == null; n++) {
                Command command = new Command("backlog-" + run + "-" + n, Method.DEBIT_BALANCE, zero,
                        at.plusMillis(n / 100), null, null);
                producer.send(new ProducerRecord<>(Topics.COMMANDS, null, command.acceptedAt().toEpochMilli(),
                        command.key(), mapper.writeValueAsBytes(command)), (metadata, e) -> {
                            if (e != null) {
                                failure.compareAndSet(null, e);
                            }
                        });
            }
            producer.flush();
            if (failure.get() != null) {
                throw failure.get();
            }
            partition = producer.send(new ProducerRecord<>(Topics.COMMANDS, null, at.toEpochMilli(), subscriber,
                    mapper.writeValueAsBytes(new Command("backlog-" + run + "-end", Method.DEBIT_BALANCE, zero, at,
                            null, null)))).get().partition();
        }
        System.out.printf("wrote %,d commands for %s (partition %d) in %.1f s, accepted at %s%n", entries + 1,
                subscriber, partition, (System.nanoTime() - started) / 1e9, at);
        awaitCommitted(bootstrap, applicationId, new TopicPartition(Topics.COMMANDS, partition));
        System.out.printf("processed by %s after %.1f s%n", applicationId, (System.nanoTime() - started) / 1e9);
    }

    /** Waits until the application's committed offset of the partition reaches the partition's end. */
    private static void awaitCommitted(String bootstrap, String applicationId, TopicPartition partition)
            throws InterruptedException {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, applicationId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            while (true) {
                OffsetAndMetadata committed = consumer.committed(Set.of(partition)).get(partition);
                if (committed != null && committed.offset() >= end) {
                    return;
                }
                Thread.sleep(500);
            }
        }
    }
}
