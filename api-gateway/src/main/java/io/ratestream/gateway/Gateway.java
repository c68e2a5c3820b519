package io.ratestream.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.ratestream.gateway.auth.Caller;
import io.ratestream.gateway.auth.Guard;
import io.ratestream.gateway.auth.Principal;
import io.ratestream.gateway.replies.PendingReplies;
import io.ratestream.gateway.replies.RawReply;
import io.ratestream.gateway.replies.ReplyListener;
import io.ratestream.gateway.rpc.RpcException;
import io.ratestream.gateway.rpc.RpcService;
import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.command.ReplyTo;
import io.ratestream.schemas.command.Validation;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.json.Texts;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.model.Names;
import io.ratestream.schemas.reply.ErrorKind;
import io.ratestream.schemas.topics.Topics;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's service: checks a call, turns it into a command, publishes it and waits for the reply.
 * Bad input is answered here and never reaches Kafka. Thread-safe.
 */
public final class Gateway implements RpcService {

    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

    private final GatewayConfig config;
    private final ObjectMapper mapper;
    private final PendingReplies pending;
    private final ReplyListener replies;
    private final CommandPublisher publisher;
    private final KafkaHealth kafka;
    private final MeterRegistry metrics;
    private final Clock clock;
    private final String instance;
    /** One latency timer per method, built once: a request only records into it. */
    private final java.util.Map<Method, Timer> latency = new java.util.EnumMap<>(Method.class);
    private final RecentActivity activity;
    private final Guard guard;
    private volatile boolean draining;

    Gateway(GatewayConfig config, ObjectMapper mapper, PendingReplies pending, ReplyListener replies,
            CommandPublisher publisher, KafkaHealth kafka, MeterRegistry metrics, Clock clock, String instance,
            RecentActivity activity, Guard guard) {
        this.config = config;
        this.mapper = mapper;
        this.pending = pending;
        this.replies = replies;
        this.publisher = publisher;
        this.kafka = kafka;
        this.metrics = metrics;
        this.clock = clock;
        this.instance = instance;
        for (Method method : Method.values()) {
            latency.put(method, Timer.builder("ratestream.request.latency").tag("method", method.wireName())
                    .publishPercentileHistogram().register(metrics));
        }
        this.activity = activity;
        this.guard = guard;
    }

    /** A call from a caller that presented no credentials: refused as unauthenticated when auth is on. */
    @Override
    public CompletableFuture<Object> call(String method, JsonNode params, String idempotencyKey) {
        return call(Caller.httpRequest(Caller.Transport.JSONRPC_HTTP, null, null), method, params, idempotencyKey);
    }

    /**
     * A JSON-RPC call. In this order: the caller is authenticated (except for
     * {@code Responder.Authenticate} itself), the method found, the params read and checked, the caller
     * authorized for the call's tenant and role; only then is it published.
     */
    @Override
    public CompletableFuture<Object> call(Caller caller, String method, JsonNode params, String idempotencyKey) {
        try {
            String name = method.toLowerCase(Locale.ROOT);
            if (name.equals("responder.authenticate") || name.equals("authenticate")) {
                return CompletableFuture.completedFuture(guard.authenticateWithKey(caller, params));
            }
            if (name.equals("responder.status") || name.equals("status")) {
                guard.requireAdmin(caller, "Responder.Status");
                return CompletableFuture.completedFuture(status());
            }
            Principal principal = guard.authenticate(caller, Texts.cut(method, Names.MAX_NAME));
            Method resolved = Method.lookup(method);
            if (resolved == null || resolved.adminOnly()) {
                throw new RpcException(ErrorKind.METHOD_NOT_FOUND,
                        "rpc: can't find method " + Texts.cut(method, Names.MAX_NAME));
            }
            return dispatch(caller, principal, resolved, descriptor(params), idempotencyKey);
        } catch (RpcException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Checks a call of an authenticated caller (the GET API authenticates before it reads the query) and
     * sends it; completes with the result or an {@link RpcException}. The principal is authorized here.
     */
    public CompletableFuture<Object> dispatch(Caller caller, Principal principal, Method method,
            CallDescriptor descriptor, String idempotencyKey) {
        long start = System.nanoTime();
        CompletableFuture<Object> result;
        try {
            result = send(caller, principal, method, descriptor, idempotencyKey);
        } catch (RpcException e) {
            result = CompletableFuture.failedFuture(e);
        }
        return result.whenComplete((value, error) -> record(method, start, error));
    }

    private CompletableFuture<Object> send(Caller caller, Principal principal, Method method, CallDescriptor descriptor,
            String idempotencyKey) {
        String problem = Validation.problem(method, descriptor);
        if (problem == null && idempotencyKey != null) {
            problem = Names.requestIdProblem(idempotencyKey, "Idempotency-Key");
        }
        if (problem != null) {
            throw RpcException.badRequest(problem);
        }
        guard.authorize(caller, principal, method, descriptor);
        if (draining) {
            throw new RpcException(ErrorKind.UNAVAILABLE, "the gateway is shutting down: send the request to "
                    + "another gateway or try again shortly");
        }
        if (!kafka.up()) {
            throw new RpcException(ErrorKind.UNAVAILABLE, "Kafka is unavailable (" + kafka.problem()
                    + "): try again shortly");
        }
        int partition = replies.replyPartition();
        if (partition < 0) {
            throw new RpcException(ErrorKind.UNAVAILABLE, "the gateway is not ready yet (no reply partition)");
        }
        String requestId = descriptor.requestId() != null ? descriptor.requestId()
                : idempotencyKey != null ? idempotencyKey : UUID.randomUUID().toString();
        // A query whose id the gateway made up cannot be retried by anyone: it goes to ratestream.queries,
        // answered with no idempotency entry and no permanent place in the log. With the client's own id it
        // goes to ratestream.commands, where a retry gets the original reply (SPEC 5).
        boolean ownId = descriptor.requestId() != null || idempotencyKey != null;
        boolean query = !method.changesBudget() && !ownId;
        Command command;
        try {
            command = new Command(requestId, method, descriptor, clock.instant(), new ReplyTo(Topics.REPLIES, partition),
                    null);
        } catch (IllegalArgumentException e) {
            throw RpcException.badRequest(e.getMessage());
        }
        // Only a client's id can be sent again for another request: an id made up here is new, and needs no
        // fingerprint (a SHA-256 of the request) to tell two requests apart.
        CompletableFuture<RawReply> reply = pending.register(requestId, command.key(), ownId ? command.fingerprint() : 0L,
                config.replyTimeout());
        publisher.send(command, query).whenComplete((sent, error) -> {
            if (error != null) {
                pending.fail(requestId, error instanceof RpcException refused ? refused
                        : outcomeUnknown(requestId, query, "Kafka did not confirm the request ("
                                + error.getClass().getSimpleName() + ")"));
            }
        });
        return reply.handle((answer, error) -> {
            if (error != null) {
                throw new CompletionException(translate(error, requestId, query));
            }
            if (answer.isError()) {
                throw new CompletionException(new RpcException(answer.errorKind(), answer.error(), requestId));
            }
            return answer.result();
        });
    }

    private RpcException translate(Throwable error, String requestId, boolean query) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof RpcException rpc) {
            return rpc;
        }
        if (cause instanceof TimeoutException) {
            return outcomeUnknown(requestId, query, "no reply within " + config.replyTimeout().toMillis() + " ms");
        }
        LOG.error("request {} failed unexpectedly", requestId, cause);
        return new RpcException(ErrorKind.INTERNAL, "internal error: " + cause.getClass().getSimpleName(), requestId);
    }

