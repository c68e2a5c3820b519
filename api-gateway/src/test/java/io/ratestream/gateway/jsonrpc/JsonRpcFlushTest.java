package io.ratestream.gateway.jsonrpc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.ratestream.gateway.rpc.RpcService;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Answers that come in together leave together: every answer of a connection completed before its event
 * loop gets round to the flush goes out in that one flush, one write to the socket, where each answer had
 * its own (docs/performance.md, "Tenth pass"). On a real event loop and a real socket: EmbeddedChannel
 * runs its pending tasks on every write, and so flushes each answer by itself.
 */
@Timeout(30)
class JsonRpcFlushTest {

    private final List<CompletableFuture<Object>> held = new CopyOnWriteArrayList<>();
    private final RpcService service = (method, params, key) -> {
        CompletableFuture<Object> answer = new CompletableFuture<>();
        held.add(answer);
        return answer;
    };
    private final AtomicInteger flushes = new AtomicInteger();
    private final AtomicReference<Channel> accepted = new AtomicReference<>();
    private final EventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    @AfterEach
    void stop() {
        loops.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** The gateway's JSON-RPC pipeline behind a handler that counts the flushes reaching the socket. */
    private int start() throws InterruptedException {
        ChannelHandler counter = new ChannelOutboundHandlerAdapter() {
            @Override
            public void flush(ChannelHandlerContext ctx) {
                flushes.incrementAndGet();
                ctx.flush();
            }

            @Override
            public boolean isSharable() {
                return true;
            }
        };
        Channel server = new ServerBootstrap().group(loops).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        accepted.set(channel);
                        channel.pipeline().addLast(counter, new JsonRpcChannelInitializer(new JsonRpcProtocol(service),
                                64 * 1024, Duration.ZERO, ConnectionLimits.defaults()));
                    }
                }).bind("127.0.0.1", 0).sync().channel();
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    private void awaitHeld(int count) throws InterruptedException {
        while (held.size() < count) {
            Thread.sleep(5);
        }
    }

    @Test
    void shouldWriteTheAnswersCompletedTogetherInOneFlush() throws Exception {
        int port = start();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.getOutputStream().write(("{\"id\":1,\"method\":\"A\"}{\"id\":2,\"method\":\"B\"}"
                    + "{\"id\":3,\"method\":\"C\"}").getBytes(UTF_8));
            awaitHeld(3);
            int before = flushes.get();

            // as a batch of replies arrives: the three complete before the loop runs anything else
            accepted.get().eventLoop().execute(() -> {
                held.get(1).complete(new BigDecimal("2"));
                held.get(0).complete(new BigDecimal("1"));
                held.get(2).complete(new BigDecimal("3"));
            });
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8));

            assertThat(List.of(in.readLine(), in.readLine(), in.readLine())).containsExactly(
                    "{\"id\":2,\"result\":2,\"error\":null}", "{\"id\":1,\"result\":1,\"error\":null}",
                    "{\"id\":3,\"result\":3,\"error\":null}");
            assertThat(flushes.get() - before).isEqualTo(1);
        }
    }

    @Test
    void shouldFlushAnAnswerThatComesAfterTheLastFlushByItself() throws Exception {
        int port = start();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.getOutputStream().write("{\"id\":1,\"method\":\"A\"}{\"id\":2,\"method\":\"B\"}".getBytes(UTF_8));
            awaitHeld(2);
            int before = flushes.get();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8));

            held.get(0).complete(new BigDecimal("1"));
            assertThat(in.readLine()).isEqualTo("{\"id\":1,\"result\":1,\"error\":null}");
            held.get(1).complete(new BigDecimal("2"));

            assertThat(in.readLine()).isEqualTo("{\"id\":2,\"result\":2,\"error\":null}");
            assertThat(flushes.get() - before).isEqualTo(2);
        }
    }
}
