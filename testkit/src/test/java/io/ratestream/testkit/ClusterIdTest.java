package io.ratestream.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node started with voters formats its data dir with the cluster id derived from them, keeps it on a
 * restart with the same voters, and refuses, with a sentence, voters that derive another id; a node whose
 * quorum does not come up within the ready timeout says which voters it could not reach.
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

    @Test
    void shouldSayWhichVotersAreMissingWhenTheQuorumDoesNotComeUpInTime(@TempDir Path dataDir) throws Exception {
        int own = freePort();
        int missing = freePort();
        KraftCluster cluster = KraftCluster.of(1, "1@127.0.0.1:" + own + ",2@127.0.0.1:" + missing, null, 0, 0);
        BrokerConfig config = BrokerConfig.of(dataDir, 0).withCluster(cluster).withReadyTimeout(Duration.ofSeconds(4));

        assertThatThrownBy(() -> EmbeddedKafkaBroker.start(config))
                .isInstanceOf(BrokerStartException.class)
                .hasMessageStartingWith("node 1 did not join its cluster within 4 s: waiting for the quorum: 1 of 2 "
                        + "voters reachable (not reachable: 2@127.0.0.1:" + missing + "; start them with the same "
                        + "--voters)");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
