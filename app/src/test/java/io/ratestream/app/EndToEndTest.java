package io.ratestream.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.gateway.GatewayConfig;
import io.ratestream.schemas.files.CgratesFiles;
import io.ratestream.schemas.files.DataSet;
import io.ratestream.schemas.json.Json;
import io.ratestream.streams.StreamsAppConfig;
import io.ratestream.testkit.junit.KafkaBroker;
import io.ratestream.testkit.junit.KafkaBrokerExtension;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole system through its real ports: a real broker, the streams app, the gateway, and real
 * clients (raw sockets, java.net.http, Python 3 running the seed's snippet).
 */
@ExtendWith(KafkaBrokerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EndToEndTest {

    static final DataSet DEMO = new CgratesFiles(Json.newMapper()).readDirectory(Path.of("..", "demo", "cgrates-2012"));
    static final String SEED = "{\"id\": 1, \"method\": \"Responder.Get\", \"params\": [{\"Tor\": 0, \"CstmId\": \"vdf\", "
            + "\"Subject\": \"rif\", \"DestinationPrefix\": \"0256\", \"TimeStart\": \"2012-02-02T17:30:00Z\", "
            + "\"TimeEnd\": \"2012-02-02T18:30:00Z\"}]}";

    private final ObjectMapper mapper = Json.newMapper();
    /** Reads one response of a stream without waiting for what follows it (the connection stays open). */
    private final ObjectMapper stream = Json.newMapper()
            .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private final HttpClient http = HttpClient.newHttpClient();
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private DevStack stack;
    private int tcpPort;
    private int httpPort;

    @BeforeAll
    void start(KafkaBroker broker, @TempDir Path state) throws Exception {
        stack = DevStack.start(StreamsAppConfig.defaults(broker.bootstrapServers(), state)
                        .withApplicationId("e2e-" + run),
                GatewayConfig.defaults(broker.bootstrapServers()).withPorts(0, 0), Duration.ofSeconds(90));
        Loader.Report report = stack.load(DEMO, "vdf", Duration.ofSeconds(60));
        assertThat(report.errors()).isEmpty();
        tcpPort = stack.gateway().jsonRpcPort();
        httpPort = stack.gateway().httpPort();
    }

    @AfterAll
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void shouldAnswerTheSeedSnippetBytesInOneRead() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", tcpPort)) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(SEED.getBytes(StandardCharsets.UTF_8));
            byte[] buffer = new byte[4096];
            int read = socket.getInputStream().read(buffer);
            JsonNode response = mapper.readTree(new String(buffer, 0, read, StandardCharsets.UTF_8));

            assertThat(response.get("id").asInt()).isEqualTo(1);
            assertThat(response.get("error").isNull()).isTrue();
            assertThat(response.at("/result/Cost").decimalValue()).isEqualByComparingTo("540");
            assertThat(new String(buffer, 0, read, StandardCharsets.UTF_8)).contains("\"Cost\":540,");
        }
    }

    @Test
    void shouldRunTheSeedsPythonSnippetUnchanged() throws Exception {
        String script = String.join("\n",
                "import json, socket",
                "cd = {\"Tor\": 0, \"CstmId\": \"vdf\", \"Subject\": \"rif\", \"DestinationPrefix\": \"0256\",",
                "      \"TimeStart\": \"2012-02-02T17:30:00Z\", \"TimeEnd\": \"2012-02-02T18:30:00Z\"}",
                "s = socket.create_connection((\"127.0.0.1\", " + tcpPort + "))",
                "s.sendall(json.dumps({\"id\": 1, \"method\": \"Responder.Get\", \"params\": [cd]}).encode())",
                "print(s.recv(4096))");
        Process python;
        try {
            python = new ProcessBuilder("python3", "-c", script).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            Assumptions.abort("python3 is not installed: " + e.getMessage());
            return;
        }
        String out = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(python.waitFor(30, TimeUnit.SECONDS)).isTrue();

        assertThat(out).startsWith("b'{\"id\":1,\"result\":{").contains("\"Cost\":540,").contains("\"error\":null");
    }

    @Test
    void shouldAnswerFiftyPipelinedRequestsOnOneConnection() throws Exception {
        StringBuilder requests = new StringBuilder();
        for (int id = 1; id <= 50; id++) {
            requests.append("{\"id\":").append(id).append(",\"method\":\"Responder.GetCost\",\"params\":[{\"CstmId\":\"vdf\","
                    + "\"Subject\":\"rif\",\"DestinationPrefix\":\"0256\",\"TimeStart\":\"2012-02-02T17:30:00Z\","
                    + "\"TimeEnd\":\"2012-02-02T17:3" + (id % 10) + ":00Z\"}]}");
        }
        try (Socket socket = new Socket("127.0.0.1", tcpPort)) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(requests.toString().getBytes(StandardCharsets.UTF_8));
            var parser = stream.getFactory().createParser(socket.getInputStream());
            Set<Integer> ids = new HashSet<>();
            for (int i = 0; i < 50; i++) {
                JsonNode response = stream.<JsonNode>readTree(parser);
                int id = response.get("id").asInt();
                ids.add(id);
                // (id % 10) minutes at 0.2/s
                assertThat(response.at("/result/Cost").decimalValue()).as("id %d", id)
                        .isEqualByComparingTo(String.valueOf(id % 10 * 60 * 0.2));
            }
            assertThat(ids).hasSize(50);
        }
    }

    @Test
    void shouldSpeakJsonRpc2ToClientsThatAskForIt() throws Exception {
        JsonNode response = tcp("{\"jsonrpc\":\"2.0\",\"id\":\"x1\",\"method\":\"Responder.GetCost\",\"params\":"
                + "[{\"CstmId\":\"vdf\",\"Subject\":\"rif\",\"DestinationPrefix\":\"0256\",\"TimeStart\":"
                + "\"2012-02-02T17:30:00Z\",\"TimeEnd\":\"2012-02-02T18:30:00Z\"}]}");

        assertThat(response.get("jsonrpc").asText()).isEqualTo("2.0");
        assertThat(response.get("id").asText()).isEqualTo("x1");
        assertThat(response.has("error")).isFalse();
        assertThat(response.at("/result/Cost").decimalValue()).isEqualByComparingTo("540");
    }

    @Test
    void shouldServeEveryHttpEndpoint() throws Exception {
        String base = "cstmid=vdf&subj=minutosu";
        assertThat(get("/getcost?cstmid=vdf&subj=rif&dest=0256&ts=2012-02-02T17:30:00Z&te=2012-02-02T18:30:00Z")
                .at("/Cost").decimalValue()).isEqualByComparingTo("540");
        assertThat(get("/getcost?cstmid=vdf&subj=rif&dest=0256&ts=2012-02-02T17:30:00Z&duration=1m30s")
                .at("/Cost").decimalValue()).isEqualByComparingTo("18");
        JsonNode now = get("/getcost?cstmid=vdf&subj=rif&dest=0257");
        assertThat(now.at("/DestinationPrefix").asText()).isEqualTo("0257");
        assertThat(now.at("/Cost").decimalValue()).isEqualByComparingTo("0");
        assertThat(get("/getmaxsessiontime?" + base + "&dest=0723@amount=50").decimalValue()).isEqualByComparingTo("50");
        assertThat(get("/addvolumediscountseconds?" + base + "&dest=0257@amount=100").decimalValue())
                .isEqualByComparingTo("100");
        assertThat(get("/resetvolumediscountseconds?" + base + "&dest=0257").decimalValue()).isEqualByComparingTo("0");
        assertThat(get("/status").get("Kafka").asText()).isEqualTo("up");
        assertThat(status("/health/live")).isEqualTo(200);
        assertThat(status("/health/ready")).isEqualTo(200);
        assertThat(text("/metrics")).contains("ratestream_requests_total").contains("ratestream_requests_waiting");
    }

    @Test
    void shouldDebitThroughHttpInTheOriginalForm() throws Exception {
        // broker: credit 0, buckets nationale 10 s at 0.01 and retea 100 s free
        assertThat(get("/debitbalance?cstmid=vdf&subj=broker&dest=0257@amount=100").decimalValue())
                .isEqualByComparingTo("-100");
        assertThat(get("/debitseconds?cstmid=vdf&subj=broker&dest=0723@amount=10").decimalValue())
                .isEqualByComparingTo("90");
        assertThat(get("/addrecievedcallseconds?cstmid=vdf&subj=broker&dest=0257@amount=100").decimalValue())
                .isEqualByComparingTo("0");
        assertThat(get("/resetuserbudget?cstmid=vdf&subj=broker&dest=0257").decimalValue()).isEqualByComparingTo("0");
    }

    @Test
    void shouldAnswerBadHttpRequestsWith400NamingTheProblem() throws Exception {
        assertBad("/debitsms?cstmid=vdf&subj=broker@amount=100000", "amount exceeds budget");
        assertBad("/debitbalance?cstmid=vdf&subj=minutosu&amount=abc", "amount 'abc' is not a number");
        assertBad("/debitbalance?cstmid=vdf&subj=minutosu", "Amount is required");
        assertBad("/getcost?cstmid=vdf&subj=rif&dest=0256&ts=yesterday", "RFC 3339");
        assertBad("/getcost?cstmid=vdf&subj=rif&dest=0256&ts=2012-02-02T18:30:00Z&te=2012-02-02T17:30:00Z",
                "before TimeStart");
        assertBad("/getcost?cstmid=vdf&dest=0256", "Subject is required");
        assertBad("/debitbalance?cstmid=vdf&subj=minutosu&amount=1e20", "out of range");
        assertBad("/debitbalance?cstmid=vdf&subj=nobody&amount=1", "no budget");
        assertBad("/getcost?cstmid=vdf&subj=rif&dest=0999", "no rating profile");
    }

    @Test
    void shouldAnswerJsonRpcOverHttp() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/jsonrpc"))
                .POST(HttpRequest.BodyPublishers.ofString(SEED)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(mapper.readTree(response.body()).at("/result/Cost").decimalValue()).isEqualByComparingTo("540");

        HttpResponse<String> malformed = http.send(HttpRequest.newBuilder(uri("/jsonrpc"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\": 1, \"method\"")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.body()).startsWith("{\"id\":null,\"result\":null,\"error\":\"malformed JSON");
    }

    @Test
    void shouldDebitOnceForRetriesWithTheSameRequestId() throws Exception {
        String debit = "{\"id\":%d,\"method\":\"Responder.DebitBalance\",\"params\":[{\"CstmId\":\"vdf\",\"Subject\":"
                + "\"minutosu\",\"Amount\":1.5,\"RequestId\":\"retry-" + run + "\"}]}";
        JsonNode first = tcp(String.format(debit, 1));
        JsonNode second = tcp(String.format(debit, 2));
        assertThat(second.get("result")).isEqualTo(first.get("result"));

        String key = "http-retry-" + run;
        JsonNode a = getWithKey("/debitbalance?cstmid=vdf&subj=minutosu&amount=2", key);
        JsonNode b = getWithKey("/debitbalance?cstmid=vdf&subj=minutosu&amount=2", key);
        assertThat(b).isEqualTo(a);
        assertThat(a.decimalValue()).isEqualByComparingTo(first.get("result").decimalValue().subtract(
                new java.math.BigDecimal("2")));
    }

    @Test
    void shouldRejectUnknownMethodsAndBadParamsOverTcpWithoutClosing() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", tcpPort)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write("{\"id\":1,\"method\":\"Responder.Steal\",\"params\":[{}]}".getBytes(StandardCharsets.UTF_8));
            // (a parser reads its first bytes when created: create it once a response is on its way)
            var parser = stream.getFactory().createParser(socket.getInputStream());
            assertThat(stream.<JsonNode>readTree(parser).get("error").asText()).isEqualTo("rpc: can't find method Responder.Steal");
            out.write("{\"id\":2,\"method\":\"Responder.DebitBalance\",\"params\":[{\"CstmId\":\"vdf\",\"Subject\":"
                    .getBytes(StandardCharsets.UTF_8));
            out.write("\"minutosu\",\"Amount\":\"lots\"}]}".getBytes(StandardCharsets.UTF_8));
            JsonNode typed = stream.<JsonNode>readTree(parser);
            assertThat(typed.get("id").asInt()).isEqualTo(2);
            assertThat(typed.get("error").asText()).contains("Amount");
            out.write(SEED.getBytes(StandardCharsets.UTF_8));
            assertThat(stream.<JsonNode>readTree(parser).at("/result/Cost").decimalValue()).isEqualByComparingTo("540");
        }
    }

    private JsonNode tcp(String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", tcpPort)) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            InputStream in = socket.getInputStream();
            return stream.<JsonNode>readTree(stream.getFactory().createParser(in));
        }
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + httpPort + path);
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri(path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + " -> " + response.body()).isEqualTo(200);
        return mapper.readTree(response.body());
    }

    private JsonNode getWithKey(String path, String key) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri(path)).header("Idempotency-Key", key).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return mapper.readTree(response.body());
    }

    private int status(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private String text(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private void assertBad(String path, String problem) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri(path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + " -> " + response.body()).isEqualTo(400);
        assertThat(mapper.readTree(response.body()).get("Error").asText()).as(path).contains(problem);
    }
}
