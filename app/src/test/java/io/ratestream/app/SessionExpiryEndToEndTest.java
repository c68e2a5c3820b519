package io.ratestream.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ratestream.gateway.GatewayConfig;
import io.ratestream.schemas.files.DataSet;
import io.ratestream.schemas.model.RatingProfile;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.streams.StreamsAppConfig;
import io.ratestream.testkit.junit.KafkaBroker;
import io.ratestream.testkit.junit.KafkaBrokerExtension;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * An abandoned prepaid session, through the gateway as a Go client would run it (docs/sessions.md, "Abandoned
 * sessions"): the switch starts two sessions and goes silent on one; with a grace of 1 s the service ends it at
 * its grant and charges it, the switch's late end is not found, the other session (kept alive by an update)
 * is not expired, and {@code ratestream cdrs} exports the expired call with {@code EndedBy} expiry.
 */
@ExtendWith(KafkaBrokerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SessionExpiryEndToEndTest {

    /** Thursday 2 February 2012, 14:00 UTC: 0.2 per second. */
    private static final String TS = "2012-02-02T14:00:00Z";
    private static final String GO_ZERO_TIME = "0001-01-01T00:00:00Z";

    private final String tenant = "exp" + UUID.randomUUID().toString().substring(0, 8);
    private String bootstrap;
    private DevStack stack;
    private int tcpPort;

    @BeforeAll
    void start(KafkaBroker broker, @TempDir Path state) throws Exception {
        bootstrap = broker.bootstrapServers();
        stack = DevStack.start(StreamsAppConfig.defaults(bootstrap, state).withApplicationId("expiry-" + tenant)
                        .withRefillCheck(null).withSessionGrace(Duration.ofSeconds(1)),
                GatewayConfig.defaults(bootstrap).withPorts(0, 0), Duration.ofSeconds(90));
        RatingProfile rif = EndToEndTest.DEMO.ratingProfiles().stream()
                .filter(p -> p.subject().equals("rif") && p.destinationPrefix().equals("0256")).findFirst().orElseThrow();
        List<RatingProfile> profiles = new ArrayList<>(List.of(new RatingProfile(rif.tor(), tenant, "silent", "0256",
                rif.activationPeriods())));
        UserBudget budget = new UserBudget("silent", new BigDecimal("100"), BigDecimal.ZERO, BigDecimal.ZERO,
                BigDecimal.ZERO, BigDecimal.ZERO, 0, null, List.of(), null);
        DataSet data = new DataSet(profiles, EndToEndTest.DEMO.destinations(), EndToEndTest.DEMO.tariffPlans(),
                List.of(budget));
        assertThat(stack.load(data, tenant, Duration.ofSeconds(60)).errors()).isEmpty();
        tcpPort = stack.gateway().jsonRpcPort();
    }

    @AfterAll
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void shouldEndAnAbandonedSessionAtItsGrantAndChargeIt() throws Exception {
        try (RpcConnection switchLine = new RpcConnection(tcpPort, 30_000)) {
            assertThat(result(switchLine.call(go(0, "SessionStart", "gone", new BigDecimal("3"), null)))).isEqualByComparingTo("3");
            assertThat(result(switchLine.call(go(1, "SessionStart", "alive", new BigDecimal("3"), null)))).isEqualByComparingTo("3");
            assertThat(credit(switchLine)).as("holds are not debits").isEqualByComparingTo("100");

            // Keep "alive" going with updates while "gone" is silent: 3 s of grant + 1 s grace + a check every 5 s.
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            BigDecimal used = BigDecimal.ZERO;
            long id = 10;
            while (credit(switchLine).compareTo(new BigDecimal("100")) == 0) {
                assertThat(System.nanoTime()).as("the abandoned session was expired in time").isLessThan(deadline);
                used = used.add(BigDecimal.ONE);
                assertThat(result(switchLine.call(go(id++, "SessionUpdate", "alive", new BigDecimal("3"), used))))
                        .isEqualByComparingTo("3");
                Thread.sleep(500); // paces the updates at the switch's rate, not a wait for the result
            }
            // Charged every granted second of "gone": 3 s at 0.2.
            assertThat(credit(switchLine)).isEqualByComparingTo("99.4");

            JsonNode late = switchLine.call(go(id++, "SessionEnd", "gone", null, new BigDecimal("2")));
            assertThat(late.get("error").asText()).isEqualTo("no open session gone for silent: it has ended, expired or "
                    + "never started");
            assertThat(credit(switchLine)).as("a late end changes nothing").isEqualByComparingTo("99.4");

            assertThat(result(switchLine.call(go(id++, "SessionEnd", "alive", null, used.add(BigDecimal.ONE)))))
                    .as("the session kept alive by updates ends normally").isEqualByComparingTo(
                            used.add(BigDecimal.ONE).multiply(new BigDecimal("0.2")));
        }

        // The gateway may answer an end before its transaction commits (replies are read uncommitted by default,
        // docs/design.md); the export reads committed records only: poll until the last commit is in.
        List<JsonNode> calls = new ArrayList<>();
        long exportDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (calls.size() < 2) {
            assertThat(System.nanoTime()).as("both calls exported in time: %s", calls).isLessThan(exportDeadline);
            CliTest.Run export = CliTest.cli("cdrs", "--bootstrap", bootstrap, "--tenant", tenant, "--format", "jsonl");
            assertThat(export.code()).as(export.err()).isZero();
            calls.clear();
            for (String line : export.out().strip().split("\n")) {
                if (!line.isBlank()) {
                    calls.add(RpcConnection.MAPPER.readTree(line));
                }
            }
        }
        assertThat(calls).hasSize(2);
        JsonNode gone = calls.stream().filter(c -> c.get("SessionId").asText().equals("gone")).findFirst().orElseThrow();
        assertThat(gone.get("EndedBy").asText()).isEqualTo("expiry");
        assertThat(gone.get("Used").decimalValue()).isEqualByComparingTo("3");
        assertThat(gone.get("Cost").decimalValue()).isEqualByComparingTo("0.6");
        JsonNode alive = calls.stream().filter(c -> c.get("SessionId").asText().equals("alive")).findFirst().orElseThrow();
        assertThat(alive.get("EndedBy").asText()).isEqualTo("client");
    }

    private BigDecimal credit(RpcConnection connection) throws Exception {
        return result(connection.call("{\"method\":\"Responder.DebitBalance\",\"params\":[{\"CstmId\":\"" + tenant
                + "\",\"Subject\":\"silent\",\"Amount\":0}],\"id\":999}"));
    }

    /** A request as Go's net/rpc/jsonrpc client writes it for a struct of every descriptor field. */
    private String go(long id, String method, String sessionId, BigDecimal amount, BigDecimal used) {
        return "{\"method\":\"Responder." + method + "\",\"params\":[{\"TOR\":0,\"CstmId\":\"" + tenant
                + "\",\"Subject\":\"silent\",\"DestinationPrefix\":\"0256\",\"TimeStart\":\"" + TS + "\",\"TimeEnd\":\""
                + GO_ZERO_TIME + "\",\"Amount\":" + number(amount) + ",\"SessionId\":\"" + sessionId + "\",\"Used\":"
                + number(used) + ",\"RequestId\":\"\"}],\"id\":" + id + "}";
    }

    private static String number(BigDecimal value) {
        return value == null ? "0" : value.stripTrailingZeros().toPlainString();
    }

    private static BigDecimal result(JsonNode answer) {
        assertThat(answer.get("error").isNull()).as("%s", answer).isTrue();
        return answer.get("result").decimalValue();
    }
}
