package io.ratestream.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

/** Voters parsing, the cluster id every node derives alike, replication defaults and the validation messages. */
class KraftClusterTest {

    private static final String THREE = "1@127.0.0.1:9093,2@127.0.0.1:9095,3@127.0.0.1:9097";

    @Test
    void shouldParseVotersInKafkasFormatSortedById() {
        List<KraftCluster.Voter> voters = KraftCluster.parseVoters(" 3@Host-C:9097, 1@10.0.0.1:9093,2@host-b:9095");

        assertThat(voters).containsExactly(new KraftCluster.Voter(3, "Host-C", 9097),
                new KraftCluster.Voter(1, "10.0.0.1", 9093), new KraftCluster.Voter(2, "host-b", 9095));
        KraftCluster cluster = new KraftCluster(2, voters, null, 0, 0);
        assertThat(cluster.voters()).extracting(KraftCluster.Voter::id).containsExactly(1, 2, 3);
        assertThat(cluster.self()).contains(new KraftCluster.Voter(2, "host-b", 9095));
        assertThat(cluster.quorumVoters("127.0.0.1", 1)).isEqualTo("1@10.0.0.1:9093,2@host-b:9095,3@Host-C:9097");
        assertThat(KraftCluster.normalize(voters)).isEqualTo("1@10.0.0.1:9093,2@host-b:9095,3@host-c:9097");
    }

    @Test
    void shouldDeriveTheSameValidClusterIdOnEveryNodeFromTheSameVoters() {
        String first = KraftCluster.of(1, THREE, null, 0, 0).effectiveClusterId();
        String reordered = KraftCluster.of(3, "3@127.0.0.1:9097 ,2@127.0.0.1:9095,1@127.0.0.1:9093", null, 0, 0)
                .effectiveClusterId();
        String other = KraftCluster.of(1, "1@127.0.0.1:9093,2@127.0.0.1:9095,3@127.0.0.1:9099", null, 0, 0)
                .effectiveClusterId();

        assertThat(reordered).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
        assertThat(first).hasSize(22).doesNotStartWith("-");
        assertThat(Uuid.fromString(first).toString()).isEqualTo(first);
        assertThat(Uuid.RESERVED).doesNotContain(Uuid.fromString(first));
        // pinned: the id must not change between versions, or a restarted node would not match its data dir
        assertThat(first).isEqualTo(KraftCluster.deriveClusterId(KraftCluster.parseVoters(THREE)));
        assertThat(KraftCluster.of(1, THREE, "MkU3OEVBNTcwNTJENDM2Qg", 0, 0).effectiveClusterId())
                .isEqualTo("MkU3OEVBNTcwNTJENDM2Qg");
        assertThat(KraftCluster.single().effectiveClusterId()).isNull();
    }

    @Test
    void shouldDefaultToReplicationFactorThreeAndMinIsrTwoFromThreeVoters() {
        assertThat(rf(KraftCluster.single())).containsExactly(1, 1);
        assertThat(rf(KraftCluster.of(1, "1@h:1,2@h:2", null, 0, 0))).containsExactly(2, 1);
        assertThat(rf(KraftCluster.of(1, THREE, null, 0, 0))).containsExactly(3, 2);
        assertThat(rf(KraftCluster.of(1, THREE + ",4@h:4,5@h:5", null, 0, 0))).containsExactly(3, 2);
        assertThat(rf(KraftCluster.of(1, THREE, null, 2, 0))).containsExactly(2, 1);
        assertThat(rf(KraftCluster.of(1, THREE, null, 0, 3))).containsExactly(3, 3);
    }

