package io.ratestream.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.gateway.GatewayConfig;
import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.files.DataSet;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.model.RatingProfile;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.reply.ErrorKind;
import io.ratestream.schemas.reply.Reply;
import io.ratestream.schemas.topics.DeadLetter;
import io.ratestream.schemas.topics.Topics;
import io.ratestream.streams.StreamsAppConfig;
import io.ratestream.streams.topology.RatestreamTopology;
import io.ratestream.streams.topology.Replay;
import io.ratestream.testkit.junit.KafkaBroker;
import io.ratestream.testkit.junit.KafkaBrokerExtension;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * ratestream.queries with the real broker, streams app and gateway: a query whose client gave no request
 * id is published there and leaves no processed entry, no event and no record on ratestream.commands; one
 * with the client's id stays on ratestream.commands, where a retry gets the original reply; a budget
 * change written raw to ratestream.queries is refused and changes nothing; and a query sees the debit its
 * client made just before, in the same task. The replay of the command log still equals the live budgets.
 */
@ExtendWith(KafkaBrokerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryTopicTest {

    private static final String TS = "2012-02-02T17:30:00Z";
    private static final String TE = "2012-02-02T18:30:00Z";
    /** Copies of the demo's minutosu, one per test, so that the tests do not share a budget. */
    private static final List<String> SUBSCRIBERS = List.of("minutosu", "m-kept", "m-raw", "m-order");

    private final ObjectMapper mapper = Json.newMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String tenant = "q" + run;
    private final String applicationId = "queries-" + run;
    private String bootstrap;
    private DevStack stack;
    private long nextId = 1;

    @BeforeAll
    void start(KafkaBroker broker, @TempDir Path state) throws Exception {
        bootstrap = broker.bootstrapServers();
        stack = DevStack.start(StreamsAppConfig.defaults(bootstrap, state).withApplicationId(applicationId)
                        .withRefillCheck(null),
                GatewayConfig.defaults(bootstrap).withPorts(0, 0), Duration.ofSeconds(90));
        UserBudget minutosu = EndToEndTest.DEMO.userBudgets().stream().filter(b -> b.id().equals("minutosu"))
                .findFirst().orElseThrow();
        List<UserBudget> budgets = SUBSCRIBERS.stream().map(id -> new UserBudget(id, minutosu.credit(),
                minutosu.smsCredit(), minutosu.traffic(), minutosu.volumeDiscountSeconds(),
                minutosu.receivedCallSeconds(), minutosu.resetDayOfTheMonth(), minutosu.tariffPlanId(),
                minutosu.minuteBuckets(), minutosu.lastRefill())).toList();
        List<RatingProfile> profiles = new ArrayList<>();
        for (RatingProfile p : EndToEndTest.DEMO.ratingProfiles()) {
            List<String> subjects = p.subject().equals("minutosu") ? SUBSCRIBERS : List.of(p.subject());
            subjects.forEach(subject -> profiles.add(new RatingProfile(p.tor(), tenant, subject,
                    p.destinationPrefix(), p.activationPeriods())));
        }
        DataSet data = new DataSet(profiles, EndToEndTest.DEMO.destinations(), EndToEndTest.DEMO.tariffPlans(),
                budgets);
        assertThat(stack.load(data, tenant, Duration.ofSeconds(60)).errors()).isEmpty();
    }

    @AfterAll
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void shouldPublishAQueryWithoutARequestIdToTheQueriesTopicAndRememberNothing() throws Exception {
        JsonNode cost;
        try (RpcConnection connection = connect()) {
            cost = connection.call(RpcConnection.request(nextId++, "Responder.GetCost", "[{\"CstmId\":\"" + tenant
                    + "\",\"Subject\":\"rif\",\"DestinationPrefix\":\"0256\",\"TimeStart\":\"" + TS
                    + "\",\"TimeEnd\":\"" + TE + "\"}]"));
            // A marker on the same subscriber, so on the same partition and task, accepted after the query was
            // answered: once its processed entry is committed, the query's would be too, had it written one.
            connection.call(RpcConnection.debit(nextId++, tenant, "rif", "1", "marker-" + run));
        }
        HttpResponse<String> max = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + stack.gateway().httpPort() + "/getmaxsessiontime?cstmid=" + tenant + "&subj=minutosu&dest=0723"
                + "&amount=100")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(cost.at("/result/Cost").decimalValue()).isEqualByComparingTo("540");
        assertThat(max.statusCode()).as(max.body()).isEqualTo(200);
        String marker = tenant + ":rif\u001fmarker-" + run;
        awaitKey(processedChangelog(), key -> key.equals(marker));

        List<Command> queries = commands(Topics.QUERIES).stream()
                .filter(q -> List.of("rif", "minutosu").contains(q.descriptor().subject())).toList();
        assertThat(queries).extracting(Command::method).containsExactlyInAnyOrder(Method.GET_COST,
                Method.GET_MAX_SESSION_TIME);
        assertThat(commands(Topics.COMMANDS)).as("only the marker is in the command log")
                .extracting(Command::requestId).contains("marker-" + run)
                .doesNotContainAnyElementsOf(queries.stream().map(Command::requestId).toList());
        List<String> processed = keys(processedChangelog());
        List<String> indexed = keys(applicationId + "-" + RatestreamTopology.PROCESSED_INDEX_STORE + "-changelog");
        for (Command query : queries) {
            assertThat(processed).as("processed entries").noneMatch(key -> key.endsWith(query.requestId()));
            assertThat(indexed).as("index entries").noneMatch(key -> key.endsWith(query.requestId()));
        }
        assertThat(indexed).as("the marker is indexed, so the index is read").anyMatch(key -> key.endsWith(marker));
        assertThat(values(Topics.EVENTS)).noneMatch(event -> queries.stream()
                .anyMatch(query -> event.contains(query.requestId())));
    }

    @Test
    void shouldKeepAQueryWithTheClientsRequestIdInTheCommandLogAndAnswerItsRetryWithTheOriginalReply()
            throws Exception {
        String kept = "kept-" + run;
        String costKey = "cost-" + run;
        BigDecimal first;
        BigDecimal fresh;
        BigDecimal retried;
        try (RpcConnection connection = connect()) {
            first = maxSessionTime(connection, "m-kept", kept);
            assertThat(connection.call(RpcConnection.debit(nextId++, tenant, "m-kept", "20", null)).at("/result")
                    .decimalValue()).isEqualByComparingTo("1");
            fresh = maxSessionTime(connection, "m-kept", null);
            retried = maxSessionTime(connection, "m-kept", kept);
        }
        HttpResponse<String> cost = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + stack.gateway().httpPort() + "/getcost?cstmid=" + tenant + "&subj=rif&dest=0256&ts=" + TS + "&te=" + TE))
                .header("Idempotency-Key", costKey).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(fresh).as("after the debit").isLessThan(first);
        assertThat(retried).as("the retry gets the original reply").isEqualByComparingTo(first);
        assertThat(cost.statusCode()).as(cost.body()).isEqualTo(200);
        awaitKey(processedChangelog(), key -> key.equals(tenant + ":rif\u001f" + costKey));
        assertThat(keys(processedChangelog())).contains(tenant + ":m-kept\u001f" + kept);
        assertThat(commands(Topics.COMMANDS)).extracting(Command::requestId).filteredOn(kept::equals).hasSize(2);
        assertThat(commands(Topics.COMMANDS)).extracting(Command::requestId).contains(costKey);
        assertThat(commands(Topics.QUERIES)).extracting(Command::requestId).doesNotContain(kept, costKey);
        assertThat(commands(Topics.QUERIES)).filteredOn(q -> q.descriptor().subject().equals("m-kept"))
                .as("the query without an id").hasSize(1);
    }

    @Test
    void shouldRefuseABudgetChangeWrittenRawOnTheQueriesTopicAndChangeNothing() throws Exception {
        String id = "raw-" + run;
        CallDescriptor who = new CallDescriptor(0, tenant, "m-raw", null, null, null, new BigDecimal("-1000"), null);
        Command topUp = new Command(id, Method.DEBIT_BALANCE, who, Instant.now(), null, null);
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(Topics.QUERIES, bytes(topUp.key()), mapper.writeValueAsBytes(topUp)))
                    .get(30, TimeUnit.SECONDS);
        }

        Reply reply = awaitValue(Topics.REPLIES, id, Reply.class);
        DeadLetter letter = awaitValue(Topics.DEAD_LETTERS, tenant + ":m-raw", DeadLetter.class);
        assertThat(reply.errorKind()).isEqualTo(ErrorKind.BAD_REQUEST);
        assertThat(reply.error()).contains("DebitBalance changes a budget").contains(Topics.QUERIES + " takes only "
                + "queries").contains("nothing was changed");
        assertThat(letter.topic()).isEqualTo(Topics.QUERIES);
        assertThat(letter.reason()).contains("changes a budget");
        try (RpcConnection connection = connect()) {
            assertThat(connection.call(RpcConnection.debit(nextId++, tenant, "m-raw", "0", null)).at("/result")
                    .decimalValue()).as("the credit").isEqualByComparingTo("21");
        }
        assertThat(values(Topics.EVENTS)).noneMatch(event -> event.contains(id));
        assertThat(keys(processedChangelog())).noneMatch(key -> key.endsWith(id));
        Replay.Verification verification = settled();
        assertThat(verification.replay().budgets().get(tenant + ":m-raw").credit()).isEqualByComparingTo("21");
    }

    @Test
    void shouldAnswerAQueryWithTheDebitItsClientMadeJustBefore() throws Exception {
        List<BigDecimal> answers = new ArrayList<>();
        // credit 21 -> 16, 13.5, ..., 1: each debit lowers the longest session of 1000 s asked for by 100-200 s
        List<String> debits = List.of("5", "2.5", "2.5", "2.5", "2.5", "2.5", "2.5");
        try (RpcConnection connection = connect()) {
            for (int step = 0; step < debits.size(); step++) {
                connection.call(RpcConnection.debit(nextId++, tenant, "m-order", debits.get(step), null));
                BigDecimal query = maxSessionTime(connection, "m-order", null);
                // The same question in the command log, after the debit in offset order: the reference.
                BigDecimal logged = maxSessionTime(connection, "m-order", "order-" + run + "-" + step);
                assertThat(query).as("step %d: the query saw the debit", step).isEqualByComparingTo(logged);
                answers.add(query);
            }
        }
        assertThat(answers).as("every debit moved the answer").doesNotHaveDuplicates();
        assertThat(commands(Topics.QUERIES)).filteredOn(q -> q.descriptor().subject().equals("m-order"))
                .hasSize(debits.size());
    }

    private BigDecimal maxSessionTime(RpcConnection connection, String subject, String requestId) throws Exception {
        JsonNode answer = connection.call(RpcConnection.request(nextId++, "Responder.GetMaxSessionTime", "[{\"CstmId\":\""
                + tenant + "\",\"Subject\":\"" + subject + "\",\"DestinationPrefix\":\"0723\",\"Amount\":1000"
                + (requestId == null ? "" : ",\"RequestId\":\"" + requestId + "\"") + "}]"));
        assertThat(answer.path("error").isMissingNode()).as(answer.toString()).isTrue();
        return answer.get("result").decimalValue();
    }

    private RpcConnection connect() throws Exception {
        return new RpcConnection(stack.gateway().jsonRpcPort(), 30_000);
    }

    private String processedChangelog() {
        return applicationId + "-" + RatestreamTopology.PROCESSED_STORE + "-changelog";
    }

    /** The commands of this test's tenant on a command topic. */
    private List<Command> commands(String topic) throws Exception {
        List<Command> commands = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : read(topic)) {
            if (record.key() != null && text(record.key()).startsWith(tenant + ":")) {
                commands.add(mapper.readValue(record.value(), Command.class));
            }
        }
        return commands;
    }

    /** The keys of a topic as text (an index key's 8-byte time prefix left out). */
    private List<String> keys(String topic) {
        boolean index = topic.contains(RatestreamTopology.PROCESSED_INDEX_STORE);
        return read(topic).stream().map(ConsumerRecord::key).map(k -> index && k.length > Long.BYTES
                ? new String(k, Long.BYTES, k.length - Long.BYTES, StandardCharsets.UTF_8) : text(k)).toList();
    }

    private List<String> values(String topic) {
        return read(topic).stream().filter(r -> r.value() != null).map(r -> text(r.value())).toList();
    }

    private void awaitKey(String topic, Predicate<String> wanted) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (keys(topic).stream().noneMatch(wanted)) {
            assertThat(System.nanoTime()).as("no wanted key on %s within 60 s", topic).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private <T> T awaitValue(String topic, String key, Class<T> type) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            for (ConsumerRecord<byte[], byte[]> record : read(topic)) {
                if (record.key() != null && text(record.key()).equals(key)) {
                    return mapper.readValue(record.value(), type);
                }
            }
            assertThat(System.nanoTime()).as("no record %s on %s within 60 s", key, topic).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    /** Every committed record of a topic, up to its end offsets now. */
    private List<ConsumerRecord<byte[], byte[]>> read(String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                assertThat(System.nanoTime()).as("reading %s", topic).isLessThan(deadline);
            }
        }
        return records;
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * The replay once the live application has processed what it replayed and equals it on this test's
     * tenant. Only this tenant: this application read the other test classes' commands on the shared broker
     * from the beginning, after they were written, and is not what they check.
     */
    private Replay.Verification settled() throws Exception {
        Replay replay = new Replay(bootstrap, Duration.ofHours(24), Duration.ofSeconds(60));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            Replay.Verification check = replay.verify(applicationId);
            List<Replay.Difference> mine = check.differences().stream()
                    .filter(d -> d.key().startsWith(tenant + ":")).toList();
            if (mine.isEmpty() && check.liveAtSnapshot()
                    && check.replay().budgets().keySet().stream().anyMatch(k -> k.startsWith(tenant + ":"))) {
                return check;
            }
            assertThat(System.nanoTime()).as("the live budgets did not settle on the replay: %s", mine)
                    .isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
