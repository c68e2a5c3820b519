package io.ratestream.app.cli;

import io.ratestream.app.DevStack;
import io.ratestream.app.Loader;
import io.ratestream.app.bench.WarmUp;
import io.ratestream.gateway.GatewayApp;
import io.ratestream.gateway.GatewayConfig;
import io.ratestream.gateway.auth.Authenticator;
import io.ratestream.gateway.jsonrpc.JsonRpcServer;
import io.ratestream.gateway.tls.TlsSettings;
import io.ratestream.schemas.files.CgratesFiles;
import io.ratestream.schemas.files.DataSet;
import io.ratestream.schemas.json.Json;
import io.ratestream.streams.StreamsApp;
import io.ratestream.streams.StreamsAppConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Everything on one machine, in one JVM, with an embedded Kafka broker. */
@Command(name = "dev", mixinStandardHelpOptions = true,
        description = "Everything in one JVM: an embedded Kafka broker (KRaft), the streams app and the gateway. On a "
                + "fresh data dir it loads the demo data (the 2012 sample files) under tenant vdf; later starts "
                + "keep every budget as it was. Ctrl-C stops it cleanly.")
final class DevCommand implements Callable<Integer> {

    @Option(names = "--data-dir", defaultValue = "data",
            description = "where Kafka and the state stores keep their data (default: ${DEFAULT-VALUE})")
    Path dataDir;

    @Mixin
    SharedOptions.KafkaPort kafka;

    @Mixin
    SharedOptions.Listeners listeners;

    @Mixin
    SharedOptions.GatewayLimits limits;

    @Mixin
    SharedOptions.Access access;

    @Mixin
    SharedOptions.Tls tls;

    @Mixin
    SharedOptions.KafkaProperties kafkaProperties;

    @Mixin
    SharedOptions.TopicReplication replication;

    @Mixin
    SharedOptions.Sessions sessions;


    @Option(names = "--partitions", defaultValue = "" + StreamsAppConfig.DEFAULT_PARTITIONS,
            description = "partitions of the topics created on a fresh data dir (default: ${DEFAULT-VALUE})")
    int partitions;

    @Option(names = "--no-demo-data", description = "start empty, even on a fresh data dir")
    boolean noDemoData;

    /** Seconds of queries driven through the gateway before the ready line (see {@link WarmUp}). */
    static final int DEFAULT_WARM_UP_SECONDS = 10;
    /**
     * The warm-up's connections and calls in flight on each: the shape of the issue 13 load (Go's client, 50
     * x 4), which compiles the batching paths a lighter warm-up leaves cold (docs/performance.md, "Warm-up").
     */
    private static final int WARM_UP_CONNECTIONS = 50;
    private static final int WARM_UP_IN_FLIGHT = 4;

    @Option(names = "--warm-up-seconds", defaultValue = "" + DEFAULT_WARM_UP_SECONDS,
            description = "seconds of queries (GetCost, GetMaxSessionTime; they change nothing and are not kept) "
                    + "sent through a JSON-RPC listener of its own on 127.0.0.1 before the ports open and the "
                    + "ready line, so that the JIT has compiled a call's paths when clients come; 0 skips it, as "
                    + "do --auth and --tls-client-ca. From the start until "
                    + "then, debits, sessions and queries also run through the topology inside the process, on "
                    + "the demo data, writing nothing to Kafka (0 skips that too) (default: ${DEFAULT-VALUE})")
    int warmUpSeconds;

    @Option(names = "--demo-dir", defaultValue = "demo/cgrates-2012", hidden = true)
    Path demoDir;

    @Override
    public Integer call() throws Exception {
        EmbeddedBroker.require("dev");
        try (DataDirLock lock = DataDirLock.acquire(dataDir)) {
            return run();
        }
    }

    /**
     * Whether the ports ask for what the warm-up's loopback listener would not: an API key (--auth) or a
     * client certificate (--tls-client-ca). Then the warm-up is skipped.
     */
    static boolean warmUpWouldBypassAccessControl(Authenticator authenticator, TlsSettings tls) {
        return authenticator.enabled() || (tls != null && tls.verifiesClients());
    }

    /**
     * Drives {@link WarmUp} through a loopback JSON-RPC listener of the gateway's own, before its ports
     * open, unless it is off or cannot call.
     */
    private void warmUp(boolean guarded, GatewayApp gateway) throws Exception {
        if (warmUpSeconds <= 0) {
            return;
        }
        if (guarded) {
            // its loopback listener would take calls without the key or client certificate the ports ask for
            System.out.println("warm-up skipped: it calls without an API key or client certificate (--auth or "
                    + "--tls-client-ca is on)");
            return;
        }
        try (JsonRpcServer loopback = gateway.openLoopbackListener()) {
            WarmUp.Result result = WarmUp.run("127.0.0.1:" + loopback.port(), Duration.ofSeconds(warmUpSeconds),
                    WARM_UP_CONNECTIONS, WARM_UP_IN_FLIGHT, System.out);
            System.out.printf("warmed up: %d queries in %.1f s, %d failed (--warm-up-seconds 0 skips this)%n",
                    result.calls(), result.seconds(), result.errors());
        } catch (IOException | IllegalStateException e) {
            // the stack serves anyway, only colder: say so and go on
            System.out.println("warm-up skipped: " + e.getMessage());
        }
    }

