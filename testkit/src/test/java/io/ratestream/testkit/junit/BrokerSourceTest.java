package io.ratestream.testkit.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

class BrokerSourceTest {

    @Test
    void shouldUseTheEmbeddedBrokerWhenNothingIsSet() {
        assertThat(BrokerSource.choose(Map.<String, String>of()::get)).isEqualTo(BrokerSource.EMBEDDED);
    }

    @Test
    void shouldUseTheExternalClusterWhenABootstrapIsGiven() {
        final Map<String, String> env = Map.of(BrokerSource.BOOTSTRAP_ENV, "kafka-1:9092");

        assertThat(BrokerSource.choose(env::get)).isEqualTo(BrokerSource.EXTERNAL);
    }

    @Test
    void shouldPreferTheExternalClusterOverDocker() {
        final Map<String, String> env = Map.of(BrokerSource.BOOTSTRAP_ENV, "kafka-1:9092", BrokerSource.DOCKER_ENV, "true");

        assertThat(BrokerSource.choose(env::get)).isEqualTo(BrokerSource.EXTERNAL);
    }

    @Test
    void shouldIgnoreABlankBootstrap() {
        final Map<String, String> env = Map.of(BrokerSource.BOOTSTRAP_ENV, "  ");

        assertThat(BrokerSource.choose(env::get)).isEqualTo(BrokerSource.EMBEDDED);
    }

    @Test
    void shouldUseDockerOnlyWhenAskedWithTrue() {
        assertThat(BrokerSource.choose(Map.of(BrokerSource.DOCKER_ENV, "TRUE")::get)).isEqualTo(BrokerSource.DOCKER);
        assertThat(BrokerSource.choose(Map.of(BrokerSource.DOCKER_ENV, "false")::get)).isEqualTo(BrokerSource.EMBEDDED);
    }

    @Test
    void shouldRejectAnUnclearDockerValue() {
        assertThatThrownBy(() -> BrokerSource.choose(Map.of(BrokerSource.DOCKER_ENV, "yes")::get))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("RATESTREAM_TEST_DOCKER must be true or false, was 'yes'");
    }
}
