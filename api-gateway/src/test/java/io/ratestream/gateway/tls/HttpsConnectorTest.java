package io.ratestream.gateway.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.javalin.Javalin;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** HTTPS on a Javalin server through {@link HttpsConnector}, with java.net.http as the client. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpsConnectorTest {

    @TempDir
    Path dir;

    private Javalin server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    /** A server whose one route answers the digest of the request's client certificate ("none" without). */
    private int start(TlsSettings settings) {
        TlsContexts tls = TlsContexts.load(settings);
        server = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            HttpsConnector.install(config, tls);
            config.routes.get("/whoami", ctx -> ctx.result(String.valueOf(ClientCertificates.sha256Hex(ctx.req()))));
        });
        server.start("127.0.0.1", 0);
        return server.port();
    }

    private static HttpResponse<String> get(int port, SSLContext context) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(10)).build();
        return client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/whoami"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest(name = "ec={0}")
    @ValueSource(booleans = {false, true})
    void shouldSeeTheClientCertificatesDigest(boolean ec) throws Exception {
        TestPki.Setup pki = TestPki.setup(dir, ec);
        int port = start(pki.settings());

        HttpResponse<String> response = get(port, TestPki.clientContext(pki.ca(), pki.client()));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(pki.client().sha256());
    }

    @Test
    void shouldServeAClientWithoutACertificateWhenACaIsGiven() throws Exception {
        TestPki.Setup pki = TestPki.setup(dir, false);
        int port = start(pki.settings());

        HttpResponse<String> response = get(port, TestPki.clientContext(pki.ca(), null));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("null");
    }

    @Test
    void shouldNotAskForACertificateWithoutACa() throws Exception {
        TestPki.Setup pki = TestPki.setup(dir, true);
        int port = start(pki.withoutClientCa());

        HttpResponse<String> response = get(port, TestPki.clientContext(pki.ca(), pki.client()));

        assertThat(response.body()).isEqualTo("null");
    }

    @Test
    void shouldRefuseACertificateAnotherCaSignedAndKeepServing() throws Exception {
        TestPki.Setup pki = TestPki.setup(dir, false);
        int port = start(pki.settings());

        assertThatThrownBy(() -> get(port, TestPki.clientContext(pki.ca(), pki.foreignClient())))
                .isInstanceOf(IOException.class);

        assertThat(get(port, TestPki.clientContext(pki.ca(), pki.client())).body()).isEqualTo(pki.client().sha256());
    }

    @Test
    void shouldListenWithHttpsOnlyAndKeepServingAfterAPlainHttpClient() throws Exception {
        TestPki.Setup pki = TestPki.setup(dir, false);
        int port = start(pki.settings());

        assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/whoami")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
        try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), port)) {
            plain.setSoTimeout(10_000);
            plain.getOutputStream().write("GET /whoami HTTP/1.1\r\nHost: x\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String answer = new String(plain.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(answer).doesNotContain("200").doesNotContain("null");
        }
        assertThat(server.jettyServer().server().getConnectors()).hasSize(1);

        assertThat(get(port, TestPki.clientContext(pki.ca(), pki.client())).statusCode()).isEqualTo(200);
    }
}
