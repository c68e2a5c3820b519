package io.ratestream.streams;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import io.ratestream.streams.topology.ProcessingErrors;
import io.ratestream.streams.topology.ProductionErrors;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;

/**
 * Everything the streams app is configured with, loaded once in {@code main} and passed to
 * constructors.
 *
 * @param bootstrapServers Kafka bootstrap servers; never null
 * @param applicationId Kafka Streams application id (consumer group, internal topic prefix); never null
 * @param stateDir where the state stores live (RocksDB); never null
 * @param processingGuarantee {@code exactly_once_v2} (default) or {@code at_least_once} (for measurements only)
 * @param commitInterval how often transactions commit; under exactly-once also the longest a reply
 *     waits before a read_committed reader can see it
 * @param pollInterval the longest the stream thread blocks waiting for records
 * @param producerLinger the Streams producer's linger (Streams' own default is 100 ms)
 * @param streamThreads stream threads of this instance
 * @param idempotencyRetention how long a request id's reply is kept and replayed to retries
 * @param refillCheck how often budgets are checked for a due monthly refill; null disables the check
 * @param partitions partitions of the commands topic when this app creates it
 * @param replicationFactor replication of the topics this app creates
 * @param kafkaProperties Kafka Streams and client properties applied after ratestream's own (security
 *     settings for a real cluster, tuning for measurements); they win over everything above, the
 *     processing guarantee included; never null
 */
public record StreamsAppConfig(
        String bootstrapServers,
        String applicationId,
        Path stateDir,
        String processingGuarantee,
        Duration commitInterval,
        Duration pollInterval,
        Duration producerLinger,
        int streamThreads,
        Duration idempotencyRetention,
        Duration refillCheck,
        int partitions,
        short replicationFactor,
        Map<String, String> kafkaProperties) {

    public StreamsAppConfig {
        kafkaProperties = Map.copyOf(kafkaProperties);
    }

    /** Default application id. */
    public static final String DEFAULT_APPLICATION_ID = "ratestream";

    /** The defaults (see docs/design.md for why these latency settings), against a given cluster and state dir. */
    public static StreamsAppConfig defaults(String bootstrapServers, Path stateDir) {
        return new StreamsAppConfig(bootstrapServers, DEFAULT_APPLICATION_ID, stateDir,
                StreamsConfig.EXACTLY_ONCE_V2, Duration.ofMillis(100), Duration.ofMillis(5), Duration.ZERO, 1,
                Duration.ofHours(24), Duration.ofMinutes(15), 4, (short) 1, Map.of());
    }

    public StreamsAppConfig withApplicationId(String value) {
        return new StreamsAppConfig(bootstrapServers, value, stateDir, processingGuarantee, commitInterval,
                pollInterval, producerLinger, streamThreads, idempotencyRetention, refillCheck, partitions,
                replicationFactor, kafkaProperties);
    }

    public StreamsAppConfig withCommitInterval(Duration value) {
        return new StreamsAppConfig(bootstrapServers, applicationId, stateDir, processingGuarantee, value,
                pollInterval, producerLinger, streamThreads, idempotencyRetention, refillCheck, partitions,
                replicationFactor, kafkaProperties);
    }

    public StreamsAppConfig withProcessingGuarantee(String value) {
        return new StreamsAppConfig(bootstrapServers, applicationId, stateDir, value, commitInterval,
                pollInterval, producerLinger, streamThreads, idempotencyRetention, refillCheck, partitions,
                replicationFactor, kafkaProperties);
    }

    public StreamsAppConfig withStateDir(Path value) {
        return new StreamsAppConfig(bootstrapServers, applicationId, value, processingGuarantee, commitInterval,
                pollInterval, producerLinger, streamThreads, idempotencyRetention, refillCheck, partitions,
                replicationFactor, kafkaProperties);
    }

    public StreamsAppConfig withRefillCheck(Duration value) {
        return new StreamsAppConfig(bootstrapServers, applicationId, stateDir, processingGuarantee, commitInterval,
                pollInterval, producerLinger, streamThreads, idempotencyRetention, value, partitions,
                replicationFactor, kafkaProperties);
    }

    public StreamsAppConfig withKafkaProperties(Map<String, String> value) {
        return new StreamsAppConfig(bootstrapServers, applicationId, stateDir, processingGuarantee, commitInterval,
                pollInterval, producerLinger, streamThreads, idempotencyRetention, refillCheck, partitions,
                replicationFactor, value);
    }

    public StreamsAppConfig withPartitions(int value) {
        return new StreamsAppConfig(bootstrapServers, applicationId, stateDir, processingGuarantee, commitInterval,
                pollInterval, producerLinger, streamThreads, idempotencyRetention, refillCheck, value,
                replicationFactor, kafkaProperties);
    }

    /** The Kafka Streams properties. */
    public Properties toProperties() {
        Properties props = new Properties();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toAbsolutePath().toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, processingGuarantee);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(commitInterval.toMillis()));
        props.put(StreamsConfig.POLL_MS_CONFIG, Long.toString(pollInterval.toMillis()));
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(streamThreads));
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, Short.toString(replicationFactor));
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG),
                Long.toString(producerLinger.toMillis()));
        // Adaptive batching, as in the gateway's producer: linger 0, one produce request out at a time.
        props.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION), "1");
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // A stalled peer is noticed in seconds, not the default 45 s: budgets move on quickly.
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), "10000");
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), "2000");
        // One record never stops a thread: a record that cannot be read, processed or written is skipped
        // and reported (see the handlers); the global thread, which cannot be replaced, is covered too.
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                LogAndContinueExceptionHandler.class.getName());
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, ProcessingErrors.class.getName());
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true");
        props.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, ProductionErrors.class.getName());
        props.putAll(kafkaProperties);
        return props;
    }
}
