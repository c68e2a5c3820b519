package io.ratestream.app.cli;

import io.ratestream.testkit.BrokerConfig;
import io.ratestream.testkit.BrokerSecurity;
import io.ratestream.testkit.EmbeddedKafkaBroker;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.LinkedHashMap;
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
                + "a line starting with \"ready\"; Ctrl-C or SIGTERM stops it cleanly. With --scram-user, clients "
                + "authenticate with SCRAM-SHA-512 (SASL_PLAINTEXT) and the standard authorizer allows only what ACLs "
                + "grant; --ratestream-acls then creates the topics and the least-privilege ACLs of ratestream's "
                + "principals (docs/security.md).")
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

    @Option(names = "--scram-user", paramLabel = "NAME=PASSWORD",
            description = "a SCRAM-SHA-512 user (repeat for several); turns on SASL_PLAINTEXT and the standard "
                    + "authorizer, with which a principal without an ACL may do nothing")
    Map<String, String> scramUsers = new LinkedHashMap<>();

    @Option(names = "--super-user", defaultValue = "admin",
            description = "the user allowed everything (it creates topics and ACLs); one of the --scram-user names "
                    + "(default: ${DEFAULT-VALUE})")
    String superUser;

    @Option(names = "--ratestream-acls",
            description = "once started, create ratestream's topics (--partitions) and the ACLs of the principals "
                    + "below, as the super user")
    boolean ratestreamAcls;

    @Option(names = "--partitions", defaultValue = "${env:RATESTREAM_PARTITIONS:-4}",
            description = "partitions of the topics --ratestream-acls creates (default: ${DEFAULT-VALUE})")
    int partitions;

    @Mixin
    AclsCommand.Principals principals;

    @Mixin
    SharedOptions.Config config;

    @Override
    public Integer call() throws Exception {
        EmbeddedBroker.require("kafka");
        return new Node().run();
    }

    /** Everything that names the broker's classes, loaded only once they are there: see {@link EmbeddedBroker}. */
    private final class Node {

        Integer run() throws Exception {
            boolean everyInterface = everyInterface(bind);
            Ports.requireFree(bind, kafka.port, "--kafka-port");
            long started = System.nanoTime();
            String host = everyInterface ? InetAddress.getLocalHost().getHostName() : LOOPBACK;
            BrokerSecurity security = security();
            BrokerConfig settings = BrokerConfig.of(dataDir, kafka.port).withSecurity(security);
            String listener = settings.clientListener();
            if (everyInterface) {
                // The controller stays on loopback; clients are told the host name, which they can resolve.
                int controllerPort = freeLoopbackPort();
                settings = settings.withControllerPort(controllerPort).withOverrides(Map.of(
                        "listeners", listener + "://0.0.0.0:" + kafka.port + ",CONTROLLER://" + LOOPBACK + ":" + controllerPort,
                        "advertised.listeners", listener + "://" + host + ":" + kafka.port));
            }
            EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(settings);
            if (ratestreamAcls) {
                try {
                    AclsCommand.apply(broker.bootstrapServers(), broker.superUserProperties(), principals.bindings(),
                            partitions, (short) 1);
                } catch (RuntimeException e) {
                    broker.close();
                    throw e;
                }
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                broker.close();
                System.out.println("Kafka stopped");
                System.out.flush();
                stopped.countDown();
            }, "ratestream-kafka-shutdown"));
            System.out.printf("Kafka     %s:%d  (KRaft, one node; data in %s)%n", host, broker.port(), broker.dataDir());
            if (security != null) {
                System.out.printf("SCRAM     users %s (super user %s); a client authenticates with%n"
                        + "          --kafka-property security.protocol=%s --kafka-property sasl.mechanism=%s%n"
                        + "          --kafka-property 'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule "
                        + "required username=\"NAME\" password=\"PASSWORD\";'%n", security.scramUsers().keySet(),
                        security.superUser(), BrokerSecurity.LISTENER, BrokerSecurity.MECHANISM);
            }
            if (ratestreamAcls) {
                System.out.printf("ACLs      %d for %s, %s, %s (application id %s); topics with %d partitions%n",
                        principals.bindings().size(), principals.gateway, principals.streams, principals.loader,
                        principals.applicationId, partitions);
            }
            System.out.printf("ready in %.1f s; Ctrl-C stops%n", (System.nanoTime() - started) / 1e9);
            System.out.flush();
            stopped.await();
            return 0;
        }

        /** The security of the flags, or null without --scram-user. */
        private BrokerSecurity security() {
            if (scramUsers.isEmpty()) {
                if (ratestreamAcls) {
                    throw new IllegalArgumentException("--ratestream-acls needs an authorizer: add --scram-user for the super "
                            + "user and each principal (e.g. --scram-user admin=... --scram-user gateway=...)");
                }
                return null;
            }
            return new BrokerSecurity(superUser, scramUsers);
        }
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
