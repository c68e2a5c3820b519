package io.ratestream.app;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.MetricsReporter;

/**
 * A Kafka metrics reporter that records the client id of every client configured with it: a test passes
 * {@code metric.reporters} as a {@code --kafka-property} and sees which clients (producer, consumer, admin)
 * got the property. Every Kafka client loads its reporters from its own configuration.
 */
public final class RecordingReporter implements MetricsReporter {

    /** The client ids of the clients configured with this reporter, in order. */
    public static final Queue<String> CLIENTS = new ConcurrentLinkedQueue<>();

    @Override
    public void configure(Map<String, ?> configs) {
        CLIENTS.add(String.valueOf(configs.get("client.id")));
    }

    @Override
    public void init(List<KafkaMetric> metrics) {
    }

    @Override
    public void metricChange(KafkaMetric metric) {
    }

    @Override
    public void metricRemoval(KafkaMetric metric) {
    }

    @Override
    public void close() {
    }
}
