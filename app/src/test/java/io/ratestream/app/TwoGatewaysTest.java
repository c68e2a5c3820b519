package io.ratestream.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ratestream.gateway.GatewayApp;
import io.ratestream.gateway.GatewayConfig;
import io.ratestream.schemas.files.CgratesFiles;
import io.ratestream.schemas.files.DataSet;
import io.ratestream.schemas.json.Json;
import io.ratestream.streams.StreamsAppConfig;
import io.ratestream.testkit.junit.KafkaBroker;
import io.ratestream.testkit.junit.KafkaBrokerExtension;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Two gateways share ratestream.replies: each reads its own partitions and answers every request. */
@ExtendWith(KafkaBrokerExtension.class)
class TwoGatewaysTest {

    static final DataSet DEMO = new CgratesFiles(Json.newMapper()).readDirectory(Path.of("..", "demo", "cgrates-2012"));

    @Test
    void shouldServeThroughBothGatewaysEachWithItsOwnReplies(KafkaBroker broker, @TempDir Path dir) throws Exception {
        String bootstrap = broker.bootstrapServers();
        String run = UUID.randomUUID().toString().substring(0, 8);
        try (DevStack stack = DevStack.start(StreamsAppConfig.defaults(bootstrap, dir).withApplicationId("two-gw-" + run),
                GatewayConfig.defaults(bootstrap).withPorts(0, 0), Duration.ofSeconds(90));
                GatewayApp second = GatewayApp.start(GatewayConfig.defaults(bootstrap).withPorts(0, 0))) {
            // Its own tenant: the demo's budgets loaded under "vdf" by an earlier class of this broker are in the
            // shared log, and a load of the same content is answered as theirs (its request ids are the content's).
            String tenant = "tg" + run;
            assertThat(stack.load(DEMO, tenant, Duration.ofSeconds(60)).errors()).isEmpty();
            assertThat(second.awaitReady(Duration.ofSeconds(60))).isTrue();
            GatewayApp first = stack.gateway();
            // the group settles on disjoint partitions for the two gateways
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!disjointAndBoth(first, second) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(disjointAndBoth(first, second)).as("%s / %s", partitions(first), partitions(second)).isTrue();

            BigDecimal credit = null;
            for (int i = 1; i <= 40; i++) {
                GatewayApp gateway = i % 2 == 0 ? first : second;
                JsonNode reply = Wire.rpc(gateway.jsonRpcPort(), Wire.debit(i, tenant, "minutosu", "0.5"));
                assertThat(reply.get("error").isNull()).as(reply.toString()).isTrue();
                credit = reply.get("result").decimalValue();
            }
            // the demo's 21, less 40 x 0.5
            assertThat(credit).isEqualByComparingTo("1");
        }
    }

    private static Set<Integer> partitions(GatewayApp gateway) {
        @SuppressWarnings("unchecked")
        Set<Integer> set = (Set<Integer>) gateway.gateway().status().get("ReplyPartitions");
        return set;
    }

    private static boolean disjointAndBoth(GatewayApp a, GatewayApp b) {
        Set<Integer> first = partitions(a);
        Set<Integer> second = partitions(b);
        return !first.isEmpty() && !second.isEmpty() && Collections.disjoint(first, second);
    }
}
