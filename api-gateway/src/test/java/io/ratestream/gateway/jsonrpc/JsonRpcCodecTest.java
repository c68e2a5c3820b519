package io.ratestream.gateway.jsonrpc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.ratestream.gateway.rpc.RpcException;
import io.ratestream.gateway.rpc.RpcService;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The real pipeline on an EmbeddedChannel, fed raw bytes. */
class JsonRpcCodecTest {

    private static final ObjectMapper PLAIN = new ObjectMapper();

    private static EmbeddedChannel channel(RpcService service) {
        return channel(service, 1 << 20, Duration.ZERO);
    }

    private static EmbeddedChannel channel(RpcService service, int maxRequestBytes, Duration idleTimeout) {
        return new EmbeddedChannel(
                new JsonRpcChannelInitializer(new JsonRpcProtocol(service), maxRequestBytes, idleTimeout));
    }

    private static void send(EmbeddedChannel channel, String text) {
        send(channel, text.getBytes(UTF_8));
    }

    private static void send(EmbeddedChannel channel, byte[] bytes) {
        channel.writeInbound(Unpooled.wrappedBuffer(bytes));
    }

    private static List<String> responses(EmbeddedChannel channel) {
        channel.runPendingTasks();
        List<String> out = new ArrayList<>();
        for (ByteBuf buf = channel.readOutbound(); buf != null; buf = channel.readOutbound()) {
            out.add(buf.toString(UTF_8));
            buf.release();
        }
        return out;
    }

