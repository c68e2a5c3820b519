package io.ratestream.gateway.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.ratestream.gateway.Gateway;
import io.ratestream.gateway.RecentActivity;
import io.ratestream.gateway.auth.Caller;
import io.ratestream.gateway.auth.Principal;
import io.ratestream.gateway.rpc.ErrorMapping;
import io.ratestream.gateway.rpc.RpcException;
import io.ratestream.gateway.tls.ClientCertificates;
import io.ratestream.gateway.tls.HttpsConnector;
import io.ratestream.gateway.tls.TlsContexts;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.command.Validation;
import io.ratestream.schemas.json.BoundedDecimal;
import io.ratestream.schemas.json.Rfc3339;
import io.ratestream.schemas.reply.ErrorKind;
import io.ratestream.schemas.model.CallDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API on one Javalin server: the original GET endpoints and the prepaid sessions' ones, JSON-RPC
 * over POST, status, health, metrics, and the operator's status page ({@code /}, which polls
 * {@code /api/activity}). Routes are declared in {@link #create}; handlers are thin: parse, call the
 * gateway, write. A bad request is
 * HTTP 400 with {@code {"Error": "..."}}; a timeout 504; Kafka gone 503.
 */
public final class HttpApi {

    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    private static final String JSON = "application/json";
    private static final String STATUS_PAGE = "/status/index.html";
    /** The jar's Implementation-Version when its manifest has one; the project version otherwise. */
    private static final String VERSION = Objects.requireNonNullElse(
            HttpApi.class.getPackage().getImplementationVersion(), "0.1.0-SNAPSHOT");

    private final Gateway gateway;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final JsonRpcOverHttp jsonRpc;
    private final byte[] statusPage;

    /** A JSON-RPC answer over HTTP: the status and the response object's bytes. */
    public record HttpReply(int status, byte[] body) {
    }

    /** Answers one JSON-RPC request body of a caller, with its Idempotency-Key header (null when none). */
    @FunctionalInterface
    public interface JsonRpcOverHttp {
        CompletableFuture<HttpReply> apply(byte[] body, Caller caller, String idempotencyKey);
    }

    private HttpApi(Gateway gateway, ObjectMapper mapper, Clock clock, JsonRpcOverHttp jsonRpc) {
        this.gateway = gateway;
        this.mapper = mapper;
        this.clock = clock;
        this.jsonRpc = jsonRpc;
        this.statusPage = resource(STATUS_PAGE);
    }

    /**
     * The server, configured but not started.
     *
     * @param jsonRpc handles one JSON-RPC request body of a caller and its Idempotency-Key header (the same
     *     protocol as the TCP listener)
     * @param tls HTTPS only, with these contexts; null for plain HTTP
     */
    public static Javalin create(Gateway gateway, ObjectMapper mapper, Clock clock, PrometheusMeterRegistry metrics,
            JsonRpcOverHttp jsonRpc, long maxRequestBytes, TlsContexts tls) {
        HttpApi api = new HttpApi(gateway, mapper, clock, jsonRpc);
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            if (tls != null) {
                HttpsConnector.install(config, tls);
            }
            config.http.maxRequestSize = maxRequestBytes;
            config.routes.get("/getcost", ctx -> api.get(ctx, Method.GET_COST));
            config.routes.get("/debitbalance", ctx -> api.get(ctx, Method.DEBIT_BALANCE));
            config.routes.get("/debitcents", ctx -> api.get(ctx, Method.DEBIT_BALANCE));
            config.routes.get("/debitsms", ctx -> api.get(ctx, Method.DEBIT_SMS));
            config.routes.get("/debitseconds", ctx -> api.get(ctx, Method.DEBIT_SECONDS));
            config.routes.get("/getmaxsessiontime", ctx -> api.get(ctx, Method.GET_MAX_SESSION_TIME));
            config.routes.get("/getexactmaxsessiontime", ctx -> api.get(ctx, Method.GET_EXACT_MAX_SESSION_TIME));
            config.routes.get("/addvolumediscountseconds", ctx -> api.get(ctx, Method.ADD_VOLUME_DISCOUNT_SECONDS));
            config.routes.get("/resetvolumediscountseconds",
                    ctx -> api.get(ctx, Method.RESET_VOLUME_DISCOUNT_SECONDS));
            config.routes.get("/addrecievedcallseconds", ctx -> api.get(ctx, Method.ADD_RECEIVED_CALL_SECONDS));
            config.routes.get("/addreceivedcallseconds", ctx -> api.get(ctx, Method.ADD_RECEIVED_CALL_SECONDS));
            config.routes.get("/resetuserbudget", ctx -> api.get(ctx, Method.RESET_USER_BUDGET));
            config.routes.get("/sessionstart", ctx -> api.get(ctx, Method.SESSION_START));
            config.routes.get("/sessionupdate", ctx -> api.get(ctx, Method.SESSION_UPDATE));
            config.routes.get("/sessionend", ctx -> api.get(ctx, Method.SESSION_END));
            config.routes.post("/jsonrpc", api::postJsonRpc);
            // The operator's pages: the admin role when --auth is on (they show every tenant's activity).
            config.routes.get("/", api.admin(ctx -> ctx.contentType("text/html; charset=utf-8").result(api.statusPage)));
            config.routes.get("/api/activity", api.admin(api::activity));
            config.routes.get("/status", api.admin(ctx -> api.json(ctx, 200, gateway.status())));
            config.routes.get("/metrics", api.admin(ctx -> ctx.contentType("text/plain; version=0.0.4")
                    .result(metrics.scrape())));
            // Open to all, always: what a load balancer or an orchestrator polls.
            config.routes.get("/health/live", ctx -> api.json(ctx, 200, Map.of("Status", "live")));
            config.routes.get("/health/ready", api::ready);
            config.routes.exception(RpcException.class, (e, ctx) -> api.error(ctx, e));
            // Javalin's own refusals (a body over --max-request-bytes is 413) in the API's JSON shape.
            config.routes.exception(HttpResponseException.class, (e, ctx) -> api.error(ctx, e));
            // Anything else is a bug: a short 500, never a stack trace for the client.
            config.routes.exception(Exception.class, (e, ctx) -> api.error(ctx, e));
        });
    }

    /** A handler that runs only for a caller with the admin role (anyone without --auth). */
    private io.javalin.http.Handler admin(io.javalin.http.Handler handler) {
        return ctx -> {
            gateway.guard().requireAdmin(caller(ctx, Caller.Transport.HTTP), "GET " + ctx.path());
            handler.handle(ctx);
        };
    }

    /** The caller of one request: its Authorization header, else its TLS client certificate. */
    private static Caller caller(Context ctx, Caller.Transport transport) {
        return Caller.httpRequest(transport, ctx.header("Authorization"), ClientCertificates.sha256Hex(ctx.req()));
    }

    private void get(Context ctx, Method method) {
        Caller caller = caller(ctx, Caller.Transport.HTTP);
        // Who is calling is settled before the query is read: a stranger learns nothing, not even that
        // its query is malformed.
        Principal principal = gateway.guard().authenticate(caller, method.wireName());
        Map<String, String> query = QueryParams.parse(ctx.queryString());
        CallDescriptor descriptor = descriptor(method, query);
        String key = ctx.header("Idempotency-Key");
        CompletableFuture<Object> call = gateway.dispatch(caller, principal, method, descriptor, key);
        ctx.future(() -> call.handle((result, error) -> {
            if (error != null) {
                error(ctx, cause(error));
            } else {
                json(ctx, 200, result);
            }
            return null;
        }));
    }

    private CallDescriptor descriptor(Method method, Map<String, String> query) {
        int tor = query.containsKey("tor") ? integer(query.get("tor"), "tor") : 0;
        BigDecimal amount = query.containsKey("amount") ? decimal(query.get("amount"), "amount") : null;
        BigDecimal used = query.containsKey("used") ? decimal(query.get("used"), "used") : null;
        OffsetDateTime start = query.containsKey("ts") ? time(query.get("ts"), "ts") : null;
        OffsetDateTime end = query.containsKey("te") ? time(query.get("te"), "te") : null;
        if (method == Method.GET_COST && query.containsKey("duration")) {
            if (end != null) {
                throw RpcException.badRequest("give te or duration, not both");
            }
            if (start == null) {
                start = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC).withNano(0);
            }
            try {
                end = start.plus(Durations.parse(query.get("duration")));
            } catch (DateTimeException e) {
                throw RpcException.badRequest("ts + duration is beyond the years " + Validation.MIN_YEAR + " to "
                        + Validation.MAX_YEAR);
            }
        }
        // Without ts (and duration) the engine rates a zero-length call from when the request was accepted,
        // which shows the matched prefix and the connect fee: the original example.
        return new CallDescriptor(tor, query.get("cstmid"), query.get("subj"), query.get("dest"), start, end, amount,
                query.get("requestid"), query.get("sessionid"), used);
    }

    private void postJsonRpc(Context ctx) {
        byte[] body = ctx.bodyAsBytes();
        String key = ctx.header("Idempotency-Key");
        ctx.future(() -> jsonRpc.apply(body, caller(ctx, Caller.Transport.JSONRPC_HTTP), key).handle((reply, error) -> {
            if (error != null) {
                error(ctx, cause(error));
            } else {
                if (reply.status() == ErrorMapping.httpStatus(ErrorKind.UNAUTHENTICATED)) {
                    ctx.header("WWW-Authenticate", challenge(ctx.path()));
                }
                ctx.status(reply.status()).contentType(JSON).result(reply.body());
            }
            return null;
        }));
    }

    private void ready(Context ctx) {
        boolean ready = gateway.ready();
        String status = ready ? "ready" : "not ready";
        // Open to anyone: with --auth the details (host names, Kafka's state) are for admins, on /status.
        json(ctx, ready ? 200 : 503, gateway.guard().enabled() ? Map.of("Status", status)
                : Map.of("Status", status, "Detail", gateway.status()));
    }

    /** What the status page polls: this gateway's status, the last 10 minutes in buckets, the last errors. */
    private void activity(Context ctx) {
        RecentActivity activity = gateway.activity();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Status", gateway.status());
        body.put("Version", VERSION);
        body.put("BucketSeconds", RecentActivity.BUCKET.toSeconds());
        body.put("Timeline", activity.timeline());
        body.put("Errors", activity.errors());
        json(ctx, 200, body);
    }

    private void error(Context ctx, Throwable error) {
        if (error instanceof RpcException rpc) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("Error", rpc.getMessage());
            ctx.header(ErrorMapping.KIND_HEADER, rpc.kind().wireName());
            if (rpc.kind() == ErrorKind.OUTCOME_UNKNOWN && rpc.requestId() != null) {
                // The id to retry with, where a client looks first: a header, and the body.
                ctx.header(ErrorMapping.REQUEST_ID_HEADER, rpc.requestId());
                body.put("RequestId", rpc.requestId());
            }
            if (rpc.kind() == ErrorKind.BUSY) {
                ctx.header("Retry-After", "1");
            }
            if (rpc.kind() == ErrorKind.UNAUTHENTICATED) {
                ctx.header("WWW-Authenticate", challenge(ctx.path()));
            }
            json(ctx, ErrorMapping.httpStatus(rpc.kind()), body);
        } else if (error instanceof HttpResponseException http) {
            // Javalin's own refusals, should one reach here: its status, never a 500.
            json(ctx, http.getStatus(), Map.of("Error", BoundedDecimal.quote(String.valueOf(http.getMessage()))));
        } else {
            LOG.error("unexpected failure on {}", ctx.path(), error);
            json(ctx, 500, Map.of("Error", "internal error"));
        }
    }

    /**
     * The 401's challenge: Basic for the status page (a browser then asks for a user and password; the
     * key is the password), Bearer for the API.
     */
    private static String challenge(String path) {
        return path.equals("/") || path.startsWith("/api/") ? "Basic realm=\"ratestream\", charset=\"UTF-8\""
                : "Bearer realm=\"ratestream\"";
    }

    private void json(Context ctx, int status, Object value) {
        try {
            ctx.status(status).contentType(JSON).result(mapper.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a reply always serializes", e);
        }
    }

    private static byte[] resource(String path) {
        try (InputStream in = HttpApi.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(path + " is not on the classpath: rebuild api-gateway");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    private static Throwable cause(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    private static int integer(String text, String name) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw RpcException.badRequest(name + " '" + BoundedDecimal.quote(text) + "' is not a whole number");
        }
    }

    private static BigDecimal decimal(String text, String name) {
        try {
            return BoundedDecimal.parse(text, name);
        } catch (IllegalArgumentException e) {
            throw RpcException.badRequest(e.getMessage());
        }
    }

    /** An RFC 3339 time; Go's zero time is absent (null). */
    private static OffsetDateTime time(String text, String name) {
        try {
            return Rfc3339.parseOrAbsent(text);
        } catch (IllegalArgumentException e) {
            throw RpcException.badRequest(name + ": " + e.getMessage());
        }
    }
}
