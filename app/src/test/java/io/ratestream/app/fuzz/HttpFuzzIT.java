package io.ratestream.app.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.ratestream.app.DevStack;
import io.ratestream.app.Loader;
import io.ratestream.gateway.GatewayConfig;
import io.ratestream.schemas.files.CgratesFiles;
import io.ratestream.schemas.files.DataSet;
import io.ratestream.schemas.json.Json;
import io.ratestream.streams.StreamsAppConfig;
import io.ratestream.testkit.junit.KafkaBroker;
import io.ratestream.testkit.junit.KafkaBrokerExtension;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the HTTP API and JSON-RPC of a real running system (broker, streams app, gateway, the demo
 * data loaded): random and mutated query strings into every GET endpoint, mutated JSON-RPC bodies
 * POSTed to /jsonrpc and written to the TCP port. Properties: an API answer is 200, 400, 409, 503 or 504,
 * never a 500; its body is JSON; an error is a small ({@value #MAX_ERROR_BYTES} bytes at most) object
 * with an "Error" text; a JSON-RPC answer is one envelope with its request's id, a result or an error,
 * never both; and after all of it the system still rates the SPEC's example call correctly.
 */
@ExtendWith(KafkaBrokerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpFuzzIT {

    static final int MAX_ERROR_BYTES = 4096;
    /** No answer of the API comes near this; a body this long is a runaway. */
    static final int MAX_BODY_BYTES = RawHttp.KEEP;
    /** How long one exchange may take before it counts as a stall (the gateway's reply timeout is 5 s). */
    static final Duration DEADLINE = Duration.ofSeconds(60);
    /** The same for one JSON-RPC exchange over TCP, where no answer at all is a known failure to wait out. */
    static final Duration TCP_DEADLINE = Duration.ofSeconds(30);
    /** 409: a request id the fuzz reuses for a different request (request_id_conflict, docs/limits.md). */
    private static final Set<Integer> API_STATUSES = Set.of(200, 400, 409, 503, 504);

    /** Reads answers exactly and without limits (sizes are checked separately). */
    static final ObjectMapper READER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNumberLength(Integer.MAX_VALUE)
                            .maxStringLength(Integer.MAX_VALUE).maxNestingDepth(Integer.MAX_VALUE).build())
                    .build())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final java.util.concurrent.atomic.AtomicInteger probes = new java.util.concurrent.atomic.AtomicInteger();
    private DevStack stack;
    private int httpPort;
    private int tcpPort;

    @BeforeAll
    void start(KafkaBroker broker, @TempDir Path state) throws Exception {
        DataSet demo = new CgratesFiles(Json.newMapper()).readDirectory(Path.of("..", "demo", "cgrates-2012"));
        // A short commit interval: a valid call is answered in milliseconds, not 100 ms, and the fuzz runs more.
        stack = DevStack.start(StreamsAppConfig.defaults(broker.bootstrapServers(), state)
                        .withApplicationId("fuzz-http-" + run).withCommitInterval(Duration.ofMillis(10)),
                GatewayConfig.defaults(broker.bootstrapServers()).withPorts(0, 0), Duration.ofSeconds(90));
        Loader.Report report = stack.load(demo, "vdf", Duration.ofSeconds(60));
        assertThat(report.errors()).isEmpty();
        httpPort = stack.gateway().httpPort();
        tcpPort = stack.gateway().jsonRpcPort();
    }

    @AfterAll
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void shouldAnswerRandomQueriesOnEveryGetEndpointWithSmallJsonAndNever500() throws Exception {
        List<String> corpus = new ArrayList<>();
        String base = "/debitbalance?cstmid=vdf&subj=minutosu&amount=";
        for (String amount : new String[] {"1e1000000000", "-1e1000000000", "1e-1000000000", "-1e-1000000000", "NaN",
            "Infinity", "0x10", "9".repeat(5000), "1e2147483647", "1e9999"}) {
            corpus.add(base + amount);
        }
        String cost = "/getcost?cstmid=vdf&subj=rif&dest=0256";
        for (String time : new String[] {"0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "%2B999999999-12-31T23:59:59Z",
            "-999999999-01-01T00:00:00Z", "garbage"}) {
            corpus.add(cost + "&ts=" + time);
            corpus.add(cost + "&ts=2012-02-02T17:30:00Z&te=" + time);
        }
        for (String duration : new String[] {"99999999999h", "-1s", "2562048h", "9".repeat(3000), "744h0m0.000000001s"}) {
            corpus.add(cost + "&ts=2012-02-02T17:30:00Z&duration=" + duration);
            corpus.add(cost + "&ts=%2B999999999-12-31T23:59:59Z&duration=" + duration);
        }
        corpus.add("/getmaxsessiontime?cstmid=vdf&subj=minutosu&dest=0723&amount=60&ts=0001-01-01T00:00:00Z");
        corpus.add("/debitbalance?cstmid=vdf&cstmid=vdf&subj=minutosu&amount=1");
        corpus.add("/debitbalance?cstmid=vdf&subj=minutosu&amount=1&requestid=" + "x".repeat(2000));
        corpus.add("/debitbalance?cstmid=vdf&subj=minutosu&amount=1&requestid=a%0Ab");
        corpus.add("/debitbalance?cstmid=%zz&subj=minutosu&amount=1");
        corpus.add("/debitbalance?cstmid=vdf&subj=minutosu&amount=1&tor=" + "9".repeat(2000));
        corpus.add("/debitbalance?cstmid=vdf&subj=minutosu&dest=0257@amount=1@@=@");
        corpus.add("/getcost?" + "a=b&".repeat(1500));
        Fuzz.run(new Fuzz.Plan("http get", 2001, 2500, 4, Duration.ofMinutes(5)), corpus, HttpInputs::target,
                Fuzz::show, HttpInputs::costly, this::checkGet);
        assertStillServing();
    }

    @Test
    void shouldAnswerMutatedJsonRpcPostsWithOneSmallEnvelope() throws Exception {
        List<byte[]> corpus = List.of(
                bytes("{\"id\":1,\"method\":\"Responder.DebitBalance\",\"params\":[{\"CstmId\":\"vdf\",\"Subject\":\"minutosu\","
                        + "\"Amount\":1e1000000000}]}"),
                bytes("{\"id\":1e1000000000,\"method\":\"Responder.Status\"}"),
                bytes("{\"id\":\"" + "i".repeat(5000) + "\",\"method\":\"Responder.Status\"}"),
                bytes("{\"id\":1,\"method\":\"Responder.GetMaxSessionTime\",\"params\":[{\"CstmId\":\"vdf\",\"Subject\":"
                        + "\"minutosu\",\"DestinationPrefix\":\"0723\",\"Amount\":60,\"TimeStart\":\"0001-01-01T00:00:00Z\"}]}"),
                bytes("{\"id\":1,\"method\":\"Responder.GetCost\",\"params\":[{\"CstmId\":\"vdf\",\"Subject\":\"rif\","
                        + "\"DestinationPrefix\":\"0256\",\"TimeStart\":\"" + "9".repeat(50_000) + "\"}]}"),
                bytes("{\"jsonrpc\":\"2.0\",\"method\":\"Responder.Status\"}"),
                bytes("{\"id\":1,\"method\":\"Responder.Status\"} {\"id\":2,\"method\":\"Responder.Status\"}"),
                bytes(""), bytes("[]"), bytes("x".repeat(2 << 20)));
        Fuzz.run(new Fuzz.Plan("jsonrpc post", 2002, 700, 4, Duration.ofMinutes(5)), corpus, random -> {
            byte[] body = bytes(HttpInputs.jsonRpc(random, 1));
            return random.nextInt(3) == 0 ? body : HttpInputs.mutate(random, body);
        }, Fuzz::show, body -> HttpInputs.costly(new String(body, StandardCharsets.ISO_8859_1)), this::checkPost);
        assertStillServing();
    }

    @Test
    void shouldAnswerMutatedJsonRpcOverTcpWithOneSmallEnvelopeOrAClose() throws Exception {
        List<byte[]> corpus = List.of(
                bytes("{\"id\":7,\"method\":\"Responder.DebitBalance\",\"params\":[{\"CstmId\":\"vdf\",\"Subject\":\"minutosu\","
                        + "\"Amount\":-1e-1000000000}]}"),
                bytes("{\"id\":7,\"method\":\"Responder.GetCost\",\"params\":[{\"CstmId\":\"vdf\",\"Subject\":\"rif\","
                        + "\"DestinationPrefix\":\"0256\",\"TimeStart\":\"0001-01-01T00:00:00Z\",\"TimeEnd\":\"0001-01-01T00:00:00Z\"}]}"),
                bytes("{\"id\":7,\"method\":\"Responder.GetCost\",\"params\":[{\"CstmId\":\"vdf\",\"Subject\":\"rif\","
                        + "\"DestinationPrefix\":\"0256\",\"TimeStart\":\"" + "t".repeat(60_000) + "\"}]}"),
                bytes("{\"id\":7,\"method\":\"" + "M".repeat(60_000) + "\"}"));
        Fuzz.run(new Fuzz.Plan("jsonrpc tcp", 2003, 500, 4, Duration.ofMinutes(5)), corpus, random -> {
            byte[] body = bytes(HttpInputs.jsonRpc(random, 7));
            return random.nextInt(3) == 0 ? body : HttpInputs.mutate(random, body);
        }, Fuzz::show, body -> HttpInputs.costly(new String(body, StandardCharsets.ISO_8859_1)), this::checkTcp);
        assertStillServing();
    }

    /**
     * SPEC section 1: Go clients cannot leave a time out and send {@code 0001-01-01T00:00:00Z}; it reads as
     * absent. Each pair is a request with Go's zero time and the same request without the time: both get
     * the same kind of answer (and GetCost with both times zero is the zero-length call).
     */
    @Test
    void shouldReadGosZeroTimeAsAnAbsentTime() throws Exception {
        String zero = "0001-01-01T00:00:00Z";
        List<String[]> pairs = new ArrayList<>();
        for (String query : new String[] {"/getmaxsessiontime?cstmid=vdf&subj=minutosu&dest=0723&amount=60",
            "/getexactmaxsessiontime?cstmid=vdf&subj=minutosu&dest=0723&amount=60",
            "/getmaxsessiontime?cstmid=vdf&subj=broker&dest=0256&amount=60",
            "/getmaxsessiontime?cstmid=vdf&subj=nobody&dest=0256&amount=60",
            "/debitseconds?cstmid=vdf&subj=broker&dest=0723&amount=0", "/debitbalance?cstmid=vdf&subj=broker&amount=0",
            "/getcost?cstmid=vdf&subj=rif&dest=0257"}) {
            pairs.add(new String[] {"GET", query + "&ts=" + zero, query});
            pairs.add(new String[] {"GET", query + "&ts=" + zero + "&te=" + zero, query});
        }
        String descriptor = "\"CstmId\":\"vdf\",\"Subject\":\"minutosu\",\"DestinationPrefix\":\"0723\",\"Amount\":60";
        for (String method : new String[] {"GetMaxSessionTime", "GetExactMaxSessionTime", "DebitSeconds", "GetCost"}) {
            String amount = method.equals("DebitSeconds") ? descriptor.replace("60", "0") : descriptor;
            pairs.add(new String[] {"TCP", "{\"id\":1,\"method\":\"Responder." + method + "\",\"params\":[{" + amount
                    + ",\"TimeStart\":\"" + zero + "\",\"TimeEnd\":\"" + zero + "\"}]}",
                    method.equals("GetCost") ? null : "{\"id\":1,\"method\":\"Responder." + method + "\",\"params\":[{"
                            + amount + "}]}"});
        }
        Fuzz.run(new Fuzz.Plan("go zero time", 2004, 0, 2, Duration.ofMinutes(2)), pairs, random -> null,
                pair -> pair[0] + " " + pair[1], pair -> false, this::checkZeroTime);
    }

    private void checkZeroTime(String[] pair) throws Exception {
        if (pair[0].equals("GET")) {
            RawHttp.Answer with = RawHttp.exchange(httpPort, RawHttp.get(pair[1]), DEADLINE);
            RawHttp.Answer without = RawHttp.exchange(httpPort, RawHttp.get(pair[2]), DEADLINE);
            if (with.status() != without.status()) {
                throw new AssertionError("with Go's zero time: " + describe(with) + "; without a time: " + describe(without));
            }
            return;
        }
        JsonNode with = tcp(pair[1]);
        boolean withOk = with.get("error").isNull();
        boolean withoutOk = pair[2] == null || tcp(pair[2]).get("error").isNull();
        if (withOk != withoutOk) {
            throw new AssertionError("with Go's zero time: " + with + "; without a time: "
                    + (withoutOk ? "a result" : "an error"));
        }
    }

    private JsonNode tcp(String request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), tcpPort)) {
            socket.setSoTimeout((int) TCP_DEADLINE.toMillis());
            socket.getOutputStream().write(bytes(request));
            ObjectMapper stream = Json.newMapper().disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
            return stream.readTree(stream.getFactory().createParser(socket.getInputStream()));
        }
    }

    // --- the checks ---

    private void checkGet(String target) throws IOException {
        RawHttp.Answer answer = RawHttp.exchange(httpPort, RawHttp.get(target), DEADLINE);
        String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
        boolean api = List.of(HttpInputs.API).contains(path);
        if (!api) {
            if (answer.status() != 200 && !(path.equals("/health/ready") && answer.status() == 503)) {
                throw new AssertionError(path + " answered " + answer.status() + ": " + Fuzz.show(answer.body()));
            }
            if (!path.equals("/metrics") && !path.equals("/")) {
                json(answer);
            }
            return;
        }
        if (!API_STATUSES.contains(answer.status())) {
            throw new AssertionError("status " + answer.status() + " (200, 400, 409, 503 or 504 expected): "
                    + describe(answer));
        }
        JsonNode body = json(answer);
        if (answer.status() != 200) {
            checkError(answer, body);
        }
    }

    private void checkPost(byte[] body) throws IOException {
        RawHttp.Answer answer = RawHttp.exchange(httpPort, RawHttp.post("/jsonrpc", body), DEADLINE);
        if (answer.status() == 204) {
            if (answer.length() != 0) {
                throw new AssertionError("a 204 with a body: " + describe(answer));
            }
            Expect expect = expect(body);
            if (!expect.notification()) {
                throw new AssertionError("no content for a request that is not a JSON-RPC 2.0 notification");
            }
            return;
        }
        if (answer.status() == 413 && body.length > GatewayConfig.MAX_REQUEST_BYTES) {
            return; // larger than the gateway's request limit: refused before it is read (HTTP says 413)
        }
        if (!Set.of(200, 400, 409, 503, 504).contains(answer.status())) {
            throw new AssertionError("status " + answer.status() + " (200, 204, 400, 409, 503 or 504 expected): "
                    + describe(answer));
        }
        envelope(answer.body(), answer.length(), expect(body));
    }

    /**
     * One connection per body. A complete body is followed by a probe request: the answers are read until
     * the probe's has come and the body's too (unless the body is a notification, which gets none); an
     * unfinished body is followed by a half-close instead, and the first answer or the end is read.
     */
    private void checkTcp(byte[] body) throws IOException {
        Expect expect = expect(body);
        if (body.length > GatewayConfig.MAX_REQUEST_BYTES) {
            checkOversizeTcp(body);
            return;
        }
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), tcpPort)) {
            socket.setSoTimeout((int) TCP_DEADLINE.toMillis());
            socket.getOutputStream().write(body);
            if (expect.complete()) {
                socket.getOutputStream().write(bytes("\n{\"id\":\"probe\",\"method\":\"Responder.Status\"}"));
                socket.getOutputStream().flush();
            } else {
                socket.getOutputStream().flush();
                socket.shutdownOutput();
            }
            InputStream in = new BufferedInputStream(socket.getInputStream());
            byte[] answer = null;
            long answerLength = 0;
            boolean probe = false;
            try {
                while (answer == null && !(probe && (expect.notification() || expect.empty()))) {
                    ByteArrayOutputStream line = new ByteArrayOutputStream();
                    long length = 0;
                    int b = in.read();
                    for (; b >= 0 && b != '\n' && line.size() < MAX_BODY_BYTES; b = in.read()) {
                        line.write(b);
                        length++;
                    }
                    if (length == 0 && b < 0) {
                        break; // closed
                    }
                    if (new String(line.toByteArray(), StandardCharsets.ISO_8859_1).contains("\"id\":\"probe\"")) {
                        probe = true;
                    } else {
                        answer = line.toByteArray();
                        answerLength = b == '\n' || b < 0 ? length : Long.MAX_VALUE; // cut off: a runaway
                    }
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("stalled: " + (answer == null ? "no answer" : "no answer to the probe")
                        + " and no close within " + TCP_DEADLINE.toSeconds() + " s");
            } catch (IOException e) {
                // a reset after the server closed
            }
            if (answer == null) {
                if (expect.wellFormed() && !expect.notification()) {
                    throw new AssertionError("a well-formed request got no answer ("
                            + (probe ? "the probe after it did" : "the connection closed") + ")");
                }
                return; // a close is an answer to bad input
            }
            envelope(answer, answerLength, expect);
        }
    }

    /**
     * A body over the gateway's request limit (docs/limits.md): the server answers "request larger than
     * N bytes" with a null id and closes, possibly while the client is still writing (a broken pipe).
     */
    private void checkOversizeTcp(byte[] body) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), tcpPort)) {
            socket.setSoTimeout((int) TCP_DEADLINE.toMillis());
            try {
                socket.getOutputStream().write(body);
                socket.getOutputStream().flush();
            } catch (IOException e) {
                // closed by the server before the whole body was written
            }
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            try {
                InputStream in = socket.getInputStream();
                for (int b = in.read(); b >= 0 && b != '\n' && line.size() < MAX_BODY_BYTES; b = in.read()) {
                    line.write(b);
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("stalled: no answer and no close within " + TCP_DEADLINE.toSeconds()
                        + " s for a body of " + body.length + " bytes");
            } catch (IOException e) {
                return; // a reset after the server closed: a close is an answer
            }
            String answer = line.toString(StandardCharsets.UTF_8);
            if (!answer.isEmpty() && !answer.startsWith("{\"id\":null,\"result\":null,\"error\":")) {
                throw new AssertionError("an oversized body got " + Fuzz.show(line.toByteArray()));
            }
        }
    }

    /** What the JSON-RPC answer to a body must be, worked out from the body alone. */
    record Expect(boolean wellFormed, boolean complete, boolean notification, JsonNode id, boolean empty) {
        Expect(boolean wellFormed, boolean complete, boolean notification, JsonNode id) {
            this(wellFormed, complete, notification, id, false);
        }
    }

    private static Expect expect(byte[] body) {
        if (new String(body, StandardCharsets.ISO_8859_1).isBlank()) {
            return new Expect(false, true, false, null, true); // nothing is owed for no value at all
        }
        JsonNode node;
        try {
            node = Json.newMapper().readTree(body);
        } catch (Exception e) {
            return new Expect(false, completeValue(body), false, null);
        }
        if (node == null || !node.isObject() || !node.path("method").isTextual()) {
            return new Expect(false, true, false, null);
        }
        JsonNode id = node.get("id");
        boolean version2 = "2.0".equals(node.path("jsonrpc").asText(null));
        boolean ordinaryId = id == null || id.isNull() || id.isIntegralNumber() && id.canConvertToLong()
                || id.isTextual() && id.textValue().length() <= 64;
        return new Expect(ordinaryId, true, version2 && id == null, ordinaryId ? id : null);
    }

    /** Whether the bytes hold a whole top-level value (else a server is right to wait for more). */
    private static boolean completeValue(byte[] body) {
        int depth = 0;
        boolean inString = false;
        boolean escaped = false;
        boolean started = false;
        for (byte c : body) {
            if (inString) {
                escaped = !escaped && c == '\\';
                if (c == '"' && !escaped) {
                    inString = false;
                }
                if (c != '\\') {
                    escaped = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
                started = true;
            } else if (c == '}' || c == ']') {
                depth--;
            }
        }
        return !started || depth <= 0;
    }

    /** One JSON-RPC envelope: 1.0 or 2.0, exactly one of result and error, small when an error, with its id. */
    private static void envelope(byte[] bytes, long length, Expect expect) {
        if (length > MAX_BODY_BYTES) {
            throw new AssertionError("an answer of " + length + " bytes: " + Fuzz.show(bytes));
        }
        JsonNode json;
        try {
            json = READER.readTree(bytes);
        } catch (Exception e) {
            throw new AssertionError("an answer that is not JSON (" + e.getMessage() + "): " + Fuzz.show(bytes));
        }
        boolean error;
        if (json.has("jsonrpc")) {
            error = json.has("error");
            if (!json.has("id") || json.has("result") == error) {
                throw new AssertionError("a malformed JSON-RPC 2.0 answer: " + Fuzz.show(bytes));
            }
        } else {
            if (!json.has("id") || !json.has("result") || !json.has("error") || json.size() != 3) {
                throw new AssertionError("a JSON-RPC 1.0 answer without exactly id, result, error: " + Fuzz.show(bytes));
            }
            error = !json.get("error").isNull();
            if (json.get("result").isNull() == json.get("error").isNull()) {
                throw new AssertionError("an answer with " + (error ? "both" : "neither") + " result and error: "
                        + Fuzz.show(bytes));
            }
        }
        if (error && length > MAX_ERROR_BYTES) {
            throw new AssertionError("an error of " + length + " bytes (at most " + MAX_ERROR_BYTES + "): "
                    + Fuzz.show(bytes));
        }
        if (expect.wellFormed() && expect.id() != null && !sameId(expect.id(), json.get("id"))) {
            throw new AssertionError("the answer's id is not the request's " + expect.id() + ": " + Fuzz.show(bytes));
        }
    }

    private static boolean sameId(JsonNode sent, JsonNode received) {
        if (received == null) {
            return false;
        }
        if (sent.isNumber() && received.isNumber()) {
            return sent.decimalValue().compareTo(received.decimalValue()) == 0;
        }
        return sent.equals(received);
    }

    private static JsonNode json(RawHttp.Answer answer) {
        if (!answer.complete()) {
            throw new AssertionError("an answer of " + answer.length() + " bytes (status " + answer.status() + "): "
                    + Fuzz.show(answer.body()));
        }
        try {
            return READER.readTree(answer.body());
        } catch (Exception e) {
            throw new AssertionError("a body that is not JSON (" + e.getMessage() + "): " + describe(answer));
        }
    }

    private static void checkError(RawHttp.Answer answer, JsonNode body) {
        if (answer.length() > MAX_ERROR_BYTES) {
            throw new AssertionError("an error of " + answer.length() + " bytes (at most " + MAX_ERROR_BYTES + "): "
                    + describe(answer));
        }
        if (!body.isObject() || !body.path("Error").isTextual()) {
            throw new AssertionError("an error without an \"Error\" text: " + describe(answer));
        }
    }

    private static String describe(RawHttp.Answer answer) {
        return "status " + answer.status() + ", " + answer.length() + " bytes: " + Fuzz.show(answer.body());
    }

    /** The SPEC's example still costs 540, and a debit of a fresh request id still answers. */
    private void assertStillServing() throws Exception {
        RawHttp.Answer cost = RawHttp.exchange(httpPort, RawHttp.get("/getcost?cstmid=vdf&subj=rif&dest=0256"
                + "&ts=2012-02-02T17:30:00Z&te=2012-02-02T18:30:00Z"), DEADLINE);
        assertThat(cost.status()).as(cost.text()).isEqualTo(200);
        assertThat(READER.readTree(cost.body()).get("Cost").decimalValue()).isEqualByComparingTo("540");
        RawHttp.Answer debit = RawHttp.exchange(httpPort, RawHttp.get("/debitbalance?cstmid=vdf&subj=broker&amount=0"
                + "&requestid=probe-" + run + "-" + probes.incrementAndGet()), DEADLINE);
        assertThat(debit.status()).as(debit.text()).isEqualTo(200);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }
}