    @Test
    void shouldAnswerOneRequestWithExactBytes() {
        EmbeddedChannel channel = channel(FakeServices.echo());

        send(channel, "{\"method\": \"Responder.GetCost\", \"params\": [{\"Tor\": 0}], \"id\": 1}");

        assertThat(responses(channel)).containsExactly(
                "{\"id\":1,\"result\":{\"method\":\"Responder.GetCost\",\"params\":[{\"Tor\":0}]},\"error\":null}\n");
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void shouldAnswerTwoRequestsInOneWrite() {
        EmbeddedChannel channel = channel(FakeServices.echo());

        send(channel, "{\"id\":1,\"method\":\"A\"} \n{\"id\":2,\"method\":\"B\"}");

        assertThat(responses(channel)).containsExactly(
                "{\"id\":1,\"result\":{\"method\":\"A\",\"params\":null},\"error\":null}\n",
                "{\"id\":2,\"result\":{\"method\":\"B\",\"params\":null},\"error\":null}\n");
    }

    @Test
    void shouldReassembleARequestSplitAcrossReads() {
        EmbeddedChannel channel = channel(FakeServices.echo());
        String request = "{\"id\": 12345, \"method\": \"Echo\", \"params\": [\"hel}lo\"]}";
        int insideNumber = request.indexOf("123") + 3;
        int insideString = request.indexOf("hel}") + 4;

        send(channel, request.substring(0, insideNumber));
        assertThat(responses(channel)).isEmpty();
        send(channel, request.substring(insideNumber, insideString));
        assertThat(responses(channel)).isEmpty();
        send(channel, request.substring(insideString));

        assertThat(responses(channel)).containsExactly(
                "{\"id\":12345,\"result\":{\"method\":\"Echo\",\"params\":[\"hel}lo\"]},\"error\":null}\n");
    }

    @Test
    void shouldAnswerInCompletionOrder() {
        Map<String, CompletableFuture<Object>> calls = new HashMap<>();
        EmbeddedChannel channel = channel((method, params, key) ->
                calls.computeIfAbsent(method, m -> new CompletableFuture<>()));

        send(channel, "{\"id\":\"first\",\"method\":\"Slow\"}{\"id\":\"second\",\"method\":\"Fast\"}");
        assertThat(responses(channel)).isEmpty();
        calls.get("Fast").complete(new BigDecimal("2"));
        calls.get("Slow").complete(new BigDecimal("1"));

        assertThat(responses(channel)).containsExactly(
                "{\"id\":\"second\",\"result\":2,\"error\":null}\n",
                "{\"id\":\"first\",\"result\":1,\"error\":null}\n");
    }

    @Test
    void shouldAnswerMalformedJsonWithNullIdAndClose() {
        EmbeddedChannel channel = channel(FakeServices.echo());

        send(channel, "{\"id\": 1, \"method\": tru} {\"id\": 2, \"method\": \"After\"}");

        List<String> responses = responses(channel);
        assertThat(responses).hasSize(1);
        assertThat(responses.get(0)).startsWith("{\"id\":null,\"result\":null,\"error\":\"malformed JSON: ");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void shouldAnswerBytesThatCannotStartAnObjectWithNullIdAndClose() {
        EmbeddedChannel channel = channel(FakeServices.echo());

        send(channel, "GET / HTTP/1.1\r\n\r\n");

        assertThat(responses(channel)).containsExactly(
                "{\"id\":null,\"result\":null,\"error\":\"malformed JSON: expected a JSON object\"}\n");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void shouldRefuseAnOversizedRequestAndClose() {
        EmbeddedChannel channel = channel(FakeServices.echo(), 64, Duration.ZERO);

        send(channel, "{\"id\":1,\"method\":\"Big\",\"params\":[\"" + "x".repeat(100) + "\"]}");

        assertThat(responses(channel)).containsExactly(
                "{\"id\":null,\"result\":null,\"error\":\"request larger than 64 bytes\"}\n");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void shouldRefuseAnOversizedRequestEvenBeforeItEnds() {
        EmbeddedChannel channel = channel(FakeServices.echo(), 64, Duration.ZERO);

        send(channel, "{\"id\":1,\"method\":\"Big\",\"params\":[\"" + "x".repeat(100));

        assertThat(responses(channel)).containsExactly(
                "{\"id\":null,\"result\":null,\"error\":\"request larger than 64 bytes\"}\n");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void shouldAnswerATopLevelArrayOrAnObjectWithoutMethodAndKeepTheConnection() {
        EmbeddedChannel channel = channel(FakeServices.echo());

        send(channel, "[{\"id\":1,\"method\":\"A\"}] {\"id\":2} {\"id\":3,\"method\":\"C\"}");

        assertThat(responses(channel)).containsExactly(
                "{\"id\":null,\"result\":null,\"error\":\"invalid request: expected a JSON object, got array\"}\n",
                "{\"id\":2,\"result\":null,\"error\":\"invalid request: \\\"method\\\" must be a string\"}\n",
                "{\"id\":3,\"result\":{\"method\":\"C\",\"params\":null},\"error\":null}\n");
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void shouldWriteDecimalResultsPlain() {
        EmbeddedChannel channel = channel((method, params, key) ->
                CompletableFuture.completedFuture(Map.of("Cost", new BigDecimal("540.000000"))));

        send(channel, "{\"id\":1,\"method\":\"Responder.GetCost\"}");

        assertThat(responses(channel)).containsExactly("{\"id\":1,\"result\":{\"Cost\":540},\"error\":null}\n");
    }

    @Test
    void shouldEchoStringAndNumberIdsAsGivenAndRefuseOthersAndHugeOnes() {
        EmbeddedChannel channel = channel((method, params, key) -> CompletableFuture.completedFuture(0));
        List<String> ids = List.of("7", "-1", "1.50", "12345678901234567890", "\"abc\"", "\"\"", "null",
                "\"" + "i".repeat(128) + "\"");
        List<String> refused = List.of("true", "{\"a\":[1,\"b\",null]}", "[1,2]", "\"" + "i".repeat(129) + "\"",
                "1e1000000000", "1.5e-200");

        for (String id : ids) {
            send(channel, "{\"method\":\"M\",\"id\":" + id + "}");
        }
        send(channel, "{\"method\":\"M\"}");
        for (String id : refused) {
            send(channel, "{\"method\":\"M\",\"id\":" + id + "}");
        }

        List<String> expected = new ArrayList<>();
        ids.forEach(id -> expected.add("{\"id\":" + id + ",\"result\":0,\"error\":null}\n"));
        expected.add("{\"id\":null,\"result\":0,\"error\":null}\n");
        List<String> responses = responses(channel);
        assertThat(responses.subList(0, expected.size())).containsExactlyElementsOf(expected);
        assertThat(responses.subList(expected.size(), responses.size())).hasSize(refused.size())
                .allSatisfy(r -> assertThat(r).startsWith("{\"id\":null,\"result\":null,\"error\":\"invalid request: ")
                        .hasSizeLessThan(200));
    }

    @Test
    void shouldCloseAnIdleConnectionUnlessARequestIsPending() {
        CompletableFuture<Object> pending = new CompletableFuture<>();
        EmbeddedChannel channel = channel((method, params, key) -> pending, 1 << 20, Duration.ofSeconds(1));

        send(channel, "{\"id\":1,\"method\":\"Slow\"}");
        channel.advanceTimeBy(3, TimeUnit.SECONDS);
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isTrue();

        pending.complete(1);
        assertThat(responses(channel)).hasSize(1);
        channel.advanceTimeBy(3, TimeUnit.SECONDS);
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void shouldAnswerEveryRequestWithExactlyOneOfResultAndError() throws Exception {
        Random random = new Random(42);
        List<RpcService> services = List.of(
                FakeServices.echo(),
                (m, p, k) -> CompletableFuture.completedFuture(new BigDecimal("60.350")),
                (m, p, k) -> CompletableFuture.completedFuture(null),
                (m, p, k) -> CompletableFuture.failedFuture(RpcException.badRequest("no " + m)),
                (m, p, k) -> CompletableFuture.failedFuture(new IllegalStateException("bug")),
                (m, p, k) -> {
                    throw new IllegalArgumentException("thrown");
                });
        List<String> methods = List.of("\"Responder.GetCost\"", "\"\"", "\"x\"", "1", "null", "[]");
        List<String> params = List.of("", ",\"params\":null", ",\"params\":[]", ",\"params\":[{\"Tor\":0}]",
                ",\"params\":\"s\"", ",\"params\":{\"a\":1}");
        List<String> ids = List.of("", ",\"id\":1", ",\"id\":\"x\"", ",\"id\":null", ",\"id\":{\"n\":2}");

        for (int i = 0; i < 500; i++) {
            EmbeddedChannel channel = channel(services.get(random.nextInt(services.size())));
            String request = "{\"method\":" + methods.get(random.nextInt(methods.size()))
                    + params.get(random.nextInt(params.size())) + ids.get(random.nextInt(ids.size())) + "}";

            send(channel, request);

            List<String> responses = responses(channel);
            assertThat(responses).as(request).hasSize(1);
            JsonNode response = PLAIN.readTree(responses.get(0));
            List<String> fields = new ArrayList<>();
            response.fieldNames().forEachRemaining(fields::add);
            assertThat(fields).as(request).containsExactly("id", "result", "error");
            assertThat(response.get("result").isNull()).as(request).isNotEqualTo(response.get("error").isNull());
            assertThat(response.get("error").isNull() || response.get("error").isTextual()).as(request).isTrue();
        }
    }

    @Test
    @Timeout(20)
    void shouldNeverLoopOnGarbage() throws Exception {
        Random random = new Random(7);
        byte[] alphabet = "{}[]\"\\:, \n1a-.e".getBytes(UTF_8);
        for (int i = 0; i < 3000; i++) {
            EmbeddedChannel channel = channel(FakeServices.echo(), 256, Duration.ZERO);
            byte[] garbage = new byte[1 + random.nextInt(300)];
            for (int b = 0; b < garbage.length; b++) {
                garbage[b] = i % 2 == 0 ? alphabet[random.nextInt(alphabet.length)] : (byte) random.nextInt(256);
            }
            int cut = random.nextInt(garbage.length);

            send(channel, java.util.Arrays.copyOfRange(garbage, 0, cut));
            if (channel.isOpen()) {
                send(channel, java.util.Arrays.copyOfRange(garbage, cut, garbage.length));
            }

            for (String response : responses(channel)) {
                JsonNode node = PLAIN.readTree(response);
                assertThat(node.get("result").isNull()).isNotEqualTo(node.get("error").isNull());
            }
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void shouldDropResponsesOfAClosedConnectionQuietly() {
        CompletableFuture<Object> pending = new CompletableFuture<>();
        EmbeddedChannel channel = channel((method, params, key) -> pending);

        send(channel, "{\"id\":1,\"method\":\"Slow\"}");
        channel.close();
        pending.complete(1);

        Iterator<String> responses = responses(channel).iterator();
        assertThat(responses.hasNext()).isFalse();
    }
}
