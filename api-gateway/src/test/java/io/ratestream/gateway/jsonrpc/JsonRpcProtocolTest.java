package io.ratestream.gateway.jsonrpc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.ratestream.gateway.rpc.RpcException;
import io.ratestream.gateway.rpc.RpcService;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import io.ratestream.schemas.reply.ErrorKind;
import org.junit.jupiter.api.Test;

class JsonRpcProtocolTest {

    private static String answer(RpcService service, String request) {
        return new String(new JsonRpcProtocol(service).handle(request.getBytes(UTF_8)).join(), UTF_8);
    }

    private static RpcService returning(Object result) {
        return (method, params, key) -> CompletableFuture.completedFuture(result);
    }

    private static RpcService failingWith(Throwable failure) {
        return (method, params, key) -> CompletableFuture.failedFuture(failure);
    }

    @Test
    void shouldPassMethodParamsAndIdempotencyKeyUnchanged() {
        List<Object> seen = new ArrayList<>();
        RpcService recording = (method, params, key) -> {
            seen.add(method);
            seen.add(params);
            seen.add(key);
            return CompletableFuture.completedFuture(BigDecimal.ONE);
        };
        byte[] request = "{\"method\":\"responder.nosuch\",\"params\":[{\"Amount\":1.50}],\"id\":7}".getBytes(UTF_8);

        String response = new String(new JsonRpcProtocol(recording).handle(request, "key-1").join(), UTF_8);

        assertThat(response).isEqualTo("{\"id\":7,\"result\":1,\"error\":null}");
        assertThat(seen.get(0)).isEqualTo("responder.nosuch");
        assertThat(seen.get(1)).hasToString("[{\"Amount\":1.50}]");
        assertThat(seen.get(2)).isEqualTo("key-1");
    }

    @Test
    void shouldPassNullNodeWhenParamsAreMissing() {
        List<JsonNode> seen = new ArrayList<>();
        RpcService recording = (method, params, key) -> {
            seen.add(params);
            return CompletableFuture.completedFuture("ok");
        };

        answer(recording, "{\"method\":\"Responder.Status\",\"id\":1}");

        assertThat(seen).containsExactly(NullNode.getInstance());
    }

    @Test
    void shouldWriteDecimalsPlain() {
        assertThat(answer(returning(new BigDecimal("540.000000")), "{\"method\":\"M\",\"id\":1}"))
                .isEqualTo("{\"id\":1,\"result\":540,\"error\":null}");
        assertThat(answer(returning(new BigDecimal("1E-7")), "{\"method\":\"M\",\"id\":1}"))
                .isEqualTo("{\"id\":1,\"result\":0.0000001,\"error\":null}");
    }

    @Test
    void shouldAnswerAnRpcExceptionWithItsMessage() {
        RpcException noCredit = RpcException.badRequest("insufficient credit");

        assertThat(answer(failingWith(noCredit), "{\"method\":\"M\",\"id\":\"a\"}"))
                .isEqualTo("{\"id\":\"a\",\"result\":null,\"error\":\"insufficient credit\"}");
        assertThat(answer(failingWith(new CompletionException(noCredit)), "{\"method\":\"M\",\"id\":\"a\"}"))
                .isEqualTo("{\"id\":\"a\",\"result\":null,\"error\":\"insufficient credit\"}");
    }

    @Test
    void shouldHideBugsBehindInternalError() {
        RpcService throwing = (method, params, key) -> {
            throw new IllegalStateException("bug with secrets");
        };

        assertThat(answer(failingWith(new NullPointerException("secret")), "{\"method\":\"M\",\"id\":1}"))
                .isEqualTo("{\"id\":1,\"result\":null,\"error\":\"internal error\"}");
        assertThat(answer(throwing, "{\"method\":\"M\",\"id\":1}"))
                .isEqualTo("{\"id\":1,\"result\":null,\"error\":\"internal error\"}");
        assertThat(answer(returning(null), "{\"method\":\"M\",\"id\":1}"))
                .isEqualTo("{\"id\":1,\"result\":null,\"error\":\"internal error\"}");
        assertThat(answer(returning(new Object() {
            @SuppressWarnings("unused")
            public Object getSelf() {
                return this; // cannot be written
            }
        }), "{\"method\":\"M\",\"id\":1}")).isEqualTo("{\"id\":1,\"result\":null,\"error\":\"internal error\"}");
    }

