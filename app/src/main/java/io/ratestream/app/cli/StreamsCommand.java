package io.ratestream.app.cli;

import io.ratestream.streams.StreamsApp;
import io.ratestream.streams.StreamsAppConfig;
import io.ratestream.streams.ThreadReplacementLimit;
import io.ratestream.streams.ops.OpsOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The streams app alone, against an existing cluster. Exits 0 when stopped (SIGTERM, Ctrl-C), and 1 when
 * the Kafka Streams client stops by itself (it reached ERROR: a stream thread kept failing after being
 * replaced, or the global thread failed), so that a supervisor restarts it.
 *
 * <p>The defaults are {@link StreamsAppConfig}'s constants: declared there once, shown by {@code --help}.
 */
@Command(name = "streams", mixinStandardHelpOptions = true,
        description = "The Kafka Streams app against an existing Kafka cluster. Creates missing topics, then processes "
                + "ratestream.commands, ratestream.admin-commands and ratestream.queries until stopped. Several instances with the same application id (each with "
                + "its own state dir) share the partitions. Exits with status 1 if the streams client stops by "
                + "itself (for a supervisor to restart it).")
final class StreamsCommand implements Callable<Integer> {

    @Mixin
    SharedOptions.Kafka kafka;

    @Option(names = "--state-dir", defaultValue = "data/streams",
            description = "state stores (default: ${DEFAULT-VALUE})")
    Path stateDir;

    @Option(names = "--application-id", defaultValue = StreamsAppConfig.DEFAULT_APPLICATION_ID,
            description = "Kafka Streams application id (default: ${DEFAULT-VALUE})")
    String applicationId;

    @Option(names = "--commit-interval-ms", defaultValue = "" + StreamsAppConfig.DEFAULT_COMMIT_INTERVAL_MS,
            description = "transaction commit interval (default: ${DEFAULT-VALUE}; see docs/design.md)")
    long commitIntervalMs;

    @Option(names = "--processing-guarantee", defaultValue = "exactly_once_v2",
            description = "exactly_once_v2 (default) or at_least_once (for measurements only)")
    String guarantee;

    @Option(names = "--partitions", defaultValue = "" + StreamsAppConfig.DEFAULT_PARTITIONS,
            description = "partitions of the topics this creates when missing (default: ${DEFAULT-VALUE})")
    int partitions;

    @Mixin
    SharedOptions.TopicReplication replication;

    @Mixin
    SharedOptions.Sessions sessions;

    @Option(names = "--standby-replicas", defaultValue = "" + StreamsAppConfig.DEFAULT_STANDBY_REPLICAS,
            description = "warm copies of each partition's budgets kept by other instances, so that a killed "
                    + "instance's subscribers move to one that has them already; placed only where another "
                    + "instance runs (default: ${DEFAULT-VALUE})")
    int standbyReplicas;

    @Option(names = "--session-timeout-ms", defaultValue = "" + StreamsAppConfig.DEFAULT_SESSION_TIMEOUT_MS,
            description = "how long the group waits for a silent instance before moving its partitions; raised to "
                    + "the brokers' group.min.session.timeout.ms when that is higher (default: ${DEFAULT-VALUE}; "
                    + "docs/operations.md)")
    long sessionTimeoutMs;

    @Option(names = "--transaction-timeout-ms", defaultValue = "" + StreamsAppConfig.DEFAULT_TRANSACTION_TIMEOUT_MS,
            description = "under exactly-once, how long a transaction may stay open before the brokers abort it; "
                    + "also how long a killed instance's open transaction holds back its partitions (default: "
                    + "${DEFAULT-VALUE}; Kafka Streams' own is 10000; docs/operations.md)")
    long transactionTimeoutMs;

    @Option(names = "--threads", defaultValue = "" + StreamsAppConfig.DEFAULT_STREAM_THREADS,
            description = "stream threads (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--idempotency-retention-hours", defaultValue = "" + StreamsAppConfig.DEFAULT_IDEMPOTENCY_RETENTION_HOURS,
            description = "how long a request id's reply is kept for retries (default: ${DEFAULT-VALUE})")
    long retentionHours;

    // Off unless given: several instances on one machine would clash on any fixed default port.
    @Option(names = "--http-port", description = "serve /health/live, /health/ready and /metrics (Prometheus) on this "
            + "port; 0: any free port (printed); default: no HTTP server")
    Integer httpPort;

    @Option(names = "--http-bind", defaultValue = OpsOptions.DEFAULT_BIND,
            description = "address of the --http-port server (default: ${DEFAULT-VALUE}, this machine only; the "
                    + "endpoints have no authentication)")
    String httpBind;

    @Mixin
    SharedOptions.KafkaProperties kafkaProperties;

    /** The configuration these options say. */
    StreamsAppConfig settings() {
        return sessions.applyTo(StreamsAppConfig.defaults(kafka.bootstrap, stateDir).with(b -> {
            b.applicationId = applicationId;
            b.processingGuarantee = guarantee;
            b.commitInterval = Duration.ofMillis(commitIntervalMs);
            b.streamThreads = threads;
            b.idempotencyRetention = Duration.ofHours(retentionHours);
            b.partitions = partitions;
            b.replication = replication.value();
            b.standbyReplicas = standbyReplicas;
            b.sessionTimeout = Duration.ofMillis(sessionTimeoutMs);
            b.transactionTimeout = Duration.ofMillis(transactionTimeoutMs);
            b.kafkaProperties = kafkaProperties.values;
        }));
    }

    @Override
    public Integer call() throws Exception {
        OpsOptions ops = OpsOptions.none().withProgress(line -> System.err.println("ratestream streams: " + line));
        StreamsApp app = StreamsApp.start(settings(), new ThreadReplacementLimit(),
                httpPort == null ? ops : ops.withHttp(httpBind, httpPort));
        if (app.httpPort() >= 0) {
            System.out.printf("streams app %s: health and metrics on http://%s:%d/ (/health/live, /health/ready, "
                    + "/metrics)%n", applicationId, httpBind, app.httpPort());
        }
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        Thread hook = new Thread(() -> {
            app.close();
            stopped.complete(null);
        }, "ratestream-streams-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        if (app.awaitRunning(Duration.ofMinutes(5))) {
            System.out.printf("streams app %s running against %s (%s)%n", applicationId, kafka.bootstrap,
                    app.reference().summary());
        }
        CompletableFuture.anyOf(stopped, app.failure()).join();
        if (stopped.isDone()) {
            return 0;
        }
        System.err.printf("ratestream streams: exiting with status 1: the streams client stopped by itself (%s); "
                + "restart it (state and offsets are kept)%n", StreamsApp.describe(app.failure().join()));
        app.close();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook closes the app again, which is harmless
        }
        return 1;
    }
}
