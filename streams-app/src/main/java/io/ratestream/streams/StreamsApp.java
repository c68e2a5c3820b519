package io.ratestream.streams;

import io.ratestream.streams.ops.OpsOptions;
import io.ratestream.streams.ops.OpsServer;
import io.ratestream.streams.ops.RestoreTracker;
import io.ratestream.streams.ops.StreamsHealth;
import io.ratestream.streams.ops.StreamsMeters;
import io.ratestream.streams.topology.CommandMetrics;
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
 *
 * <p>With an HTTP port in its {@link OpsOptions}, an {@link OpsServer} answers {@code /health/live},
 * {@code /health/ready} and {@code /metrics}; it stops only after the client has closed, so that a
 * failed client is reported as not live until the process exits. Restoration progress is logged.
 */
public final class StreamsApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsApp.class);

    private final StreamsAppConfig config;
    private final KafkaStreams streams;
    private final ReferenceBook reference;
    private final ThreadReplacementLimit threads;
    private final CompletableFuture<Throwable> failure;
    private final AtomicBoolean closing;
    private final RestoreTracker restore;
    private final StreamsHealth health;
    private final StreamsMeters meters;
    private final OpsServer server;

    private StreamsApp(StreamsAppConfig config, KafkaStreams streams, ReferenceBook reference,
            ThreadReplacementLimit threads, CompletableFuture<Throwable> failure, AtomicBoolean closing,
            RestoreTracker restore, StreamsHealth health, StreamsMeters meters, OpsServer server) {
        this.config = config;
        this.streams = streams;
        this.reference = reference;
        this.threads = threads;
        this.failure = failure;
        this.closing = closing;
        this.restore = restore;
        this.health = health;
        this.meters = meters;
        this.server = server;
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
        return start(config, threads, OpsOptions.none());
    }

    /**
     * Creates missing topics, then starts processing, replacing failed stream threads as {@code threads}
     * allows, with the HTTP server and progress reporting of {@code ops}. Returns at once, the HTTP server
     * listening; see {@link #awaitRunning}.
     *
     * @throws IllegalStateException when the HTTP server cannot listen (nothing is left running then)
     */
    public static StreamsApp start(StreamsAppConfig config, ThreadReplacementLimit threads, OpsOptions ops) {
        TopicSetup.ensure(config.bootstrapServers(), config.kafkaProperties(), config.partitions(),
                config.replication());
        config = config.withSessionTimeout(SessionTimeoutCheck.fit(config.bootstrapServers(),
                config.kafkaProperties(), config.sessionTimeout()));
        ReferenceBook reference = new ReferenceBook();
        StreamsMeters meters = ops.httpPort() == null ? null : new StreamsMeters();
        KafkaStreams streams = new KafkaStreams(RatestreamTopology.build(config, reference,
                meters == null ? CommandMetrics.NONE : meters), config.toProperties());
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        AtomicBoolean closing = new AtomicBoolean();
        RestoreTracker restore = new RestoreTracker(line -> {
            LOG.info(line);
            ops.progress().accept(line);
        });
        streams.setGlobalStateRestoreListener(restore);
        streams.setUncaughtExceptionHandler(threads);
        streams.setStateListener((now, before) -> {
            LOG.info("streams {} -> {}", before, now);
            restore.running(now == KafkaStreams.State.RUNNING);
            if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING && !closing.get()) {
                Throwable cause = threads.fatal() != null ? threads.fatal()
                        : new IllegalStateException("the streams client went " + now + " without being closed");
                LOG.error("the streams client stopped by itself ({}): {}", now, describe(cause));
                failure.complete(cause);
            }
        });
        StreamsHealth health = new StreamsHealth(streams::state,
                () -> failure.isDone() ? describe(failure.join()) : null, restore, () -> restoringTasks(streams));
        OpsServer server = null;
        try {
            if (meters != null) {
                meters.bind(streams, threads::replaced, restore, () -> health.ready().ok());
                server = OpsServer.start(ops.httpBind(), ops.httpPort(), health, meters.registry());
            }
            streams.start();
        } catch (RuntimeException e) {
            if (server != null) {
                server.close();
            }
            streams.close(Duration.ofSeconds(30));
            if (meters != null) {
                meters.close();
            }
            throw e;
        }
        return new StreamsApp(config, streams, reference, threads, failure, closing, restore, health, meters, server);
    }

    /** Active tasks Kafka Streams' state updaters are restoring now ({@code active-restoring-tasks}). */
    private static int restoringTasks(KafkaStreams streams) {
        return (int) sum(streams, "stream-state-updater-metrics", "active-restoring-tasks");
    }

    /** The sum of one Kafka Streams metric over every thread or task that reports it. */
    private static double sum(KafkaStreams streams, String group, String name) {
        double total = 0;
        for (java.util.Map.Entry<MetricName, ? extends Metric> metric : streams.metrics().entrySet()) {
            if (metric.getKey().name().equals(name) && metric.getKey().group().equals(group)
                    && metric.getValue().metricValue() instanceof Number value) {
                total += value.doubleValue();
            }
        }
        return total;
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
        return (long) sum(streams, "stream-task-metrics", "dropped-records-total");
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

    /**
     * What this instance holds of the reference data (counts, destinations, tariff plans); its rating
     * reads the rating profiles through it from the global stores.
     */
    public ReferenceBook reference() {
        return reference;
    }

    /** The configuration. */
    public StreamsAppConfig config() {
        return config;
    }

    /** Liveness and readiness, as {@code /health/live} and {@code /health/ready} answer them. */
    public StreamsHealth health() {
        return health;
    }

    /** The restoration of this instance's state stores. */
    public RestoreTracker restore() {
        return restore;
    }

    /** The port of the HTTP server for health and metrics; -1 when there is none. */
    public int httpPort() {
        return server == null ? -1 : server.port();
    }

    /**
     * Stops cleanly: commits, closes the stores, leaves the group; then stops the HTTP server (until
     * then, a client that failed is reported as not live). Safe to call more than once.
     */
    @Override
    public void close() {
        closing.set(true);
        try {
            streams.close(Duration.ofSeconds(30));
        } finally {
            if (server != null) {
                server.close();
            }
            if (meters != null) {
                meters.close();
            }
        }
    }
}
