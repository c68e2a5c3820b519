package io.ratestream.app.bench;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Kafka's own floor against the same broker: one record produced (acks=all, no linger) and consumed,
 * one at a time, as kafka-tools' EndToEndLatency does. Every bench figure is also given as a ratio to
 * this loop's p50.
 */
final class Floor {

    static final String TOPIC = "ratestream.bench-floor";
    private static final int WARM_UP = 100;

    /** The loop's latencies, in microseconds. */
    record Result(Histogram micros) {
        double p50Millis() {
            return micros.getValueAtPercentile(50) / 1000.0;
        }

        double p99Millis() {
            return micros.getValueAtPercentile(99) / 1000.0;
        }
    }

    private final String bootstrap;
    private final Map<String, String> kafkaProperties;

    /** @param kafkaProperties client properties applied after the floor's own, to its admin, producer and consumer */
    Floor(String bootstrap, Map<String, String> kafkaProperties) {
        this.bootstrap = bootstrap;
        this.kafkaProperties = Map.copyOf(kafkaProperties);
    }

    Result measure(int roundTrips) throws Exception {
        createTopic();
        TopicPartition partition = new TopicPartition(TOPIC, 0);
        Histogram histogram = new Histogram(3);
        try (KafkaProducer<byte[], byte[]> producer = producer(); KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            consumer.assign(List.of(partition));
            consumer.seekToEnd(List.of(partition));
            consumer.position(partition, Duration.ofSeconds(30));
            byte[] value = new byte[100];
            for (int i = 0; i < WARM_UP + roundTrips; i++) {
                long start = System.nanoTime();
                producer.send(new ProducerRecord<>(TOPIC, 0, null, value)).get();
                int received = 0;
                while (received == 0) {
                    if (System.nanoTime() - start > 30_000_000_000L) {
                        throw new IllegalStateException("the floor's record did not come back within 30 s from " + TOPIC);
                    }
                    received = consumer.poll(Duration.ofMillis(100)).count();
                }
                if (i >= WARM_UP) {
                    histogram.recordValue((System.nanoTime() - start) / 1000);
                }
            }
        }
        return new Result(histogram);
    }

    private void createTopic() throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.putAll(kafkaProperties);
        try (Admin admin = Admin.create(props)) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        props.putAll(kafkaProperties);
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
        props.putAll(kafkaProperties);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
