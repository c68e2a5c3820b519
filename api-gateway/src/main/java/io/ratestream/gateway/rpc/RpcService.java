package io.ratestream.gateway.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import io.ratestream.gateway.auth.Caller;
import java.util.concurrent.CompletableFuture;

/**
 * What the wire codecs (JSON-RPC over TCP, JSON-RPC over HTTP, the HTTP GET API) call: one method with
 * its params. Thread-safe.
 */
public interface RpcService {

    /**
     * Calls a method.
     *
     * @param method the JSON-RPC method name, e.g. {@code Responder.GetCost}; never null
     * @param params the JSON-RPC {@code params}: normally an array holding one call descriptor; may be
     *     any JSON value (the service reports what is wrong with it); never null (missing is NullNode)
     * @param idempotencyKey a request id from outside the descriptor (the HTTP {@code Idempotency-Key}
     *     header); null when none
     * @return completes with the result (a {@code CallCost}, a {@code BigDecimal}, or for
     *     {@code Responder.Status} an object), or exceptionally with an {@link RpcException} whose message
     *     is what the caller is told; never throws itself
     */
    CompletableFuture<Object> call(String method, JsonNode params, String idempotencyKey);

    /**
     * Calls a method for a caller: the service authenticates and authorizes it first (a service without
     * access control ignores it, which is what this default does).
     *
     * @param caller who sends the request (an HTTP request, or a JSON-RPC/TCP connection); never null
     */
    default CompletableFuture<Object> call(Caller caller, String method, JsonNode params, String idempotencyKey) {
        return call(method, params, idempotencyKey);
    }
}
