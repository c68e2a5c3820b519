package io.ratestream.testkit.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.util.Map;

import io.ratestream.testkit.RoundTrip;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.DockerClientFactory;

@ExtendWith(KafkaBrokerExtension.class)
class KafkaBrokerExtensionTest {

    private final KafkaBroker fromConstructor;

    KafkaBrokerExtensionTest(KafkaBroker kafka) {
        this.fromConstructor = kafka;
    }

    @Test
    void shouldResolveABrokerThatCarriesRecords(KafkaBroker kafka) throws Exception {
        RoundTrip.send(kafka.bootstrapServers(), "extension-round-trip", "acct-3", "7");

        assertThat(RoundTrip.readFromStart(kafka.bootstrapServers(), "extension-round-trip", 1))
                .extracting(ConsumerRecord::value)
                .containsExactly("7");
    }

    @Test
    void shouldShareOneBrokerPerRun(KafkaBroker kafka) {
        assertThat(kafka).isEqualTo(fromConstructor);
        assertThat(kafka.source()).isEqualTo(BrokerSource.choose(System::getenv));
    }

    @Test
    void shouldUseTheExternalBootstrapFromTheEnvironment(KafkaBroker kafka) throws Exception {
        final Map<String, String> env = Map.of(BrokerSource.BOOTSTRAP_ENV, kafka.bootstrapServers());

        try (RunningBroker external = KafkaBrokerExtension.start(env::get)) {
            assertThat(external.broker()).isEqualTo(new KafkaBroker(kafka.bootstrapServers(), BrokerSource.EXTERNAL));
        }
    }

    @Test
    void shouldFailFastWhenDockerIsAskedForButMissing() {
        assumeFalse(DockerClientFactory.instance().isDockerAvailable(), "a Docker engine runs here");

        assertThatThrownBy(() -> KafkaBrokerExtension.start(Map.of(BrokerSource.DOCKER_ENV, "true")::get))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("RATESTREAM_TEST_DOCKER=true but no Docker engine answers");
    }
}
