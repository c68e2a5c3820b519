package io.ratestream.gateway.jsonrpc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.ratestream.gateway.tls.ClientCertificates;
import io.ratestream.gateway.tls.TestPki;
import io.ratestream.gateway.tls.TlsContexts;
import io.ratestream.gateway.tls.TlsSettings;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** JSON-RPC over TLS on a real port: the JDK's SSLSocket as the client, certificates made in the test. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JsonRpcTlsTest {

    private static final String REQUEST = "{\"id\":7,\"method\":\"Responder.Get\",\"params\":[{\"CstmId\":\"vdf\"}]}";

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final ObjectMapper mapper = new ObjectMapper();

    @TempDir
    Path dir;

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private JsonRpcServer start(TlsSettings settings, ConnectionLimits limits) {
        JsonRpcServer server = new JsonRpcServer(new JsonRpcServer.Config("127.0.0.1", 0,
                JsonRpcServer.Config.DEFAULT_MAX_REQUEST_BYTES, Duration.ofMinutes(1)), limits,
                new JsonRpcProtocol(FakeServices.echo()), TlsContexts.load(settings));
        toClose.add(server);
        server.start();
        return server;
    }

    private SSLSocket connect(int port, SSLContext context) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the server's name (127.0.0.1) is checked too
        socket.setSSLParameters(parameters);
        socket.setSoTimeout(10_000);
        toClose.add(socket);
        return socket;
    }

    private JsonNode call(Socket socket) throws IOException {
        socket.getOutputStream().write(REQUEST.getBytes(UTF_8));
        socket.getOutputStream().flush();
        String line = new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8)).readLine();
        assertThat(line).as("a response line").isNotNull();
        return mapper.readTree(line);
    }

    private void assertAnswers(int port, SSLContext context) throws IOException {
        JsonNode response = call(connect(port, context));
        assertThat(response.get("id").intValue()).isEqualTo(7);
        assertThat(response.at("/result/method").asText()).isEqualTo("Responder.Get");
        assertThat(response.at("/result/params/0/CstmId").asText()).isEqualTo("vdf");
    }

    /** The connection gets no response: the handshake or the first read fails, or it is closed at once. */
    private static void assertRefused(Socket socket) {
        try {
            if (socket instanceof SSLSocket ssl) {
                ssl.startHandshake(); // TLS 1.3: the client may finish before the server checks its certificate
            }
            socket.getOutputStream().write(REQUEST.getBytes(UTF_8));
            socket.getOutputStream().flush();
            byte[] received = readToEnd(socket.getInputStream());
            assertThat(new String(received, UTF_8)).as("what a refused connection receives").doesNotContain("result");
        } catch (IOException refused) {
            assertThat(refused).as("a refusal, not the client's read deadline")
                    .isNotInstanceOf(java.net.SocketTimeoutException.class);
        }
    }

    private static byte[] readToEnd(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
            all.write(buffer, 0, read);
        }
        return all.toByteArray();
    }

    @ParameterizedTest(name = "ec={0}")
    @ValueSource(booleans = {false, true})
    void shouldAnswerOverTlsWithAClientCertificate(boolean ec) throws Exception {
        TestPki.Setup pki = TestPki.setup(dir, ec);
        JsonRpcServer server = start(pki.settings(), ConnectionLimits.defaults());

        assertAnswers(server.port(), TestPki.clientContext(pki.ca(), pki.client()));
    }

    @Test
    void shouldAnswerClientsWithoutCertificatesWhenNoCaIsGiven() throws Exception {
        TestPki.Setup pki = TestPki.setup(dir, false);
        JsonRpcServer server = start(pki.withoutClientCa(), ConnectionLimits.defaults());

        assertAnswers(server.port(), TestPki.clientContext(pki.ca(), null));
    }

    @Test
    void shouldRefuseClientsWithoutACertificateOrWithAnotherCasAndKeepServing() throws Exception {
        TestPki.Setup pki = TestPki.setup(dir, false);
        JsonRpcServer server = start(pki.settings(), ConnectionLimits.defaults());

        assertRefused(connect(server.port(), TestPki.clientContext(pki.ca(), null)));
        assertRefused(connect(server.port(), TestPki.clientContext(pki.ca(), pki.foreignClient())));

        assertAnswers(server.port(), TestPki.clientContext(pki.ca(), pki.client()));
        assertThat(server.metrics().openConnections()).isLessThanOrEqualTo(1);
    }

    @Test
    void shouldCloseAPlainTcpClientAndKeepServing() throws Exception {
        TestPki.Setup pki = TestPki.setup(dir, false);
        JsonRpcServer server = start(pki.settings(), ConnectionLimits.defaults());
        Socket plain = new Socket(InetAddress.getLoopbackAddress(), server.port());
        plain.setSoTimeout(10_000);
        toClose.add(plain);

        assertRefused(plain);

        assertAnswers(server.port(), TestPki.clientContext(pki.ca(), pki.client()));
    }

    @Test
    void shouldCloseAConnectionThatNeverCompletesItsHandshake() throws Exception {
        TestPki.Setup pki = TestPki.setup(dir, false);
        JsonRpcServer server = start(pki.settings().withHandshakeTimeout(Duration.ofMillis(300)),
                ConnectionLimits.defaults());
        Socket silent = new Socket(InetAddress.getLoopbackAddress(), server.port());
        // Far beyond the 300 ms, far below Netty's own 10 s default: only the configured timeout closes it.
        silent.setSoTimeout(5_000);
        toClose.add(silent);

        assertThat(silent.getInputStream().read()).as("end of stream: the server closed the connection").isEqualTo(-1);

        assertAnswers(server.port(), TestPki.clientContext(pki.ca(), pki.client()));
    }

    @Test
    void shouldRefuseAConnectionOverTheLimitBeforeItsHandshake() throws Exception {
        TestPki.Setup pki = TestPki.setup(dir, false);
        JsonRpcServer server = start(pki.settings(), ConnectionLimits.defaults().withConnections(1, 1));
        SSLContext client = TestPki.clientContext(pki.ca(), pki.client());
        SSLSocket first = connect(server.port(), client);
        assertThat(call(first).get("id").intValue()).isEqualTo(7);

        SSLSocket second = connect(server.port(), client);
        assertRefused(second);
        assertThat(server.metrics().refusedServerFull()).isEqualTo(1);

        first.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.metrics().openConnections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertAnswers(server.port(), client);
    }

    @Test
    void shouldGiveTheVerifiedClientCertificatesDigestOnTheServerSide() throws Exception {
        TestPki.Setup pki = TestPki.setup(dir, true);
        BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
        int tls = listen(TlsContexts.load(pki.settings()), accepted);
        int plain = listen(null, accepted);

        call(connect(tls, TestPki.clientContext(pki.ca(), pki.client())));
        Channel withCertificate = accepted.poll(10, TimeUnit.SECONDS);
        call(new Socket(InetAddress.getLoopbackAddress(), plain));
        Channel withoutTls = accepted.poll(10, TimeUnit.SECONDS);

        assertThat(ClientCertificates.sha256Hex(withCertificate)).isEqualTo(pki.client().sha256())
                .matches("[0-9a-f]{64}");
        assertThat(ClientCertificates.sha256Hex(withoutTls)).isNull();
    }

    @Test
    void shouldHaveNoClientDigestWhenNoCaAsksForACertificate() throws Exception {
        TestPki.Setup pki = TestPki.setup(dir, false);
        BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
        int port = listen(TlsContexts.load(pki.withoutClientCa()), accepted);

        call(connect(port, TestPki.clientContext(pki.ca(), pki.client())));

        assertThat(ClientCertificates.sha256Hex(accepted.poll(10, TimeUnit.SECONDS))).isNull();
    }

    /** The listener's own pipeline, on a bootstrap that also hands the test each accepted channel. */
    private int listen(TlsContexts tls, BlockingQueue<Channel> accepted) {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        toClose.add(() -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly());
        ConnectionLimits limits = ConnectionLimits.defaults();
        JsonRpcMetrics metrics = new JsonRpcMetrics(new ConnectionLimiter(10, 10));
        Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        accepted.add(channel);
                        channel.pipeline().addLast(new JsonRpcChannelInitializer(new JsonRpcProtocol(
                                FakeServices.echo()), 65_536, Duration.ZERO, limits, metrics, tls));
                    }
                })
                .bind("127.0.0.1", 0).syncUninterruptibly().channel();
        return ((InetSocketAddress) server.localAddress()).getPort();
    }
}
