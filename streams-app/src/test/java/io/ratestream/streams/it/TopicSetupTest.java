package io.ratestream.streams.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ratestream.schemas.topics.Topics;
import io.ratestream.streams.Replication;
import io.ratestream.streams.SessionTimeoutCheck;
import io.ratestream.streams.TopicSetup;
import java.time.Duration;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import io.ratestream.testkit.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Topic set-up keeps the three command topics co-partitioned. On a broker of its own: it creates and
 * deletes ratestream's fixed topic names, which the other tests share.
 */
class TopicSetupTest {

    @Test
    void shouldCreateTheAdminTopicWithTheCommandsTopicsCountAndRefuseAnotherCount(@TempDir Path dir) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir, 0)) {
            String bootstrap = broker.bootstrapServers();
            broker.createTopic(Topics.COMMANDS, 3);
            awaitListed(bootstrap, Topics.COMMANDS);

            List<String> created = TopicSetup.ensure(bootstrap, 4, (short) 1);

            assertThat(created).contains(Topics.ADMIN_COMMANDS, Topics.REPLIES).doesNotContain(Topics.COMMANDS);
            Map<String, Integer> counts = partitions(bootstrap);
            assertThat(counts.get(Topics.ADMIN_COMMANDS)).isEqualTo(3);
            assertThat(counts.get(Topics.REPLIES)).isEqualTo(4);
            assertThat(TopicSetup.ensure(bootstrap, 4, (short) 1)).isEmpty();

            try (Admin admin = admin(bootstrap)) {
                admin.deleteTopics(List.of(Topics.ADMIN_COMMANDS)).all().get(30, TimeUnit.SECONDS);
            }
            awaitGone(bootstrap, Topics.ADMIN_COMMANDS);
            broker.createTopic(Topics.ADMIN_COMMANDS, 2);
            awaitListed(bootstrap, Topics.ADMIN_COMMANDS); // the broker's metadata may lag the controller

            assertThatThrownBy(() -> TopicSetup.ensure(bootstrap, 4, (short) 1))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("ratestream.admin-commands has 2 partitions and ratestream.commands 3")
                    .hasMessageContaining("must have the same count");
        }
    }

    @Test
    void shouldCreateTheQueriesTopicCoPartitionedWithAShortRetentionAndRefuseAnotherCount(@TempDir Path dir)
            throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir, 0)) {
            String bootstrap = broker.bootstrapServers();
            broker.createTopic(Topics.COMMANDS, 3);
            awaitListed(bootstrap, Topics.COMMANDS);

            assertThat(TopicSetup.ensure(bootstrap, 4, (short) 1)).contains(Topics.QUERIES);

            try (Admin admin = admin(bootstrap)) {
                assertThat(admin.describeTopics(List.of(Topics.QUERIES)).allTopicNames().get(30, TimeUnit.SECONDS)
                        .get(Topics.QUERIES).partitions()).hasSize(3);
                ConfigResource queries = new ConfigResource(ConfigResource.Type.TOPIC, Topics.QUERIES);
                Config config = admin.describeConfigs(List.of(queries)).all().get(30, TimeUnit.SECONDS).get(queries);
                assertThat(config.get("retention.ms").value())
                        .isEqualTo(String.valueOf(TopicSetup.QUERIES_RETENTION.toMillis())).isEqualTo("3600000");
                assertThat(config.get("segment.ms").value()).isEqualTo("600000");
                assertThat(config.get("cleanup.policy").value()).isEqualTo("delete");
                ConfigResource commands = new ConfigResource(ConfigResource.Type.TOPIC, Topics.ADMIN_COMMANDS);
                assertThat(admin.describeConfigs(List.of(commands)).all().get(30, TimeUnit.SECONDS).get(commands)
                        .get("retention.ms").value()).as("the command logs are kept forever").isEqualTo("-1");
                admin.deleteTopics(List.of(Topics.QUERIES)).all().get(30, TimeUnit.SECONDS);
            }
            awaitGone(bootstrap, Topics.QUERIES);
            broker.createTopic(Topics.QUERIES, 2);
            awaitListed(bootstrap, Topics.QUERIES);

            assertThatThrownBy(() -> TopicSetup.ensure(bootstrap, 4, (short) 1))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("ratestream.queries has 2 partitions and ratestream.commands 3")
                    .hasMessageContaining("must have the same count");
        }
    }

    @Test
    void shouldLeaveReplicationToTheBrokerByDefaultAndSetTheMinimumInSyncWhenAsked(@TempDir Path dir) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir, 0)) {
            String bootstrap = broker.bootstrapServers();
            TopicSetup.ensure(bootstrap, Map.of(), 2, Replication.DEFAULTS);
            try (Admin admin = admin(bootstrap)) {
                ConfigResource replies = new ConfigResource(ConfigResource.Type.TOPIC, Topics.REPLIES);
                Config config = admin.describeConfigs(List.of(replies)).all().get(30, TimeUnit.SECONDS).get(replies);
                assertThat(config.get("min.insync.replicas").source())
                        .isNotEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
                assertThat(admin.describeTopics(List.of(Topics.REPLIES)).allTopicNames().get(30, TimeUnit.SECONDS)
                        .get(Topics.REPLIES).partitions().get(0).replicas()).hasSize(1);
                admin.deleteTopics(List.of(Topics.REPLIES)).all().get(30, TimeUnit.SECONDS);
            }
            awaitGone(bootstrap, Topics.REPLIES);

            TopicSetup.ensure(bootstrap, Map.of(), 2, new Replication(1, 1));
            try (Admin admin = admin(bootstrap)) {
                ConfigResource replies = new ConfigResource(ConfigResource.Type.TOPIC, Topics.REPLIES);
                ConfigEntry minIsr = admin.describeConfigs(List.of(replies)).all().get(30, TimeUnit.SECONDS)
                        .get(replies).get("min.insync.replicas");
                assertThat(minIsr.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
                assertThat(minIsr.value()).isEqualTo("1");
            }
        }
    }

    @Test
    void shouldFitTheSessionTimeoutIntoTheBrokersMinimum(@TempDir Path dir) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir, 0)) {
            long minimum;
            try (Admin admin = admin(broker.bootstrapServers())) {
                ConfigResource node = new ConfigResource(ConfigResource.Type.BROKER, "1");
                Config config = admin.describeConfigs(List.of(node)).all()
                        .get(30, TimeUnit.SECONDS).get(node);
                minimum = Long.parseLong(config.get("group.min.session.timeout.ms").value());
                // the setting start-up warns about is one the broker reports (ratestream's broker: no warning)
                ConfigEntry backoff = config.get(SessionTimeoutCheck.TXN_RETRY_BACKOFF);
                assertThat(backoff).isNotNull();
                assertThat(SessionTimeoutCheck.transactionRetryAdvice(Long.parseLong(backoff.value()))).isNull();
            }
            assertThat(SessionTimeoutCheck.fit(broker.bootstrapServers(), Map.of(), Duration.ofMillis(minimum - 1)))
                    .hasMillis(minimum);
            assertThat(SessionTimeoutCheck.fit(broker.bootstrapServers(), Map.of(), Duration.ofMillis(minimum + 1)))
                    .hasMillis(minimum + 1);
        }
    }

    private static Map<String, Integer> partitions(String bootstrap) throws Exception {
        try (Admin admin = admin(bootstrap)) {
            Map<String, TopicDescription> all = admin.describeTopics(List.of(Topics.ADMIN_COMMANDS, Topics.REPLIES))
                    .allTopicNames().get(30, TimeUnit.SECONDS);
            return Map.of(Topics.ADMIN_COMMANDS, all.get(Topics.ADMIN_COMMANDS).partitions().size(),
                    Topics.REPLIES, all.get(Topics.REPLIES).partitions().size());
        }
    }

    private static void awaitGone(String bootstrap, String topic) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (Admin admin = admin(bootstrap)) {
            while (admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic)) {
                assertThat(System.nanoTime()).as("%s still listed after 30 s", topic).isLessThan(deadline);
                Thread.sleep(50);
            }
        }
    }

    private static void awaitListed(String bootstrap, String topic) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (Admin admin = admin(bootstrap)) {
            while (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic)) {
                assertThat(System.nanoTime()).as("%s not listed after 30 s", topic).isLessThan(deadline);
                Thread.sleep(50);
            }
        }
    }

    private static Admin admin(String bootstrap) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return Admin.create(props);
    }
}
