package io.ratestream.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker-side failover and latency settings reach a running single-node broker (as the broker reports
 * them), an override still wins over them, and a cluster of one keeps replication factor and min.insync.replicas 1.
 */
class FailoverDefaultsTest {

    @Test
    void shouldRunWithTheFailoverDefaultsUnlessOverridden(@TempDir Path dataDir) throws Exception {
        BrokerConfig config = BrokerConfig.of(dataDir, 0).withOverrides(Map.of("broker.session.timeout.ms", "3000"));
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(config);
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            ConfigResource node = new ConfigResource(ConfigResource.Type.BROKER, String.valueOf(broker.nodeId()));
            Config effective = admin.describeConfigs(List.of(node)).all().get(30, TimeUnit.SECONDS).get(node);

            for (String name : List.of("group.min.session.timeout.ms", "group.consumer.min.session.timeout.ms",
                    "group.streams.min.session.timeout.ms", "broker.heartbeat.interval.ms",
                    "transaction.abort.timed.out.transaction.cleanup.interval.ms")) {
                assertThat(effective.get(name).value()).as(name)
                        .isEqualTo(EmbeddedKafkaBroker.FAILOVER_DEFAULTS.get(name));
            }
            assertThat(EmbeddedKafkaBroker.FAILOVER_DEFAULTS.get("group.min.session.timeout.ms")).isEqualTo("500");
            // Kafka's default is 20 ms: each first reply of a transaction right after a commit waited that long
            assertThat(effective.get("add.partitions.to.txn.retry.backoff.ms").value()).isEqualTo("1");
            assertThat(effective.get("broker.session.timeout.ms").value()).isEqualTo("3000");
            assertThat(effective.get("default.replication.factor").value()).isEqualTo("1");
            assertThat(effective.get("min.insync.replicas").value()).isEqualTo("1");
            assertThat(effective.get("offsets.topic.num.partitions").value()).isEqualTo("1");
            assertThat(broker.cluster().isSingleNode()).isTrue();
            assertThat(broker.clusterId()).hasSize(22);
        }
    }
}
