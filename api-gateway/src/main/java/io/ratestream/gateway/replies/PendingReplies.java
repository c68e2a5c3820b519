package io.ratestream.gateway.replies;

import io.ratestream.gateway.rpc.RpcException;
import io.ratestream.schemas.reply.ErrorKind;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The one owner of requests waiting for their reply: request id to future. An entry leaves the map
 * when its future completes, whichever way: reply, failure or timeout. Nothing else removes or adds.
 * Thread-safe.
 */
public final class PendingReplies {

    /**
     * @param subscriber the request's {@code tenant:subject}: only a reply for the same subscriber completes it
     * @param fingerprint the command's fingerprint: the same id for a different request is refused
     * @param future completed by the reply, a failure or the timeout
     * @param answer what the caller waits on: completes after the entry has left the map, so a caller
     *     who has its answer never sees its request still counted
     */
    private record Pending(String subscriber, long fingerprint, CompletableFuture<RawReply> future,
            CompletableFuture<RawReply> answer) {
    }

    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final int limit;

    /** At most {@code limit} requests waiting at once; more are refused as busy. */
    public PendingReplies(int limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("the limit of waiting requests must be positive, got " + limit);
        }
        this.limit = limit;
    }

    /**
     * Registers a request and returns the future of its reply, which fails with a {@link
     * java.util.concurrent.TimeoutException} after {@code timeout}. The same request id for the same
     * subscriber and request while one is already waiting shares its future (a client retrying early).
     *
     * @throws RpcException {@link ErrorKind#REQUEST_ID_CONFLICT} when the id is waiting for another
     *     subscriber's request or for a different request; {@link ErrorKind#BUSY} when {@code limit}
     *     requests are waiting already
     */
    public CompletableFuture<RawReply> register(String requestId, String subscriber, long fingerprint,
            Duration timeout) {
        Pending current = pending.get(requestId);
        if (current == null && pending.size() >= limit) {
            throw new RpcException(ErrorKind.BUSY, "busy: " + limit + " requests are waiting for replies on this "
                    + "gateway (its limit): retry shortly");
        }
        CompletableFuture<RawReply> future = new CompletableFuture<>();
        CompletableFuture<RawReply> answer = new CompletableFuture<>();
        Pending created = new Pending(subscriber, fingerprint, future, answer);
        current = pending.putIfAbsent(requestId, created);
        if (current != null) {
            if (!current.subscriber().equals(subscriber) || current.fingerprint() != fingerprint) {
                throw new RpcException(ErrorKind.REQUEST_ID_CONFLICT, "RequestId " + requestId
                        + " is already waiting for a reply to a different request: use one id per request");
            }
            return current.answer();
        }
        future.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((reply, error) -> {
            pending.remove(requestId, created);
            if (error != null) {
                answer.completeExceptionally(error);
            } else {
                answer.complete(reply);
            }
        });
        return answer;
    }

    /** Whether a request id is waiting: the reply consumer's cheap filter, before parsing anything. */
    public boolean isWaiting(String requestId) {
        return requestId != null && pending.containsKey(requestId);
    }

    /**
     * Completes the request the reply answers: same request id and same subscriber. Returns false when
     * nobody waits for it, or the waiting request is another subscriber's (a stray or forged reply).
     */
    public boolean complete(RawReply reply) {
        Pending waiting = pending.get(reply.requestId());
        return waiting != null && waiting.subscriber().equals(reply.subscriber()) && waiting.future().complete(reply);
    }

    /** Fails a waiting request. */
    public void fail(String requestId, Throwable error) {
        Pending waiting = pending.get(requestId);
        if (waiting != null) {
            waiting.future().completeExceptionally(error);
        }
    }

    /** Requests waiting now. */
    public int size() {
        return pending.size();
    }
}
