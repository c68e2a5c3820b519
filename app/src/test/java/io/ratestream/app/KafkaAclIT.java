package io.ratestream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.app.acl.KafkaAcls;
import io.ratestream.gateway.GatewayApp;
import io.ratestream.gateway.GatewayConfig;
import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.files.CgratesFiles;
import io.ratestream.schemas.files.DataSet;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.model.RatingProfile;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.topics.Topics;
import io.ratestream.streams.StreamsApp;
import io.ratestream.streams.StreamsAppConfig;
import io.ratestream.streams.TopicSetup;
import io.ratestream.streams.topology.Replay;
import io.ratestream.testkit.BrokerConfig;
import io.ratestream.testkit.BrokerSecurity;
import io.ratestream.testkit.EmbeddedKafkaBroker;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline on the embedded broker with SCRAM users and the standard authorizer, each process
 * as its own principal with exactly the ACLs of {@link KafkaAcls}: the streams app as {@code streams},
 * the loader as {@code loader}, the gateway as {@code gateway}. A normal call through the gateway works;
 * the gateway's principal is refused by Kafka when it writes a budget to the admin topic or a price to a
 * reference topic, and a budget it writes onto the client topic is dead-lettered and changes nothing.
 * The streams app's principal writes the admitted copies of the loader's budgets onto the client topic.
 */
class KafkaAclIT {

    private static final DataSet DEMO = new CgratesFiles(Json.newMapper()).readDirectory(Path.of("..", "demo",
            "cgrates-2012"));
    private static final String APPLICATION_ID = "acl-it";
    private static final Duration WAIT = Duration.ofSeconds(90);

