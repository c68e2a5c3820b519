package io.ratestream.streams.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.schemas.json.Json;
import io.ratestream.streams.StreamsApp;
import io.ratestream.streams.StreamsAppConfig;
import io.ratestream.streams.TopicSetup;
import io.ratestream.testkit.junit.KafkaBroker;
import io.ratestream.testkit.junit.KafkaBrokerExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real non-Java Kafka client (kcat, librdkafka) loads reference data and a budget, produces commands
 * and reads their replies and events, exactly as docs/topics.md shows. .ci/run installs kcat, so CI
 * always runs this; elsewhere, without kcat, it is skipped with a message.
 */
@ExtendWith(KafkaBrokerExtension.class)
class KcatTest {

    private final ObjectMapper mapper = Json.newMapper();

    @Test
    void shouldServeACommandProducedAndAReplyReadByKcat(KafkaBroker broker, @TempDir Path state) throws Exception {
        requireKcat();
        String b = broker.bootstrapServers();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String subject = "kc-" + run;
        TopicSetup.ensure(b, 4, (short) 1);
        try (StreamsApp app = StreamsApp.start(StreamsAppConfig.defaults(b, state).withApplicationId("it-kcat-" + run))) {
            assertThat(app.awaitRunning(Duration.ofSeconds(60))).isTrue();

            kcat(b, """
                    echo 'nationale|{"Id":"nationale","Prefixes":["0256","0257","0723","0740"]}' |
                      kcat -P -b $B -t ratestream.destinations -K '|'
                    echo 'seara|{"Id":"seara","SmsCredit":100,"RecivedCallBonus":{"Credit":100}}' |
                      kcat -P -b $B -t ratestream.tariff-plans -K '|'
                    echo 'vdf:SUBJECT:0256|{"TOR":0,"CstmId":"vdf","Subject":"SUBJECT","DestinationPrefix":"0256","ActivationPeriods":[{"ActivationTime":"2012-01-01T00:00:00Z","Intervals":[{"WeekDays":[1,2,3,4,5],"StartTime":"","EndTime":"18:00:00","Price":0.2,"BillingUnit":1},{"WeekDays":[1,2,3,4,5],"StartTime":"18:00:00","EndTime":"","Price":0.1,"BillingUnit":1},{"WeekDays":[6,0],"StartTime":"","EndTime":"","Price":0.1,"BillingUnit":1}]}]}' |
                      kcat -P -b $B -t ratestream.rating-profiles -K '|'
                    echo "vdf:SUBJECT|{\\"RequestId\\":\\"load-RUN\\",\\"Method\\":\\"SetUserBudget\\",\\"Descriptor\\":{\\"CstmId\\":\\"vdf\\",\\"Subject\\":\\"SUBJECT\\"},\\"AcceptedAt\\":\\"$(now)\\",\\"Budget\\":{\\"Id\\":\\"SUBJECT\\",\\"Credit\\":21,\\"TariffPlanId\\":\\"seara\\"}}" |
                      kcat -P -b $B -t ratestream.admin-commands -K '|' $P
                    """.replace("SUBJECT", subject).replace("RUN", run));
            JsonNode loaded = reply(b, "load-" + run);
            assertThat(loaded.path("Value").decimalValue()).isEqualByComparingTo("21");

            kcat(b, """
                    echo "vdf:SUBJECT|{\\"RequestId\\":\\"cost-RUN\\",\\"Method\\":\\"GetCost\\",\\"Descriptor\\":{\\"CstmId\\":\\"vdf\\",\\"Subject\\":\\"SUBJECT\\",\\"DestinationPrefix\\":\\"0256308200\\",\\"TimeStart\\":\\"2012-02-02T17:30:00Z\\",\\"TimeEnd\\":\\"2012-02-02T18:30:00Z\\"},\\"AcceptedAt\\":\\"$(now)\\"}" |
                      kcat -P -b $B -t ratestream.commands -K '|' $P
                    echo "vdf:SUBJECT|{\\"RequestId\\":\\"debit-RUN\\",\\"Method\\":\\"DebitBalance\\",\\"Descriptor\\":{\\"CstmId\\":\\"vdf\\",\\"Subject\\":\\"SUBJECT\\",\\"Amount\\":2.5},\\"AcceptedAt\\":\\"$(now)\\"}" |
                      kcat -P -b $B -t ratestream.commands -K '|' $P
                    """.replace("SUBJECT", subject).replace("RUN", run));

            JsonNode cost = reply(b, "cost-" + run);
            assertThat(cost.path("CallCost").path("Cost").decimalValue()).isEqualByComparingTo("540");
            assertThat(cost.path("CallCost").path("DestinationPrefix").asText()).isEqualTo("0256");
            assertThat(reply(b, "debit-" + run).path("Value").decimalValue()).isEqualByComparingTo("18.5");
            JsonNode event = lastLine(b, "ratestream.events", "vdf:" + subject);
            assertThat(event.path("RequestId").asText()).isEqualTo("debit-" + run);
            assertThat(event.path("Before").path("Credit").decimalValue()).isEqualByComparingTo("21");
            assertThat(event.path("After").path("Credit").decimalValue()).isEqualByComparingTo("18.5");
        }
    }

    private static void requireKcat() throws Exception {
        Process which = new ProcessBuilder("bash", "-c", "command -v kcat").start();
        if (which.waitFor() != 0) {
            if ("true".equals(System.getenv("CI"))) {
                fail("kcat is not installed: .ci/run installs it (apt-get install kcat)");
            }
            Assumptions.abort("kcat is not installed here (apt-get install kcat): skipping the non-Java client test");
        }
    }

    private static String kcat(String bootstrap, String script) throws IOException, InterruptedException {
        String prelude = "set -euo pipefail\nB=" + bootstrap + "\nP='-X topic.partitioner=murmur2_random'\n"
                + "now() { date -u +%Y-%m-%dT%H:%M:%SZ; }\n";
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", prelude + script);
        builder.redirectErrorStream(true);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            fail("kcat script failed:\n" + script + "\noutput:\n" + output);
        }
        return output;
    }

    private JsonNode reply(String bootstrap, String requestId) throws Exception {
        return lastLine(bootstrap, "ratestream.replies", requestId);
    }

    /** The value of the last record with {@code key} on a topic, read with kcat, waiting until it is there. */
    private JsonNode lastLine(String bootstrap, String topic, String key) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String out = kcat(bootstrap, "kcat -C -b $B -t " + topic + " -K '|' -o beginning -e -q || true");
            String found = null;
            for (String line : out.split("\n")) {
                if (line.startsWith(key + "|")) {
                    found = line.substring(key.length() + 1);
                }
            }
            if (found != null) {
                return mapper.readTree(found);
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no record keyed " + key + " on " + topic);
    }
}
