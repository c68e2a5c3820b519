package io.ratestream.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ratestream.gateway.GatewayConfig;
import io.ratestream.gateway.auth.AuthFile;
import io.ratestream.gateway.auth.Authenticator;
import io.ratestream.gateway.auth.Role;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.files.DataSet;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.model.RatingProfile;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.topics.Topics;
import io.ratestream.streams.StreamsAppConfig;
import io.ratestream.streams.topology.Replay;
import io.ratestream.testkit.junit.KafkaBroker;
import io.ratestream.testkit.junit.KafkaBrokerExtension;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Access control through the real ports of a real stack (issue 11): every role x every method x two
 * tenants x every transport (HTTP GET, JSON-RPC over HTTP in both envelopes, JSON-RPC over TCP after
 * Responder.Authenticate), and every way of not being authenticated. Phase 1 sends every refused
 * combination and shows that nothing was published and no budget moved; phase 2 sends the allowed ones,
 * which never meet an auth error; the replay of the command log then equals the live budgets.
 */
@ExtendWith(KafkaBrokerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessControlTest {

    /** How a request reaches the gateway. */
    enum Transport { HTTP_GET, JSONRPC_HTTP_1, JSONRPC_HTTP_2, JSONRPC_TCP }

    /** One thing a caller may ask for: a call of the API, Responder.Status, or an HTTP admin page. */
    record Case(String label, Method method, String amount, Role role, String page) {
        boolean isStatus() {
            return method == null && page == null;
        }

        boolean isPage() {
            return page != null;
        }

        /** Whether the case concerns a tenant (the admin pages and the status do not). */
        boolean hasTenant() {
            return method != null;
        }

        boolean runsOver(Transport transport) {
            return isPage() ? transport == Transport.HTTP_GET : !isStatus() || transport != Transport.HTTP_GET;
        }
    }

    /** A principal of the auth file with its key in clear (the test made it). */
    record Who(String name, String key, Set<Role> roles, boolean anyTenant) {
    }

    /** What came back, whatever the transport. */
    record Outcome(int status, String body, JsonNode json, String kindHeader, String challenge) {
    }

    private static final String TS = "2012-02-02T17:30:00Z";
    private static final String TE = "2012-02-02T18:30:00Z";
    private static final List<Method> AMOUNT_TAKING = List.of(Method.DEBIT_BALANCE, Method.DEBIT_SMS,
            Method.DEBIT_SECONDS, Method.ADD_VOLUME_DISCOUNT_SECONDS, Method.ADD_RECEIVED_CALL_SECONDS);

    private final ObjectMapper mapper = Json.newMapper();
    /** HTTP/1.1 only, as the switches' clients speak it: no h2c upgrade offered with the requests. */
    private HttpClient http;
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String tenantA = "acA" + run;
    private final String tenantB = "acB" + run;
    private final String applicationId = "access-" + run;
    private final List<Who> principals = List.of(
            new Who("rate-a", "k-rate-" + run, EnumSet.of(Role.RATE), false),
            new Who("charge-a", "k-charge-" + run, EnumSet.of(Role.CHARGE), false),
            new Who("topup-a", "k-topup-" + run, EnumSet.of(Role.TOPUP), false),
            new Who("admin-a", "k-admin-" + run, EnumSet.of(Role.ADMIN), false),
            new Who("all", "k-all-" + run, EnumSet.allOf(Role.class), true));
    private final Who all = principals.get(4);
    private final List<Case> cases = cases();
    private final Map<String, RpcConnection> connections = new LinkedHashMap<>();
    /** Per TCP connection, the requests sent and not yet answered, by id. */
    private final Map<String, Map<Long, CompletableFuture<Outcome>>> unanswered = new LinkedHashMap<>();
    private String bootstrap;
    private DevStack stack;
    private int tcpPort;
    private int httpPort;
    private long nextId = 1;

    private static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("GetCost", Method.GET_COST, null, Role.RATE, null));
        cases.add(new Case("GetMaxSessionTime", Method.GET_MAX_SESSION_TIME, "60", Role.RATE, null));
        cases.add(new Case("GetExactMaxSessionTime", Method.GET_EXACT_MAX_SESSION_TIME, "60", Role.RATE, null));
        for (Method method : AMOUNT_TAKING) {
            cases.add(new Case(method.wireName() + " 1", method, "1", Role.CHARGE, null));
            cases.add(new Case(method.wireName() + " -1", method, "-1", Role.TOPUP, null));
        }
        cases.add(new Case("ResetVolumeDiscountSeconds", Method.RESET_VOLUME_DISCOUNT_SECONDS, null, Role.TOPUP, null));
        cases.add(new Case("ResetUserBudget", Method.RESET_USER_BUDGET, null, Role.TOPUP, null));
        // A prepaid session holds and debits credit: the switch's role, whatever its numbers.
        cases.add(new Case("SessionStart", Method.SESSION_START, "60", Role.CHARGE, null));
        cases.add(new Case("SessionUpdate", Method.SESSION_UPDATE, "60", Role.CHARGE, null));
        cases.add(new Case("SessionEnd", Method.SESSION_END, null, Role.CHARGE, null));
        cases.add(new Case("Responder.Status", null, null, Role.ADMIN, null));
        for (String page : List.of("/", "/api/activity", "/status", "/metrics")) {
            cases.add(new Case("GET " + page, null, null, Role.ADMIN, page));
        }
        return cases;
    }

    /** The listeners: plain here; {@link AccessControlTlsTest} turns them to TLS. */
    GatewayConfig listeners(GatewayConfig config) throws Exception {
        return config;
    }

    /** HTTP/1.1 only, as the switches' clients speak it: no h2c upgrade offered with the requests. */
    HttpClient.Builder httpClient() throws Exception {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10));
    }

    String scheme() {
        return "http";
    }

    /** A new JSON-RPC connection to the gateway. */
    RpcConnection connect() throws Exception {
        return new RpcConnection(tcpPort, 30_000);
    }

    int tcpPort() {
        return tcpPort;
    }

    @BeforeAll
    void start(KafkaBroker broker, @TempDir Path state) throws Exception {
        bootstrap = broker.bootstrapServers();
        AuthFile file = AuthFile.empty();
        for (Who who : principals) {
            file = file.with(new AuthFile.Entry(who.name(), Authenticator.apiKey(who.key()).sha256(), null,
                    List.of(who.anyTenant() ? AuthFile.ANY_TENANT : tenantA), List.copyOf(who.roles())));
        }
        // Nothing but the clients of this test may write a command while it counts offsets: no refill check,
        // and no session expiry within the run. The app reads the whole shared log, so the sessions an earlier
        // test class left open (AccessControlTest's own phase 2 before AccessControlTlsTest) would otherwise
        // come due under the default grace in the middle of phase 1 and be written to both command topics.
        stack = DevStack.start(StreamsAppConfig.defaults(bootstrap, state).withApplicationId(applicationId)
                        .withRefillCheck(null).withSessionGrace(Duration.ofDays(1)),
                listeners(GatewayConfig.defaults(bootstrap).withPorts(0, 0).withAuthenticator(Authenticator.of(file))),
                Duration.ofSeconds(90));
        for (String tenant : List.of(tenantA, tenantB)) {
            // The demo's budgets, and its rating profiles under this tenant so that its calls rate.
            List<RatingProfile> profiles = EndToEndTest.DEMO.ratingProfiles().stream().map(p -> new RatingProfile(
                    p.tor(), tenant, p.subject(), p.destinationPrefix(), p.activationPeriods())).toList();
            DataSet data = new DataSet(profiles, EndToEndTest.DEMO.destinations(), EndToEndTest.DEMO.tariffPlans(),
                    EndToEndTest.DEMO.userBudgets());
            assertThat(stack.load(data, tenant, Duration.ofSeconds(60)).errors()).isEmpty();
        }
        tcpPort = stack.gateway().jsonRpcPort();
        httpPort = stack.gateway().httpPort();
        http = httpClient().build();
    }

    @AfterAll
    void stop() {
        connections.values().forEach(RpcConnection::close);
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void shouldRefuseWhatARoleOrTenantDoesNotAllowChangingNothingAndAllowTheRest() throws Exception {
        for (Who who : principals) {
            RpcConnection connection = connect();
            connections.put(who.name(), connection);
            assertThat(connection.call(authenticate(who.key()))).as(who.name())
                    .isEqualTo(mapper.readTree("{\"id\":" + (nextId - 1) + ",\"result\":true,\"error\":null}"));
            // An unknown key afterwards leaves the connection as it was: phase 2 runs on it as this principal.
            assertThat(connection.call(authenticate("wrong-" + run)).get("error").asText())
                    .isEqualTo("unauthenticated: unknown API key");
        }
        Replay.Verification before = settled();
        Map<Integer, Long> queriesBefore = queriesEnd();

        // Phase 1: everything refused.
        SoftAssertions refused = new SoftAssertions();
        int forbidden = 0;
        for (Who who : principals) {
            for (Case c : cases) {
                for (String tenant : c.hasTenant() ? List.of(tenantA, tenantB) : List.of(tenantA)) {
                    for (Transport transport : Transport.values()) {
                        if (!c.runsOver(transport) || allowed(who, c, tenant)) {
                            continue;
                        }
                        String missing = !who.roles().contains(c.role())
                                ? "principal '" + who.name() + "' lacks the role " + c.role().wireName()
                                : "principal '" + who.name() + "' may not act for tenant '" + tenant + "'";
                        Outcome outcome = send(transport, c, tenant, bearer(who.key()), who.name());
                        assertRefusal(refused, outcome, transport, "forbidden", missing,
                                who.name() + " " + c.label() + " " + tenant + " " + transport);
                        forbidden++;
                    }
                }
            }
        }
        int unauthenticated = sendUnauthenticated(refused);
        refused.assertAll();
        assertThat(forbidden).as("refused combinations").isGreaterThan(300);
        assertThat(unauthenticated).isGreaterThan(200);

        Replay.Verification after = settled();
        assertThat(after.replay().endOffsets()).as("nothing was published").isEqualTo(before.replay().endOffsets());
        assertThat(queriesEnd()).as("no query was published either").isEqualTo(queriesBefore);
        Map<String, UserBudget> budgets = budgetsOfBothTenants(before);
        assertThat(budgets).hasSize(4);
        assertThat(budgetsOfBothTenants(after)).isEqualTo(budgets);
        for (Map.Entry<String, UserBudget> budget : budgets.entrySet()) {
            String[] key = budget.getKey().split(":", 2);
            JsonNode credit = connections.get(all.name()).call(RpcConnection.debit(nextId++, key[0], key[1], "0", null));
            assertThat(credit.get("result").decimalValue()).as(budget.getKey())
                    .isEqualByComparingTo(budget.getValue().credit());
        }
        assertThat(refusalsCounted()).as("/metrics counts the refusals by reason and transport")
                .containsKeys("role http", "tenant http", "role jsonrpc_http", "tenant jsonrpc_tcp",
                        "no_credentials http", "unknown_credentials jsonrpc_tcp", "no_credentials jsonrpc_tcp");

        // Phase 2: everything allowed, never an auth error. Sent all at once (each TCP connection pipelined),
        // then checked: the order of debits does not matter here, and the replay below checks the result.
        Map<String, CompletableFuture<Outcome>> sent = new LinkedHashMap<>();
        Map<String, Case> casesSent = new LinkedHashMap<>();
        for (Who who : principals) {
            for (Case c : cases) {
                for (String tenant : c.hasTenant() ? List.of(tenantA, tenantB) : List.of(tenantA)) {
                    for (Transport transport : Transport.values()) {
                        if (c.runsOver(transport) && allowed(who, c, tenant)) {
                            String label = who.name() + " " + c.label() + " " + tenant + " " + transport;
                            sent.put(label, sendAsync(transport, c, tenant, bearer(who.key()), who.name()));
                            casesSent.put(label, c);
                        }
                    }
                }
            }
        }
        readAllAnswers();
        SoftAssertions allowed = new SoftAssertions();
        for (Map.Entry<String, CompletableFuture<Outcome>> call : sent.entrySet()) {
            String label = call.getKey();
            assertAllowed(allowed, call.getValue().get(60, TimeUnit.SECONDS), casesSent.get(label),
                    Transport.valueOf(label.substring(label.lastIndexOf(' ') + 1)), label);
        }
        allowed.assertAll();
        assertThat(sent).as("allowed combinations").hasSizeGreaterThan(150);

        Replay.Verification verified = settled();
        assertThat(budgetsOfBothTenants(verified)).as("phase 2 debited and topped up").isNotEqualTo(budgets);
        CliTest.Run replay = CliTest.cli("replay", "--verify", "--bootstrap", bootstrap, "--application-id",
                applicationId);
        assertThat(replay.code()).as(replay.out() + replay.err()).isZero();
        assertThat(replay.out()).contains("identical: every budget equals its replay").doesNotContain("note:");
    }

    @Test
    void shouldKeepTheHealthChecksOpenAndQuiet() throws Exception {
        for (String path : List.of("/health/live", "/health/ready")) {
            HttpResponse<String> response = get(path, null);
            assertThat(response.statusCode()).as(path).isEqualTo(200);
            assertThat(mapper.readTree(response.body()).has("Detail")).as(path).isFalse();
        }
    }

    @Test
    void shouldOpenTheStatusPageToABrowserGivingTheKeyAsItsPassword() throws Exception {
        String basic = "Basic " + Base64.getEncoder().encodeToString(("ops:" + principals.get(3).key())
                .getBytes(StandardCharsets.UTF_8));

        HttpResponse<String> page = get("/", basic);
        HttpResponse<String> nobody = get("/", null);

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).containsIgnoringCase("<html");
        assertThat(nobody.statusCode()).isEqualTo(401);
        assertThat(nobody.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                value -> assertThat(value).startsWith("Basic realm=\"ratestream\""));
    }

    @Test
    void shouldRefuseForbiddenCallsOverTcpInJsonRpc2WithTheirCode() throws Exception {
        try (RpcConnection connection = connect()) {
            JsonNode unauthenticated = connection.call(RpcConnection.debit(1, tenantA, "minutosu", "1", null));
            connection.call(authenticate(principals.get(0).key()));
            JsonNode forbidden = connection.call(RpcConnection.debit(2, tenantA, "minutosu", "1", null));

            assertThat(unauthenticated.at("/error/code").asInt()).isEqualTo(-32007);
            assertThat(unauthenticated.at("/error/data/kind").asText()).isEqualTo("unauthenticated");
            assertThat(forbidden.at("/error/code").asInt()).isEqualTo(-32008);
            assertThat(forbidden.at("/error/message").asText())
                    .isEqualTo("forbidden: principal 'rate-a' lacks the role charge that DebitBalance needs");
        }
    }

    @Test
    void shouldRunTheSeedsPythonSnippetWithAnAuthenticateCallFirst() throws Exception {
        String cd = "cd = {\"Tor\": 0, \"CstmId\": \"" + tenantA + "\", \"Subject\": \"rif\", \"DestinationPrefix\": "
                + "\"0256\", \"TimeStart\": \"" + TS + "\", \"TimeEnd\": \"" + TE + "\"}";
        String authenticated = String.join("\n",
                "import json, socket",
                cd,
                "s = socket.create_connection((\"127.0.0.1\", " + tcpPort + "))",
                "s.sendall(json.dumps({\"id\": 0, \"method\": \"Responder.Authenticate\", \"params\": "
                        + "[{\"ApiKey\": \"" + principals.get(0).key() + "\"}]}).encode())",
                "print(s.recv(4096))",
                "s.sendall(json.dumps({\"id\": 1, \"method\": \"Responder.Get\", \"params\": [cd]}).encode())",
                "print(s.recv(4096))");
        String unchanged = String.join("\n",
                "import json, socket",
                cd,
                "s = socket.create_connection((\"127.0.0.1\", " + tcpPort + "))",
                "s.sendall(json.dumps({\"id\": 1, \"method\": \"Responder.Get\", \"params\": [cd]}).encode())",
                "print(s.recv(4096))");

        List<String> out = python(authenticated);
        List<String> refused = python(unchanged);

        assertThat(out).hasSize(2);
        assertThat(out.get(0)).isEqualTo("b'{\"id\":0,\"result\":true,\"error\":null}\\n'");
        assertThat(out.get(1)).startsWith("b'{\"id\":1,\"result\":{").contains("\"Cost\":540,")
                .contains("\"error\":null");
        assertThat(refused).hasSize(1);
        assertThat(refused.get(0)).startsWith("b'{\"id\":1,\"result\":null,\"error\":\"unauthenticated: call "
                + "Responder.Authenticate");
    }

    private List<String> python(String script) throws Exception {
        Process python;
        try {
            python = new ProcessBuilder("python3", "-c", script).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            Assumptions.abort("python3 is not installed: " + e.getMessage());
            return List.of();
        }
        String out = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(python.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(python.exitValue()).as(out).isZero();
        return out.lines().toList();
    }

    /** Whether {@code who} may do {@code c} for {@code tenant}: the role fits, and the tenant is its own. */
    private boolean allowed(Who who, Case c, String tenant) {
        return who.roles().contains(c.role()) && (!c.hasTenant() || who.anyTenant() || tenant.equals(tenantA));
    }

    /**
     * Every way of not being authenticated, on every case: no key, an unknown key, a garbage Authorization
     * header, a key over the length limit; over TCP a connection that never authenticated and one whose
     * Authenticate failed.
     */
    private int sendUnauthenticated(SoftAssertions softly) throws Exception {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("no key", null);
        headers.put("unknown key", "Bearer wrong-" + run);
        headers.put("garbage header", "Token " + principals.get(4).key());
        headers.put("garbage basic", "Basic %%%");
        headers.put("too long key", "Bearer " + "k".repeat(257));
        RpcConnection never = connect();
        RpcConnection failed = connect();
        RpcConnection tooLong = connect();
        connections.put("never", never);
        connections.put("failed", failed);
        connections.put("too long", tooLong);
        softly.assertThat(failed.call(authenticate(principals.get(4).key() + "x")).get("error").asText())
                .isEqualTo("unauthenticated: unknown API key");
        softly.assertThat(tooLong.call(authenticate("k".repeat(257))).get("error").asText())
                .isEqualTo("unauthenticated: the API key is longer than 256 characters");
        int count = 0;
        for (Case c : cases) {
            for (Transport transport : Transport.values()) {
                if (!c.runsOver(transport)) {
                    continue;
                }
                if (transport == Transport.JSONRPC_TCP) {
                    for (String name : List.of("never", "failed", "too long")) {
                        Outcome outcome = send(transport, c, tenantA, null, name);
                        assertRefusal(softly, outcome, transport, "unauthenticated", "Responder.Authenticate",
                                name + " " + c.label());
                        count++;
                    }
                    continue;
                }
                for (Map.Entry<String, String> header : headers.entrySet()) {
                    Outcome outcome = send(transport, c, tenantA, header.getValue(), null);
                    String label = header.getKey() + " " + c.label() + " " + transport;
                    assertRefusal(softly, outcome, transport, "unauthenticated", "", label);
                    String challenge = c.isPage() && !c.page().equals("/status") && !c.page().equals("/metrics")
                            ? "Basic realm=\"ratestream\"" : "Bearer realm=\"ratestream\"";
                    softly.assertThat(outcome.challenge()).as(label).startsWith(challenge);
                    count++;
                }
            }
        }
        // Responder.Authenticate over HTTP with an unknown key: 401 too
        Outcome http = postJsonRpc("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"Responder.Authenticate\",\"params\":"
                + "[{\"ApiKey\":\"wrong\"}]}", null);
        assertRefusal(softly, http, Transport.JSONRPC_HTTP_2, "unauthenticated", "unknown API key",
                "Authenticate over HTTP");
        return count;
    }

    private void assertRefusal(SoftAssertions softly, Outcome outcome, Transport transport, String kind,
            String fragment, String label) {
        int status = kind.equals("forbidden") ? 403 : 401;
        String prefix = kind + ": ";
        switch (transport) {
            case HTTP_GET -> {
                softly.assertThat(outcome.status()).as(label).isEqualTo(status);
                softly.assertThat(outcome.kindHeader()).as(label).isEqualTo(kind);
                if (outcome.json() != null) {
                    softly.assertThat(fieldNames(outcome.json())).as(label).containsExactly("Error");
                    softly.assertThat(outcome.json().path("Error").asText()).as(label).startsWith(prefix)
                            .contains(fragment);
                } else {
                    softly.fail(label + ": not JSON: " + outcome.body());
                }
            }
            case JSONRPC_HTTP_1, JSONRPC_TCP -> {
                if (transport == Transport.JSONRPC_HTTP_1) {
                    softly.assertThat(outcome.status()).as(label).isEqualTo(status);
                }
                softly.assertThat(outcome.json()).as(label).isNotNull();
                if (outcome.json() != null) {
                    softly.assertThat(outcome.json().path("result").isNull()).as(label + ": " + outcome.body()).isTrue();
                    softly.assertThat(outcome.json().path("error").asText()).as(label).startsWith(prefix)
                            .contains(fragment);
                }
            }
            case JSONRPC_HTTP_2 -> {
                softly.assertThat(outcome.status()).as(label).isEqualTo(status);
                softly.assertThat(outcome.json()).as(label).isNotNull();
                if (outcome.json() != null) {
                    softly.assertThat(outcome.json().path("jsonrpc").asText()).as(label).isEqualTo("2.0");
                    softly.assertThat(outcome.json().has("result")).as(label).isFalse();
                    softly.assertThat(outcome.json().at("/error/code").asInt()).as(label)
                            .isEqualTo(kind.equals("forbidden") ? -32008 : -32007);
                    softly.assertThat(outcome.json().at("/error/message").asText()).as(label).startsWith(prefix)
                            .contains(fragment);
                    softly.assertThat(outcome.json().at("/error/data/kind").asText()).as(label).isEqualTo(kind);
                }
            }
            default -> throw new IllegalStateException(transport.name());
        }
    }

    private void assertAllowed(SoftAssertions softly, Outcome outcome, Case c, Transport transport, String label) {
        String error = switch (transport) {
            case HTTP_GET -> outcome.status() == 200 ? null
                    : outcome.json() == null ? outcome.body() : outcome.json().path("Error").asText();
            case JSONRPC_HTTP_1, JSONRPC_TCP -> outcome.json().path("error").isNull() ? null
                    : outcome.json().path("error").asText();
            case JSONRPC_HTTP_2 -> outcome.json().has("error") ? outcome.json().at("/error/message").asText() : null;
        };
        if (transport != Transport.JSONRPC_TCP) {
            softly.assertThat(outcome.status()).as(label + ": " + error).isNotIn(401, 403);
        }
        softly.assertThat(outcome.kindHeader()).as(label).isNotIn("unauthenticated", "forbidden");
        softly.assertThat(error).as(label).satisfiesAnyOf(
                e -> assertThat(e).isNull(),
                e -> assertThat(e).doesNotStartWith("unauthenticated").doesNotStartWith("forbidden"));
        // The reads and the admin's pages always answer; a debit may meet the engine's refusal.
        if (c.role() == Role.RATE || c.role() == Role.ADMIN) {
            softly.assertThat(error).as(label).isNull();
        }
        if (c.method() == Method.GET_COST) {
            JsonNode result = transport == Transport.HTTP_GET ? outcome.json() : outcome.json().get("result");
            softly.assertThat(result == null ? null : result.path("Cost").decimalValue()).as(label)
                    .isEqualByComparingTo("540");
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String bearer(String key) {
        return "Bearer " + key;
    }

    private String authenticate(String key) {
        return "{\"id\":" + nextId++ + ",\"method\":\"Responder.Authenticate\",\"params\":[{\"ApiKey\":\"" + key
                + "\"}]}";
    }

    /**
     * Sends one case and waits for its answer: over HTTP with {@code authorization} (null for none), over
     * TCP on the connection named {@code connection}.
     */
    private Outcome send(Transport transport, Case c, String tenant, String authorization, String connection)
            throws Exception {
        CompletableFuture<Outcome> outcome = sendAsync(transport, c, tenant, authorization, connection);
        readAllAnswers();
        return outcome.get(60, TimeUnit.SECONDS);
    }

    /** Sends one case; over TCP, its answer is read by {@link #readAllAnswers}. */
    private CompletableFuture<Outcome> sendAsync(Transport transport, Case c, String tenant, String authorization,
            String connection) throws Exception {
        long id = nextId++;
        return switch (transport) {
            case HTTP_GET -> http.sendAsync(request(c.isPage() ? c.page() : query(c, tenant), authorization).build(),
                    HttpResponse.BodyHandlers.ofString()).thenApply(this::outcome);
            case JSONRPC_HTTP_1 -> postJsonRpcAsync(envelope(false, id, c, tenant), authorization);
            case JSONRPC_HTTP_2 -> postJsonRpcAsync(envelope(true, id, c, tenant), authorization);
            case JSONRPC_TCP -> {
                CompletableFuture<Outcome> answer = new CompletableFuture<>();
                unanswered.computeIfAbsent(connection, name -> new LinkedHashMap<>()).put(id, answer);
                connections.get(connection).send(envelope(false, id, c, tenant));
                yield answer;
            }
        };
    }

    /** Reads every answer the TCP connections owe, matching them to their requests by id. */
    private void readAllAnswers() throws Exception {
        for (Map.Entry<String, Map<Long, CompletableFuture<Outcome>>> waiting : unanswered.entrySet()) {
            RpcConnection connection = connections.get(waiting.getKey());
            while (!waiting.getValue().isEmpty()) {
                JsonNode answer = connection.read();
                CompletableFuture<Outcome> outcome = waiting.getValue().remove(answer.get("id").asLong());
                assertThat(outcome).as("an answer to a request sent on %s: %s", waiting.getKey(), answer).isNotNull();
                outcome.complete(new Outcome(-1, answer.toString(), answer, null, null));
            }
        }
    }

    private Outcome postJsonRpc(String body, String authorization) throws Exception {
        return postJsonRpcAsync(body, authorization).get(60, TimeUnit.SECONDS);
    }

    private CompletableFuture<Outcome> postJsonRpcAsync(String body, String authorization) {
        HttpRequest.Builder request = request("/jsonrpc", authorization).POST(HttpRequest.BodyPublishers.ofString(body));
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()).thenApply(this::outcome);
    }

    private HttpRequest.Builder request(String path, String authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(scheme() + "://127.0.0.1:" + httpPort + path))
                .timeout(Duration.ofSeconds(30));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request;
    }

    private HttpResponse<String> get(String path, String authorization) throws Exception {
        return http.send(request(path, authorization).build(), HttpResponse.BodyHandlers.ofString());
    }

    private Outcome outcome(HttpResponse<String> response) {
        int status = response.statusCode();
        String body = response.body();
        JsonNode json;
        try {
            json = body.isEmpty() || body.charAt(0) != '{' && body.charAt(0) != '[' && !Character.isDigit(body.charAt(0))
                    && body.charAt(0) != '-' ? null : mapper.readTree(body);
        } catch (java.io.IOException e) {
            json = null;
        }
        return new Outcome(status, body, json, response.headers().firstValue("Ratestream-Error-Kind").orElse(null),
                response.headers().firstValue("WWW-Authenticate").orElse(null));
    }

    /** The GET API's path and query of a call. */
    private static String query(Case c, String tenant) {
        Map<String, String> params = new LinkedHashMap<>();
        descriptor(c, tenant).forEach((field, value) -> params.put(switch (field) {
            case "CstmId" -> "cstmid";
            case "Subject" -> "subj";
            case "DestinationPrefix" -> "dest";
            case "TimeStart" -> "ts";
            case "TimeEnd" -> "te";
            case "Amount" -> "amount";
            case "SessionId" -> "sessionid";
            case "Used" -> "used";
            default -> throw new IllegalArgumentException(field);
        }, value));
        return "/" + c.method().wireName().toLowerCase(Locale.ROOT) + "?" + params.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    /** The call descriptor's fields of a case, as text. */
    private static Map<String, String> descriptor(Case c, String tenant) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("CstmId", tenant);
        switch (c.method()) {
            case GET_COST -> {
                fields.put("Subject", "rif");
                fields.put("DestinationPrefix", "0256");
                fields.put("TimeStart", TS);
                fields.put("TimeEnd", TE);
            }
            case GET_MAX_SESSION_TIME, GET_EXACT_MAX_SESSION_TIME, DEBIT_SECONDS -> {
                fields.put("Subject", "minutosu");
                fields.put("DestinationPrefix", "0723");
            }
            case SESSION_START -> {
                fields.put("Subject", "minutosu");
                fields.put("DestinationPrefix", "0723");
                fields.put("SessionId", "ac-session");
                fields.put("TimeStart", TS);
            }
            case SESSION_UPDATE, SESSION_END -> {
                fields.put("Subject", "minutosu");
                fields.put("SessionId", "ac-session");
                fields.put("Used", "30");
            }
            default -> fields.put("Subject", "minutosu");
        }
        if (c.amount() != null) {
            fields.put("Amount", c.amount());
        }
        return fields;
    }

    /** A JSON-RPC request of a case, in the 1.0 (Go's) or the 2.0 envelope. */
    private String envelope(boolean version2, long id, Case c, String tenant) throws Exception {
        ObjectNode request = mapper.createObjectNode();
        if (version2) {
            request.put("jsonrpc", "2.0");
        }
        request.put("id", id);
        if (c.isStatus()) {
            request.put("method", "Responder.Status");
            request.putArray("params");
        } else {
            request.put("method", "Responder." + c.method().wireName());
            ObjectNode params = request.putArray("params").addObject();
            descriptor(c, tenant).forEach((field, value) -> {
                if (field.equals("Amount") || field.equals("Used")) {
                    params.put(field, new java.math.BigDecimal(value));
                } else {
                    params.put(field, value);
                }
            });
        }
        return mapper.writeValueAsString(request);
    }

    private Replay.Verification settled() throws Exception {
        return ReplaySettled.of(bootstrap, applicationId);
    }

    /** The end offsets of ratestream.queries, by partition (a replay does not read that topic). */
    private Map<Integer, Long> queriesEnd() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.QUERIES).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            Map<Integer, Long> ends = new TreeMap<>();
            consumer.endOffsets(partitions).forEach((partition, end) -> ends.put(partition.partition(), end));
            return ends;
        }
    }

    private Map<String, UserBudget> budgetsOfBothTenants(Replay.Verification check) {
        Map<String, UserBudget> budgets = new TreeMap<>();
        check.replay().budgets().forEach((key, budget) -> {
            if (key.startsWith(tenantA + ":") || key.startsWith(tenantB + ":")) {
                budgets.put(key, budget);
            }
        });
        return budgets;
    }

    /** The refusal counters of /metrics, read as the admin: "reason transport" to count. */
    private Map<String, Double> refusalsCounted() throws Exception {
        HttpResponse<String> metrics = get("/metrics", bearer(principals.get(3).key()));
        assertThat(metrics.statusCode()).isEqualTo(200);
        Map<String, Double> counts = new TreeMap<>();
        for (String line : metrics.body().lines().toList()) {
            if (line.startsWith("ratestream_auth_refused_total{")) {
                String reason = line.replaceAll(".*reason=\"([^\"]*)\".*", "$1");
                String transport = line.replaceAll(".*transport=\"([^\"]*)\".*", "$1");
                double count = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                if (count > 0) {
                    counts.put(reason + " " + transport, count);
                }
            }
        }
        return counts;
    }
}
