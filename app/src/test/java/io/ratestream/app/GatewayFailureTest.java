package io.ratestream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.gateway.GatewayApp;
import io.ratestream.gateway.GatewayConfig;
import io.ratestream.schemas.files.CgratesFiles;
import io.ratestream.schemas.files.DataSet;
import io.ratestream.schemas.json.Json;
import io.ratestream.streams.StreamsAppConfig;
import io.ratestream.testkit.EmbeddedKafkaBroker;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What callers see when the pipeline behind the gateway fails: a timeout when the streams app is gone,
 * a fast "Kafka is unavailable" when the broker is gone, and recovery without a restart when it returns.
 * Each test has a broker of its own, since it stops it.
 */
class GatewayFailureTest {

    static final DataSet DEMO = new CgratesFiles(Json.newMapper()).readDirectory(Path.of("..", "demo", "cgrates-2012"));

    @Test
    void shouldTimeOutWhenTheStreamsAppIsStoppedAndForgetTheRequest(@TempDir Path dir) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"), 0);
                DevStack stack = DevStack.start(StreamsAppConfig.defaults(broker.bootstrapServers(), dir.resolve("s")),
                        GatewayConfig.defaults(broker.bootstrapServers()).withPorts(0, 0)
                                .withReplyTimeout(Duration.ofSeconds(1)), Duration.ofSeconds(90))) {
            stack.load(DEMO, "vdf", Duration.ofSeconds(60));
            int tcp = stack.gateway().jsonRpcPort();
            int http = stack.gateway().httpPort();
            assertThat(Wire.rpc(tcp, Wire.debit(1, "minutosu", "1")).get("result").decimalValue())
                    .isEqualByComparingTo("20");

            stack.streams().close();

            JsonNode timedOut = Wire.rpc(tcp, Wire.debit(2, "minutosu", "1"));
            assertThat(timedOut.get("id").asInt()).isEqualTo(2);
            assertThat(timedOut.get("result").isNull()).isTrue();
            assertThat(timedOut.get("error").asText()).startsWith("outcome unknown: no reply within 1000 ms")
                    .contains("retry with RequestId ");
            JsonNode query = Wire.rpc(tcp, "{\"id\":3,\"method\":\"Responder.GetCost\",\"params\":[{\"CstmId\":"
                    + "\"vdf\",\"Subject\":\"rif\",\"DestinationPrefix\":\"0256\"}]}");
            assertThat(query.get("error").asText()).as("a query without a RequestId changed nothing either way")
                    .startsWith("outcome unknown: no reply within 1000 ms")
                    .endsWith("the query changes nothing: send it again");
            HttpResponse<String> gateway = Wire.get(http, "/debitbalance?cstmid=vdf&subj=minutosu&amount=1");
            assertThat(gateway.statusCode()).isEqualTo(504);
            assertThat(gateway.headers().firstValue("Ratestream-Error-Kind")).hasValue("outcome_unknown");
            assertThat(gateway.headers().firstValue("Ratestream-Request-Id")).isPresent();
            assertThat(stack.gateway().gateway().waiting()).isZero();
        }
    }

    @Test
    void shouldRefuseFastWhileKafkaIsDownAndRecoverWhenItReturns(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"), port);
        try (DevStack stack = DevStack.start(StreamsAppConfig.defaults(broker.bootstrapServers(), dir.resolve("s")),
                GatewayConfig.defaults(broker.bootstrapServers()).withPorts(0, 0), Duration.ofSeconds(90))) {
            stack.load(DEMO, "vdf", Duration.ofSeconds(60));
            int tcp = stack.gateway().jsonRpcPort();
            int http = stack.gateway().httpPort();

            broker.close();
            awaitNotReady(http);
            JsonNode refused = Wire.rpc(tcp, Wire.debit(1, "minutosu", "1"));
            assertThat(refused.get("error").asText()).startsWith("Kafka is unavailable");
            HttpResponse<String> unavailable = Wire.get(http, "/debitbalance?cstmid=vdf&subj=minutosu&amount=1");
            assertThat(unavailable.statusCode()).isEqualTo(503);
            assertThat(unavailable.body()).contains("Kafka is unavailable");

            broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"), port);
            JsonNode recovered = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (System.nanoTime() < deadline) {
                // One request, retried with its id until it has an answer: a try whose outcome was unknown
                // (sent while the pipeline recovered) is applied at most once.
                recovered = Wire.rpc(tcp, Wire.debit(2, "minutosu", "1").replace("\"Amount\"",
                        "\"RequestId\":\"recovery\",\"Amount\""));
                if (recovered.get("error").isNull()) {
                    break;
                }
                Thread.sleep(500);
            }
            // 21 - 1: the refused debit never reached Kafka, the retried one applied once
            assertThat(recovered.get("result").decimalValue()).isEqualByComparingTo("20");
        } finally {
            broker.close();
        }
    }

    @Test
    void shouldDrainOnCloseRefusingNewRequestsAndAnsweringThoseInFlight(@TempDir Path dir) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"), 0);
                DevStack stack = DevStack.start(StreamsAppConfig.defaults(broker.bootstrapServers(), dir.resolve("s")),
                        GatewayConfig.defaults(broker.bootstrapServers()).withPorts(0, 0), Duration.ofSeconds(90))) {
            stack.load(DEMO, "vdf", Duration.ofSeconds(60));
            GatewayApp gateway = GatewayApp.start(GatewayConfig.defaults(broker.bootstrapServers()).withPorts(0, 0)
                    .withReplyTimeout(Duration.ofSeconds(3)));
            assertThat(gateway.awaitReady(Duration.ofSeconds(60))).isTrue();
            int tcp = gateway.jsonRpcPort();
            stack.streams().close(); // no more replies: the next request stays in flight

            try (Socket inFlight = new Socket("127.0.0.1", tcp); Socket idle = new Socket("127.0.0.1", tcp)) {
                inFlight.setSoTimeout(30_000);
                idle.setSoTimeout(30_000);
                inFlight.getOutputStream().write(Wire.debit(1, "minutosu", "1").getBytes(StandardCharsets.UTF_8));
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (gateway.gateway().waiting() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertThat(gateway.gateway().waiting()).isEqualTo(1);

                CompletableFuture<Void> closed = CompletableFuture.runAsync(gateway::close);
                deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (gateway.gateway().ready() && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                idle.getOutputStream().write(Wire.debit(2, "minutosu", "1").getBytes(StandardCharsets.UTF_8));
                JsonNode refused = STREAM.readTree(STREAM.getFactory().createParser(idle.getInputStream()));
                assertThat(refused.get("error").asText()).startsWith("the gateway is shutting down");
                assertThatThrownBy(() -> new Socket("127.0.0.1", tcp).close()).as("no new connections")
                        .isInstanceOf(java.net.ConnectException.class);
                assertThat(closed).as("still draining the request in flight").isNotDone();

                JsonNode answered = STREAM.readTree(STREAM.getFactory().createParser(inFlight.getInputStream()));
                assertThat(answered.get("id").asInt()).isEqualTo(1);
                assertThat(answered.get("error").asText()).startsWith("outcome unknown");
                closed.get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static final ObjectMapper STREAM = Json.newMapper()
            .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static void awaitNotReady(int http) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (Wire.get(http, "/health/ready").statusCode() == 200) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the gateway still says ready 30 s after Kafka stopped");
            }
            Thread.sleep(100);
        }
    }
}
