package io.ratestream.streams.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.event.BudgetEvent;
import io.ratestream.schemas.event.RatedCall;
import io.ratestream.schemas.files.CgratesFiles;
import io.ratestream.schemas.files.DataSet;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.reply.ErrorKind;
import io.ratestream.schemas.reply.Reply;
import io.ratestream.schemas.topics.Topics;
import io.ratestream.streams.StreamsApp;
import io.ratestream.streams.StreamsAppConfig;
import io.ratestream.streams.ThreadReplacementLimit;
import io.ratestream.streams.TopicSetup;
import io.ratestream.streams.ops.OpsOptions;
import io.ratestream.streams.topology.Replay;
import io.ratestream.testkit.junit.KafkaBroker;
import io.ratestream.testkit.junit.KafkaBrokerExtension;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * An abandoned session on a real broker, with a grace of 1 s: the streams app's expiry check writes its
 * SessionExpiry onto ratestream.admin-commands, which is admitted and applied like any admin command; the
 * call is charged at its grant, its rated call says it ended by expiry, the switch's late End is not found,
 * the metric counts it, and a replay of the log rebuilds the same budgets.
 */
@ExtendWith(KafkaBrokerExtension.class)
class SessionExpiryTest {

    private static final DataSet DEMO = new CgratesFiles(Json.newMapper()).readDirectory(Path.of("..", "demo", "cgrates-2012"));
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** Subject rif to 0256 from 17:58 on a Thursday: 0.2 a second, no connect fee. */
    private static final OffsetDateTime AT_1758 = OffsetDateTime.parse("2012-02-02T17:58:00Z");

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String subject = "expiry-" + run;

    @Test
    void shouldChargeAnAbandonedSessionAtItsGrant(KafkaBroker broker, @TempDir Path state) throws Exception {
        String bootstrap = broker.bootstrapServers();
        TopicSetup.ensure(bootstrap, 4, (short) 1);
        StreamsAppConfig config = StreamsAppConfig.defaults(bootstrap, state).withApplicationId("it-expiry-" + run)
                .withRefillCheck(null).withSessionGrace(Duration.ofSeconds(1));
        try (TestClient client = new TestClient(bootstrap);
                StreamsApp app = StreamsApp.start(config, new ThreadReplacementLimit(),
                        OpsOptions.none().withHttp("127.0.0.1", 0));
                KafkaConsumer<String, BudgetEvent> events = events(bootstrap)) {
            client.loadReference(DEMO, List.of(subject), "rif");
            assertThat(app.awaitRunning(Duration.ofSeconds(60))).isTrue();
            UserBudget thirty = new UserBudget(subject, new BigDecimal("30"), BigDecimal.ZERO, BigDecimal.ZERO,
                    BigDecimal.ZERO, BigDecimal.ZERO, 0, null, List.of(), null);
            // AcceptedAt is the wall clock's: a session's deadline is its grant's AcceptedAt plus its seconds
            assertThat(client.call(new Command("set-" + run, Method.SET_USER_BUDGET, session(null, null, null, null),
                    Instant.now(), null, thirty), TIMEOUT).error()).isNull();

            Reply granted = client.call(new Command("start-" + run, Method.SESSION_START,
                    session("0256", "call-1", null, "3"), Instant.now(), null, null), TIMEOUT);
            assertThat(granted.value()).isEqualByComparingTo("3");

            // nobody updates or ends it: 3 s + 1 s later the next check (every 5 s) writes its expiry
            RatedCall call = awaitRatedCall(events, "call-1", Duration.ofSeconds(60));

            assertThat(call.endedBy()).isEqualTo(RatedCall.EndedBy.EXPIRY);
            assertThat(call.used()).isEqualByComparingTo("3");
            assertThat(call.cost()).isEqualByComparingTo("0.6");
            assertThat(call.creditAfter()).isEqualByComparingTo("29.4");
            assertThat(balance(client)).isEqualByComparingTo("29.4");
            Reply late = client.call(new Command("end-" + run, Method.SESSION_END, session(null, "call-1", "200", null),
                    Instant.now(), null, null), TIMEOUT);
            assertThat(late.errorKind()).isEqualTo(ErrorKind.NOT_FOUND);
            assertThat(balance(client)).isEqualByComparingTo("29.4");
            assertThat(scrape(app)).contains("ratestream_streams_session_expiries_total 1.0");

            Replay.Verification verification = verified(bootstrap, app);
            assertThat(verification.differences()).isEmpty();
            assertThat(verification.replay().budgets().get("vdf:" + subject).credit()).isEqualByComparingTo("29.4");
            assertThat(verification.replay().budgets().get("vdf:" + subject).sessions()).isEmpty();
        }
    }

    /** A descriptor of this test's subject; a destination only for a start, which begins at 17:58. */
    private CallDescriptor session(String destination, String sessionId, String used, String amount) {
        return new CallDescriptor(0, "vdf", subject, destination, destination == null ? null : AT_1758, null,
                amount == null ? null : new BigDecimal(amount), null, sessionId, used == null ? null : new BigDecimal(used));
    }

    private BigDecimal balance(TestClient client) throws Exception {
        CallDescriptor none = new CallDescriptor(0, "vdf", subject, null, null, null, BigDecimal.ZERO, null);
        return client.call(new Command("balance-" + UUID.randomUUID(), Method.DEBIT_BALANCE, none, Instant.now(), null,
                null), TIMEOUT).value();
    }

    private static KafkaConsumer<String, BudgetEvent> events(String bootstrap) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        KafkaConsumer<String, BudgetEvent> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new Topics(Json.newMapper()).events().valueSerde().deserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.EVENTS, TIMEOUT).stream()
                .map(p -> new TopicPartition(Topics.EVENTS, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    /** The rated call of this test's session, from ratestream.events, waiting at most {@code timeout}. */
    private RatedCall awaitRatedCall(KafkaConsumer<String, BudgetEvent> events, String sessionId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, BudgetEvent> record : events.poll(Duration.ofMillis(200))) {
                RatedCall call = record.value().ratedCall();
                if (record.key().equals("vdf:" + subject) && call != null && call.sessionId().equals(sessionId)) {
                    return call;
                }
            }
        }
        throw new AssertionError("no rated call of session " + sessionId + " within " + timeout);
    }

    private static String scrape(StreamsApp app) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + app.httpPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    /** A replay compared with the live app once the app has committed what the replay read. */
    private static Replay.Verification verified(String bootstrap, StreamsApp app) throws Exception {
        Replay replay = new Replay(bootstrap, Duration.ofHours(24), Duration.ofSeconds(60));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Replay.Verification verification = replay.verify(app.config().applicationId());
        while (!verification.liveAtSnapshot() && System.nanoTime() < deadline) {
            Thread.sleep(200);
            verification = replay.verify(app.config().applicationId());
        }
        assertThat(verification.liveAtSnapshot()).as("live offsets %s, replayed to %s", verification.liveOffsets(),
                verification.replay().endOffsets()).isTrue();
        return verification;
    }
}
