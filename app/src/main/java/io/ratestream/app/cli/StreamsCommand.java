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
 */
@Command(name = "streams", mixinStandardHelpOptions = true,
        description = "The Kafka Streams app against an existing Kafka cluster. Creates missing topics, then processes "
                + "ratestream.commands and ratestream.admin-commands until stopped. Several instances with the same application id (each with "
                + "its own state dir) share the partitions. Exits with status 1 if the streams client stops by "
                + "itself (for a supervisor to restart it).")
final class StreamsCommand implements Callable<Integer> {

    @Mixin
    SharedOptions.Kafka kafka;

    @Option(names = "--state-dir", defaultValue = "${env:RATESTREAM_STATE_DIR:-data/streams}",
            description = "state stores (default: ${DEFAULT-VALUE})")
    Path stateDir;

    @Option(names = "--application-id", defaultValue = "${env:RATESTREAM_APPLICATION_ID:-ratestream}",
            description = "Kafka Streams application id (default: ${DEFAULT-VALUE})")
    String applicationId;

    @Option(names = "--commit-interval-ms", defaultValue = "${env:RATESTREAM_COMMIT_INTERVAL_MS:-100}",
            description = "transaction commit interval (default: ${DEFAULT-VALUE}; see docs/design.md)")
    long commitIntervalMs;

    @Option(names = "--processing-guarantee", defaultValue = "exactly_once_v2",
            description = "exactly_once_v2 (default) or at_least_once (for measurements only)")
    String guarantee;

    @Option(names = "--partitions", defaultValue = "${env:RATESTREAM_PARTITIONS:-4}",
            description = "partitions of the topics this creates when missing (default: ${DEFAULT-VALUE})")
    int partitions;

    @Option(names = "--threads", defaultValue = "1", description = "stream threads (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--idempotency-retention-hours", defaultValue = "24",
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

    @Mixin
    SharedOptions.Config config;

    @Override
    public Integer call() throws Exception {
        StreamsAppConfig defaults = StreamsAppConfig.defaults(kafka.bootstrap, stateDir);
        StreamsAppConfig settings = new StreamsAppConfig(kafka.bootstrap, applicationId, stateDir, guarantee,
                Duration.ofMillis(commitIntervalMs), defaults.pollInterval(), defaults.producerLinger(), threads,
                Duration.ofHours(retentionHours), defaults.refillCheck(), partitions, defaults.replicationFactor(),
                kafkaProperties.values);
        OpsOptions ops = OpsOptions.none().withProgress(line -> System.err.println("ratestream streams: " + line));
        StreamsApp app = StreamsApp.start(settings, new ThreadReplacementLimit(),
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
