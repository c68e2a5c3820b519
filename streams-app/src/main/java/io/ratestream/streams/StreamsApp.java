package io.ratestream.streams;

import io.ratestream.streams.topology.RatestreamTopology;
import io.ratestream.streams.topology.ReferenceBook;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streams-app process: owns the {@link KafkaStreams} lifecycle, its uncaught-exception handler
 * ({@link ThreadReplacementLimit}) and shutdown. Several instances with the same application id share
 * the commands partitions.
 *
 * <p>A client that stops by itself (ERROR, after the handler gave up on replacing threads or the
 * global thread failed; or NOT_RUNNING without {@link #close()}) completes {@link #failure()}: whoever
 * runs this app waits for that as well as for its own stop signal, and exits non-zero so that a
 * supervisor restarts it, rather than idling as a zombie.
 */
public final class StreamsApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsApp.class);

    private final StreamsAppConfig config;
    private final KafkaStreams streams;
    private final ReferenceBook reference;
    private final ThreadReplacementLimit threads;
    private final CompletableFuture<Throwable> failure;
    private final AtomicBoolean closing;

    private StreamsApp(StreamsAppConfig config, KafkaStreams streams, ReferenceBook reference,
            ThreadReplacementLimit threads, CompletableFuture<Throwable> failure, AtomicBoolean closing) {
        this.config = config;
        this.streams = streams;
        this.reference = reference;
        this.threads = threads;
        this.failure = failure;
        this.closing = closing;
    }

    /** Creates missing topics, then starts processing. Returns at once; see {@link #awaitRunning}. */
    public static StreamsApp start(StreamsAppConfig config) {
        return start(config, new ThreadReplacementLimit());
    }

    /**
     * Creates missing topics, then starts processing, replacing failed stream threads as {@code threads}
     * allows. Returns at once; see {@link #awaitRunning}.
     */
    public static StreamsApp start(StreamsAppConfig config, ThreadReplacementLimit threads) {
        TopicSetup.ensure(config.bootstrapServers(), config.kafkaProperties(), config.partitions(),
                config.replication());
        config = config.withSessionTimeout(SessionTimeoutCheck.fit(config.bootstrapServers(),
                config.kafkaProperties(), config.sessionTimeout()));
        ReferenceBook reference = new ReferenceBook();
        KafkaStreams streams = new KafkaStreams(RatestreamTopology.build(config, reference), config.toProperties());
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        AtomicBoolean closing = new AtomicBoolean();
        streams.setUncaughtExceptionHandler(threads);
        streams.setStateListener((now, before) -> {
            LOG.info("streams {} -> {}", before, now);
            if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING && !closing.get()) {
                Throwable cause = threads.fatal() != null ? threads.fatal()
                        : new IllegalStateException("the streams client went " + now + " without being closed");
                LOG.error("the streams client stopped by itself ({}): {}", now, describe(cause));
                failure.complete(cause);
            }
        });
        streams.start();
        return new StreamsApp(config, streams, reference, threads, failure, closing);
    }

    /**
     * Completes, with the cause, when the client has stopped by itself: it reached ERROR (the
     * uncaught-exception handler shut it down: a stream thread kept failing, or the global thread
     * failed), or NOT_RUNNING without {@link #close()}. Never completes for a client that is closed.
     * The process should then close this app and exit non-zero.
     */
    public CompletableFuture<Throwable> failure() {
        return failure;
    }

    /** A failure in one line, for a log or an exit message: what failed and, when another, its root cause. */
    public static String describe(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == failure ? failure.toString() : failure + "; root cause: " + root;
    }

    /** How many stream threads have failed and been replaced since start. */
    public int threadReplacements() {
        return threads.replaced();
    }

    /**
     * Records the exception handlers have skipped since start (Kafka Streams' {@code dropped-records-total}
     * of this instance's tasks): records that could not be processed or written. Dead-lettered commands
     * that the command processor handled itself are not among them: they are on the dead-letter topic.
     */
    public long droppedRecords() {
        double total = 0;
        for (java.util.Map.Entry<MetricName, ? extends Metric> metric : streams.metrics().entrySet()) {
            if (metric.getKey().name().equals("dropped-records-total")
                    && metric.getKey().group().equals("stream-task-metrics")
                    && metric.getValue().metricValue() instanceof Number value) {
                total += value.doubleValue();
            }
        }
        return (long) total;
    }

    /**
     * Waits until the instance is processing.
     *
     * @return whether it got there within the timeout
     */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline || !streams.state().isRunningOrRebalancing()
                    && streams.state() != KafkaStreams.State.CREATED) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** The Kafka Streams state. */
    public KafkaStreams.State state() {
        return streams.state();
    }

    /** The reference data this instance rates with. */
    public ReferenceBook reference() {
        return reference;
    }

    /** The configuration. */
    public StreamsAppConfig config() {
        return config;
    }

    /** Stops cleanly: commits, closes the stores, leaves the group. Safe to call more than once. */
    @Override
    public void close() {
        closing.set(true);
        streams.close(Duration.ofSeconds(30));
    }
}
