package io.ratestream.app.cli;

import io.ratestream.testkit.BrokerConfig;
import io.ratestream.testkit.BrokerSecurity;
import io.ratestream.testkit.EmbeddedKafkaBroker;
import io.ratestream.testkit.KraftCluster;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
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
 * killed, and each one's heap and RSS measured. Without {@code --voters} one node, replication factor 1;
 * with {@code --voters}, one node of a real multi-node KRaft cluster (each node its own process, every
 * node given the same {@code --voters}): replication factor 3 and min.insync.replicas 2 from three voters
 * on, so that a node killed with SIGKILL leaves a working cluster.
 */
@Command(name = "kafka", mixinStandardHelpOptions = true,
        description = "A Kafka node (KRaft, broker and controller in one node): alone, the one `ratestream dev` "
                + "embeds, for running streams, gateway and bench as separate processes on one machine; with "
                + "--voters, one node of a cluster of several (start one process per node, each with its own "
                + "--node-id, ports and --data-dir and the same --voters). Keeps its topics in --data-dir across "
                + "restarts. Prints the bootstrap address, then "
                + "a line starting with \"ready\"; Ctrl-C or SIGTERM stops it cleanly. With --scram-user, clients "
                + "authenticate with SCRAM-SHA-512 (SASL_PLAINTEXT) and the standard authorizer allows only what ACLs "
                + "grant; --ratestream-acls then creates the topics and the least-privilege ACLs of ratestream's "
                + "principals (docs/security.md).")
final class KafkaCommand implements Callable<Integer> {

    private static final String LOOPBACK = "127.0.0.1";
    static final String NO_AUTO_CREATE = "auto.create.topics.enable";

    @Option(names = "--data-dir", defaultValue = "data/kafka",
            description = "where the broker keeps its logs and metadata; formatted on the first start "
                    + "(default: ${DEFAULT-VALUE}, the broker's directory of `ratestream dev`)")
    Path dataDir;

    @Mixin
    SharedOptions.KafkaPort kafka;

    @Option(names = "--node-id", defaultValue = "1",
            description = "this node's id; with --voters, the id of its own entry there (default: ${DEFAULT-VALUE})")
    int nodeId;

    @Option(names = "--controller-port", defaultValue = "0",
            description = "the KRaft controller port; required with --voters, where it is this node's PORT (default: "
                    + "a free port on 127.0.0.1 for a single node)")
    int controllerPort;

    @Option(names = "--voters", paramLabel = "ID@HOST:PORT,...",
            description = "the controller quorum of a cluster of several nodes, the same on every node, e.g. "
                    + "1@127.0.0.1:9093,2@127.0.0.1:9095,3@127.0.0.1:9097: each node runs broker and controller, and "
                    + "its controller listens on HOST:PORT of its own entry. A majority must run before any node is "
                    + "ready (default: none, a single node)")
    String voters;

    @Option(names = "--cluster-id",
            description = "the Kafka cluster id to format a new --data-dir with (default: with --voters, one derived "
                    + "from them, so every node computes the same; else a random one)")
    String clusterId;

    @Option(names = "--replication-factor", defaultValue = "0",
            description = "the brokers' default.replication.factor, internal topics included (default: 3 with 3 or "
                    + "more voters, else the number of nodes)")
    int replicationFactor;

    @Option(names = "--min-insync-replicas", defaultValue = "0",
            description = "the brokers' min.insync.replicas, internal topics included (default: 2 with replication "
                    + "factor 3 or more, else 1)")
    int minInsyncReplicas;

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

    @Option(names = "--partitions", defaultValue = "4",
            description = "partitions of the topics --ratestream-acls creates (default: ${DEFAULT-VALUE})")
    int partitions;

    @Mixin
    AclsCommand.Principals principals;


    @Override
    public Integer call() throws Exception {
        EmbeddedBroker.require("kafka");
        return new Node().run();
    }

    /** Everything that names the broker's classes, loaded only once they are there: see {@link EmbeddedBroker}. */
    private final class Node {

        Integer run() throws Exception {
            boolean everyInterface = everyInterface(bind);
            KraftCluster cluster = KraftCluster.of(nodeId, voters, clusterId, replicationFactor, minInsyncReplicas);
            int chosenControllerPort = cluster.controllerPortFor(controllerPort);
            Ports.requireFree(bind, kafka.port, "--kafka-port");
            long started = System.nanoTime();
            String host = everyInterface ? InetAddress.getLocalHost().getHostName() : LOOPBACK;
            BrokerSecurity security = security();
            // Topics come from the streams app's set-up (or `acls`) with their partitions and configs, never from
            // a client's first metadata request: a gateway that starts first would otherwise create
            // ratestream.commands with one partition, and the streams app then refuses the mismatch with
            // ratestream.admin-commands (ClusterFailoverIT ran into exactly that).
            BrokerConfig settings = BrokerConfig.of(dataDir, kafka.port).withSecurity(security).withCluster(cluster)
                    .withOverrides(Map.of(NO_AUTO_CREATE, "false"));
            if (cluster.isSingleNode()) {
                // The controller of a single node stays on loopback.
                settings = settings.withControllerPort(chosenControllerPort);
            } else {
                settings = settings.withReadyTimeout(BrokerConfig.DEFAULT_QUORUM_READY_TIMEOUT);
                if (!everyInterface && !allOnLoopback(cluster)) {
                    System.err.println("ratestream kafka: warning: some voters are not on 127.0.0.1, but with --bind "
                            + "127.0.0.1 this node advertises 127.0.0.1 to clients and to the other brokers, which "
                            + "replicate from it: on several machines pass --bind 0.0.0.0");
                }
                System.out.printf("Kafka     node %d of voters %s: waiting for a majority of them (up to %d s)%n",
                        nodeId, KraftCluster.normalize(cluster.voters()), BrokerConfig.DEFAULT_QUORUM_READY_TIMEOUT.toSeconds());
                System.out.flush();
            }
            if (everyInterface) {
                // Clients (and the other brokers, which replicate through this listener) are told the host name.
                settings = settings.withClientAddresses("0.0.0.0", host);
            }
            EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(settings);
            if (ratestreamAcls) {
                try {
                    AclsCommand.apply(broker.bootstrapServers(), broker.superUserProperties(), principals.bindings(),
                            partitions, (short) cluster.effectiveReplicationFactor());
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
            if (cluster.isSingleNode()) {
                System.out.printf("Kafka     %s:%d  (KRaft, one node; data in %s)%n", host, broker.port(), broker.dataDir());
            } else {
                System.out.printf("Kafka     %s:%d  (KRaft, node %d of voters %s; data in %s)%n", host, broker.port(),
                        nodeId, KraftCluster.normalize(cluster.voters()), broker.dataDir());
            }
            System.out.printf("Cluster   id %s%s; node %d, controller port %d; new topics: replication factor %d, "
                            + "min.insync.replicas %d%n", broker.clusterId(),
                    cluster.isSingleNode() || clusterId != null ? "" : " (derived from --voters)", nodeId,
                    broker.controllerPort(), cluster.effectiveReplicationFactor(), cluster.effectiveMinInsyncReplicas());
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

        /** Whether every voter's host is a loopback address (a cluster on one machine). */
        private static boolean allOnLoopback(KraftCluster cluster) {
            for (KraftCluster.Voter voter : cluster.voters()) {
                try {
                    if (!InetAddress.getByName(voter.host()).isLoopbackAddress()) {
                        return false;
                    }
                } catch (IOException e) {
                    return false;
                }
            }
            return true;
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
}
