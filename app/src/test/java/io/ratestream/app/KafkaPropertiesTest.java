package io.ratestream.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratestream.gateway.GatewayApp;
import io.ratestream.gateway.GatewayConfig;
import io.ratestream.testkit.junit.KafkaBroker;
import io.ratestream.testkit.junit.KafkaBrokerExtension;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.GroupListing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** --kafka-property reaches the gateway's Kafka clients and wins over the gateway's own settings. */
@ExtendWith(KafkaBrokerExtension.class)
class KafkaPropertiesTest {

    @Test
    void shouldGiveTheGatewaysReplyConsumerTheGroupAnOperatorSets(KafkaBroker broker) throws Exception {
        String group = "operator-group-" + UUID.randomUUID().toString().substring(0, 8);
        GatewayConfig config = GatewayConfig.defaults(broker.bootstrapServers()).withPorts(0, 0)
                .withKafkaProperties(Map.of("group.id", group));
        try (GatewayApp gateway = GatewayApp.start(config); Admin admin = admin(broker)) {
            assertThat(gateway.awaitReady(Duration.ofSeconds(60))).isTrue();
            // the reply consumer joined the operator's group, not ratestream-gateways
            assertThat(groups(admin)).contains(group);
        }
    }

    private static Set<String> groups(Admin admin) throws Exception {
        return admin.listGroups().all().get().stream().map(GroupListing::groupId).collect(Collectors.toSet());
    }

    private static Admin admin(KafkaBroker broker) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        return Admin.create(props);
    }
}
