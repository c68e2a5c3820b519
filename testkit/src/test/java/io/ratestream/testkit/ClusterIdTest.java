package io.ratestream.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node started with voters formats its data dir with the cluster id derived from them, keeps it on a
 * restart with the same voters, and refuses, with a sentence, voters that derive another id.
 */
class ClusterIdTest {

    @Test
    void shouldFormatWithTheDerivedIdAndRefuseADataDirOfAnotherCluster(@TempDir Path dataDir) throws Exception {
        int controllerPort = freePort();
        String voters = "1@127.0.0.1:" + controllerPort;
        KraftCluster cluster = KraftCluster.of(1, voters, null, 0, 0);
        BrokerConfig config = BrokerConfig.of(dataDir, 0).withCluster(cluster);
        String derived = KraftCluster.deriveClusterId(cluster.voters());

        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(config)) {
            assertThat(broker.clusterId()).isEqualTo(derived);
            assertThat(broker.controllerPort()).isEqualTo(controllerPort);
        }
        assertThat(Files.readString(dataDir.resolve("logs").resolve("meta.properties"))).contains("cluster.id=" + derived);

        int otherPort = freePort();
        KraftCluster other = KraftCluster.of(1, "1@127.0.0.1:" + otherPort, null, 0, 0);
        assertThatThrownBy(() -> EmbeddedKafkaBroker.start(BrokerConfig.of(dataDir, 0).withCluster(other)))
                .isInstanceOf(BrokerStartException.class)
                .hasMessage("the data dir " + dataDir.toAbsolutePath() + " belongs to the cluster " + derived
                        + ", not to " + other.effectiveClusterId() + " (derived from --voters 1@127.0.0.1:" + otherPort
                        + "): pass the same --voters as when it was formatted, --cluster-id " + derived
                        + ", or another data dir");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