    @Test
    void shouldRejectValuesThatAreNotRequestObjects() {
        RpcService echo = FakeServices.echo();

        assertThat(answer(echo, "42")).isEqualTo(
                "{\"id\":null,\"result\":null,\"error\":\"invalid request: expected a JSON object, got number\"}");
        assertThat(answer(echo, "[{\"method\":\"M\",\"id\":1}]")).isEqualTo(
                "{\"id\":null,\"result\":null,\"error\":\"invalid request: expected a JSON object, got array\"}");
        assertThat(answer(echo, "{\"id\":3}")).isEqualTo(
                "{\"id\":3,\"result\":null,\"error\":\"invalid request: \\\"method\\\" must be a string\"}");
        assertThat(answer(echo, "{\"id\":3,\"method\":5}")).isEqualTo(
                "{\"id\":3,\"result\":null,\"error\":\"invalid request: \\\"method\\\" must be a string\"}");
    }

    @Test
    void shouldDescribeMalformedJsonBrieflyWithoutSourceExcerpts() {
        String response = answer(FakeServices.echo(), "{\"id\": 1, \"method\": tru}");

        assertThat(response).startsWith("{\"id\":null,\"result\":null,\"error\":\"malformed JSON: ");
        assertThat(response).doesNotContain("Source", "line:", "column:");
        assertThat(answer(FakeServices.echo(), "  ")).isEqualTo(
                "{\"id\":null,\"result\":null,\"error\":\"malformed JSON: no JSON value\"}");
        assertThat(answer(FakeServices.echo(), "x".repeat(10_000)).length()).isLessThan(400);
    }

    @Test
    void shouldAnswerJsonRpc2RequestsWithJsonRpc2Envelopes() {
        String ok = answer(returning(new java.math.BigDecimal("540.000")),
                "{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"Responder.GetCost\",\"params\":[{}]}");
        String refused = answer(failingWith(io.ratestream.gateway.rpc.RpcException.badRequest("amount exceeds budget")),
                "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"Responder.DebitSMS\",\"params\":[{}]}");
        String unknown = answer(failingWith(new io.ratestream.gateway.rpc.RpcException(ErrorKind.METHOD_NOT_FOUND,
                "rpc: can't find method Responder.X")), "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"Responder.X\"}");
        String unknownOutcome = answer(failingWith(new io.ratestream.gateway.rpc.RpcException(
                ErrorKind.OUTCOME_UNKNOWN, "outcome unknown: retry with RequestId q", "q")),
                "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"Responder.DebitBalance\",\"params\":[{}]}");
        String poor = answer(failingWith(new io.ratestream.gateway.rpc.RpcException(ErrorKind.INSUFFICIENT_FUNDS,
                "amount exceeds budget")), "{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"Responder.DebitSMS\"}");

        assertThat(ok).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"result\":540}");
        assertThat(refused).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":7,\"error\":{\"code\":-32602,"
                + "\"message\":\"amount exceeds budget\",\"data\":{\"kind\":\"bad_request\"}}}");
        assertThat(unknown).contains("\"code\":-32601");
        assertThat(unknownOutcome).contains("\"code\":-32001", "\"data\":{\"kind\":\"outcome_unknown\",\"requestId\":\"q\"}");
        assertThat(poor).contains("\"code\":-32005", "\"kind\":\"insufficient_funds\"");
    }

    @Test
    void shouldCarryOutAJsonRpc2NotificationWithoutAnswering() {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        RpcService counting = (method, params, key) -> {
            calls.incrementAndGet();
            return java.util.concurrent.CompletableFuture.completedFuture(java.math.BigDecimal.ONE);
        };

        String response = answer(counting, "{\"jsonrpc\":\"2.0\",\"method\":\"Responder.DebitBalance\",\"params\":[{}]}");

        assertThat(response).isEmpty();
        assertThat(calls.get()).isEqualTo(1);
    }
}
