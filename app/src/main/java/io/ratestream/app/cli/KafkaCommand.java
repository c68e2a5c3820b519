package io.ratestream.app.cli;

import io.ratestream.testkit.BrokerConfig;
import io.ratestream.testkit.EmbeddedKafkaBroker;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The embedded broker of {@code ratestream dev}, alone in its own process, so that the streams app,
 * gateways and the load tool can run as separate processes on one machine: one of them can then be
 * killed, and each one's heap and RSS measured. One node, replication factor 1: for development and
 * measurements, not production.
 */
@Command(name = "kafka", mixinStandardHelpOptions = true,
        description = "A single-node Kafka broker (KRaft, broker and controller in one node) alone, the one "
                + "`ratestream dev` embeds: for running streams, gateway and bench as separate processes on one "
                + "machine. Keeps its topics in --data-dir across restarts. Prints the bootstrap address, then "
                + "a line starting with \"ready\"; Ctrl-C or SIGTERM stops it cleanly.")
final class KafkaCommand implements Callable<Integer> {

    private static final String LOOPBACK = "127.0.0.1";

    @Option(names = "--data-dir", defaultValue = "data/kafka",
            description = "where the broker keeps its logs and metadata; formatted on the first start "
                    + "(default: ${DEFAULT-VALUE}, the broker's directory of `ratestream dev`)")
    Path dataDir;

    @Mixin
    SharedOptions.KafkaPort kafka;

    @Option(names = "--bind", defaultValue = "127.0.0.1",
            description = "127.0.0.1: clients on this machine only; 0.0.0.0: every interface, advertised to "
                    + "clients under this machine's host name (default: ${DEFAULT-VALUE})")
    String bind;

    @Mixin
    SharedOptions.Config config;

    @Override
    public Integer call() throws Exception {
        boolean everyInterface = everyInterface(bind);
        Ports.requireFree(bind, kafka.port, "--kafka-port");
        long started = System.nanoTime();
        String host = everyInterface ? InetAddress.getLocalHost().getHostName() : LOOPBACK;
        BrokerConfig settings = BrokerConfig.of(dataDir, kafka.port);
        if (everyInterface) {
            // The controller stays on loopback; clients are told the host name, which they can resolve.
            int controllerPort = freeLoopbackPort();
            settings = settings.withControllerPort(controllerPort).withOverrides(Map.of(
                    "listeners", "PLAINTEXT://0.0.0.0:" + kafka.port + ",CONTROLLER://" + LOOPBACK + ":" + controllerPort,
                    "advertised.listeners", "PLAINTEXT://" + host + ":" + kafka.port));
        }
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(settings);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            System.out.println("Kafka stopped");
            System.out.flush();
            stopped.countDown();
        }, "ratestream-kafka-shutdown"));
        System.out.printf("Kafka     %s:%d  (KRaft, one node; data in %s)%n", host, broker.port(), broker.dataDir());
        System.out.printf("ready in %.1f s; Ctrl-C stops%n", (System.nanoTime() - started) / 1e9);
        System.out.flush();
        stopped.await();
        return 0;
    }

    /**
     * Whether {@code --bind} means every interface. The embedded broker checks that it is up through
     * 127.0.0.1, so an address that does not include loopback cannot work.
     */
    private static boolean everyInterface(String bind) throws IOException {
        InetAddress address = InetAddress.getByName(bind);
        if (address instanceof Inet4Address && address.isAnyLocalAddress()) {
            return true;
        }
        if (address.getHostAddress().equals(LOOPBACK)) {
            return false;
        }
        throw new IllegalArgumentException("--bind must be 127.0.0.1 (this machine only) or 0.0.0.0 (every "
                + "interface); got '" + bind + "': the embedded broker checks that it is up through 127.0.0.1");
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(LOOPBACK, 0));
            return socket.getLocalPort();
        }
    }
}
