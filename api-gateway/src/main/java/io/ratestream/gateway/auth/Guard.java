package io.ratestream.gateway.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.ratestream.gateway.rpc.RpcException;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.json.Texts;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.reply.ErrorKind;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * The gateway's door: every request passes {@link #authenticate} and then {@link #authorize} (or
 * {@link #requireAdmin}) before anything is published, so a refused request changes nothing. Refusals
 * are counted in {@code ratestream.auth.refused} by reason and transport and logged with the principal's
 * name ({@link AuthAudit}).
 *
 * <p>The rules, in docs/security.md: {@code rate} reads (GetCost, GetMaxSessionTime,
 * GetExactMaxSessionTime); {@code charge} debits and additions with amounts of zero or more;
 * {@code topup} negative amounts and the resets; {@code admin} the status, the status page and metrics.
 * A principal acts only for its tenants ({@code CstmId}), exactly as written. Thread-safe.
 */
public final class Guard {

    /** Refusal reasons, as the metric's {@code reason} tag names them. */
    static final String NO_CREDENTIALS = "no_credentials";
    static final String UNKNOWN_CREDENTIALS = "unknown_credentials";
    static final String TENANT = "tenant";
    static final String ROLE = "role";

    private final Authenticator authenticator;
    private final MeterRegistry metrics;
    private final AuthAudit audit = new AuthAudit();

    public Guard(Authenticator authenticator, MeterRegistry metrics) {
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /** Whether callers must authenticate. */
    public boolean enabled() {
        return authenticator.enabled();
    }

    /**
     * The caller's principal now.
     *
     * @param action what the caller asked for, for the refusal's log line (a method name or a path)
     * @throws RpcException {@link ErrorKind#UNAUTHENTICATED} when it presented no credential or an unknown
     *     one
     */
    public Principal authenticate(Caller caller, String action) {
        Principal principal = authenticator.principal(caller.credential());
        if (principal != null) {
            return principal;
        }
        Credential credential = caller.credential();
        String reason = credential == null ? NO_CREDENTIALS : UNKNOWN_CREDENTIALS;
        String message;
        if (caller.problem() != null) {
            message = "unauthenticated: " + caller.problem();
        } else if (credential != null) {
            message = "unauthenticated: unknown " + credential.kind().description()
                    + (caller.isConnection() && credential.kind() == Credential.Kind.CLIENT_CERTIFICATE
                            ? ": no principal has it; call Responder.Authenticate with [{\"ApiKey\": KEY}]" : "");
        } else if (caller.isConnection()) {
            message = "unauthenticated: call Responder.Authenticate with [{\"ApiKey\": KEY}] first, or connect over "
                    + "TLS with a client certificate";
        } else {
            message = "unauthenticated: send the header 'Authorization: Bearer KEY'";
        }
        throw refused(reason, null, caller, action, ErrorKind.UNAUTHENTICATED, message);
    }

    /**
     * Checks that {@code principal} may call {@code method} with {@code descriptor}: its tenant and the
     * role the call needs.
     *
     * @throws RpcException {@link ErrorKind#FORBIDDEN} naming the tenant or role that is missing
     */
    public void authorize(Caller caller, Principal principal, Method method, CallDescriptor descriptor) {
        Role role = required(method, descriptor);
        if (!principal.has(role)) {
            throw refused(ROLE, principal.name(), caller, method.wireName(), ErrorKind.FORBIDDEN,
                    "forbidden: principal '" + principal.name() + "' lacks the role " + role.wireName() + " that "
                            + method.wireName() + (negative(descriptor) ? " with a negative amount" : "") + " needs");
        }
        if (!principal.mayActFor(descriptor.cstmId())) {
            throw refused(TENANT, principal.name(), caller, method.wireName(), ErrorKind.FORBIDDEN,
                    "forbidden: principal '" + principal.name() + "' may not act for tenant '"
                            + Texts.cut(Objects.toString(descriptor.cstmId(), ""), 64) + "'");
        }
    }

    /**
     * Authenticates and checks the {@code admin} role, for the status, the status page and metrics.
     *
     * @throws RpcException unauthenticated or forbidden
     */
    public Principal requireAdmin(Caller caller, String action) {
        Principal principal = authenticate(caller, action);
        if (!principal.has(Role.ADMIN)) {
            throw refused(ROLE, principal.name(), caller, action, ErrorKind.FORBIDDEN,
                    "forbidden: principal '" + principal.name() + "' lacks the role admin that " + action + " needs");
        }
        return principal;
    }

    /**
     * {@code Responder.Authenticate} with params {@code [{"ApiKey": KEY}]}: on a TCP connection the key
     * then holds for every later request; over HTTP it only checks the key. An unknown key leaves the
     * connection as it was (a key or certificate it had keeps working).
     *
     * @return true
     * @throws RpcException bad request for params of the wrong shape, unauthenticated for an unknown key
     */
    public boolean authenticateWithKey(Caller caller, JsonNode params) {
        JsonNode node = params != null && params.isArray() && params.size() == 1 ? params.get(0) : params;
        JsonNode key = null;
        if (node != null && node.isObject()) {
            for (var fields = node.fields(); fields.hasNext(); ) {
                var field = fields.next();
                if (field.getKey().equalsIgnoreCase("ApiKey")) {
                    key = field.getValue();
                }
            }
        }
        if (key == null || !key.isTextual()) {
            throw RpcException.badRequest("params must be [{\"ApiKey\": \"KEY\"}]");
        }
        String problem = Caller.keyProblem(key.textValue());
        if (problem != null) {
            throw refused(UNKNOWN_CREDENTIALS, null, caller, "Authenticate", ErrorKind.UNAUTHENTICATED,
                    "unauthenticated: " + problem);
        }
        Credential credential = Authenticator.apiKey(key.textValue());
        Principal principal = authenticator.principal(credential);
        if (principal == null) {
            throw refused(UNKNOWN_CREDENTIALS, null, caller, "Authenticate", ErrorKind.UNAUTHENTICATED,
                    "unauthenticated: unknown API key");
        }
        if (caller.isConnection()) {
            caller.authenticated(credential);
        }
        return true;
    }

    /** The role a call needs. */
    public static Role required(Method method, CallDescriptor descriptor) {
        return switch (method) {
            case GET_COST, GET_MAX_SESSION_TIME, GET_EXACT_MAX_SESSION_TIME -> Role.RATE;
            case DEBIT_BALANCE, DEBIT_SMS, DEBIT_SECONDS, ADD_VOLUME_DISCOUNT_SECONDS, ADD_RECEIVED_CALL_SECONDS ->
                    negative(descriptor) ? Role.TOPUP : Role.CHARGE;
            case RESET_VOLUME_DISCOUNT_SECONDS, RESET_USER_BUDGET -> Role.TOPUP;
            // A session holds and debits the budget: a switch's calls.
            case SESSION_START, SESSION_UPDATE, SESSION_END -> Role.CHARGE;
            // Not callable through the gateway at all (the loader's and the service's own commands).
            case SET_USER_BUDGET, MONTHLY_REFILL, SESSION_EXPIRY -> Role.ADMIN;
        };
    }

    private static boolean negative(CallDescriptor descriptor) {
        BigDecimal amount = descriptor == null ? null : descriptor.amount();
        return amount != null && amount.signum() < 0;
    }

    private RpcException refused(String reason, String principal, Caller caller, String action, ErrorKind kind,
            String message) {
        metrics.counter("ratestream.auth.refused", "reason", reason, "transport", caller.transport().wireName())
                .increment();
        audit.refused(reason, principal, caller.transport(), Texts.cut(action, 64), message);
        return new RpcException(kind, message);
    }
}