    private int run() throws Exception {
        Authenticator authenticator = access.authenticator(listeners.bind);
        Ports.requireFree("127.0.0.1", kafka.port, "--kafka-port");
        listeners.requireFree();
        TlsSettings tlsSettings = tls.settings(); // a bad file stops here, before Kafka starts
        boolean fresh = !Files.exists(dataDir.resolve("kafka"));
        long started = System.nanoTime();
        DataSet demoData = noDemoData ? null : new CgratesFiles(Json.newMapper()).readDirectory(demoDir);
        // While Kafka and the stack start: the command path through the topology, in this process only (on the
        // demo data, which it reads for itself with --no-demo-data, and goes without if it cannot)
        TopologyWarmUp.Running topologyWarmUp = null;
        if (warmUpSeconds > 0) {
            try {
                topologyWarmUp = TopologyWarmUp.start(demoData != null ? demoData
                        : new CgratesFiles(Json.newMapper()).readDirectory(demoDir), "vdf");
            } catch (RuntimeException e) {
                System.out.println("topology warm-up skipped: the demo data could not be read (" + e.getMessage() + ")");
            } catch (LinkageError e) {
                // a classpath without kafka-streams-test-utils (dev's provided scope): serve, only colder
                System.out.println("topology warm-up skipped: " + e);
            }
        }
        EmbeddedBroker broker = EmbeddedBroker.start("dev", dataDir.resolve("kafka"), kafka.port);
        DevStack.Preload demo = fresh && !noDemoData ? new DevStack.Preload(demoData, "vdf") : null;
        DevStack stack;
        try {
            // The demo data is loaded before the gateway opens its ports: a client that connects as soon as
            // a port accepts finds the data there.
            stack = DevStack.start(sessions.applyTo(StreamsAppConfig.defaults(broker.bootstrapServers(),
                            dataDir.resolve("streams")).withKafkaProperties(kafkaProperties.values)
                            .withPartitions(partitions).withReplication(replication.value())),
                    limits.applyTo(GatewayConfig.defaults(broker.bootstrapServers())).withBind(listeners.bind)
                            .withPorts(listeners.jsonRpcPort, listeners.httpPort)
                            .withKafkaProperties(kafkaProperties.values).withTls(tlsSettings)
                            .withAuthenticator(authenticator),
                    Duration.ofSeconds(120), demo, false);
        } catch (Exception | Error e) {
            broker.close();
            throw e;
        }
        boolean reloads = Hangup.reloads(authenticator);
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        Thread hook = new Thread(() -> {
            stack.close();
            broker.close();
            stopped.complete(null);
        }, "ratestream-dev-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        if (demo != null) {
            Loader.Report report = demo.report();
            System.out.printf("loaded the demo data under tenant vdf: %d rating profiles, %d destinations, "
                    + "%d tariff plans, %d budgets%n", report.ratingProfiles(), report.destinations(),
                    report.tariffPlans(), report.budgets());
        }
        // The ports open after the warm-up: a client that connects as soon as a port accepts finds a warm stack
        warmUp(warmUpWouldBypassAccessControl(authenticator, tlsSettings), stack.gateway());
        if (topologyWarmUp != null) {
            long commands = topologyWarmUp.stop();
            System.out.printf("warmed up the command path: %d commands through the topology in this process, %d "
                    + "refused (nothing written to Kafka)%n", commands, topologyWarmUp.refused());
        }
        try {
            stack.gateway().listen();
        } catch (RuntimeException e) {
            if (!closeUnlessShuttingDown(hook, stopped, stack, broker)) {
                return 0; // Ctrl-C during the warm-up: the hook has closed the gateway, not a failure to report
            }
            throw e;
        }
        int http = stack.gateway().httpPort();
        String scheme = tls.httpScheme();
        System.out.printf("Kafka     %s%nJSON-RPC  %s:%d%s%nHTTP      %s://%s:%d  (status page: /)%n",
                broker.bootstrapServers(), listeners.bind, stack.gateway().jsonRpcPort(),
                tlsSettings == null ? "" : " (TLS)", scheme, listeners.bind, http);
        System.out.println(GatewayCommand.describe(authenticator, reloads));
        System.out.printf("try: curl %s%s'%s://127.0.0.1:%d/getcost?cstmid=vdf&subj=rif&dest=0256"
                + "&ts=2012-02-02T17:30:00Z&te=2012-02-02T18:30:00Z'%n",
                tlsSettings == null ? "" : "--cacert CA.pem ",
                authenticator.enabled() ? "-H 'Authorization: Bearer KEY' " : "", scheme, http);
        System.out.printf("ready in %.1f s (data in %s); Ctrl-C stops%n", (System.nanoTime() - started) / 1e9,
                dataDir.toAbsolutePath());
        System.out.flush();
        // Either Ctrl-C / SIGTERM, or the streams client stopping by itself (ERROR): then exit non-zero so a
        // supervisor restarts the whole thing, rather than idle with a gateway that can only time out.
        CompletableFuture.anyOf(stopped, stack.streams().failure()).join();
        if (stopped.isDone()) {
            return 0;
        }
        System.err.printf("ratestream dev: exiting with status 1: the streams client stopped by itself (%s)%n",
                StreamsApp.describe(stack.streams().failure().join()));
        closeUnlessShuttingDown(hook, stopped, stack, broker);
        return 1;
    }

    /**
     * Closes the stack and the broker here, unless the JVM is already shutting down: then the shutdown hook
     * closes them, and this waits for it. Returns whether it closed them.
     */
    private static boolean closeUnlessShuttingDown(Thread hook, CompletableFuture<Void> stopped, DevStack stack,
            EmbeddedBroker broker) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            stopped.join();
            return false;
        }
        stack.close();
        broker.close();
        return true;
    }
}
