package io.ratestream.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded broker with SCRAM users and the standard authorizer. */
class SecuredBrokerTest {

    @TempDir
    Path dataDir;

    private static BrokerSecurity security(String... users) {
        Map<String, String> passwords = new LinkedHashMap<>();
        passwords.put("admin", "admin-secret");
        for (String user : users) {
            passwords.put(user, user + "-secret");
        }
        return new BrokerSecurity("admin", passwords);
    }

    @Test
    void shouldLetAUserWriteOnlyWhereAnAclAllowsIt() throws Exception {
        BrokerSecurity security = security("alice");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerConfig.of(dataDir, 0).withSecurity(security))) {
            broker.createTopic("allowed", 1);
            broker.createTopic("forbidden", 1);
            try (Admin admin = admin(broker.bootstrapServers(), broker.superUserProperties())) {
                admin.createAcls(List.of(new AclBinding(new ResourcePattern(ResourceType.TOPIC, "allowed", PatternType.LITERAL),
                        new AccessControlEntry("User:alice", "*", AclOperation.WRITE, AclPermissionType.ALLOW))))
                        .all().get(30, TimeUnit.SECONDS);
            }

            send(broker.bootstrapServers(), security.clientProperties("alice"), "allowed");
            assertThatThrownBy(() -> send(broker.bootstrapServers(), security.clientProperties("alice"), "forbidden"))
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
            // the super user, by SCRAM like any client, may write anywhere
            send(broker.bootstrapServers(), security.clientProperties("admin"), "forbidden");
            assertThatThrownBy(() -> send(broker.bootstrapServers(),
                    BrokerSecurity.clientProperties("alice", "wrong"), "allowed"))
                    .hasRootCauseInstanceOf(SaslAuthenticationException.class);
        }
    }

    @Test
    void shouldAddUsersAtALaterStartOnAFormattedDirectory() throws Exception {
        try (EmbeddedKafkaBroker plain = EmbeddedKafkaBroker.start(dataDir, 0)) {
            plain.createTopic("kept", 1);
        }
        BrokerSecurity security = security("bob");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerConfig.of(dataDir, 0).withSecurity(security))) {
            try (Admin admin = admin(broker.bootstrapServers(), security.clientProperties("bob"))) {
                // bob authenticates, but without an ACL he cannot even see the topic that was kept
                assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain("kept");
            }
            try (Admin admin = admin(broker.bootstrapServers(), broker.superUserProperties())) {
                assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("kept");
            }
        }
    }

    @Test
    void shouldRefuseASuperUserWithoutAPasswordAndKeepPasswordsOutOfToString() {
        assertThatThrownBy(() -> new BrokerSecurity("root", Map.of("alice", "a")))
                .hasMessageContaining("the super user root has no password");
        assertThatThrownBy(() -> new BrokerSecurity("alice", Map.of("alice", "a,b")))
                .hasMessageContaining("password of SCRAM user alice is not usable");
        assertThat(security("alice").toString()).doesNotContain("secret");
        assertThat(BrokerConfig.of(dataDir, 0).withSecurity(security("alice")).toString()).doesNotContain("secret");
    }

    private static void send(String bootstrap, Map<String, String> auth, String topic)
            throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
        Map<String, Object> config = new HashMap<>(auth);
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "10000");
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "k", "v")).get(30, TimeUnit.SECONDS);
        }
    }

    private static Admin admin(String bootstrap, Map<String, String> auth) {
        Map<String, Object> config = new HashMap<>(auth);
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return Admin.create(config);
    }
}
