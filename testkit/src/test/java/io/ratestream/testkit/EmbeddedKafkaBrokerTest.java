package io.ratestream.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaBrokerTest {

    @TempDir
    Path dataDir;

    @Test
    void shouldProduceAndConsumeARecord() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dataDir, 0)) {
            broker.createTopic("rates", 1);

            RoundTrip.send(broker.bootstrapServers(), "rates", "acct-1", "{\"rate\":1}");

            assertThat(RoundTrip.readFromStart(broker.bootstrapServers(), "rates", 1))
                    .extracting(ConsumerRecord::key, ConsumerRecord::value)
                    .containsExactly(tuple("acct-1", "{\"rate\":1}"));
            assertThat(broker.bootstrapServers()).isEqualTo("127.0.0.1:" + broker.port());
        }
    }

    @Test
    void shouldKeepTopicAndRecordsWhenRestartedOnTheSameDataDir() throws Exception {
        try (EmbeddedKafkaBroker first = EmbeddedKafkaBroker.start(dataDir, 0)) {
            first.createTopic("balances", 1);
            RoundTrip.send(first.bootstrapServers(), "balances", "acct-2", "42");
        }

        try (EmbeddedKafkaBroker second = EmbeddedKafkaBroker.start(dataDir, 0)) {
            assertThat(topicNames(second.bootstrapServers())).contains("balances");
            assertThat(RoundTrip.readFromStart(second.bootstrapServers(), "balances", 1))
                    .extracting(ConsumerRecord::value)
                    .containsExactly("42");
        }
    }

    @Test
    void shouldExplainWhatToDoWhenThePortIsInUse() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            final int port = taken.getLocalPort();

            assertThatThrownBy(() -> EmbeddedKafkaBroker.start(dataDir, port))
                    .isInstanceOf(BrokerStartException.class)
                    .hasMessage("port " + port + " is in use: stop the other process or pass another port");
        }
    }

    @Test
    void shouldRejectTheSamePortForClientsAndController() {
        assertThatThrownBy(() -> BrokerConfig.of(dataDir, 9092).withControllerPort(9092))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pass two different ports");
    }

    private static Set<String> topicNames(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.<String, Object>of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            return admin.listTopics().names().get(30, TimeUnit.SECONDS);
        }
    }
}
