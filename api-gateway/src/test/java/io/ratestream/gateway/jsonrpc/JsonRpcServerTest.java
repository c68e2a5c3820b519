package io.ratestream.gateway.jsonrpc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.gateway.rpc.RpcService;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The server on a real port, with plain sockets as clients. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JsonRpcServerTest {

    // Python's json.dumps of the SPEC snippet's request, byte for byte.
    private static final String SEED_REQUEST = "{\"id\": 1, \"method\": \"Responder.Get\", \"params\": [{\"Tor\": 0, "
            + "\"CstmId\": \"vdf\", \"Subject\": \"rif\", \"DestinationPrefix\": \"0256\", "
            + "\"TimeStart\": \"2012-02-02T17:30:00Z\", \"TimeEnd\": \"2012-02-02T18:30:00Z\"}]}";

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private JsonRpcServer start(RpcService service, Duration idleTimeout) {
        JsonRpcServer server = new JsonRpcServer(
                new JsonRpcServer.Config("127.0.0.1", 0, JsonRpcServer.Config.DEFAULT_MAX_REQUEST_BYTES, idleTimeout),
                service);
        toClose.add(server);
        server.start();
        return server;
    }

    private Socket connect(JsonRpcServer server) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
        socket.setSoTimeout(10_000);
        toClose.add(socket);
        return socket;
    }

    private static BufferedReader lines(Socket socket) throws IOException {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8));
    }

    private static void send(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(UTF_8));
        socket.getOutputStream().flush();
    }

    @Test
    void shouldAnswerTheSeedSnippetInOneRead() throws Exception {
        JsonRpcServer server = start(FakeServices.echo(), Duration.ofMinutes(1));
        Socket socket = connect(server);

        send(socket, SEED_REQUEST);
        byte[] buffer = new byte[4096];
        int read = socket.getInputStream().read(buffer);

        assertThat(new String(buffer, 0, read, UTF_8)).isEqualTo("{\"id\":1,\"result\":{\"method\":\"Responder.Get\","
                + "\"params\":[{\"Tor\":0,\"CstmId\":\"vdf\",\"Subject\":\"rif\",\"DestinationPrefix\":\"0256\","
                + "\"TimeStart\":\"2012-02-02T17:30:00Z\",\"TimeEnd\":\"2012-02-02T18:30:00Z\"}]},\"error\":null}\n");
    }

    @Test
    void shouldAnswerPipelinedRequestsWithTheirIds() throws Exception {
        JsonRpcServer server = start(FakeServices.delayed(), Duration.ofMinutes(1));
        Socket socket = connect(server);
        StringBuilder requests = new StringBuilder();
        for (int id = 1; id <= 50; id++) {
            int delay = (50 - id) % 7 * 5; // later requests often finish first
            requests.append("{\"id\":").append(id).append(",\"method\":\"Echo\",\"params\":[{\"delay\":")
                    .append(delay).append("}]}");
        }

        send(socket, requests.toString());
        BufferedReader in = lines(socket);
        Set<Integer> ids = new HashSet<>();
        ObjectMapper mapper = new ObjectMapper();
        for (int i = 0; i < 50; i++) {
            ids.add(mapper.readTree(in.readLine()).get("id").intValue());
        }

        assertThat(ids).hasSize(50).allMatch(id -> id >= 1 && id <= 50);
    }

    @Test
    void shouldServeManyConnectionsAtOnce() throws Exception {
        JsonRpcServer server = start(FakeServices.delayed(), Duration.ofMinutes(1));
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            sockets.add(connect(server));
        }

        for (int i = 0; i < sockets.size(); i++) {
            send(sockets.get(i), "{\"id\":" + i + ",\"method\":\"Echo\",\"params\":[{\"delay\":" + i % 10 + "}]}");
        }

        for (int i = 0; i < sockets.size(); i++) {
            assertThat(lines(sockets.get(i)).readLine()).startsWith("{\"id\":" + i + ",\"result\":{");
        }
    }

    @Test
    void shouldCloseOnlyTheConnectionThatSentMalformedJson() throws Exception {
        JsonRpcServer server = start(FakeServices.echo(), Duration.ofMinutes(1));
        Socket bad = connect(server);
        Socket good = connect(server);

        send(bad, "{\"id\": 1, \"method\": }");
        BufferedReader badIn = lines(bad);
        assertThat(badIn.readLine()).startsWith("{\"id\":null,\"result\":null,\"error\":\"malformed JSON: ");
        assertThat(badIn.read()).isEqualTo(-1);

        send(good, "{\"id\":2,\"method\":\"Still.Here\"}");
        assertThat(lines(good).readLine())
                .isEqualTo("{\"id\":2,\"result\":{\"method\":\"Still.Here\",\"params\":null},\"error\":null}");
    }

    @Test
    void shouldCloseIdleConnections() throws Exception {
        JsonRpcServer server = start(FakeServices.echo(), Duration.ofMillis(200));
        Socket socket = connect(server);

        assertThat(socket.getInputStream().read()).isEqualTo(-1);
    }

    @Test
    void shouldSayWhatToDoWhenThePortIsInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            JsonRpcServer server = new JsonRpcServer(
                    JsonRpcServer.Config.of("127.0.0.1", taken.getLocalPort()), FakeServices.echo());

            assertThatThrownBy(server::start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("port " + taken.getLocalPort()
                            + " is in use: stop the other process or pass --jsonrpc-port");
            server.close();
        }
    }

    @Test
    void shouldAnswerTheOriginalPythonSnippet() throws Exception {
        Assumptions.assumeTrue(python3Runs(), "python3 is not installed");
        Map<String, Object> callCost = new LinkedHashMap<>();
        callCost.put("Destination", "0256");
        callCost.put("Cost", new BigDecimal("5.400000"));
        callCost.put("ConnectFee", new BigDecimal("0.0"));
        RpcService service = (method, params, key) -> CompletableFuture.completedFuture(callCost);
        JsonRpcServer server = start(service, Duration.ofMinutes(1));
        String script = String.join("\n",
                "import json, socket",
                "cd = {\"Tor\": 0, \"CstmId\": \"vdf\", \"Subject\": \"rif\", \"DestinationPrefix\": \"0256\",",
                "      \"TimeStart\": \"2012-02-02T17:30:00Z\", \"TimeEnd\": \"2012-02-02T18:30:00Z\"}",
                "s = socket.create_connection((\"127.0.0.1\", " + server.port() + "))",
                "s.sendall(json.dumps({\"id\": 1, \"method\": \"Responder.Get\", \"params\": [cd]}).encode())",
                "print(s.recv(4096))");

        Process python = new ProcessBuilder("python3", "-c", script).redirectErrorStream(true).start();
        String printed = new String(python.getInputStream().readAllBytes(), UTF_8);

        assertThat(python.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(python.exitValue()).as(printed).isZero();
        assertThat(printed).contains("\"result\"", "\"Cost\":5.4,", "\"ConnectFee\":0}", "\"error\":null");
    }

    private static boolean python3Runs() {
        try {
            Process probe = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
            probe.getInputStream().readAllBytes();
            return probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
