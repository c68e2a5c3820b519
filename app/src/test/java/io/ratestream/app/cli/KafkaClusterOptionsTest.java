package io.ratestream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratestream.app.CliTest;
import org.junit.jupiter.api.Test;

/**
 * The cluster flags of {@code ratestream kafka} refuse, before anything starts, a node that does not fit
 * its --voters, with a sentence that names the flag to fix.
 */
class KafkaClusterOptionsTest {

    private static final String VOTERS = "1@127.0.0.1:9093,2@127.0.0.1:9095,3@127.0.0.1:9097";

    @Test
    void shouldRefuseANodeIdThatIsNotAmongTheVoters() {
        CliTest.Run run = CliTest.cli("kafka", "--node-id", "4", "--controller-port", "9093", "--voters", VOTERS);
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("ratestream kafka: --node-id 4 is not among the voters " + VOTERS
                + ": give each node the id of its own entry in --voters\n");
    }

    @Test
    void shouldRefuseAControllerPortOtherThanItsOwnEntrysOrNone() {
        CliTest.Run wrong = CliTest.cli("kafka", "--node-id", "2", "--controller-port", "9093", "--voters", VOTERS);
        assertThat(wrong.code()).isEqualTo(1);
        assertThat(wrong.err()).startsWith("ratestream kafka: --controller-port 9093 differs from this node's entry "
                + "2@127.0.0.1:9095 in --voters");

        CliTest.Run missing = CliTest.cli("kafka", "--node-id", "2", "--voters", VOTERS);
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("ratestream kafka: --voters needs --controller-port: this node's entry is "
                + "2@127.0.0.1:9095\n");
    }

    @Test
    void shouldRefuseMalformedVotersAndImpossibleReplication() {
        CliTest.Run malformed = CliTest.cli("kafka", "--voters", "1@127.0.0.1", "--controller-port", "9093");
        assertThat(malformed.code()).isEqualTo(1);
        assertThat(malformed.err()).startsWith("ratestream kafka: --voters: '1@127.0.0.1' is not ID@HOST:PORT");

        CliTest.Run replication = CliTest.cli("kafka", "--node-id", "1", "--controller-port", "9093", "--voters",
                VOTERS, "--replication-factor", "2", "--min-insync-replicas", "3");
        assertThat(replication.code()).isEqualTo(1);
        assertThat(replication.err()).isEqualTo("ratestream kafka: --min-insync-replicas 3 is impossible with "
                + "replication factor 2: it must be 1-2 (or 0 for the default)\n");
    }
}
