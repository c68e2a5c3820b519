package io.ratestream.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ratestream.gateway.rpc.RpcException;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.reply.ErrorKind;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The door's rules without a network: which role each call needs, tenants matched exactly, how a caller
 * proves who it is (Bearer, Basic, Responder.Authenticate on a connection), a reload that takes a key
 * away from a connection, and the refusal counter.
 */
class GuardTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** The methods whose Amount decides between charge (zero or more) and topup (negative). */
    private static final Set<Method> AMOUNT_TAKING = EnumSet.of(Method.DEBIT_BALANCE, Method.DEBIT_SMS,
            Method.DEBIT_SECONDS, Method.ADD_VOLUME_DISCOUNT_SECONDS, Method.ADD_RECEIVED_CALL_SECONDS);

    private final MeterRegistry metrics = new SimpleMeterRegistry();

    @TempDir
    Path dir;

    private static AuthFile.Entry entry(String name, String key, List<String> tenants, Role... roles) {
        return new AuthFile.Entry(name, Authenticator.apiKey(key).sha256(), null, tenants, List.of(roles));
    }

    private static final AuthFile FILE = AuthFile.empty()
            .with(entry("rater", "k-rate", List.of("vdf"), Role.RATE))
            .with(entry("charger", "k-charge", List.of("vdf"), Role.CHARGE))
            .with(entry("topper", "k-topup", List.of("vdf"), Role.TOPUP))
            .with(entry("ops", "k-admin", List.of("vdf"), Role.ADMIN))
            .with(entry("all", "k-all", List.of("*"), Role.values()))
            .with(entry("long", "L".repeat(Authenticator.MAX_KEY_LENGTH), List.of("vdf"), Role.RATE));

    private final Guard guard = new Guard(Authenticator.of(FILE), metrics);

    private static CallDescriptor call(String tenant, String amount) {
        return new CallDescriptor(0, tenant, "rif", "0256", null, null, amount == null ? null : new BigDecimal(amount),
                null);
    }

    private static Caller bearer(String key) {
        return Caller.httpRequest(Caller.Transport.HTTP, "Bearer " + key, null);
    }

    private static JsonNode apiKey(String key) throws Exception {
        return MAPPER.readTree("[{\"ApiKey\":" + MAPPER.writeValueAsString(key) + "}]");
    }

    private static void assertRefused(ThrowingCallable call, ErrorKind kind, String... fragments) {
        assertThatThrownBy(call).isInstanceOfSatisfying(RpcException.class, e -> {
            assertThat(e.kind()).isEqualTo(kind);
            if (kind == ErrorKind.UNAUTHENTICATED || kind == ErrorKind.FORBIDDEN) {
                assertThat(e.getMessage()).startsWith(kind.wireName() + ": ");
            }
            assertThat(e.getMessage()).contains(fragments);
        });
    }

    private double refused(String reason, Caller.Transport transport) {
        var counter = metrics.find("ratestream.auth.refused").tag("reason", reason)
                .tag("transport", transport.wireName()).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void shouldRequireTheDocumentedRoleForEveryMethodAndTopupForEveryNegativeAmount() {
        for (Method method : Method.values()) {
            Role expected = switch (method) {
                case GET_COST, GET_MAX_SESSION_TIME, GET_EXACT_MAX_SESSION_TIME -> Role.RATE;
                case RESET_VOLUME_DISCOUNT_SECONDS, RESET_USER_BUDGET -> Role.TOPUP;
                // a switch's prepaid calls: they hold and debit the budget
                case SESSION_START, SESSION_UPDATE, SESSION_END -> Role.CHARGE;
                // the loader's and the service's own commands: never callable through the gateway
                case SET_USER_BUDGET, MONTHLY_REFILL, SESSION_EXPIRY -> Role.ADMIN;
                default -> Role.CHARGE;
            };
            assertThat(Guard.required(method, call("vdf", "5"))).as(method.wireName()).isEqualTo(expected);
            assertThat(Guard.required(method, call("vdf", "0"))).as(method.wireName()).isEqualTo(expected);
            assertThat(Guard.required(method, call("vdf", null))).as(method.wireName()).isEqualTo(expected);
            Role negative = AMOUNT_TAKING.contains(method) ? Role.TOPUP : expected;
            assertThat(Guard.required(method, call("vdf", "-0.000000001"))).as("%s with a negative amount", method)
                    .isEqualTo(negative);
        }
    }

    @Test
    void shouldAllowExactlyThePrincipalsWhoseRoleFitsAndRefuseTheOthersNamingTheRole() {
        for (String key : List.of("k-rate", "k-charge", "k-topup", "k-admin", "k-all")) {
            Caller caller = bearer(key);
            Principal principal = guard.authenticate(caller, "test");
            for (Method method : EnumSet.complementOf(EnumSet.of(Method.SET_USER_BUDGET, Method.MONTHLY_REFILL,
                    Method.SESSION_EXPIRY))) {
                for (String amount : AMOUNT_TAKING.contains(method) ? List.of("1", "0", "-1") : List.of("60")) {
                    CallDescriptor descriptor = call("vdf", amount);
                    Role role = Guard.required(method, descriptor);
                    ThrowingCallable authorize = () -> guard.authorize(caller, principal, method, descriptor);
                    if (principal.has(role)) {
                        assertThatCode(authorize).as("%s %s %s", key, method, amount).doesNotThrowAnyException();
                    } else {
                        assertRefused(authorize, ErrorKind.FORBIDDEN, "principal '" + principal.name() + "'",
                                "lacks the role " + role.wireName() + " that " + method.wireName(),
                                amount.startsWith("-") ? "with a negative amount" : method.wireName() + " needs");
                    }
                }
            }
        }
        // roles are independent: admin implies nothing else, and nothing else implies admin
        Principal ops = guard.authenticate(bearer("k-admin"), "test");
        assertThat(ops.roles()).containsExactly(Role.ADMIN);
        assertRefused(() -> guard.requireAdmin(bearer("k-topup"), "GET /status"),
                ErrorKind.FORBIDDEN, "principal 'topper' lacks the role admin that GET /status needs");
        assertThat(guard.requireAdmin(bearer("k-admin"), "GET /status").name()).isEqualTo("ops");
        assertThat(guard.requireAdmin(bearer("k-all"), "GET /metrics").name()).isEqualTo("all");
    }

    @Test
    void shouldMatchTenantsExactlyAndLetTheStarActForAll() {
        Caller caller = bearer("k-rate");
        Principal rater = guard.authenticate(caller, "GetCost");
        Principal all = guard.authenticate(bearer("k-all"), "GetCost");

        assertThatCode(() -> guard.authorize(caller, rater, Method.GET_COST, call("vdf", null)))
                .doesNotThrowAnyException();
        for (String other : List.of("VDF", "vdf ", " vdf", "vd", "vdf2", "*", "acme")) {
            assertRefused(() -> guard.authorize(caller, rater, Method.GET_COST, call(other, null)), ErrorKind.FORBIDDEN,
                    "principal 'rater' may not act for tenant '" + other + "'");
            assertThatCode(() -> guard.authorize(caller, all, Method.GET_COST, call(other, null)))
                    .doesNotThrowAnyException();
        }
        assertRefused(() -> guard.authorize(caller, rater, Method.GET_COST, call(null, null)), ErrorKind.FORBIDDEN,
                "may not act for tenant ''");
        // the role is checked first: a call outside both names the role
        assertRefused(() -> guard.authorize(caller, rater, Method.DEBIT_BALANCE, call("acme", "1")),
                ErrorKind.FORBIDDEN, "lacks the role charge");
    }

    @Test
    void shouldCutALongTenantInTheMessage() {
        Caller caller = bearer("k-rate");
        Principal rater = guard.authenticate(caller, "GetCost");

        assertThatThrownBy(() -> guard.authorize(caller, rater, Method.GET_COST, call("t".repeat(5000), null)))
                .hasMessageContaining("tenant '" + "t".repeat(10)).message().hasSizeLessThan(200);
    }

    @Test
    void shouldKeepAConnectionAuthenticatedAfterResponderAuthenticate() throws Exception {
        Caller connection = Caller.connection();
        assertRefused(() -> guard.authenticate(connection, "GetCost"), ErrorKind.UNAUTHENTICATED,
                "call Responder.Authenticate with [{\"ApiKey\": KEY}] first");

        assertThat(guard.authenticateWithKey(connection, apiKey("k-charge"))).isTrue();

        assertThat(guard.authenticate(connection, "DebitBalance").name()).isEqualTo("charger");
        assertThat(guard.authenticate(connection, "DebitBalance").name()).as("every later request")
                .isEqualTo("charger");
        // a second Authenticate with another known key switches the connection to it
        assertThat(guard.authenticateWithKey(connection, apiKey("k-rate"))).isTrue();
        assertThat(guard.authenticate(connection, "GetCost").name()).isEqualTo("rater");
    }

    @Test
    void shouldLeaveAConnectionAsItWasAfterAnUnknownKey() throws Exception {
        Caller fresh = Caller.connection();
        assertRefused(() -> guard.authenticateWithKey(fresh, apiKey("wrong")), ErrorKind.UNAUTHENTICATED,
                "unauthenticated: unknown API key");
        assertRefused(() -> guard.authenticate(fresh, "GetCost"), ErrorKind.UNAUTHENTICATED, "Responder.Authenticate");

        Caller known = Caller.connection();
        guard.authenticateWithKey(known, apiKey("k-topup"));
        assertRefused(() -> guard.authenticateWithKey(known, apiKey("wrong")), ErrorKind.UNAUTHENTICATED,
                "unknown API key");
        assertRefused(() -> guard.authenticateWithKey(known, apiKey("")), ErrorKind.UNAUTHENTICATED,
                "the API key is empty");
        assertThat(guard.authenticate(known, "ResetUserBudget").name()).isEqualTo("topper");
    }

    @Test
    void shouldNotKeepAKeyGivenToResponderAuthenticateOverHttp() throws Exception {
        Caller request = Caller.httpRequest(Caller.Transport.JSONRPC_HTTP, null, null);

        assertThat(guard.authenticateWithKey(request, apiKey("k-all"))).isTrue();

        assertRefused(() -> guard.authenticate(request, "GetCost"), ErrorKind.UNAUTHENTICATED,
                "send the header 'Authorization: Bearer KEY'");
    }

    @Test
    void shouldRefuseResponderAuthenticateParamsOfTheWrongShapeAsABadRequest() throws Exception {
        for (String params : List.of("[]", "[{}]", "[{\"ApiKey\":1}]", "[\"k-all\"]", "null",
                "[{\"ApiKey\":\"k-all\"},{\"ApiKey\":\"k-all\"}]")) {
            assertRefused(() -> guard.authenticateWithKey(Caller.connection(), MAPPER.readTree(params)),
                    ErrorKind.BAD_REQUEST, "params must be [{\"ApiKey\": \"KEY\"}]");
        }
        // the object alone and any letter case of the field are read too
        Caller connection = Caller.connection();
        assertThat(guard.authenticateWithKey(connection, MAPPER.readTree("{\"apikey\":\"k-rate\"}"))).isTrue();
        assertThat(guard.authenticate(connection, "GetCost").name()).isEqualTo("rater");
    }

    @Test
    void shouldRefuseAKeyLongerThanTheLimitBeforeLookingItUp() throws Exception {
        String longest = "L".repeat(Authenticator.MAX_KEY_LENGTH);
        String tooLong = longest + "L";

        assertThat(guard.authenticate(bearer(longest), "GetCost").name()).isEqualTo("long");
        assertRefused(() -> guard.authenticate(bearer(tooLong), "GetCost"), ErrorKind.UNAUTHENTICATED,
                "the API key is longer than 256 characters");
        Caller connection = Caller.connection();
        assertThat(guard.authenticateWithKey(connection, apiKey(longest))).isTrue();
        assertRefused(() -> guard.authenticateWithKey(Caller.connection(), apiKey(tooLong)),
                ErrorKind.UNAUTHENTICATED, "the API key is longer than 256 characters");
    }

    @Test
    void shouldTakeTheKeyAsTheBasicPasswordOrAsALoneUser() {
        String userAndKey = Base64.getEncoder().encodeToString("anyone:k-admin".getBytes(StandardCharsets.UTF_8));
        String keyAsUser = Base64.getEncoder().encodeToString("k-admin:".getBytes(StandardCharsets.UTF_8));
        String keyAlone = Base64.getEncoder().encodeToString("k-admin".getBytes(StandardCharsets.UTF_8));

        for (String credentials : List.of(userAndKey, keyAsUser, keyAlone)) {
            Caller caller = Caller.httpRequest(Caller.Transport.HTTP, "Basic " + credentials, null);
            assertThat(guard.requireAdmin(caller, "GET /").name()).as(credentials).isEqualTo("ops");
        }
        // the scheme in any letter case, around spaces
        assertThat(guard.authenticate(Caller.httpRequest(Caller.Transport.HTTP, "  bearer   k-rate ", null), "x")
                .name()).isEqualTo("rater");
        assertThat(guard.authenticate(Caller.httpRequest(Caller.Transport.HTTP, "BASIC " + userAndKey, null), "x")
                .name()).isEqualTo("ops");
    }

    @Test
    void shouldRefuseAMalformedHeaderAsUnauthenticatedSayingWhy() {
        assertRefused(() -> guard.authenticate(Caller.httpRequest(Caller.Transport.HTTP, "Token k-all", null), "x"),
                ErrorKind.UNAUTHENTICATED, "the Authorization header must be 'Bearer KEY' (its scheme is 'token')");
        assertRefused(() -> guard.authenticate(Caller.httpRequest(Caller.Transport.HTTP, "k-all", null), "x"),
                ErrorKind.UNAUTHENTICATED, "must be 'Bearer KEY'");
        assertRefused(() -> guard.authenticate(Caller.httpRequest(Caller.Transport.HTTP, "Basic !!not-base64", null),
                "x"), ErrorKind.UNAUTHENTICATED, "Basic credentials are not base64 of user:KEY");
        assertRefused(() -> guard.authenticate(Caller.httpRequest(Caller.Transport.HTTP, "Bearer", null), "x"),
                ErrorKind.UNAUTHENTICATED, "the API key is empty");
        assertRefused(() -> guard.authenticate(Caller.httpRequest(Caller.Transport.HTTP, "Bearer    ", null), "x"),
                ErrorKind.UNAUTHENTICATED, "the API key is empty");
        assertRefused(() -> guard.authenticate(Caller.httpRequest(Caller.Transport.HTTP, null, null), "x"),
                ErrorKind.UNAUTHENTICATED, "send the header 'Authorization: Bearer KEY'");
        assertRefused(() -> guard.authenticate(bearer("not-a-key"), "x"), ErrorKind.UNAUTHENTICATED,
                "unauthenticated: unknown API key");
        // a scheme of any length is cut in the message
        assertThatThrownBy(() -> guard.authenticate(Caller.httpRequest(Caller.Transport.HTTP, "X".repeat(5000) + " k",
                null), "x")).message().hasSizeLessThan(200);
    }

    @Test
    void shouldLetEveryoneDoEverythingWithoutAnAuthFile() throws Exception {
        Guard open = new Guard(Authenticator.open(), metrics);
        Caller connection = Caller.connection();

        assertThat(open.enabled()).isFalse();
        Principal anonymous = open.authenticate(connection, "DebitBalance");
        assertThat(anonymous).isEqualTo(Principal.ANONYMOUS);
        assertThatCode(() -> open.authorize(connection, anonymous, Method.DEBIT_BALANCE, call("any", "-5")))
                .doesNotThrowAnyException();
        assertThat(open.requireAdmin(bearer("whatever"), "GET /metrics")).isEqualTo(Principal.ANONYMOUS);
        assertThat(open.authenticateWithKey(connection, apiKey("whatever"))).isTrue();
    }

    @Test
    void shouldRefuseEveryoneWithAnAuthFileOfNoPrincipals() throws Exception {
        Path path = Files.writeString(dir.resolve("auth.json"), "{\"principals\": []}");
        Guard nobody = new Guard(Authenticator.fromFile(path), metrics);

        assertThat(nobody.enabled()).isTrue();
        assertRefused(() -> nobody.authenticate(bearer("k-all"), "GetCost"), ErrorKind.UNAUTHENTICATED, "unknown");
        assertRefused(() -> nobody.authenticateWithKey(Caller.connection(), apiKey("k-all")),
                ErrorKind.UNAUTHENTICATED, "unknown API key");
        Guard ofEmpty = new Guard(Authenticator.of(AuthFile.empty()), metrics);
        assertThat(ofEmpty.enabled()).as("an empty file read in code: nobody may call, as AuthFile.empty() says")
                .isTrue();
        assertRefused(() -> ofEmpty.authenticate(bearer("k-all"), "GetCost"), ErrorKind.UNAUTHENTICATED, "unknown");
    }

    @Test
    void shouldAuthenticateAClientCertificateWhenNoKeyIsGiven() {
        String digest = Authenticator.sha256Hex("der".getBytes(StandardCharsets.UTF_8));
        Guard withCert = new Guard(Authenticator.of(FILE.with(new AuthFile.Entry("edge", null, digest, List.of("vdf"),
                List.of(Role.RATE)))), metrics);

        assertThat(withCert.authenticate(Caller.httpRequest(Caller.Transport.HTTP, null, digest), "x").name())
                .isEqualTo("edge");
        assertThat(withCert.authenticate(Caller.httpRequest(Caller.Transport.HTTP, "Bearer k-all", digest), "x")
                .name()).as("a key given wins over the certificate").isEqualTo("all");
        Caller connection = Caller.connection();
        connection.presentCertificate(Authenticator.clientCertificate("ab".repeat(32)));
        assertRefused(() -> withCert.authenticate(connection, "GetCost"), ErrorKind.UNAUTHENTICATED,
                "unknown client certificate: no principal has it; call Responder.Authenticate");
    }

    @Test
    void shouldTakeAKeyAwayFromAConnectionOnReloadAndKeepTheOldTableWhenTheFileIsBroken() throws Exception {
        Path path = dir.resolve("auth.json");
        FILE.write(path);
        Authenticator authenticator = Authenticator.fromFile(path);
        Guard reloading = new Guard(authenticator, metrics);
        Caller connection = Caller.connection();
        reloading.authenticateWithKey(connection, apiKey("k-charge"));
        assertThat(reloading.authenticate(connection, "DebitBalance").name()).isEqualTo("charger");

        FILE.without("charger").with(entry("newcomer", "k-new", List.of("acme"), Role.RATE)).write(path);
        assertThat(authenticator.reload()).isEqualTo(FILE.principals().size());

        assertRefused(() -> reloading.authenticate(connection, "DebitBalance"), ErrorKind.UNAUTHENTICATED,
                "unknown API key");
        assertThat(reloading.authenticate(bearer("k-new"), "GetCost").name()).isEqualTo("newcomer");

        // roles change without reconnecting too
        Caller other = Caller.connection();
        reloading.authenticateWithKey(other, apiKey("k-rate"));
        FILE.without("charger").with(entry("newcomer", "k-new", List.of("acme"), Role.RATE))
                .with(entry("rater", "k-rate", List.of("vdf"), Role.RATE, Role.TOPUP)).write(path);
        authenticator.reload();
        Principal upgraded = reloading.authenticate(other, "ResetUserBudget");
        assertThatCode(() -> reloading.authorize(other, upgraded, Method.RESET_USER_BUDGET, call("vdf", null)))
                .doesNotThrowAnyException();

        Files.writeString(path, "{\"principals\": [");
        assertThatThrownBy(authenticator::reload).isInstanceOf(AuthFileException.class).hasMessageContaining(
                path.toString());
        Files.writeString(path, "{\"principals\": [{\"name\": \"x\", \"tenants\": [\"t\"], \"roles\": [\"rate\"]}]}");
        assertThatThrownBy(authenticator::reload).isInstanceOf(AuthFileException.class)
                .hasMessageContaining("has neither apiKeySha256");
        Files.delete(path);
        assertThatThrownBy(authenticator::reload).isInstanceOf(AuthFileException.class);

        assertThat(reloading.authenticate(other, "ResetUserBudget").roles()).containsExactlyInAnyOrder(Role.RATE,
                Role.TOPUP);
        assertThat(reloading.authenticate(bearer("k-new"), "GetCost").name()).isEqualTo("newcomer");
        assertRefused(() -> reloading.authenticate(connection, "DebitBalance"), ErrorKind.UNAUTHENTICATED,
                "unknown API key");
    }

    @Test
    void shouldNotReloadWithoutAFile() {
        assertThatThrownBy(() -> Authenticator.of(FILE).reload()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Authenticator.open().reload()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldCountEveryRefusalByReasonAndTransport() throws Exception {
        guard.authenticate(bearer("k-all"), "GetCost");
        assertThat(metrics.find("ratestream.auth.refused").counters()).as("nothing refused yet").isEmpty();

        assertThatThrownBy(() -> guard.authenticate(Caller.httpRequest(Caller.Transport.HTTP, null, null), "x"));
        assertThatThrownBy(() -> guard.authenticate(Caller.httpRequest(Caller.Transport.JSONRPC_HTTP, null, null),
                "x"));
        assertThatThrownBy(() -> guard.authenticate(Caller.connection(), "x"));
        assertThatThrownBy(() -> guard.authenticate(Caller.connection(), "x"));
        assertThatThrownBy(() -> guard.authenticate(bearer("wrong"), "x"));
        assertThatThrownBy(() -> guard.authenticateWithKey(Caller.connection(), apiKey("wrong")));
        Caller caller = bearer("k-rate");
        Principal rater = guard.authenticate(caller, "x");
        assertThatThrownBy(() -> guard.authorize(caller, rater, Method.DEBIT_BALANCE, call("vdf", "1")));
        assertThatThrownBy(() -> guard.authorize(caller, rater, Method.GET_COST, call("acme", null)));
        assertThatThrownBy(() -> guard.authorize(caller, rater, Method.GET_COST, call("acme", null)));
        assertThatThrownBy(() -> guard.requireAdmin(caller, "GET /metrics"));

        assertThat(refused(Guard.NO_CREDENTIALS, Caller.Transport.HTTP)).isEqualTo(1);
        assertThat(refused(Guard.NO_CREDENTIALS, Caller.Transport.JSONRPC_HTTP)).isEqualTo(1);
        assertThat(refused(Guard.NO_CREDENTIALS, Caller.Transport.JSONRPC_TCP)).isEqualTo(2);
        assertThat(refused(Guard.UNKNOWN_CREDENTIALS, Caller.Transport.HTTP)).isEqualTo(1);
        assertThat(refused(Guard.UNKNOWN_CREDENTIALS, Caller.Transport.JSONRPC_TCP)).isEqualTo(1);
        assertThat(refused(Guard.ROLE, Caller.Transport.HTTP)).isEqualTo(2);
        assertThat(refused(Guard.TENANT, Caller.Transport.HTTP)).isEqualTo(2);
        assertThat(metrics.find("ratestream.auth.refused").counters().stream().mapToDouble(c -> c.count()).sum())
                .isEqualTo(10);
    }

    @Test
    void shouldNeverShowTheKeyInACredential() {
        Credential credential = Authenticator.apiKey("k-secret");

        assertThat(credential.toString()).isEqualTo("API key").doesNotContain("k-secret")
                .doesNotContain(credential.sha256());
        assertThat(credential.sha256()).hasSize(64).isEqualTo(Authenticator.sha256Hex(
                "k-secret".getBytes(StandardCharsets.UTF_8)));
    }
}
