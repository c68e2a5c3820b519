package io.ratestream.app.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.ratestream.app.DevStack;
import io.ratestream.app.cli.RatestreamCli;
import io.ratestream.gateway.GatewayConfig;
import io.ratestream.schemas.json.Json;
import io.ratestream.streams.StreamsAppConfig;
import io.ratestream.testkit.junit.KafkaBroker;
import io.ratestream.testkit.junit.KafkaBrokerExtension;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaBrokerExtension.class)
class BenchTest {

    @Test
    void shouldParseTheMixAndPickInProportion() {
        Mix mix = Mix.parse("getcost=40, DebitBalance=30,debitseconds=20,getmaxsessiontime=10");

        assertThat(mix.total()).isEqualTo(100);
        assertThat(mix.pick(0)).isEqualTo(Op.GET_COST);
        assertThat(mix.pick(39)).isEqualTo(Op.GET_COST);
        assertThat(mix.pick(40)).isEqualTo(Op.DEBIT_BALANCE);
        assertThat(mix.pick(70)).isEqualTo(Op.DEBIT_SECONDS);
        assertThat(mix.pick(99)).isEqualTo(Op.GET_MAX_SESSION_TIME);
    }

    @Test
    void shouldGiveLeftOutCallsNoWeight() {
        Mix mix = Mix.parse("debitbalance=1");

        assertThat(mix.total()).isEqualTo(1);
        assertThat(mix.pick(0)).isEqualTo(Op.DEBIT_BALANCE);
        assertThat(mix.weight(Op.GET_COST)).isZero();
    }

    @Test
    void shouldRefuseABadMix() {
        assertThatThrownBy(() -> Mix.parse("getcost=40,sms=3")).hasMessageContaining("unknown call 'sms'");
        assertThatThrownBy(() -> Mix.parse("getcost")).hasMessageContaining("name=weight");
        assertThatThrownBy(() -> Mix.parse("getcost=-1")).hasMessageContaining("negative");
        assertThatThrownBy(() -> Mix.parse("getcost=x")).hasMessageContaining("whole number");
        assertThatThrownBy(() -> Mix.parse("getcost=0")).hasMessageContaining("positive");
    }

    @Test
    void shouldExpectTheStartMinusTheAcknowledgedDebitsExactly() {
        assertThat(BudgetCheck.expectedCredit(new BigDecimal("1000000"), 3)).isEqualByComparingTo("999999.97");
        assertThat(BudgetCheck.expectedCredit(new BigDecimal("0.1"), 10)).isEqualByComparingTo("0");
        assertThat(BudgetCheck.expectedSeconds(new BigDecimal("1000000000"), 7)).isEqualByComparingTo("999999993");
    }

    @Test
    void shouldPassWhenTheBudgetAddsUp() {
        var before = new BudgetCheck.Snapshot(new BigDecimal("1000000"), new BigDecimal("1000000000"));
        var after = new BudgetCheck.Snapshot(new BigDecimal("999999.98"), new BigDecimal("999999995"));

        assertThat(BudgetCheck.problems("s1", before, after, 2, 5)).isEmpty();
    }

    @Test
    void shouldNameTheSubjectAndAmountOfALostOrDoubledDebit() {
        var before = new BudgetCheck.Snapshot(new BigDecimal("1000000"), new BigDecimal("100"));
        var doubled = new BudgetCheck.Snapshot(new BigDecimal("999999.97"), new BigDecimal("100"));
        var lost = new BudgetCheck.Snapshot(new BigDecimal("1000000"), new BigDecimal("99"));

        assertThat(BudgetCheck.problems("s1", before, doubled, 2, 0)).singleElement().asString()
                .contains("subject s1", "off by -0.01", "1 debit(s) too many");
        assertThat(BudgetCheck.problems("s2", before, lost, 0, 2)).singleElement().asString()
                .contains("subject s2", "seconds on 0723", "off by 1", "1 acknowledged debit(s) lost");
    }

    @Test
    void shouldRunAgainstTheStackAndCheckItsOwnWork(KafkaBroker broker, @TempDir Path temp) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Path json = temp.resolve("bench-result.json");
        try (DevStack stack = DevStack.start(StreamsAppConfig.defaults(broker.bootstrapServers(), temp.resolve("state"))
                        .withApplicationId("bench-" + run),
                GatewayConfig.defaults(broker.bootstrapServers()).withPorts(0, 0), Duration.ofSeconds(90))) {
            int code = RatestreamCli.execute("bench", "--server", "127.0.0.1:" + stack.gateway().jsonRpcPort(),
                    "--bootstrap", broker.bootstrapServers(), "--tenant", "bench" + run, "--subscribers", "20",
                    "--connections", "4", "--in-flight", "2", "--duration", "3", "--floor-round-trips", "200",
                    "--demo-dir", Path.of("..", "demo", "cgrates-2012").toString(), "--json-out", json.toString());

            assertThat(code).isZero();
            // The open loop on the same budgets: loading them again changes nothing, the check reads them anew.
            int openLoop = RatestreamCli.execute("bench", "--server", "127.0.0.1:" + stack.gateway().jsonRpcPort(),
                    "--bootstrap", broker.bootstrapServers(), "--tenant", "bench" + run, "--subscribers", "20",
                    "--connections", "2", "--rate", "100", "--duration", "2", "--floor-round-trips", "0",
                    "--demo-dir", Path.of("..", "demo", "cgrates-2012").toString(), "--json-out",
                    temp.resolve("open-loop.json").toString());

            assertThat(openLoop).isZero();
        }
        assertThat(Json.newMapper().readTree(Files.readAllBytes(temp.resolve("open-loop.json"))).get("rate").asDouble())
                .isEqualTo(100.0);
        JsonNode result = Json.newMapper().readTree(Files.readAllBytes(json));
        JsonNode latency = result.get("latencyMs");
        assertThat(result.get("throughput").asDouble()).isPositive();
        assertThat(latency.get("p50").asDouble()).isLessThanOrEqualTo(latency.get("p99").asDouble());
        assertThat(latency.get("p99").asDouble()).isLessThanOrEqualTo(latency.get("max").asDouble());
        assertThat(result.at("/check/passed").asBoolean()).isTrue();
        assertThat(result.at("/check/inconclusive")).isEmpty();
        assertThat(result.at("/check/acknowledgedDebitBalance").asLong()).isPositive();
        assertThat(result.get("errors").asLong()).isZero();
    }
}
