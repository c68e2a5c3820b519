package io.ratestream.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ratestream.gateway.GatewayConfig;
import io.ratestream.schemas.files.DataSet;
import io.ratestream.schemas.model.RatingProfile;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.topics.Topics;
import io.ratestream.streams.StreamsAppConfig;
import io.ratestream.streams.topology.Replay;
import io.ratestream.testkit.junit.KafkaBroker;
import io.ratestream.testkit.junit.KafkaBrokerExtension;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prepaid sessions through the real ports of a real stack (issue 14): fifty concurrent sessions on one
 * subscriber over JSON-RPC 1.0 on TCP, sent as Go's {@code net/rpc/jsonrpc} client sends them (every field of
 * its struct, zero values included, numeric ids from 0, several requests in flight on a connection); then
 * the same methods over HTTP GET, JSON-RPC over HTTP and the console.
 *
 * <p>Every call rates on the sample data's {@code rif}/{@code 0256} profile at 0.2 per second (a weekday
 * before 18:00, no connect fee) for budgets with no minute buckets and no tariff plan, so every cost is
 * exactly 0.2 x seconds and every check below is exact.
 */
@ExtendWith(KafkaBrokerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SessionsEndToEndTest {

    /** Thursday 2 February 2012, 14:00 UTC: four hours at 0.2/s before the 18:00 boundary. */
    private static final String TS = "2012-02-02T14:00:00Z";
    private static final String GO_ZERO_TIME = "0001-01-01T00:00:00Z";
    private static final BigDecimal PRICE = new BigDecimal("0.2");
    /** Pays 5,001.85 seconds: fewer than the fifty sessions ask for together (9,750). */
    private static final BigDecimal CREDIT = new BigDecimal("1000.37");
    /** What one millisecond costs: a held credit below it grants nothing. */
    private static final BigDecimal MILLISECOND = PRICE.movePointLeft(3);
    private static final int SESSIONS = 50;
    private static final int CONNECTIONS = 5;

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String tenant = "sess" + run;
    private final String applicationId = "sessions-" + run;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private String bootstrap;
    private DevStack stack;
    private int tcpPort;
    private int httpPort;

    @BeforeAll
    void start(KafkaBroker broker, @TempDir Path state) throws Exception {
        bootstrap = broker.bootstrapServers();
        // No refill check: nothing but this test's clients writes a command while it counts offsets. A grace of a
        // day: no session here expires however slowly the machine runs (SessionExpiryEndToEndTest expires them).
        stack = DevStack.start(StreamsAppConfig.defaults(bootstrap, state).withApplicationId(applicationId)
                        .withRefillCheck(null).withSessionGrace(Duration.ofDays(1)),
                GatewayConfig.defaults(bootstrap).withPorts(0, 0), Duration.ofSeconds(90));
        RatingProfile rif = EndToEndTest.DEMO.ratingProfiles().stream()
                .filter(p -> p.subject().equals("rif") && p.destinationPrefix().equals("0256")).findFirst().orElseThrow();
        List<RatingProfile> profiles = new ArrayList<>();
        List<UserBudget> budgets = new ArrayList<>();
        for (String subject : List.of("rif", "getter", "poster", "consoler", "crowd")) {
            profiles.add(new RatingProfile(rif.tor(), tenant, subject, "0256", rif.activationPeriods()));
            budgets.add(budget(subject, subject.equals("rif") ? CREDIT : new BigDecimal("100")));
        }
        DataSet data = new DataSet(profiles, EndToEndTest.DEMO.destinations(), EndToEndTest.DEMO.tariffPlans(), budgets);
        assertThat(stack.load(data, tenant, Duration.ofSeconds(60)).errors()).isEmpty();
        tcpPort = stack.gateway().jsonRpcPort();
        httpPort = stack.gateway().httpPort();
    }

    @AfterAll
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    private static UserBudget budget(String subject, BigDecimal credit) {
        return new UserBudget(subject, credit, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, 0,
                null, List.of(), null);
    }

    /** One session of the big test: what it asked, was granted, used, and was charged. */
    private static final class Call {
        final String id;
        final BigDecimal asked;
        BigDecimal granted;
        String refusal;
        BigDecimal reserved;
        BigDecimal used;
        String requestId;
        BigDecimal cost;

        Call(String id, BigDecimal asked) {
            this.id = id;
            this.asked = asked;
        }
    }

    @Test
    void shouldNeverGrantFiftyConcurrentSessionsMoreThanTheCreditAndDebitEachEndExactlyOnce() throws Exception {
        List<Call> calls = new ArrayList<>();
        for (int i = 0; i < SESSIONS; i++) {
            calls.add(new Call("s" + i + "-" + run, BigDecimal.valueOf(150 + 10 * (i % 10))));
        }
        BigDecimal wanted = calls.stream().map(c -> c.asked).reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(wanted.multiply(PRICE)).as("the sessions ask for more than the credit pays").isGreaterThan(CREDIT);

        // Starts: all at once, ten in flight on each of five connections.
        List<JsonNode> started = concurrently(calls, c -> id -> go(id, "SessionStart", "rif", c.id, TS, c.asked, null,
                null));
        for (int i = 0; i < SESSIONS; i++) {
            Call call = calls.get(i);
            JsonNode answer = started.get(i);
            if (answer.get("error").isNull()) {
                call.granted = answer.get("result").decimalValue();
                call.reserved = call.granted;
                assertThat(call.granted).as(call.id).isPositive().isLessThanOrEqualTo(call.asked);
                assertThat(call.granted.stripTrailingZeros().scale()).as("%s to the millisecond", call.id)
                        .isLessThanOrEqualTo(3);
            } else {
                assertThat(answer.get("result").isNull()).isTrue();
                call.refusal = answer.get("error").asText();
                assertThat(call.refusal).as(call.id).startsWith("no credit for a session to 0256");
            }
        }
        List<Call> granted = calls.stream().filter(c -> c.granted != null).toList();
        assertThat(granted).as("some sessions are granted").isNotEmpty();
        assertThat(calls).as("some are refused with insufficient funds").anyMatch(c -> c.refusal != null);
        assertThat(granted.stream().filter(c -> c.granted.compareTo(c.asked) < 0)).as("at most one partial grant")
                .hasSizeLessThanOrEqualTo(1);
        BigDecimal held = cost(granted.stream().map(c -> c.granted).reduce(BigDecimal.ZERO, BigDecimal::add));
        assertThat(held).as("the grants' cost fits in the credit").isLessThanOrEqualTo(CREDIT);
        assertThat(CREDIT.subtract(held)).as("and leaves less than a millisecond's worth, as someone was refused")
                .isLessThan(MILLISECOND);
        try (RpcConnection connection = new RpcConnection(tcpPort, 30_000)) {
            assertThat(result(connection.call(go(0, "GetExactMaxSessionTime", "rif", null, TS, new BigDecimal("60"),
                    null, null)))).as("other methods see the held credit").isEqualByComparingTo("0");
            assertThat(result(connection.call(go(1, "DebitBalance", "rif", null, null, BigDecimal.ZERO, null, null))))
                    .as("a hold is not money spent").isEqualByComparingTo(CREDIT);
        }

        // Updates, all at once: every third session reports half its grant used and asks for half the rest,
        // which it holds already: granted in full, and its hold shrinks.
        List<Call> updating = new ArrayList<>();
        for (int i = 0; i < granted.size(); i += 3) {
            Call call = granted.get(i);
            call.used = millis(call.granted.divide(BigDecimal.valueOf(2)));
            updating.add(call);
        }
        List<JsonNode> updated = concurrently(updating, c -> id -> go(id, "SessionUpdate", "rif", c.id, TS,
                ask(c), c.used, null));
        for (int i = 0; i < updating.size(); i++) {
            Call call = updating.get(i);
            assertThat(result(updated.get(i))).as(call.id).isEqualByComparingTo(ask(call));
            call.reserved = call.used.add(ask(call));
        }
        BigDecimal heldNow = cost(granted.stream().map(c -> c.reserved).reduce(BigDecimal.ZERO, BigDecimal::add));
        try (RpcConnection connection = new RpcConnection(tcpPort, 30_000)) {
            BigDecimal free = millis(CREDIT.subtract(heldNow).divide(PRICE));
            assertThat(result(connection.call(go(0, "GetExactMaxSessionTime", "rif", null, TS, new BigDecimal("3600"),
                    null, null)))).as("the released holds are free again").isEqualByComparingTo(free);
        }

        // Ends, all at once, the refused sessions' too: used in full, a third, beyond the grant, not at all.
        for (int i = 0; i < calls.size(); i++) {
            Call call = calls.get(i);
            call.used = call.reserved == null ? BigDecimal.TEN : switch (i % 4) {
                case 0 -> call.reserved;
                case 1 -> millis(call.reserved.divide(BigDecimal.valueOf(3), 6, RoundingMode.DOWN));
                case 2 -> call.reserved.add(new BigDecimal("7.5"));
                default -> BigDecimal.ZERO;
            };
            call.requestId = i % 2 == 0 ? "end-" + call.id : null;
        }
        List<JsonNode> ended = concurrently(calls, c -> id -> go(id, "SessionEnd", "rif", c.id, TS, null, c.used,
                c.requestId));
        for (int i = 0; i < calls.size(); i++) {
            Call call = calls.get(i);
            JsonNode answer = ended.get(i);
            if (call.granted == null) {
                assertThat(answer.get("error").asText()).as(call.id).startsWith("no open session " + call.id);
            } else {
                call.cost = result(answer);
                assertThat(call.cost).as("%s used %s", call.id, call.used).isEqualByComparingTo(cost(call.used));
            }
        }
        BigDecimal charged = granted.stream().map(c -> c.cost).reduce(BigDecimal.ZERO, BigDecimal::add);
        BigDecimal expected = CREDIT.subtract(charged);
        assertThat(credit("rif")).as("the credit less the exact costs").isEqualByComparingTo(expected);

        // Retries: the same RequestId answers the same cost, on another connection, and debits nothing more;
        // an end with a new RequestId for an ended session is not found and changes nothing.
        try (RpcConnection connection = new RpcConnection(tcpPort, 30_000)) {
            long id = 0;
            for (Call call : granted) {
                if (call.requestId != null) {
                    assertThat(result(connection.call(go(id++, "SessionEnd", "rif", call.id, TS, null, call.used,
                            call.requestId)))).as("retry of %s", call.id).isEqualByComparingTo(call.cost);
                }
                JsonNode again = connection.call(go(id++, "SessionEnd", "rif", call.id, TS, null, call.used,
                        "again-" + call.id));
                assertThat(again.get("result").isNull()).isTrue();
                assertThat(again.get("error").asText()).as(call.id).startsWith("no open session " + call.id)
                        .contains("it has ended");
            }
        }
        assertThat(credit("rif")).as("retries and late ends changed nothing").isEqualByComparingTo(expected);
        assertThat(settled().replay().budgets().get(tenant + ":rif").sessions()).as("no session left open").isEmpty();
    }

    @Test
    void shouldOpenAtMostTheLimitOfSessionsOnOneBudget() throws Exception {
        List<Call> crowd = new ArrayList<>();
        for (int i = 0; i < UserBudget.MAX_OPEN_SESSIONS; i++) {
            crowd.add(new Call("c" + i, BigDecimal.ONE));
        }
        List<JsonNode> started = concurrently(crowd, c -> id -> go(id, "SessionStart", "crowd", c.id, TS, c.asked, null,
                null));
        assertThat(started).allSatisfy(answer -> assertThat(result(answer)).isEqualByComparingTo("1"));

        try (RpcConnection connection = new RpcConnection(tcpPort, 30_000)) {
            JsonNode refused = connection.call(go(0, "SessionStart", "crowd", "one-more", TS, BigDecimal.ONE, null, null));
            assertThat(refused.get("error").asText()).isEqualTo("subject crowd has " + UserBudget.MAX_OPEN_SESSIONS
                    + " sessions open, the most a budget may have: end one first");
            assertThat(result(connection.call(go(1, "SessionEnd", "crowd", "c0", TS, null, BigDecimal.ONE, null))))
                    .isEqualByComparingTo("0.2");
            assertThat(result(connection.call(go(2, "SessionStart", "crowd", "one-more", TS, BigDecimal.ONE, null,
                    null)))).as("an end makes room").isEqualByComparingTo("1");
        }
        assertThat(credit("crowd")).as("only the ended call was debited").isEqualByComparingTo("99.8");
    }

    @Test
    void shouldRunSessionsOverHttpGetInTheOriginalFormAnsweringBareNumbers() throws Exception {
        String who = "cstmid=" + tenant + "&subj=getter";
        assertThat(get("/sessionstart?" + who + "&dest=0256&sessionid=g1&ts=" + TS + "@amount=90").body())
                .isEqualTo("90");
        assertThat(get("/sessionupdate?" + who + "&sessionid=g1&used=60@amount=120").body()).isEqualTo("120");
        HttpResponse<String> end = get("/sessionend?" + who + "&sessionid=g1@used=100.5", "get-end-" + run);
        HttpResponse<String> retry = get("/sessionend?" + who + "&sessionid=g1@used=100.5", "get-end-" + run);
        assertThat(end.statusCode()).isEqualTo(200);
        assertThat(end.body()).isEqualTo("20.1");
        assertThat(retry.body()).isEqualTo("20.1");
        assertThat(credit("getter")).isEqualByComparingTo("79.9");

        assertBad("/sessionend?" + who + "&sessionid=g1&used=100.5", "not_found", "no open session g1 for getter");
        assertThat(credit("getter")).as("changed nothing").isEqualByComparingTo("79.9");
        // 79.9 pays 399.5 seconds: the grant, to the millisecond; then nothing is left for another session.
        assertThat(get("/sessionstart?" + who + "&dest=0256&sessionid=g2&ts=" + TS + "&amount=1000").body())
                .isEqualTo("399.5");
        assertBad("/sessionstart?" + who + "&dest=0256&sessionid=g3&ts=" + TS + "&amount=1", "insufficient_funds",
                "no credit for a session to 0256: 0 left after what 1 open session(s) hold");
        assertThat(get("/sessionend?" + who + "&sessionid=g2&used=0").body()).isEqualTo("0");
        assertThat(credit("getter")).isEqualByComparingTo("79.9");

        assertBad("/sessionstart?" + who + "&dest=0256&amount=60", "bad_request", "SessionId is required");
        assertBad("/sessionupdate?" + who + "&sessionid=g4&amount=60", "bad_request",
                "Used is required for SessionUpdate");
        assertBad("/sessionend?" + who + "&sessionid=g4&used=abc", "bad_request", "used 'abc' is not a number");
        assertBad("/sessionend?" + who + "&sessionid=g4&used=-1", "bad_request", "Used (seconds) must not be negative");
        assertBad("/sessionstart?" + who + "&dest=0256&sessionid=g4&amount=0", "bad_request",
                "Amount (the seconds wanted) must be more than 0");
        assertThat(get("/sessionexpiry?" + who + "&sessionid=g4&amount=1").statusCode()).as("no such route")
                .isEqualTo(404);
    }

    @Test
    void shouldRunSessionsOverJsonRpcOnHttpAndSendThemToTheCommandLogOnly() throws Exception {
        Map<Integer, Long> queries = endOffsets(Topics.QUERIES);
        Map<Integer, Long> commands = endOffsets(Topics.COMMANDS);
        // Field names in any case, as Go's decoder reads them.
        String start = "{\"id\":1,\"method\":\"Responder.SessionStart\",\"params\":[{\"cstmid\":\"" + tenant
                + "\",\"SUBJECT\":\"poster\",\"destinationprefix\":\"0256\",\"sessionid\":\"p1\",\"timestart\":\"" + TS
                + "\",\"amount\":30}]}";
        assertThat(post(start, null).body().trim()).isEqualTo("{\"id\":1,\"result\":30,\"error\":null}");
        assertThat(result(json(post(go(2, "SessionUpdate", "poster", "p1", TS, new BigDecimal("30"),
                new BigDecimal("30"), null), null)))).isEqualByComparingTo("30");
        String end = go(3, "SessionEnd", "poster", "p1", null, null, new BigDecimal("45"), null);
        HttpResponse<String> first = post(end, "post-end-" + run);
        HttpResponse<String> retry = post(end, "post-end-" + run);
        assertThat(first.body().trim()).isEqualTo("{\"id\":3,\"result\":9,\"error\":null}");
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(credit("poster")).isEqualByComparingTo("91");

        // Go's zero time is an absent TimeStart: the call starts when the gateway accepted it.
        assertThat(result(json(post(go(4, "SessionStart", "poster", "p2", GO_ZERO_TIME, BigDecimal.TEN, null, null),
                null)))).isEqualByComparingTo("10");
        BigDecimal now = result(json(post(go(5, "SessionEnd", "poster", "p2", GO_ZERO_TIME, null, BigDecimal.TEN,
                null), null)));
        assertThat(now).as("10 s at 0.1 or 0.2 per second, whenever this runs").isBetween(BigDecimal.ONE,
                new BigDecimal("2"));
        assertThat(endOffsets(Topics.QUERIES)).as("sessions change budgets: never a query").isEqualTo(queries);
        Map<Integer, Long> after = endOffsets(Topics.COMMANDS);
        long written = after.keySet().stream().mapToLong(p -> after.get(p) - commands.getOrDefault(p, 0L)).sum();
        assertThat(written).as("six session commands (a retry is published too, and answered as the first time) "
                + "and a debit").isGreaterThanOrEqualTo(7);
    }

    @Test
    void shouldRefuseTheServicesSessionExpiryAsAnUnknownMethodOnEveryTransport() throws Exception {
        String expiry = go(7, "SessionExpiry", "poster", "p1", TS, BigDecimal.ONE, null, null);
        HttpResponse<String> overHttp = post(expiry, null);
        assertThat(overHttp.statusCode()).as("JSON-RPC over HTTP: 200 but for auth refusals").isEqualTo(200);
        assertThat(overHttp.body().trim()).isEqualTo("{\"id\":7,\"result\":null,\"error\":\"rpc: can't find method "
                + "Responder.SessionExpiry\"}");
        HttpResponse<String> version2 = post(expiry.replace("{\"method\"", "{\"jsonrpc\":\"2.0\",\"method\""), null);
        assertThat(json(version2).at("/error/code").asInt()).isEqualTo(-32601);
        try (RpcConnection connection = new RpcConnection(tcpPort, 30_000)) {
            assertThat(connection.call(expiry).get("error").asText())
                    .isEqualTo("rpc: can't find method Responder.SessionExpiry");
        }
    }

    @Test
    void shouldRunSessionsFromTheConsole() {
        String server = "127.0.0.1:" + tcpPort;
        List<String> who = List.of("-server", server, "-cstmid", tenant, "-subject", "consoler", "-sessionid", "c1");
        CliTest.Run start = console(who, "sessionstart", "-dest", "0256", "-ts", TS, "-amount", "60");
        assertThat(start.code()).as(start.err()).isZero();
        assertThat(start.out().trim()).isEqualTo("60");
        assertThat(console(who, "sessionupdate", "-used", "30", "-amount", "60").out().trim()).isEqualTo("60");
        assertThat(console(who, "sessionend", "-used", "50", "-requestid", "console-" + run).out().trim())
                .isEqualTo("10");
        assertThat(console(who, "sessionend", "-used", "50", "-requestid", "console-" + run).out().trim())
                .as("a retry").isEqualTo("10");
        CliTest.Run late = console(who, "sessionend", "--used", "50", "--json");
        assertThat(late.code()).isEqualTo(1);
        assertThat(late.out()).contains("\"error\":\"no open session c1 for consoler");
    }

    private static CliTest.Run console(List<String> who, String command, String... more) {
        List<String> args = new ArrayList<>(List.of("console", command));
        args.addAll(who);
        args.addAll(List.of(more));
        return CliTest.cli(args.toArray(String[]::new));
    }

    /** What the session may be granted on top of its used seconds: half what it holds beyond them. */
    private static BigDecimal ask(Call call) {
        return millis(call.granted.subtract(call.used).divide(BigDecimal.valueOf(2)));
    }

    private static BigDecimal cost(BigDecimal seconds) {
        return seconds.multiply(PRICE);
    }

    /** Down to the millisecond. */
    private static BigDecimal millis(BigDecimal seconds) {
        return seconds.setScale(3, RoundingMode.DOWN);
    }

    /**
     * A request as Go's {@code net/rpc/jsonrpc} client writes it for a struct of every descriptor field: method,
     * params, then id; a field it has not set goes out as its zero value (0, "", 0001-01-01T00:00:00Z).
     */
    private String go(long id, String method, String subject, String sessionId, String timeStart, BigDecimal amount,
            BigDecimal used, String requestId) {
        return "{\"method\":\"Responder." + method + "\",\"params\":[{\"TOR\":0,\"CstmId\":\"" + tenant
                + "\",\"Subject\":\"" + subject + "\",\"DestinationPrefix\":\"0256\",\"TimeStart\":\""
                + (timeStart == null ? GO_ZERO_TIME : timeStart) + "\",\"TimeEnd\":\"" + GO_ZERO_TIME + "\",\"Amount\":"
                + number(amount) + ",\"SessionId\":\"" + (sessionId == null ? "" : sessionId) + "\",\"Used\":"
                + number(used) + ",\"RequestId\":\"" + (requestId == null ? "" : requestId) + "\"}],\"id\":" + id + "}";
    }

    private static String number(BigDecimal value) {
        return value == null ? "0" : value.stripTrailingZeros().toPlainString();
    }

    /**
     * Sends one request per call, spread over {@link #CONNECTIONS} connections that each send all theirs at
     * once and then read the answers (in whatever order they come, matched by id); the connections run at the
     * same time. The answers in the order of {@code calls}.
     */
    private List<JsonNode> concurrently(List<Call> calls, java.util.function.Function<Call, LongFunction<String>> request)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CONNECTIONS);
        try {
            List<Future<Map<Integer, JsonNode>>> futures = new ArrayList<>();
            for (int c = 0; c < CONNECTIONS; c++) {
                int connectionIndex = c;
                futures.add(pool.submit(() -> {
                    try (RpcConnection connection = new RpcConnection(tcpPort, 60_000)) {
                        Map<Long, Integer> byId = new LinkedHashMap<>();
                        StringBuilder batch = new StringBuilder();
                        long id = 0;
                        for (int i = connectionIndex; i < calls.size(); i += CONNECTIONS) {
                            byId.put(id, i);
                            batch.append(request.apply(calls.get(i)).apply(id++));
                        }
                        connection.send(batch.toString());
                        Map<Integer, JsonNode> answers = new TreeMap<>();
                        while (answers.size() < byId.size()) {
                            JsonNode answer = connection.read();
                            Integer index = byId.get(answer.get("id").asLong());
                            assertThat(index).as("an answer to a request sent: %s", answer).isNotNull();
                            assertThat(answers.put(index, answer)).as("one answer per request").isNull();
                        }
                        return answers;
                    }
                }));
            }
            Map<Integer, JsonNode> all = new TreeMap<>();
            for (Future<Map<Integer, JsonNode>> future : futures) {
                all.putAll(future.get(120, TimeUnit.SECONDS));
            }
            assertThat(all).hasSize(calls.size());
            return new ArrayList<>(all.values());
        } finally {
            pool.shutdownNow();
        }
    }

    private static BigDecimal result(JsonNode answer) {
        assertThat(answer.get("error").isNull()).as("%s", answer).isTrue();
        return answer.get("result").decimalValue();
    }

    /** The credit as stored (DebitBalance of 0 changes nothing and answers it). */
    private BigDecimal credit(String subject) throws Exception {
        try (RpcConnection connection = new RpcConnection(tcpPort, 30_000)) {
            return result(connection.call(go(0, "DebitBalance", subject, null, null, BigDecimal.ZERO, null, null)));
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return get(path, null);
    }

    private HttpResponse<String> get(String path, String idempotencyKey) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(Duration.ofSeconds(30));
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String body, String idempotencyKey) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/jsonrpc"))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return RpcConnection.MAPPER.readTree(response.body());
    }

    private void assertBad(String path, String kind, String problem) throws Exception {
        HttpResponse<String> response = get(path);
        assertThat(response.statusCode()).as(path + " -> " + response.body()).isEqualTo(400);
        assertThat(response.headers().firstValue("Ratestream-Error-Kind")).as(path).hasValue(kind);
        JsonNode body = json(response);
        assertThat(body.size()).as(path).isEqualTo(1);
        assertThat(body.get("Error").asText()).as(path).contains(problem);
    }

    private Map<Integer, Long> endOffsets(String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            Map<Integer, Long> ends = new TreeMap<>();
            consumer.endOffsets(partitions).forEach((partition, end) -> ends.put(partition.partition(), end));
            return ends;
        }
    }

    private Replay.Verification settled() throws Exception {
        return ReplaySettled.of(bootstrap, applicationId);
    }
}
