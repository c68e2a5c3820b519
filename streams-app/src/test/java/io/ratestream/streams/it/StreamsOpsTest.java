package io.ratestream.streams.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.files.CgratesFiles;
import io.ratestream.schemas.files.DataSet;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.reply.Reply;
import io.ratestream.schemas.topics.Topics;
import io.ratestream.streams.StreamsApp;
import io.ratestream.streams.StreamsAppConfig;
import io.ratestream.streams.ThreadReplacementLimit;
import io.ratestream.streams.TopicSetup;
import io.ratestream.streams.ops.OpsOptions;
import io.ratestream.testkit.junit.KafkaBroker;
import io.ratestream.testkit.junit.KafkaBrokerExtension;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.DefaultProductionExceptionHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streams app's health and metrics server on a real broker, through real HTTP: not ready until
 * RUNNING with its stores restored, then ready; live until its client fails, and not live from then
 * until it is closed; Kafka Streams', the JVM's and ratestream's own meters in Prometheus text.
 */
@ExtendWith(KafkaBrokerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamsOpsTest {

    private static final DataSet DEMO = new CgratesFiles(Json.newMapper()).readDirectory(Path.of("..", "demo", "cgrates-2012"));
    private static final Instant T0 = Instant.parse("2012-02-02T17:00:00Z");
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper mapper = new ObjectMapper();
    private final List<String> progress = new CopyOnWriteArrayList<>();
    private String bootstrap;
    private StreamsApp app;
    private TestClient client;
    private HttpResponse<String> firstReady;
    private KafkaStreams.State stateBeforeFirstReady;

    @BeforeAll
    void start(KafkaBroker broker, @TempDir Path state) throws Exception {
        bootstrap = broker.bootstrapServers();
        TopicSetup.ensure(bootstrap, 4, (short) 1);
        client = new TestClient(bootstrap);
        client.loadReference(DEMO, List.of(), "minutosu");
        app = StreamsApp.start(StreamsAppConfig.defaults(bootstrap, state).withApplicationId("it-ops-" + run),
                new ThreadReplacementLimit(), OpsOptions.none().withHttp("127.0.0.1", 0).withProgress(progress::add));
        // start() returns with the client REBALANCING: it has not joined its group yet
        stateBeforeFirstReady = app.state();
        firstReady = get(app, "/health/ready");
    }

    @AfterAll
    void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        if (client != null) {
            client.close();
        }
    }

    @Test
    void shouldBeNotReadyBeforeRunningAndReadyOnceRunningWithItsStoresRestored() throws Exception {
        assertThat(stateBeforeFirstReady).isNotEqualTo(KafkaStreams.State.RUNNING);
        assertThat(firstReady.statusCode()).as(firstReady.body()).isEqualTo(503);
        assertThat(json(firstReady).path("Status").asText()).isEqualTo("not ready");
        assertThat(json(firstReady).path("State").asText()).isNotEqualTo("RUNNING");

        HttpResponse<String> ready = awaitReady(app);

        assertThat(json(ready).path("Status").asText()).isEqualTo("ready");
        assertThat(json(ready).path("State").asText()).isEqualTo("RUNNING");
        assertThat(json(ready).path("RestoringPartitions").asInt()).isZero();
        assertThat(app.restore().snapshot().partitions()).isZero();
        // the global stores were restored from the reference topics at start-up: one line for it all
        assertThat(progress).anySatisfy(line -> assertThat(line).startsWith("state stores restored: "));
        assertThat(app.restore().restoredRecords()).isPositive();
        assertThat(scrape(app)).contains("ratestream_streams_ready 1.0");
    }

    @Test
    void shouldBeLiveWhileRunning() throws Exception {
        awaitReady(app);

        HttpResponse<String> live = get(app, "/health/live");

        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(live.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(json(live).path("Status").asText()).isEqualTo("live");
    }

    @Test
    void shouldServeKafkaStreamsJvmAndOwnMetricsAndCountCommandsByMethodAndOutcome() throws Exception {
        awaitReady(app);
        String key = "ratestream_streams_commands_total{method=\"GetCost\",outcome=\"ok\"}";
        double before = value(scrape(app), key);

        Reply reply = client.call(new Command("cost-" + run, Method.GET_COST, workedExample(), T0, null, null), TIMEOUT);

        assertThat(reply.error()).isNull();
        String metrics = awaitMetric(app, key, before + 1);
        assertThat(metrics).contains("kafka_stream_thread_");
        assertThat(metrics).contains("kafka_consumer_");
        assertThat(metrics).contains("kafka_producer_");
        assertThat(metrics).contains("jvm_memory_used_bytes");
        assertThat(metrics).contains("jvm_threads_live_threads");
        assertThat(metrics).contains("ratestream_streams_thread_replacements_total 0.0");
        assertThat(metrics).contains("ratestream_streams_restore_remaining_records 0.0");
        assertThat(metrics).contains("ratestream_streams_refills_total 0.0");
        System.gc(); // a meter whose object only Micrometer's weak reference holds would read NaN now
        assertThat(scrape(app)).doesNotContainPattern("(?m)^ratestream_\\S* NaN$").contains("ratestream_streams_ready 1.0");
    }

    @Test
    void shouldCountADeadLetteredRecordByReason() throws Exception {
        awaitReady(app);
        String letters = "ratestream_streams_dead_letters_total{reason=\"unreadable\"}";
        String commands = "ratestream_streams_commands_total{method=\"unknown\",outcome=\"unreadable\"}";
        String metrics = scrape(app);
        double lettersBefore = value(metrics, letters);
        double commandsBefore = value(metrics, commands);

        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(Topics.COMMANDS, bytes("vdf:garbage-" + run), bytes("{garbage"))).get(30,
                    TimeUnit.SECONDS);
        }

        awaitMetric(app, letters, lettersBefore + 1);
        assertThat(value(scrape(app), commands)).isGreaterThanOrEqualTo(commandsBefore + 1);
    }

    @Test
    void shouldAnswer404ForAnyOtherPathAnd405ForAnyOtherMethod() throws Exception {
        HttpResponse<String> missing = get(app, "/health");
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri(app, "/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> delete = http.send(HttpRequest.newBuilder(uri(app, "/health/live")).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(json(missing).path("Error").asText()).contains("/health/live");
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET");
        assertThat(delete.statusCode()).isEqualTo(405);
    }

    /**
     * Kafka's default production handler and a producer that may send less than the dead letter of a
     * 600 KB record: the record kills the stream thread, no replacement is allowed, the client shuts
     * down to ERROR. From then until the app is closed, /health/live says why, with 503.
     */
    @Test
    void shouldNotBeLiveOnceTheClientHasFailedUntilItIsClosed(@TempDir Path state) throws Exception {
        byte[] poison = new byte[600_000];
        Arrays.fill(poison, (byte) '{');
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(Topics.COMMANDS, bytes("vdf:loop-" + run), poison)).get(30, TimeUnit.SECONDS);
        }
        StreamsAppConfig config = StreamsAppConfig.defaults(bootstrap, state).withApplicationId("it-ops-fail-" + run)
                .withKafkaProperties(Map.of(
                        "production.exception.handler", DefaultProductionExceptionHandler.class.getName(),
                        "producer.max.request.size", "100000"));
        StreamsApp failing = StreamsApp.start(config, new ThreadReplacementLimit(0, Duration.ofMinutes(10)),
                OpsOptions.none().withHttp("127.0.0.1", 0));
        URI live = uri(failing, "/health/live");
        try {
            failing.failure().get(120, TimeUnit.SECONDS);

            HttpResponse<String> answer = get(failing, "/health/live");
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(503);
            assertThat(json(answer).path("Status").asText()).isEqualTo("failed");
            assertThat(json(answer).path("Reason").asText()).contains("a record may have");
            assertThat(get(failing, "/health/ready").statusCode()).isEqualTo(503);
        } finally {
            failing.close();
        }
        assertThat(failing.state()).isIn(KafkaStreams.State.ERROR, KafkaStreams.State.NOT_RUNNING);
        try {
            http.send(HttpRequest.newBuilder(live).build(), HttpResponse.BodyHandlers.ofString());
            throw new AssertionError("the HTTP server still answers after close");
        } catch (ConnectException expected) {
            // closed with the app
        }
    }

    private HttpResponse<String> awaitReady(StreamsApp streams) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        HttpResponse<String> last;
        do {
            last = get(streams, "/health/ready");
            if (last.statusCode() == 200) {
                return last;
            }
            assertThat(last.statusCode()).as(last.body()).isEqualTo(503);
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("not ready within " + TIMEOUT + ": " + last.body());
    }

    /**
     * The scrape once {@code metric} has reached {@code expected}, waiting for it. The counters count
     * processing attempts: a record of a transaction that aborted (a slow machine's transaction timeout,
     * a rebalance) is counted again, so more than {@code expected} is allowed.
     */
    private String awaitMetric(StreamsApp streams, String metric, double expected) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        String metrics;
        do {
            metrics = scrape(streams);
            if (value(metrics, metric) >= expected) {
                return metrics;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        throw new AssertionError(metric + " did not reach " + expected + " within " + TIMEOUT + ": "
                + value(metrics, metric));
    }

    private String scrape(StreamsApp streams) throws Exception {
        HttpResponse<String> response = get(streams, "/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
        return response.body();
    }

    /** The value of one series (name and labels as Prometheus writes them) in a scrape; 0 when absent. */
    private static double value(String metrics, String series) {
        Matcher line = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(metrics);
        return line.find() ? Double.parseDouble(line.group(1)) : 0;
    }

    private HttpResponse<String> get(StreamsApp streams, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(streams, path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(StreamsApp streams, String path) {
        assertThat(streams.httpPort()).isPositive();
        return URI.create("http://127.0.0.1:" + streams.httpPort() + path);
    }

    private JsonNode json(HttpResponse<String> response) throws Exception {
        return mapper.readTree(response.body());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static CallDescriptor workedExample() {
        return new CallDescriptor(0, "vdf", "rif", "0256", OffsetDateTime.parse("2012-02-02T17:30:00Z"),
                OffsetDateTime.parse("2012-02-02T18:30:00Z"), null, null);
    }
}
