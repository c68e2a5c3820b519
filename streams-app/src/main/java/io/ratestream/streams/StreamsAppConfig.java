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
 * @param sessionGrace how long a prepaid session may go past its last grant with no update or end before
 *     the service ends it as if every granted second was used (docs/sessions.md); never null nor negative
 * @param partitions partitions of the commands topic when this app creates it
 * @param replication copies and min.insync.replicas of the topics this app creates, its own and Kafka
 *     Streams' internal ones ({@link Replication#DEFAULTS}: the cluster's defaults)
 * @param standbyReplicas warm copies of each task's state kept on other instances, so that a killed
 *     instance's partitions move to one that has its budgets already (placed only where another instance
 *     runs)
 * @param sessionTimeout how long the group waits for a silent instance before moving its partitions;
 *     raised at start-up to the broker's {@code group.min.session.timeout.ms} when that is higher
 * @param transactionTimeout under exactly-once, how long a transaction may stay open before the brokers
 *     abort it: also how long a killed instance's open transaction holds back the partitions it was
 *     processing (their committed offsets stay unstable until it is aborted); Kafka Streams' own default
 *     is 10 s
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
        Duration sessionGrace,
        int partitions,
        Replication replication,
        int standbyReplicas,
        Duration sessionTimeout,
        Duration transactionTimeout,
        Map<String, String> kafkaProperties) {

    /** Default application id. */
    public static final String DEFAULT_APPLICATION_ID = "ratestream";
    /** Default transaction commit interval, in ms (docs/design.md says why). */
    public static final long DEFAULT_COMMIT_INTERVAL_MS = 300;
    /** Default partitions of the topics the app creates. */
    public static final int DEFAULT_PARTITIONS = 4;
    /** Default stream threads per instance. */
    public static final int DEFAULT_STREAM_THREADS = 1;
    /** Default hours a request id's reply is kept for retries. */
    public static final long DEFAULT_IDEMPOTENCY_RETENTION_HOURS = 24;
    /** Default standby replicas: one warm copy of each task, where a second instance runs. */
    public static final int DEFAULT_STANDBY_REPLICAS = 1;
    /**
     * Default consumer session timeout, in ms: a killed instance's partitions move after about this
     * long. Below Kafka's default broker minimum (6,000 ms), so on such a cluster the broker's minimum
     * applies and start-up says so (docs/operations.md gives the broker settings).
     */
    public static final long DEFAULT_SESSION_TIMEOUT_MS = 1_500;
    /**
     * Default transaction timeout, in ms: with the brokers' abort check every 500 ms (docs/operations.md)
     * a killed instance's partitions are free again about as soon as the group has noticed it is gone.
     * Nearly seven commit intervals: a transaction open this long means the instance is stalled anyway.
     */
    public static final long DEFAULT_TRANSACTION_TIMEOUT_MS = 2_000;
    /**
     * Default seconds a prepaid session may go past its last grant with no update or end before it is
     * expired: a switch's update or end may come late by a network's and a switch's delays, not by a minute.
     */
    public static final long DEFAULT_SESSION_GRACE_SECONDS = 60;
    /**
     * Longest session grace, in seconds (31 days, the longest call): a session held longer than a call can
     * last would only keep its hold for nothing. Larger values are refused at start-up.
     */
    public static final long MAX_SESSION_GRACE_SECONDS = 31L * 24 * 3600;

    public StreamsAppConfig {
        java.util.Objects.requireNonNull(replication, "replication");
        java.util.Objects.requireNonNull(sessionGrace, "sessionGrace");
        if (sessionGrace.isNegative() || sessionGrace.compareTo(Duration.ofSeconds(MAX_SESSION_GRACE_SECONDS)) > 0) {
            throw new IllegalArgumentException("the session grace must be 0 to " + MAX_SESSION_GRACE_SECONDS
                    + " s (31 days), was " + sessionGrace.toSeconds() + " s");
        }
        if (standbyReplicas < 0) {
            throw new IllegalArgumentException("standby replicas must be 0 or more, was " + standbyReplicas);
        }
        if (sessionTimeout.toMillis() < 100) {
            throw new IllegalArgumentException("the session timeout must be at least 100 ms, was "
                    + sessionTimeout.toMillis() + " ms");
        }
        if (transactionTimeout.compareTo(commitInterval) <= 0) {
            throw new IllegalArgumentException("the transaction timeout (" + transactionTimeout.toMillis()
                    + " ms) must be longer than the commit interval (" + commitInterval.toMillis() + " ms): every "
                    + "transaction stays open for a commit interval");
        }
        kafkaProperties = Map.copyOf(kafkaProperties);
    }

    /** The defaults (see docs/design.md for why these latency settings), against a given cluster and state dir. */
    public static StreamsAppConfig defaults(String bootstrapServers, Path stateDir) {
        return new StreamsAppConfig(bootstrapServers, DEFAULT_APPLICATION_ID, stateDir,
                StreamsConfig.EXACTLY_ONCE_V2, Duration.ofMillis(DEFAULT_COMMIT_INTERVAL_MS), Duration.ofMillis(5),
                Duration.ZERO, DEFAULT_STREAM_THREADS, Duration.ofHours(DEFAULT_IDEMPOTENCY_RETENTION_HOURS),
                Duration.ofMinutes(15), Duration.ofSeconds(DEFAULT_SESSION_GRACE_SECONDS), DEFAULT_PARTITIONS, Replication.DEFAULTS, DEFAULT_STANDBY_REPLICAS,
                Duration.ofMillis(DEFAULT_SESSION_TIMEOUT_MS), Duration.ofMillis(DEFAULT_TRANSACTION_TIMEOUT_MS),
                Map.of());
    }

    /** A copy to change one value at a time: {@code config.with(b -> b.applicationId = "x")}. */
    public StreamsAppConfig with(java.util.function.Consumer<Builder> change) {
        Builder builder = new Builder(this);
        change.accept(builder);
        return builder.build();
    }

    /** The mutable form of a config, for {@link #with}. */
    public static final class Builder {
        public String bootstrapServers;
        public String applicationId;
        public Path stateDir;
        public String processingGuarantee;
        public Duration commitInterval;
        public Duration pollInterval;
        public Duration producerLinger;
        public int streamThreads;
        public Duration idempotencyRetention;
        public Duration refillCheck;
        public Duration sessionGrace;
        public int partitions;
        public Replication replication;
        public int standbyReplicas;
        public Duration sessionTimeout;
        public Duration transactionTimeout;
        public Map<String, String> kafkaProperties;

        Builder(StreamsAppConfig from) {
            bootstrapServers = from.bootstrapServers;
            applicationId = from.applicationId;
            stateDir = from.stateDir;
            processingGuarantee = from.processingGuarantee;
            commitInterval = from.commitInterval;
            pollInterval = from.pollInterval;
            producerLinger = from.producerLinger;
            streamThreads = from.streamThreads;
            idempotencyRetention = from.idempotencyRetention;
            refillCheck = from.refillCheck;
            sessionGrace = from.sessionGrace;
            partitions = from.partitions;
            replication = from.replication;
            standbyReplicas = from.standbyReplicas;
            sessionTimeout = from.sessionTimeout;
            transactionTimeout = from.transactionTimeout;
            kafkaProperties = from.kafkaProperties;
        }

        StreamsAppConfig build() {
            return new StreamsAppConfig(bootstrapServers, applicationId, stateDir, processingGuarantee,
                    commitInterval, pollInterval, producerLinger, streamThreads, idempotencyRetention, refillCheck,
                    sessionGrace, partitions, replication, standbyReplicas, sessionTimeout, transactionTimeout,
                    kafkaProperties);
        }
    }

    public StreamsAppConfig withApplicationId(String value) {
        return with(b -> b.applicationId = value);
    }

    public StreamsAppConfig withCommitInterval(Duration value) {
        return with(b -> b.commitInterval = value);
    }

    public StreamsAppConfig withProcessingGuarantee(String value) {
        return with(b -> b.processingGuarantee = value);
    }

    public StreamsAppConfig withStateDir(Path value) {
        return with(b -> b.stateDir = value);
    }

    public StreamsAppConfig withRefillCheck(Duration value) {
        return with(b -> b.refillCheck = value);
    }

    public StreamsAppConfig withSessionGrace(Duration value) {
        return with(b -> b.sessionGrace = value);
    }

    public StreamsAppConfig withKafkaProperties(Map<String, String> value) {
        return with(b -> b.kafkaProperties = value);
    }

    public StreamsAppConfig withPartitions(int value) {
        return with(b -> b.partitions = value);
    }

    public StreamsAppConfig withReplication(Replication value) {
        return with(b -> b.replication = value);
    }

    public StreamsAppConfig withSessionTimeout(Duration value) {
        return with(b -> b.sessionTimeout = value);
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
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, Integer.toString(replication.factor()));
        replication.topicConfigs().forEach((key, value) -> props.put(StreamsConfig.topicPrefix(key), value));
        props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, Integer.toString(standbyReplicas));
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG),
                Long.toString(producerLinger.toMillis()));
        // Adaptive batching, as in the gateway's producer: linger 0, one produce request out at a time.
        props.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION), "1");
        // A killed instance's open transaction keeps its partitions' committed offsets unstable until the
        // brokers abort it: the new owner cannot start before (measured: about 11 s with Streams' 10 s).
        props.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG),
                Long.toString(transactionTimeout.toMillis()));
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // A killed peer is noticed in about a session timeout, not the default 45 s: its subscribers' budgets
        // move on quickly (to the standby that has them warm). A heartbeat every quarter of it tells the
        // survivors of the rebalance soon after.
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG),
                Long.toString(sessionTimeout.toMillis()));
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG),
                Long.toString(Math.max(50, sessionTimeout.toMillis() / 4)));
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
