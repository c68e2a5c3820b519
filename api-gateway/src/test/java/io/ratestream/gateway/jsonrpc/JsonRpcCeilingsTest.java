package io.ratestream.gateway.jsonrpc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.ratestream.gateway.rpc.RpcService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The per-connection ceilings on the real pipeline over an EmbeddedChannel, whose clock the test moves:
 * in-flight back-pressure, the completion deadline, the size of one value.
 */
class JsonRpcCeilingsTest {

    private static final String DEADLINE_ERROR = "{\"id\":null,\"result\":null,\"error\":\"request not completed "
            + "within 10 s: send each request object whole, without pausing inside it\"}\n";

    private static EmbeddedChannel channel(RpcService service, ConnectionLimits limits) {
        return channel(service, 64 * 1024, limits);
    }

    private static EmbeddedChannel channel(RpcService service, int maxRequestBytes, ConnectionLimits limits) {
        return new EmbeddedChannel(new JsonRpcChannelInitializer(new JsonRpcProtocol(service), maxRequestBytes,
                Duration.ZERO, limits));
    }

    private static void send(EmbeddedChannel channel, String text) {
        channel.writeInbound(Unpooled.wrappedBuffer(text.getBytes(UTF_8)));
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

    private static void advance(EmbeddedChannel channel, long seconds) {
        channel.advanceTimeBy(seconds, TimeUnit.SECONDS);
        channel.runPendingTasks();
    }

    private static String requests(int from, int to) {
        StringBuilder requests = new StringBuilder();
        for (int id = from; id <= to; id++) {
            requests.append("{\"id\":").append(id).append(",\"method\":\"M").append(id).append("\"}\n");
        }
        return requests.toString();
    }

    @Test
    void shouldStartNoMoreThanTheInFlightLimitAndTheNextAsEachAnswerGoesOut() throws Exception {
        FakeServices.Controlled service = new FakeServices.Controlled();
        EmbeddedChannel channel = channel(service, ConnectionLimits.defaults().withMaxInFlightPerConnection(3));

        send(channel, requests(1, 10));

        assertThat(service.started.get()).isEqualTo(3);
        assertThat(channel.config().isAutoRead()).as("reading stopped at the limit").isFalse();
        service.next().answer(1);
        assertThat(service.started.get()).isEqualTo(4);
        assertThat(responses(channel)).containsExactly("{\"id\":1,\"result\":1,\"error\":null}\n");

        for (int i = 2; i <= 10; i++) {
            service.next().answer(i);
        }

        assertThat(responses(channel)).hasSize(9);
        assertThat(service.started.get()).isEqualTo(10);
        assertThat(service.maxOutstanding.get()).isEqualTo(3);
        assertThat(channel.config().isAutoRead()).as("reading again once under the limit").isTrue();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void shouldStartHeldRequestsInOrderWhenAnswersComeOutOfOrder() throws Exception {
        FakeServices.Controlled service = new FakeServices.Controlled();
        EmbeddedChannel channel = channel(service, ConnectionLimits.defaults().withMaxInFlightPerConnection(2));
        send(channel, requests(1, 4));
        FakeServices.Controlled.Call first = service.next();
        FakeServices.Controlled.Call second = service.next();

        second.answer("b");
        FakeServices.Controlled.Call third = service.next();
        first.answer("a");
        FakeServices.Controlled.Call fourth = service.next();

        assertThat(List.of(first.method(), second.method(), third.method(), fourth.method()))
                .containsExactly("M1", "M2", "M3", "M4");
        assertThat(service.maxOutstanding.get()).isEqualTo(2);
    }

    @Test
    void shouldAnswerAndCloseWhenAnObjectIsNotCompletedInTime() {
        EmbeddedChannel channel = channel(FakeServices.echo(), ConnectionLimits.defaults());

        send(channel, "{\"id\": 1, \"method\": \"Responder.Ge");
        advance(channel, 9);
        assertThat(channel.isOpen()).isTrue();
        advance(channel, 2);

        assertThat(responses(channel)).containsExactly(DEADLINE_ERROR);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void shouldCountTheDeadlineFromTheFirstByteOfTheObject() {
        EmbeddedChannel channel = channel(FakeServices.echo(), ConnectionLimits.defaults());

        send(channel, "{\"id\": 1,");
        advance(channel, 6);
        send(channel, " \"method\":");
        advance(channel, 5);

        assertThat(responses(channel)).containsExactly(DEADLINE_ERROR);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void shouldLeaveAConnectionOpenBetweenObjectsAndAfterAnObjectCompletedInTime() {
        EmbeddedChannel channel = channel(FakeServices.echo(), ConnectionLimits.defaults());

        send(channel, "{\"id\":1,\"method\":\"A\"}\n  \n");
        advance(channel, 60);
        send(channel, "{\"id\":2,");
        advance(channel, 9);
        send(channel, "\"method\":\"B\"}\n");
        advance(channel, 60);

        assertThat(responses(channel)).containsExactly(
                "{\"id\":1,\"result\":{\"method\":\"A\",\"params\":null},\"error\":null}\n",
                "{\"id\":2,\"result\":{\"method\":\"B\",\"params\":null},\"error\":null}\n");
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void shouldNotCountTimeWhileTheConnectionIsNotRead() {
        EmbeddedChannel channel = channel(FakeServices.echo(), ConnectionLimits.defaults());
        send(channel, "{\"id\":1,");

        channel.config().setAutoRead(false); // as back-pressure does
        advance(channel, 30);
        assertThat(channel.isOpen()).isTrue();
        channel.config().setAutoRead(true);
        advance(channel, 9);
        assertThat(channel.isOpen()).as("a full deadline again from when reading resumed").isTrue();
        advance(channel, 2);

        assertThat(responses(channel)).containsExactly(DEADLINE_ERROR);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void shouldSayTheConfiguredDeadline() {
        EmbeddedChannel channel = channel(FakeServices.echo(),
                ConnectionLimits.defaults().withRequestDeadline(Duration.ofMillis(250)));

        send(channel, "{");
        channel.advanceTimeBy(300, TimeUnit.MILLISECONDS);

        assertThat(responses(channel)).containsExactly("{\"id\":null,\"result\":null,\"error\":\"request not completed "
                + "within 0.25 s: send each request object whole, without pausing inside it\"}\n");
    }

    @Test
    void shouldFrameAStringEndingInAnEscapedBackslash() {
        EmbeddedChannel channel = channel(FakeServices.echo(), ConnectionLimits.defaults());

        send(channel, "{\"id\":1,\"method\":\"A\\\\\"}{\"id\":2,\"method\":\"B\"}");

        assertThat(responses(channel)).containsExactly(
                "{\"id\":1,\"result\":{\"method\":\"A\\\\\",\"params\":null},\"error\":null}\n",
                "{\"id\":2,\"result\":{\"method\":\"B\",\"params\":null},\"error\":null}\n");
    }

    @Test
    void shouldLimitEachObjectNotTheBytesOfManyPipelinedOnes() {
        EmbeddedChannel channel = channel(FakeServices.echo(), 64, ConnectionLimits.defaults());
        String exactly64 = "{\"id\":1,\"method\":\"" + "x".repeat(64 - 32) + "\",\"params\":[]}";
        assertThat(exactly64).hasSize(64);

        send(channel, (exactly64 + "\n").repeat(100));
        assertThat(responses(channel)).hasSize(100);
        send(channel, exactly64.replace("[]", "[0]"));

        assertThat(responses(channel)).containsExactly(
                "{\"id\":null,\"result\":null,\"error\":\"request larger than 64 bytes\"}\n");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void shouldReleaseTheInputBufferOfAnIdleConnection() {
        EmbeddedChannel channel = channel(FakeServices.echo(), ConnectionLimits.defaults());
        ByteBuf input = Unpooled.directBuffer().writeBytes("{\"id\":1,\"method\":\"A\"}\n".getBytes(UTF_8));

        channel.writeInbound(input);

        assertThat(responses(channel)).hasSize(1);
        assertThat(input.refCnt()).isZero();
    }
}
