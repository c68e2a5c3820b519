package io.ratestream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.gateway.GatewayApp;
import io.ratestream.gateway.GatewayConfig;
import io.ratestream.schemas.json.Json;
import io.ratestream.streams.StreamsAppConfig;
import io.ratestream.testkit.junit.KafkaBroker;
import io.ratestream.testkit.junit.KafkaBrokerExtension;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
 * What a careless or hostile client meets at the gateway's doors, through the real ports of a real
 * stack: bounded numbers, Go's zero time, request ids reused for another request, a reply that does not
 * come in time, and the limit of waiting requests.
 */
@ExtendWith(KafkaBrokerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HardeningTest {

    private final ObjectMapper mapper = Json.newMapper();
    private final ObjectMapper stream = Json.newMapper().disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String tenant = "hard" + run;
    private String bootstrap;
    private DevStack stack;
    private int tcp;
    private int http;

    @BeforeAll
    void start(KafkaBroker broker, @TempDir Path state) throws Exception {
        bootstrap = broker.bootstrapServers();
        stack = DevStack.start(StreamsAppConfig.defaults(bootstrap, state).withApplicationId("hardening-" + run),
                GatewayConfig.defaults(bootstrap).withPorts(0, 0), Duration.ofSeconds(90));
        // A tenant of its own: other tests of this broker load and debit the demo budgets under vdf.
        assertThat(stack.load(EndToEndTest.DEMO, tenant, Duration.ofSeconds(60)).errors()).isEmpty();
        tcp = stack.gateway().jsonRpcPort();
        http = stack.gateway().httpPort();
    }

    @AfterAll
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    private BigDecimal credit(String subject) throws Exception {
        return Wire.rpc(tcp, debit(0, subject, "0")).get("result").decimalValue();
    }

    private String debit(int id, String subject, String amount) {
        return Wire.debit(id, tenant, subject, amount);
    }

    @Test
    void shouldRefuseAnAmountWithAHugeExponentAtOnceWithAShortMessageAndChangeNothing() throws Exception {
        BigDecimal before = credit("minutosu");

        for (String amount : List.of("1e1000000000", "-1e1000000000", "1e-1000000000", "9".repeat(5000))) {
            HttpResponse<String> response = Wire.get(http,
                    "/debitbalance?cstmid=" + tenant + "&subj=minutosu&amount=" + amount);
            assertThat(response.statusCode()).as(amount).isEqualTo(400);
            assertThat(response.body()).as(amount).startsWith("{\"Error\":\"amount '").hasSizeLessThan(200);
            assertThat(response.headers().firstValue("Ratestream-Error-Kind")).hasValue("bad_request");
        }
        JsonNode overTcp = Wire.rpc(tcp, debit(5, "minutosu", "1e1000000000"));
        assertThat(overTcp.get("error").asText()).contains("out of range").hasSizeLessThan(200);

        assertThat(credit("minutosu")).isEqualByComparingTo(before);
    }

    @Test
    void shouldRefuseAnHttpBodyOverTheLimitAndTimesOutOfRangeAsClientErrors() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        String body = "{\"id\":1,\"method\":\"Responder.DebitBalance\",\"params\":[{\"Pad\":\""
                + "x".repeat(100 * 1024) + "\"}]}";
        HttpResponse<String> large = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http
                + "/jsonrpc")).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(large.statusCode()).isEqualTo(413);
        assertThat(mapper.readTree(large.body()).get("Error").asText()).isNotEmpty();
        assertThat(large.body()).hasSizeLessThan(200);
        for (String query : List.of("ts=%2B999999999-12-31T23:59:59Z&te=%2B999999999-12-31T23:59:59Z",
                "ts=0001-01-01T00:00:01Z&duration=1s", "ts=2012-02-02T17:30:00Z&duration=99999999999h",
                "ts=2012-02-02T17:30:00Z&duration=1e1000000000", "ts=2012-02-02T17:30:00Z&te=" + "9".repeat(3000),
                "ts=%2B999999999-12-31T23:59:59Z&duration=744h0m0.000000001s")) {
            HttpResponse<String> response = Wire.get(http, "/getcost?cstmid=vdf&subj=rif&dest=0256&" + query);
            assertThat(response.statusCode()).as(query).isEqualTo(400);
            assertThat(response.body()).as(query).startsWith("{\"Error\":").hasSizeLessThan(300);
        }
        assertThat(Wire.get(http, "/debitseconds?@").statusCode()).as("a stray @").isEqualTo(400);
    }

    @Test
    void shouldReadGoZeroTimeAsAbsentOnEveryMethodThatHasAMeaningForIt() throws Exception {
        String zero = "\"TimeStart\":\"0001-01-01T00:00:00Z\",\"TimeEnd\":\"0001-01-01T00:00:00Z\"";
        JsonNode session = Wire.rpc(tcp, "{\"id\":1,\"method\":\"Responder.GetMaxSessionTime\",\"params\":[{\"Tor\":0,"
                + "\"CstmId\":\"vdf\",\"Subject\":\"rif\",\"DestinationPrefix\":\"0256\"," + zero
                + ",\"Amount\":100}]}");
        JsonNode cost = Wire.rpc(tcp, "{\"id\":2,\"method\":\"Responder.GetCost\",\"params\":[{\"Tor\":0,"
                + "\"CstmId\":\"vdf\",\"Subject\":\"rif\",\"DestinationPrefix\":\"0256\"," + zero
                + ",\"Amount\":0}]}");

        assertThat(session.get("error").isNull()).as(session.toString()).isTrue();
        assertThat(session.get("result").decimalValue()).isEqualByComparingTo("100"); // rif has no budget
        assertThat(cost.get("error").isNull()).as(cost.toString()).isTrue();
        JsonNode span = cost.at("/result/Timespans/0");
        assertThat(span.get("TimeStart").asText()).isEqualTo(span.get("TimeEnd").asText()).doesNotStartWith("0001");
        assertThat(cost.at("/result/DestinationPrefix").asText()).isEqualTo("0256");
    }

    @Test
    void shouldRefuseARequestIdReusedForADifferentRequestAndReplayTheOriginalForARetry() throws Exception {
        String id = "ledger-" + run;
        String path = "/debitbalance?cstmid=" + tenant + "&subj=minutosu&amount=1&requestid=" + id;
        BigDecimal before = credit("minutosu");

        HttpResponse<String> first = Wire.get(http, path);
        HttpResponse<String> retry = Wire.get(http, path);
        HttpResponse<String> other = Wire.get(http, path.replace("amount=1", "amount=2"));

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(other.statusCode()).isEqualTo(409);
        assertThat(other.headers().firstValue("Ratestream-Error-Kind")).hasValue("request_id_conflict");
        assertThat(other.body()).contains("was already used for a different request");
        assertThat(credit("minutosu")).isEqualByComparingTo(before.subtract(BigDecimal.ONE));
    }

    @Test
    void shouldTellAClientWhoseReplyIsLateThatTheOutcomeIsUnknownAndTheIdToRetryWith() throws Exception {
        BigDecimal before = credit("minutosu");
        GatewayConfig hasty = GatewayConfig.defaults(bootstrap).withPorts(0, 0).withReplyTimeout(Duration.ofMillis(1));
        HttpResponse<String> late;
        try (GatewayApp gateway = GatewayApp.start(hasty)) {
            assertThat(gateway.awaitReady(Duration.ofSeconds(60))).isTrue();
            late = Wire.get(gateway.httpPort(), "/debitbalance?cstmid=" + tenant + "&subj=minutosu&amount=3");
        }

        assertThat(late.statusCode()).isEqualTo(504);
        String id = late.headers().firstValue("Ratestream-Request-Id").orElseThrow();
        assertThat(mapper.readTree(late.body()).get("RequestId").asText()).isEqualTo(id);
        assertThat(mapper.readTree(late.body()).get("Error").asText()).startsWith("outcome unknown")
                .contains("retry with RequestId " + id);
        HttpResponse<String> retried = Wire.get(http,
                "/debitbalance?cstmid=" + tenant + "&subj=minutosu&amount=3&requestid=" + id);
        assertThat(retried.statusCode()).isEqualTo(200);
        assertThat(new BigDecimal(retried.body())).isEqualByComparingTo(before.subtract(BigDecimal.valueOf(3)));
        assertThat(credit("minutosu")).as("applied once").isEqualByComparingTo(before.subtract(BigDecimal.valueOf(3)));
    }

    @Test
    void shouldAnswerBusyBeyondTheLimitOfWaitingRequestsWithoutSendingThem() throws Exception {
        BigDecimal before = credit("minutosu");
        int calls = 200;
        StringBuilder pipelined = new StringBuilder();
        for (int id = 1; id <= calls; id++) {
            pipelined.append(debit(id, "minutosu", "0.01"));
        }
        List<JsonNode> answers = new ArrayList<>();
        try (GatewayApp gateway = GatewayApp.start(GatewayConfig.defaults(bootstrap).withPorts(0, 0).withMaxPending(1));
                Socket socket = new Socket("127.0.0.1", awaitReady(gateway))) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(pipelined.toString().getBytes(StandardCharsets.UTF_8));
            var parser = stream.getFactory().createParser(socket.getInputStream());
            for (int i = 0; i < calls; i++) {
                answers.add(stream.readTree(parser));
            }
        }

        long ok = answers.stream().filter(a -> a.get("error").isNull()).count();
        long busy = answers.stream().filter(a -> a.get("error").asText().startsWith("busy: 1 requests are waiting"))
                .count();
        assertThat(ok + busy).isEqualTo(calls);
        assertThat(busy).isPositive();
        assertThat(ok).isPositive();
        assertThat(credit("minutosu")).as("only the answered debits applied")
                .isEqualByComparingTo(before.subtract(new BigDecimal("0.01").multiply(BigDecimal.valueOf(ok))));
    }

    @Test
    void shouldCloseWhatWasStartedWhenStartUpFailsHalfWay() throws Exception {
        int jsonRpc;
        try (ServerSocket probe = new ServerSocket(0)) {
            jsonRpc = probe.getLocalPort();
        }
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            GatewayConfig clash = GatewayConfig.defaults(bootstrap).withPorts(jsonRpc, taken.getLocalPort());

            assertThatThrownBy(() -> GatewayApp.start(clash)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("pass --http-port");
        }
        // the JSON-RPC listener, started before HTTP failed, let its port go
        try (ServerSocket again = new ServerSocket(jsonRpc, 50, InetAddress.getByName("127.0.0.1"))) {
            assertThat(again.getLocalPort()).isEqualTo(jsonRpc);
        }
    }

    private static int awaitReady(GatewayApp gateway) throws InterruptedException {
        assertThat(gateway.awaitReady(Duration.ofSeconds(60))).isTrue();
        return gateway.jsonRpcPort();
    }
}
