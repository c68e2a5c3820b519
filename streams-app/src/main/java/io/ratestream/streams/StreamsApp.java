package io.ratestream.streams;

import io.ratestream.streams.topology.RatestreamTopology;
import io.ratestream.streams.topology.ReferenceBook;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streams-app process: owns the {@link KafkaStreams} lifecycle, its uncaught-exception handler and
 * shutdown. Several instances with the same application id share the commands partitions.
 */
public final class StreamsApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsApp.class);

    private final StreamsAppConfig config;
    private final KafkaStreams streams;
    private final ReferenceBook reference;

    private StreamsApp(StreamsAppConfig config, KafkaStreams streams, ReferenceBook reference) {
        this.config = config;
        this.streams = streams;
        this.reference = reference;
    }

    /** Creates missing topics, then starts processing. Returns at once; see {@link #awaitRunning}. */
    public static StreamsApp start(StreamsAppConfig config) {
        TopicSetup.ensure(config.bootstrapServers(), config.partitions(), config.replicationFactor());
        ReferenceBook reference = new ReferenceBook();
        KafkaStreams streams = new KafkaStreams(RatestreamTopology.build(config, reference), config.toProperties());
        streams.setUncaughtExceptionHandler(new ReplaceThreadHandler());
        streams.setStateListener((now, before) -> LOG.info("streams {} -> {}", before, now));
        streams.start();
        return new StreamsApp(config, streams, reference);
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

    /** Stops cleanly: commits, closes the stores, leaves the group. */
    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
    }

    /**
     * Usage: {@code StreamsApp [--bootstrap HOST:PORT] [--state-dir DIR] [--application-id ID]
     * [--commit-interval-ms N]}. Runs until stopped (Ctrl-C or SIGTERM stop it cleanly).
     */
    public static void main(String[] args) throws InterruptedException {
        StreamsAppConfig config = StreamsAppConfig.defaults("127.0.0.1:9092", Path.of("data", "streams"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            config = switch (args[i]) {
                case "--bootstrap" -> new StreamsAppConfig(args[i + 1], config.applicationId(), config.stateDir(),
                        config.processingGuarantee(), config.commitInterval(), config.pollInterval(),
                        config.producerLinger(), config.streamThreads(), config.idempotencyRetention(),
                        config.refillCheck(), config.partitions(), config.replicationFactor(),
                        config.kafkaProperties());
                case "--state-dir" -> config.withStateDir(Path.of(args[i + 1]));
                case "--application-id" -> config.withApplicationId(args[i + 1]);
                case "--commit-interval-ms" -> config.withCommitInterval(Duration.ofMillis(Long.parseLong(args[i + 1])));
                case "--processing-guarantee" -> config.withProcessingGuarantee(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (known: --bootstrap, --state-dir, --application-id, --commit-interval-ms, "
                        + "--processing-guarantee)");
            };
        }
        StreamsApp app = start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            stopped.countDown();
        }, "ratestream-shutdown"));
        if (app.awaitRunning(Duration.ofMinutes(2))) {
            LOG.info("ratestream streams-app running: {} ({})", config.applicationId(), app.reference().summary());
        }
        stopped.await();
    }

    /**
     * Records are handled one by one and a bad one never throws out of the processor, so what reaches
     * here is infrastructure (a broker gone, a fenced producer): log it and replace the thread, which
     * resumes from the last committed state.
     */
    private static final class ReplaceThreadHandler implements StreamsUncaughtExceptionHandler {
        @Override
        public StreamThreadExceptionResponse handle(Throwable exception) {
            LOG.error("stream thread failed; replacing it (processing resumes from the last commit)", exception);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        }
    }
}
