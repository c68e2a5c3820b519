import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.utils.Utils;

/**
 * What cluster.sh asks of the cluster, run as a single-file program on the app's classpath
 * ({@code java -cp CLASSPATH ClusterTool.java COMMAND ...}):
 * <ul>
 *   <li>{@code partitions TENANT PARTITIONS SUBJECT...}: "SUBJECT PARTITION" per subject, the command
 *       partition of its budget key {@code TENANT:SUBJECT} (murmur2, as every producer partitions);</li>
 *   <li>{@code leader BOOTSTRAP TOPIC PARTITION}: the node id leading that partition;</li>
 *   <li>{@code controller BOOTSTRAP}: the node id of the active controller (the quorum's leader);</li>
 *   <li>{@code await-isr BOOTSTRAP NODES SECONDS}: waits until every partition of every topic has NODES
 *       replicas in sync (a restarted broker has caught up); exits 1 when the time is up.</li>
 * </ul>
 */
public class ClusterTool {

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "partitions" -> {
                int partitions = Integer.parseInt(args[2]);
                for (int i = 3; i < args.length; i++) {
                    byte[] key = (args[1] + ":" + args[i]).getBytes(StandardCharsets.UTF_8);
                    System.out.println(args[i] + " " + Utils.toPositive(Utils.murmur2(key)) % partitions);
                }
            }
            case "leader" -> {
                try (Admin admin = admin(args[1])) {
                    TopicDescription topic = admin.describeTopics(List.of(args[2])).allTopicNames().get().get(args[2]);
                    System.out.println(topic.partitions().get(Integer.parseInt(args[3])).leader().id());
                }
            }
            case "controller" -> {
                try (Admin admin = admin(args[1])) {
                    System.out.println(admin.describeMetadataQuorum().quorumInfo().get().leaderId());
                }
            }
            case "await-isr" -> {
                int nodes = Integer.parseInt(args[2]);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[3]));
                try (Admin admin = admin(args[1])) {
                    while (true) {
                        long short_ = 0;
                        try {
                            var topics = admin.describeTopics(admin.listTopics().names().get()).allTopicNames().get();
                            for (TopicDescription topic : topics.values()) {
                                for (TopicPartitionInfo p : topic.partitions()) {
                                    short_ += p.isr().size() < Math.min(nodes, p.replicas().size()) ? 1 : 0;
                                }
                            }
                        } catch (Exception e) {
                            short_ = -1;
                        }
                        if (short_ == 0) {
                            return;
                        }
                        if (System.nanoTime() > deadline) {
                            System.err.println("partitions still short of in-sync replicas: " + short_);
                            System.exit(1);
                        }
                        TimeUnit.MILLISECONDS.sleep(200);
                    }
                }
            }
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
    }

    private static Admin admin(String bootstrap) {
        Properties properties = new Properties();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        return Admin.create(properties);
    }
}