    /**
     * The request went out, or may have: only a retry with the same id can tell what happened. A query sent to
     * ratestream.queries changed nothing either way: it is simply asked again.
     */
    private static RpcException outcomeUnknown(String requestId, boolean query, String why) {
        if (query) {
            return new RpcException(ErrorKind.OUTCOME_UNKNOWN, "outcome unknown: " + why + "; the query changes "
                    + "nothing: send it again", requestId);
        }
        return new RpcException(ErrorKind.OUTCOME_UNKNOWN, "outcome unknown: " + why + "; the request may or may not "
                + "have been applied: retry with RequestId " + requestId + " to learn its outcome (a retry never "
                + "applies twice)", requestId);
    }

    private CallDescriptor descriptor(JsonNode params) {
        JsonNode node = params != null && params.isArray() && params.size() == 1 ? params.get(0) : params;
        if (node == null || !node.isObject()) {
            throw RpcException.badRequest("params must be [ {call descriptor} ], an array holding one object");
        }
        try {
            CallDescriptor d = mapper.treeToValue(node, CallDescriptor.class);
            // A Go client cannot leave out a string field of its struct: it sends "", its zero value, as it sends
            // 0001-01-01T00:00:00Z for a time it has not set. An empty RequestId means "none", like that time.
            return d.requestId() == null || !d.requestId().isEmpty() ? d : new CallDescriptor(d.tor(), d.cstmId(),
                    d.subject(), d.destinationPrefix(), d.timeStart(), d.timeEnd(), d.amount(), null, d.sessionId(),
                    d.used());
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw RpcException.badRequest("invalid call descriptor: " + Json.describe(e));
        }
    }

    private void record(Method method, long start, Throwable error) {
        String outcome = "ok";
        if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            outcome = cause instanceof RpcException rpc ? rpc.kind().wireName() : "error";
        }
        long elapsed = System.nanoTime() - start;
        metrics.counter("ratestream.requests", "method", method.wireName(), "outcome", outcome).increment();
        latency.get(method).record(elapsed, java.util.concurrent.TimeUnit.NANOSECONDS);
        activity.record(method.wireName(), elapsed, error);
    }

    /** What {@code Responder.Status} and {@code GET /status} show. */
    public Map<String, Object> status() {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("Service", "ratestream api-gateway");
        status.put("Instance", instance);
        status.put("Kafka", kafka.up() ? "up" : "down: " + kafka.problem());
        status.put("ReplyPartitions", replies.partitions());
        status.put("RequestsWaiting", pending.size());
        status.put("JsonRpc", config.bind() + ":" + config.jsonRpcPort());
        status.put("Http", config.bind() + ":" + config.httpPort());
        status.put("RepliesRead", config.repliesReadCommitted() ? "read_committed" : "read_uncommitted");
        status.put("StreamsInstances", kafka.up() ? kafka.streamsInstances() : java.util.List.of());
        return status;
    }

    /**
     * Ready: Kafka answers, the publisher can send without waiting, replies have a partition to come back
     * on, and the gateway is not shutting down.
     */
    public boolean ready() {
        return !draining && kafka.up() && replies.replyPartition() >= 0;
    }

    /**
     * Starts shutting down: from now on requests are refused as unavailable, and readiness says no, while
     * the requests already sent wait for their replies.
     */
    public void drain() {
        draining = true;
    }

    /** Requests waiting for a reply now. */
    public int waiting() {
        return pending.size();
    }

    /** What this gateway answered lately, for the status page. */
    public RecentActivity activity() {
        return activity;
    }

    /** Who may do what: the HTTP API checks its admin pages through it. */
    public Guard guard() {
        return guard;
    }

}
