package io.ratestream.app.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.app.DevStack;
import io.ratestream.app.Loader;
import io.ratestream.gateway.GatewayConfig;
import io.ratestream.gateway.jsonrpc.JsonRpcServer;
import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.files.CgratesFiles;
import io.ratestream.schemas.files.DataSet;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.topics.Topics;
import io.ratestream.streams.StreamsAppConfig;
import io.ratestream.testkit.junit.KafkaBroker;
import io.ratestream.testkit.junit.KafkaBrokerExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The warm-up `dev` runs before its ready line drives queries through the real gateway and pipeline,
 * and leaves nothing in the command log: every call went to ratestream.queries. It goes through a
 * loopback listener of the gateway's own while the public ports stay closed until the gateway listens.
 */
@ExtendWith(KafkaBrokerExtension.class)
class WarmUpTest {

    private static final ObjectMapper MAPPER = Json.newMapper();
    private static final DataSet DEMO = new CgratesFiles(Json.newMapper()).readDirectory(Path.of("..", "demo", "cgrates-2012"));

    @Test
    void shouldSendQueriesThroughTheGatewayAndLeaveTheCommandLogAsItWas(KafkaBroker broker, @TempDir Path state)
            throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        // No refill and no session expiry of its own while it runs; the window below is read record by record
        // anyway, as the app may still be copying the shared log's older admin commands when it is taken.
        try (DevStack stack = DevStack.start(StreamsAppConfig.defaults(broker.bootstrapServers(), state)
                        .withApplicationId("warm-up-" + run).withRefillCheck(null).withSessionGrace(Duration.ofDays(1)),
                GatewayConfig.defaults(broker.bootstrapServers()).withPorts(0, 0), Duration.ofSeconds(90))) {
            Loader.Report report = stack.load(DEMO, "vdf", Duration.ofSeconds(60));
            assertThat(report.errors()).isEmpty();
            Map<TopicPartition, Long> commandsBefore = endOffsets(broker, Topics.COMMANDS);
            Map<TopicPartition, Long> queriesBefore = endOffsets(broker, Topics.QUERIES);
            ByteArrayOutputStream lines = new ByteArrayOutputStream();

            WarmUp.Result result = WarmUp.run("127.0.0.1:" + stack.gateway().jsonRpcPort(), Duration.ofSeconds(2), 2,
                    4, new PrintStream(lines, true, StandardCharsets.UTF_8));

            assertThat(result.calls()).isPositive();
            assertThat(result.errors()).isZero();
            assertThat(lines.toString(StandardCharsets.UTF_8)).contains("warming up: ");
            assertThat(commandsSince(broker, commandsBefore)).as("queries on the command log")
                    .filteredOn(command -> !command.method().changesBudget()).isEmpty();
            long queried = endOffsets(broker, Topics.QUERIES).entrySet().stream()
                    .mapToLong(e -> e.getValue() - queriesBefore.get(e.getKey())).sum();
            assertThat(queried).isEqualTo(result.calls());
        }
    }

    @Test
    void shouldAnswerOnTheLoopbackListenerWhileThePortsStayClosedUntilListen(KafkaBroker broker, @TempDir Path state)
            throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        int jsonRpcPort = freePort();
        int httpPort = freePort();
        try (DevStack stack = DevStack.start(StreamsAppConfig.defaults(broker.bootstrapServers(), state)
                        .withApplicationId("warm-up-ports-" + run).withRefillCheck(null),
                GatewayConfig.defaults(broker.bootstrapServers()).withPorts(jsonRpcPort, httpPort),
                Duration.ofSeconds(90), null, false)) {
            try (JsonRpcServer loopback = stack.gateway().openLoopbackListener()) {
                WarmUp.Result warmUp = WarmUp.run("127.0.0.1:" + loopback.port(), Duration.ofSeconds(1), 2, 2,
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
                assertThat(warmUp.calls()).isPositive();
                assertThat(warmUp.errors()).isZero();
                assertThat(accepts(jsonRpcPort)).as("the JSON-RPC port during the warm-up").isFalse();
                assertThat(accepts(httpPort)).as("the HTTP port during the warm-up").isFalse();
                assertThatThrownBy(() -> stack.gateway().jsonRpcPort()).isInstanceOf(IllegalStateException.class);
            }

            stack.gateway().listen();

            assertThat(stack.gateway().jsonRpcPort()).isEqualTo(jsonRpcPort);
            assertThat(stack.gateway().httpPort()).isEqualTo(httpPort);
            WarmUp.Result served = WarmUp.run("127.0.0.1:" + jsonRpcPort, Duration.ofSeconds(1), 1, 2,
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            assertThat(served.calls()).isPositive();
            assertThat(served.errors()).isZero();
            HttpResponse<String> live = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + httpPort + "/health/live")).build(), BodyHandlers.ofString());
            assertThat(live.statusCode()).isEqualTo(200);
            assertThatThrownBy(() -> stack.gateway().listen()).isInstanceOf(IllegalStateException.class);
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The commands written to ratestream.commands from {@code from} to its end offsets now. */
    private static List<Command> commandsSince(KafkaBroker broker, Map<TopicPartition, Long> from) throws Exception {
        Map<TopicPartition, Long> to = endOffsets(broker, Topics.COMMANDS);
        List<Command> commands = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(to.keySet());
            from.forEach(consumer::seek);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (to.entrySet().stream().anyMatch(end -> consumer.position(end.getKey()) < end.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read ratestream.commands up to " + to);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.offset() < to.get(new TopicPartition(record.topic(), record.partition()))) {
                        commands.add(MAPPER.readValue(record.value(), Command.class));
                    }
                }
            }
        }
        return commands;
    }

    private static Map<TopicPartition, Long> endOffsets(KafkaBroker broker, String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            int partitions = consumer.partitionsFor(topic).size();
            List<TopicPartition> all = IntStream.range(0, partitions).mapToObj(p -> new TopicPartition(topic, p))
                    .collect(Collectors.toList());
            return consumer.endOffsets(all);
        }
    }
}
