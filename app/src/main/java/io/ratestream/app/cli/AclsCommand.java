package io.ratestream.app.cli;

import io.ratestream.app.acl.KafkaAcls;
import io.ratestream.streams.Replication;
import io.ratestream.streams.TopicSetup;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.acl.AclBinding;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Creates ratestream's topics and the least-privilege ACLs of its three principals on a cluster with an
 * authorizer, through the Admin API, as an administrator: what an operator runs once before starting
 * the streams app, the gateways and the loader each as its own principal (docs/security.md).
 */
@Command(name = "acls", mixinStandardHelpOptions = true,
        description = "Creates ratestream's topics (when missing) and the least-privilege ACLs of the gateway, streams "
                + "and loader principals (docs/security.md, \"Kafka principals and ACLs\"), as the principal that "
                + "--kafka-property authenticates (a super user, or one with CREATE and ALTER on the cluster). Creating "
                + "what exists changes nothing. --dry-run only prints the ACLs.")
final class AclsCommand implements Callable<Integer> {

    @Mixin
    SharedOptions.Kafka kafka;

    @Mixin
    Principals principals;

    @Option(names = "--partitions", defaultValue = "" + io.ratestream.streams.StreamsAppConfig.DEFAULT_PARTITIONS,
            description = "partitions of the topics this creates when missing (default: ${DEFAULT-VALUE})")
    int partitions;

    @Mixin
    SharedOptions.TopicReplication replication;

    @Option(names = "--no-topics", description = "create the ACLs only, not the topics")
    boolean noTopics;

    @Option(names = "--dry-run", description = "print the ACLs and change nothing")
    boolean dryRun;

    @Mixin
    SharedOptions.KafkaProperties kafkaProperties;


    /** The principals the ACLs are for, shared with {@code ratestream kafka --ratestream-acls}. */
    static final class Principals {
        @Option(names = "--gateway-principal", defaultValue = "User:gateway",
                description = "the gateways' Kafka principal (default: ${DEFAULT-VALUE})")
        String gateway;

        @Option(names = "--streams-principal", defaultValue = "User:streams",
                description = "the streams app's Kafka principal; replay runs as it too (default: ${DEFAULT-VALUE})")
        String streams;

        @Option(names = "--loader-principal", defaultValue = "User:loader",
                description = "the loader's Kafka principal (default: ${DEFAULT-VALUE})")
        String loader;

        @Option(names = "--application-id", defaultValue = io.ratestream.streams.StreamsAppConfig.DEFAULT_APPLICATION_ID,
                description = "the streams app's application id: its group, and the prefix of its internal topics and "
                        + "transactional ids (default: ${DEFAULT-VALUE})")
        String applicationId;

        List<AclBinding> bindings() {
            return KafkaAcls.bindings(new KafkaAcls.Principals(gateway, streams, loader, applicationId));
        }
    }

    @Override
    public Integer call() {
        List<AclBinding> bindings = principals.bindings();
        if (!dryRun) {
            apply(kafka.bootstrap, kafkaProperties.values, bindings, noTopics ? 0 : partitions, replication.value());
        }
        System.out.printf("%s %d ACLs%s:%n", dryRun ? "would create" : "created", bindings.size(),
                dryRun ? "" : " on " + kafka.bootstrap);
        KafkaAcls.describe(bindings).forEach(line -> System.out.println("  " + line));
        return 0;
    }

    /**
     * Creates the topics (unless {@code partitions} is 0) and the ACLs as the principal {@code admin}
     * authenticates.
     */
    static void apply(String bootstrap, Map<String, String> admin, List<AclBinding> bindings, int partitions,
            short replication) {
        apply(bootstrap, admin, bindings, partitions, Replication.of(replication));
    }

    /**
     * Creates the topics (unless {@code partitions} is 0) with {@code replication} and the ACLs as the
     * principal {@code admin} authenticates.
     */
    static void apply(String bootstrap, Map<String, String> admin, List<AclBinding> bindings, int partitions,
            Replication replication) {
        if (partitions > 0) {
            List<String> created = TopicSetup.ensure(bootstrap, admin, partitions, replication);
            System.out.println(created.isEmpty() ? "topics: all there" : "created topics " + created);
        }
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.putAll(admin);
        try (Admin client = Admin.create(props)) {
            KafkaAcls.apply(client, bindings);
        }
    }
}
