package io.ratestream.app.cli;

import io.ratestream.gateway.GatewayApp;
import io.ratestream.gateway.GatewayConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The API gateway alone, against an existing cluster. */
@Command(name = "gateway", mixinStandardHelpOptions = true,
        description = {"The API gateway (JSON-RPC over TCP, HTTP) against an existing Kafka cluster. Several",
            "gateways share the load, each reading its own partitions of ratestream.replies."})
final class GatewayCommand implements Callable<Integer> {

    @Option(names = "--bootstrap", defaultValue = "${env:RATESTREAM_BOOTSTRAP:-127.0.0.1:9092}",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE})")
    String bootstrap;

    @Option(names = "--bind", defaultValue = "${env:RATESTREAM_BIND:-127.0.0.1}",
            description = "address both listeners bind to (default: ${DEFAULT-VALUE})")
    String bind;

    @Option(names = "--jsonrpc-port", defaultValue = "${env:RATESTREAM_JSONRPC_PORT:-2001}",
            description = "JSON-RPC over TCP port (default: ${DEFAULT-VALUE})")
    int jsonRpcPort;

    @Option(names = "--http-port", defaultValue = "${env:RATESTREAM_HTTP_PORT:-8000}",
            description = "HTTP port (default: ${DEFAULT-VALUE})")
    int httpPort;

    @Option(names = "--reply-partition", defaultValue = "-1",
            description = "read this partition of ratestream.replies; -1 (default) takes partitions from the group")
    int replyPartition;

    @Option(names = "--reply-timeout-ms", defaultValue = "${env:RATESTREAM_REPLY_TIMEOUT_MS:-5000}",
            description = "how long a caller waits for a reply (default: ${DEFAULT-VALUE})")
    long replyTimeoutMs;

    @Option(names = "--idle-timeout-s", defaultValue = "900",
            description = "close idle JSON-RPC connections after this many seconds (default: ${DEFAULT-VALUE})")
    long idleTimeoutSeconds;

    @Option(names = "--replies-read-committed",
            description = "read replies read_committed (design option (a)) instead of read_uncommitted")
    boolean readCommitted;

    @Option(names = "--config", description = "a properties file of options (keys: option names without dashes)")
    Path config;

    @Override
    public Integer call() throws Exception {
        Ports.requireFree(bind, jsonRpcPort, "--jsonrpc-port");
        Ports.requireFree(bind, httpPort, "--http-port");
        GatewayConfig settings = GatewayConfig.defaults(bootstrap).withBind(bind).withPorts(jsonRpcPort, httpPort)
                .withReplyPartition(replyPartition).withReplyTimeout(Duration.ofMillis(replyTimeoutMs))
                .withIdleTimeout(Duration.ofSeconds(idleTimeoutSeconds)).withRepliesReadCommitted(readCommitted);
        GatewayApp app = GatewayApp.start(settings);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            stopped.countDown();
        }, "ratestream-gateway-shutdown"));
        System.out.printf("gateway: JSON-RPC %s:%d, HTTP http://%s:%d, Kafka %s%n", bind, app.jsonRpcPort(), bind,
                app.httpPort(), bootstrap);
        stopped.await();
        return 0;
    }
}