    private final ObjectMapper mapper = Json.newMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shouldLetEachPrincipalDoItsJobAndRefuseTheGatewayABudgetOrAPrice(@TempDir Path dir) throws Exception {
        Map<String, String> users = new LinkedHashMap<>();
        for (String user : List.of("admin", "gateway", "streams", "loader")) {
            users.put(user, user + "-pw");
        }
        BrokerSecurity security = new BrokerSecurity("admin", users);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerConfig.of(dir.resolve("kafka"), 0)
                .withSecurity(security))) {
            String bootstrap = broker.bootstrapServers();
            // An administrator creates the topics and the ACLs; no principal below may create a ratestream topic.
            TopicSetup.ensure(bootstrap, broker.superUserProperties(), 4, (short) 1);
            try (Admin admin = admin(bootstrap, broker.superUserProperties())) {
                KafkaAcls.apply(admin, KafkaAcls.bindings(KafkaAcls.Principals.users("gateway", "streams", "loader",
                        APPLICATION_ID)));
            }
            StreamsAppConfig streamsConfig = StreamsAppConfig.defaults(bootstrap, dir.resolve("streams"))
                    .withApplicationId(APPLICATION_ID).withKafkaProperties(security.clientProperties("streams"));
            try (StreamsApp streams = StreamsApp.start(streamsConfig)) {
                assertThat(streams.awaitRunning(WAIT)).as("streams app running as User:streams").isTrue();
                Loader.Report report = new Loader(bootstrap, security.clientProperties("loader"), Clock.systemUTC())
                        .load(DEMO, "vdf", WAIT);
                assertThat(report.errors()).isEmpty();
                assertThat(report.budgets()).isEqualTo(DEMO.userBudgets().size());

                try (GatewayApp gateway = GatewayApp.start(GatewayConfig.defaults(bootstrap).withPorts(0, 0)
                        .withKafkaProperties(security.clientProperties("gateway")))) {
                    assertThat(gateway.awaitReady(WAIT)).as("gateway ready as User:gateway: %s",
                            gateway.gateway().status()).isTrue();
                    int port = gateway.httpPort();
                    assertThat(get(port, "/getcost?cstmid=vdf&subj=rif&dest=0256&ts=2012-02-02T17:30:00Z"
                            + "&te=2012-02-02T18:30:00Z").at("/Cost").decimalValue()).isEqualByComparingTo("540");
                    assertThat(get(port, "/debitbalance?cstmid=vdf&subj=minutosu&amount=1").decimalValue())
                            .isEqualByComparingTo("20");

                    assertThat(streamsInstancesSeen(port)).as("the status page lists the streams app: its principal "
                            + "may describe the app's group").isTrue();
                    refusedToTheGateway(bootstrap, security);
                    forgedOnTheClientTopic(bootstrap, security, broker.superUserProperties());

                    assertThat(get(port, "/debitbalance?cstmid=vdf&subj=minutosu&amount=0").decimalValue())
                            .as("minutosu's credit after the forged budgets").isEqualByComparingTo("20");
                }
                assertReplayIdentical(bootstrap, security.clientProperties("streams"));
            }
        }
    }

    /** Kafka itself refuses the gateway's principal a budget on the admin topic and a price. */
    private void refusedToTheGateway(String bootstrap, BrokerSecurity security) throws Exception {
        UserBudget rich = DEMO.userBudgets().get(0).withCredit(new BigDecimal("1000000"));
        byte[] budget = mapper.writeValueAsBytes(setBudget("forged-admin", rich));
        RatingProfile free = DEMO.ratingProfiles().get(0);
        try (KafkaProducer<String, byte[]> gateway = producer(bootstrap, security.clientProperties("gateway"))) {
            assertThatThrownBy(() -> gateway.send(new ProducerRecord<>(Topics.ADMIN_COMMANDS, "vdf:minutosu", budget))
                    .get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TopicAuthorizationException.class);
            assertThatThrownBy(() -> gateway.send(new ProducerRecord<>(Topics.RATING_PROFILES, free.key(),
                    mapper.writeValueAsBytes(free))).get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TopicAuthorizationException.class);
        }
        try (KafkaProducer<String, byte[]> loader = producer(bootstrap, security.clientProperties("loader"))) {
            assertThatThrownBy(() -> loader.send(new ProducerRecord<>(Topics.COMMANDS, "vdf:minutosu", budget))
                    .get(30, TimeUnit.SECONDS))
                    .as("the loader has no business on the client topic")
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TopicAuthorizationException.class);
            assertThatThrownBy(() -> loader.send(new ProducerRecord<>(Topics.QUERIES, "vdf:minutosu", budget))
                    .get(30, TimeUnit.SECONDS))
                    .as("nor on the queries topic")
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TopicAuthorizationException.class);
        }
    }

    /**
     * What the gateway's principal may write, a budget on the client topic, is dead-lettered, even marked
     * with the header of an admitted copy: only what the streams app admitted from the admin topic is applied.
     */
    private void forgedOnTheClientTopic(String bootstrap, BrokerSecurity security, Map<String, String> admin)
            throws Exception {
        UserBudget rich = DEMO.userBudgets().get(0).withCredit(new BigDecimal("1000000"));
        try (KafkaProducer<String, byte[]> gateway = producer(bootstrap, security.clientProperties("gateway"))) {
            ProducerRecord<String, byte[]> forged = new ProducerRecord<>(Topics.COMMANDS, "vdf:minutosu",
                    mapper.writeValueAsBytes(setBudget("forged-client", rich)));
            forged.headers().add("ratestream-admitted-from",
                    (Topics.ADMIN_COMMANDS + "/0/0").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            gateway.send(forged).get(30, TimeUnit.SECONDS);
            Command refill = new Command("refill:2099-01:vdf:minutosu", Method.MONTHLY_REFILL, who(), Instant.now(),
                    null, null);
            gateway.send(new ProducerRecord<>(Topics.COMMANDS, "vdf:minutosu", mapper.writeValueAsBytes(refill)))
                    .get(30, TimeUnit.SECONDS);
        }
        List<String> reasons = deadLetterReasons(bootstrap, admin, 2);
        assertThat(reasons).hasSize(2).allSatisfy(reason -> assertThat(reason)
                .contains("is admitted only through " + Topics.ADMIN_COMMANDS).contains("nothing was changed"));
    }

    private void assertReplayIdentical(String bootstrap, Map<String, String> streams) throws Exception {
        Replay replay = new Replay(bootstrap, streams, Duration.ofHours(24), Duration.ofSeconds(60));
        Replay.Verification verification = replay.verify(APPLICATION_ID);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!verification.liveAtSnapshot() && System.nanoTime() < deadline) {
            Thread.sleep(200);
            verification = replay.verify(APPLICATION_ID);
        }
        assertThat(verification.liveAtSnapshot()).as("live %s, replayed %s", verification.liveOffsets(),
                verification.replay().endOffsets()).isTrue();
        assertThat(verification.differences()).isEmpty();
        assertThat(verification.replay().budgets().get("vdf:minutosu").credit()).isEqualByComparingTo("20");
        assertThat(verification.replay().rejected()).isEqualTo(2);
    }

    private List<String> deadLetterReasons(String bootstrap, Map<String, String> auth, int count) throws Exception {
        Map<String, Object> config = new HashMap<>(auth);
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<String> reasons = new java.util.ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new StringDeserializer())) {
            TopicPartition partition = new TopicPartition(Topics.DEAD_LETTERS, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (reasons.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    reasons.add(mapper.readTree(record.value()).path("Reason").asText());
                }
            }
        }
        return reasons;
    }

    private static CallDescriptor who() {
        return new CallDescriptor(0, "vdf", "minutosu", null, null, null, null, null);
    }

    private static Command setBudget(String requestId, UserBudget budget) {
        return new Command(requestId, Method.SET_USER_BUDGET, who(), Instant.now(), null, budget);
    }

    /** Whether the gateway's status lists the streams app's instance within 30 s (it looks every 5 s). */
    private boolean streamsInstancesSeen(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            for (JsonNode instance : get(port, "/status").path("StreamsInstances")) {
                if (APPLICATION_ID.equals(instance.path("Application").asText())) {
                    return true;
                }
            }
            Thread.sleep(250);
        }
        return false;
    }

    private JsonNode get(int port, String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + " -> " + response.body()).isEqualTo(200);
        return mapper.readTree(response.body());
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap, Map<String, String> auth) {
        Map<String, Object> config = new HashMap<>(auth);
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    }

    private static Admin admin(String bootstrap, Map<String, String> auth) {
        Map<String, Object> config = new HashMap<>(auth);
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return Admin.create(config);
    }
}
