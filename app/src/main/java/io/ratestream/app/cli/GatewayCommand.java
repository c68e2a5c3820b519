package io.ratestream.app.cli;

import io.ratestream.gateway.GatewayApp;
import io.ratestream.gateway.GatewayConfig;
import io.ratestream.gateway.auth.Authenticator;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The API gateway alone, against an existing cluster. */
@Command(name = "gateway", mixinStandardHelpOptions = true,
        description = "The API gateway (JSON-RPC over TCP, HTTP) against an existing Kafka cluster. Several gateways "
                + "share the load, each reading its own partitions of ratestream.replies.")
final class GatewayCommand implements Callable<Integer> {

    @Mixin
    SharedOptions.Kafka kafka;

    @Mixin
    SharedOptions.Listeners listeners;

    @Option(names = "--reply-partition", defaultValue = "-1",
            description = "read this partition of ratestream.replies; -1 (default) takes partitions from the group")
    int replyPartition;

    @Option(names = "--reply-timeout-ms", defaultValue = "" + GatewayConfig.DEFAULT_REPLY_TIMEOUT_MS,
            description = "how long a caller waits for a reply (default: ${DEFAULT-VALUE})")
    long replyTimeoutMs;

    @Option(names = "--idle-timeout-s", defaultValue = "" + GatewayConfig.DEFAULT_IDLE_TIMEOUT_SECONDS,
            description = "close idle JSON-RPC connections after this many seconds (default: ${DEFAULT-VALUE})")
    long idleTimeoutSeconds;

    @Option(names = "--replies-read-committed",
            description = "read replies read_committed (design option (a)) instead of read_uncommitted")
    boolean readCommitted;

    @Mixin
    SharedOptions.GatewayLimits limits;

    @Mixin
    SharedOptions.Access access;

    @Mixin
    SharedOptions.Tls tls;

    @Mixin
    SharedOptions.KafkaProperties kafkaProperties;


    @Override
    public Integer call() throws Exception {
        Authenticator authenticator = access.authenticator(listeners.bind);
        listeners.requireFree();
        GatewayConfig settings = tls.applyTo(limits.applyTo(GatewayConfig.defaults(kafka.bootstrap)).withBind(listeners.bind)
                .withPorts(listeners.jsonRpcPort, listeners.httpPort)
                .withReplyPartition(replyPartition).withReplyTimeout(Duration.ofMillis(replyTimeoutMs))
                .withIdleTimeout(Duration.ofSeconds(idleTimeoutSeconds)).withRepliesReadCommitted(readCommitted)
                .withKafkaProperties(kafkaProperties.values).withAuthenticator(authenticator));
        GatewayApp app = GatewayApp.start(settings);
        boolean reloads = Hangup.reloads(authenticator);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            stopped.countDown();
        }, "ratestream-gateway-shutdown"));
        System.out.printf("gateway: JSON-RPC%s %s:%d, HTTP %s://%s:%d, Kafka %s%n",
                settings.tls() == null ? "" : " over TLS", listeners.bind, app.jsonRpcPort(), tls.httpScheme(),
                listeners.bind, app.httpPort(), kafka.bootstrap);
        System.out.println(describe(authenticator, reloads));
        stopped.await();
        return 0;
    }

    /** The line that says who may call; {@code reloads}: whether SIGHUP reloads the file ({@link Hangup#reloads}). */
    static String describe(Authenticator authenticator, boolean reloads) {
        if (!authenticator.enabled()) {
            return "auth: off, every caller may do everything (pass --auth FILE to require keys)";
        }
        return "auth: principals from " + authenticator.file() + (reloads ? " (SIGHUP reloads it)"
                : " (restart to reload it: SIGHUP cannot, this process ignores it, as under nohup)");
    }
}