    @Test
    void shouldSayWhatIsWrongWithTheVoters() {
        assertThatThrownBy(() -> KraftCluster.parseVoters("1@127.0.0.1:9093,2@127.0.0.1"))
                .hasMessage("--voters: '2@127.0.0.1' is not ID@HOST:PORT; the quorum is written like "
                        + "1@127.0.0.1:9093,2@127.0.0.1:9094,3@127.0.0.1:9095");
        assertThatThrownBy(() -> KraftCluster.parseVoters("a@h:1"))
                .hasMessageStartingWith("--voters: 'a@h:1' has the node id 'a', not a number");
        assertThatThrownBy(() -> KraftCluster.parseVoters("1@h:70000"))
                .hasMessage("--voters: '1@h:70000': voter 1 has port 70000: it must be 1-65535");
        assertThatThrownBy(() -> KraftCluster.of(1, "1@h:1,1@h:2", null, 0, 0))
                .hasMessage("--voters names node 1 twice: each node id once");
        assertThatThrownBy(() -> KraftCluster.of(1, "1@h:1,2@H:1", null, 0, 0))
                .hasMessage("--voters gives two nodes the controller address H:1: each node needs its own "
                        + "controller port");
        assertThatThrownBy(() -> KraftCluster.of(4, THREE, null, 0, 0))
                .hasMessage("--node-id 4 is not among the voters " + THREE + ": give each node the id of its own "
                        + "entry in --voters");
    }

    @Test
    void shouldRefuseAControllerPortOrReplicationThatDoesNotFitTheVoters() {
        KraftCluster two = KraftCluster.of(2, THREE, null, 0, 0);
        assertThat(two.controllerPortFor(9095)).isEqualTo(9095);
        assertThatThrownBy(() -> two.controllerPortFor(9093))
                .hasMessage("--controller-port 9093 differs from this node's entry 2@127.0.0.1:9095 in --voters: "
                        + "node 2 must listen on the port the other voters call (pass --controller-port 9095 or fix "
                        + "--voters)");
        assertThatThrownBy(() -> two.controllerPortFor(0))
                .hasMessage("--voters needs --controller-port: this node's entry is 2@127.0.0.1:9095");
        assertThat(KraftCluster.single().controllerPortFor(0)).isZero();

        assertThatThrownBy(() -> KraftCluster.of(1, THREE, null, 4, 0))
                .hasMessage("--replication-factor 4 is impossible with 3 nodes: it must be 1-3 (or 0 for the default)");
        assertThatThrownBy(() -> KraftCluster.of(1, null, null, 2, 0))
                .hasMessage("--replication-factor 2 is impossible with 1 node: it must be 1-1 (or 0 for the default)");
        assertThatThrownBy(() -> KraftCluster.of(1, THREE, null, 2, 3))
                .hasMessage("--min-insync-replicas 3 is impossible with replication factor 2: it must be 1-2 (or 0 "
                        + "for the default)");
        assertThatThrownBy(() -> KraftCluster.of(1, THREE, "not-an-id", 0, 0))
                .hasMessageStartingWith("--cluster-id 'not-an-id' is not a Kafka cluster id");
        assertThatThrownBy(() -> KraftCluster.of(-1, null, null, 0, 0))
                .hasMessage("--node-id must be 0 or more, was -1");
    }

    @Test
    void shouldTakeTheControllerPortOfItsOwnVoterEntry() {
        BrokerConfig config = BrokerConfig.of(Path.of("x"), 9092).withCluster(KraftCluster.of(3, THREE, null, 0, 0));
        assertThat(config.controllerPort()).isEqualTo(9097);
        assertThatThrownBy(() -> config.withControllerPort(9000))
                .hasMessageStartingWith("--controller-port 9000 differs from this node's entry 3@127.0.0.1:9097");
        assertThatThrownBy(() -> BrokerConfig.of(Path.of("x"), 9097).withCluster(KraftCluster.of(3, THREE, null, 0, 0)))
                .hasMessage("port and the controller port of 3@127.0.0.1:9097 are both 9097: pass two different ports");
    }

    private static List<Integer> rf(KraftCluster cluster) {
        return List.of(cluster.effectiveReplicationFactor(), cluster.effectiveMinInsyncReplicas());
    }
}
