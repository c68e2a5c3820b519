package io.ratestream.gateway.jsonrpc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ratestream.gateway.rpc.RpcService;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The listener's ceilings on a real port, with plain sockets as clients. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class JsonRpcLimitsTest {

    private static final String BUSY_TOTAL_5 = "{\"id\":null,\"result\":null,\"error\":\"busy: too many connections "
            + "(limit 5): the server is at its connection limit, try again later\"}";

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private JsonRpcServer start(RpcService service, ConnectionLimits limits) {
        JsonRpcServer server = new JsonRpcServer(
                new JsonRpcServer.Config("127.0.0.1", 0, JsonRpcServer.Config.DEFAULT_MAX_REQUEST_BYTES,
                        Duration.ofMinutes(1)),
                limits, new JsonRpcProtocol(service));
        toClose.add(server);
        server.start();
        return server;
    }

    private Socket connect(JsonRpcServer server) throws IOException {
        return connect(server, null);
    }

    private Socket connect(JsonRpcServer server, String fromAddress) throws IOException {
        Socket socket = new Socket();
        toClose.add(socket);
        if (fromAddress != null) {
            socket.bind(new InetSocketAddress(fromAddress, 0));
        }
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 10_000);
        socket.setSoTimeout(20_000);
        return socket;
    }

    /** Connects and makes one call, so the connection is known to be admitted and counted. */
    private Socket connectAndCall(JsonRpcServer server, String fromAddress) throws IOException {
        Socket socket = connect(server, fromAddress);
        send(socket, "{\"id\":\"hello\",\"method\":\"Hello\"}");
        assertThat(lines(socket).readLine()).startsWith("{\"id\":\"hello\",\"result\":");
        return socket;
    }

    private static BufferedReader lines(Socket socket) throws IOException {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8));
    }

    private static void send(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(UTF_8));
        socket.getOutputStream().flush();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("still not true after 30 s: " + what);
            }
            Thread.sleep(10);
        }
    }

    /** Reads what a refused connection gets: one line, then the end of the stream. */
    private static String refusal(Socket socket) throws IOException {
        BufferedReader in = lines(socket);
        String line = in.readLine();
        assertThat(in.read()).as("closed after the refusal").isEqualTo(-1);
        return line;
    }

    @Test
    void shouldRefuseOverTheTotalLimitAndAdmitAgainWhenConnectionsClose() throws Exception {
        JsonRpcServer server = start(FakeServices.echo(), ConnectionLimits.defaults().withConnections(5, 5));
        List<Socket> open = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            open.add(connectAndCall(server, null));
        }

        assertThat(refusal(connect(server))).isEqualTo(BUSY_TOTAL_5);

        open.remove(0).close();
        open.remove(0).close();
        await("the server saw two connections close", () -> server.metrics().openConnections() == 3);
        open.add(connectAndCall(server, null));
        open.add(connectAndCall(server, null));
        assertThat(refusal(connect(server))).isEqualTo(BUSY_TOTAL_5);

        assertThat(server.metrics().refusedServerFull()).isEqualTo(2);
        for (Socket socket : open) {
            send(socket, "{\"id\":2,\"method\":\"StillServed\"}");
            assertThat(lines(socket).readLine()).startsWith("{\"id\":2,\"result\":");
        }
    }

    @Test
    void shouldRefuseOverThePerAddressLimitButAdmitAnotherAddress() throws Exception {
        JsonRpcServer server = start(FakeServices.echo(), ConnectionLimits.defaults().withConnections(10, 2));
        connectAndCall(server, "127.0.0.1");
        connectAndCall(server, "127.0.0.1");

        assertThat(refusal(connect(server, "127.0.0.1"))).isEqualTo("{\"id\":null,\"result\":null,\"error\":\"busy: "
                + "too many connections (limit 2): 2 already open from 127.0.0.1, close some before opening more\"}");

        Socket other;
        try {
            other = connect(server, "127.0.0.2");
        } catch (IOException e) {
            Assumptions.abort("this machine cannot connect from 127.0.0.2: " + e);
            return;
        }
        send(other, "{\"id\":3,\"method\":\"OtherAddress\"}");
        assertThat(lines(other).readLine()).startsWith("{\"id\":3,\"result\":");
        assertThat(server.metrics().openAddresses()).isEqualTo(2);
        assertThat(server.metrics().refusedAddressFull()).isEqualTo(1);
    }

    @Test
    void shouldCountExactlyWhenManyConnectAtOnceAndForgetEveryClosePath() throws Exception {
        JsonRpcServer server = start(FakeServices.echo(),
                ConnectionLimits.defaults().withConnections(20, 20).withRequestDeadline(Duration.ofMillis(200)));
        int clients = 60;
        List<Socket> sockets = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int i = 0; i < clients; i++) {
            Thread thread = new Thread(() -> {
                try {
                    go.await();
                    Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
                    synchronized (sockets) {
                        sockets.add(socket);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            thread.start();
            threads.add(thread);
        }
        go.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(failure.get()).isNull();
        toClose.addAll(sockets);

        await("every connection admitted or refused", () ->
                server.metrics().openConnections() + server.metrics().refusedServerFull() == clients);
        assertThat(server.metrics().openConnections()).isEqualTo(20);
        assertThat(server.metrics().refusedServerFull()).isEqualTo(40);

        for (Socket socket : sockets) {
            socket.close();
        }
        await("every close seen", () -> server.metrics().openConnections() == 0);

        // The server closes these, each its own way; and one client resets its connection.
        send(connect(server), "{\"id\": 1, \"method\": }");
        send(connect(server), "GET / HTTP/1.1\r\n\r\n");
        send(connect(server), "{\"id\": 1, \"method\": \"Never.Finished\"");
        send(connect(server), "{\"p\":\"" + "x".repeat(JsonRpcServer.Config.DEFAULT_MAX_REQUEST_BYTES));
        Socket reset = connectAndCall(server, null);
        reset.setSoLinger(true, 0);
        reset.close();

        await("every connection forgotten", () ->
                server.metrics().openConnections() == 0 && server.metrics().openAddresses() == 0);
        List<Socket> again = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            again.add(connectAndCall(server, null));
        }
        assertThat(refusal(connect(server))).contains("busy: too many connections (limit 20)");
    }

    @Test
    void shouldKeepAtMostTheInFlightLimitAndAnswerEveryRequest() throws Exception {
        FakeServices.Controlled service = new FakeServices.Controlled();
        JsonRpcServer server = start(service, ConnectionLimits.defaults().withMaxInFlightPerConnection(4));
        Socket socket = connect(server);
        StringBuilder requests = new StringBuilder();
        for (int id = 1; id <= 100; id++) {
            requests.append("{\"id\":").append(id).append(",\"method\":\"Call\"}\n");
        }

        send(socket, requests.toString());
        await("four calls started", () -> service.started.get() == 4);
        assertThat(server.metrics().inFlightLimitReached()).isPositive();
        for (int i = 0; i < 100; i++) {
            service.next().answer(i);
        }

        BufferedReader in = lines(socket);
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            String line = in.readLine();
            assertThat(line).contains("\"error\":null");
            ids.add(Integer.parseInt(line.substring("{\"id\":".length(), line.indexOf(','))));
        }
        assertThat(ids).hasSize(100).allMatch(id -> id >= 1 && id <= 100);
        assertThat(service.maxOutstanding.get()).isEqualTo(4);
    }

    @Test
    void shouldStopReadingAClientThatNeverReadsAndAnswerItAllOnceItReads() throws Exception {
        String padding = "p".repeat(8 * 1024); // 5,000 answers: 40 MB, far more than socket buffers hold
        AtomicInteger hogCalls = new AtomicInteger();
        RpcService service = (method, params, key) -> {
            if (method.equals("Hog")) {
                hogCalls.incrementAndGet();
            }
            return CompletableFuture.completedFuture(Map.of("padding", padding));
        };
        JsonRpcServer server = start(service, ConnectionLimits.defaults());
        Socket hog = new Socket();
        toClose.add(hog);
        hog.setReceiveBufferSize(16 * 1024);
        hog.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
        hog.setSoTimeout(30_000);
        int requests = 5_000;
        AtomicReference<Throwable> writeFailure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                OutputStream out = new BufferedOutputStream(hog.getOutputStream(), 4096);
                for (int id = 1; id <= requests; id++) {
                    out.write(("{\"id\":" + id + ",\"method\":\"Hog\"}\n").getBytes(UTF_8));
                }
                out.flush();
            } catch (Throwable e) {
                writeFailure.set(e);
            }
        }, "hog-writer");
        writer.start();

        await("the server stopped reading the client", () ->
                server.metrics().writeBufferFull() > 0 && server.metrics().pausedConnections() == 1);
        Socket other = connect(server);
        send(other, "{\"id\":\"other\",\"method\":\"Other\"}");
        assertThat(lines(other).readLine()).startsWith("{\"id\":\"other\",\"result\":{\"padding\":\"ppp");
        assertThat(hogCalls.get()).as("requests read from the client that does not read").isLessThan(requests / 2);

        BufferedReader in = lines(hog);
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < requests; i++) {
            String line = in.readLine();
            assertThat(line).endsWith("\"},\"error\":null}");
            ids.add(Integer.parseInt(line.substring("{\"id\":".length(), line.indexOf(','))));
        }
        writer.join();

        assertThat(writeFailure.get()).isNull();
        assertThat(ids).hasSize(requests);
        assertThat(hogCalls.get()).isEqualTo(requests);
        await("reading resumed", () -> server.metrics().pausedConnections() == 0);
    }

    @Test
    void shouldAnswerAndCloseASlowlorisAfterTheDeadline() throws Exception {
        JsonRpcServer server = start(FakeServices.echo(),
                ConnectionLimits.defaults().withRequestDeadline(Duration.ofMillis(300)));
        Socket slow = connect(server);

        send(slow, "{\"id\": 1, \"method\": \"Responder.GetCo");

        assertThat(refusal(slow)).isEqualTo("{\"id\":null,\"result\":null,\"error\":\"request not completed within "
                + "0.3 s: send each request object whole, without pausing inside it\"}");
        await("counted", () -> server.metrics().requestsIncomplete() == 1);
    }

    @Test
    void shouldRefuseAnObjectOverTheDefaultSizeAsSoonAsItIsTooLong() throws Exception {
        JsonRpcServer server = start(FakeServices.echo(), ConnectionLimits.defaults());
        Socket big = connect(server);
        String prefix = "{\"id\":1,\"method\":\"Big\",\"params\":[\"";

        // One byte over the limit and no end: the answer cannot wait for the end.
        send(big, prefix + "x".repeat(64 * 1024 + 1 - prefix.length()));

        assertThat(refusal(big)).isEqualTo("{\"id\":null,\"result\":null,\"error\":\"request larger than 65536 bytes\"}");
        await("counted", () -> server.metrics().requestsTooLarge() == 1);
    }

    @Test
    void shouldAcceptAnObjectOfExactlyTheDefaultSize() throws Exception {
        JsonRpcServer server = start(FakeServices.echo(), ConnectionLimits.defaults());
        Socket socket = connect(server);
        String prefix = "{\"id\":1,\"method\":\"Big\",\"params\":[\"";
        String suffix = "\"]}";

        send(socket, prefix + "x".repeat(64 * 1024 - prefix.length() - suffix.length()) + suffix);

        assertThat(lines(socket).readLine()).startsWith("{\"id\":1,\"result\":{\"method\":\"Big\"");
    }
}
