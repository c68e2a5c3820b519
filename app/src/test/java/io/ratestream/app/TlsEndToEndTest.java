package io.ratestream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.gateway.GatewayConfig;
import io.ratestream.gateway.tls.ClientCertificates;
import io.ratestream.gateway.tls.TlsSettings;
import io.ratestream.schemas.json.Json;
import io.ratestream.streams.StreamsAppConfig;
import io.ratestream.testkit.junit.KafkaBroker;
import io.ratestream.testkit.junit.KafkaBrokerExtension;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole stack with TLS on both listeners, from files made with the openssl command line as an operator
 * would (docs/security.md): JSON-RPC over TLS with a client certificate, HTTPS with and without one,
 * Python's ssl module as a client, and a plain client turned away.
 */
@ExtendWith(KafkaBrokerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsEndToEndTest {

    private static final String SEED = "{\"id\": 1, \"method\": \"Responder.GetCost\", \"params\": [{\"Tor\": 0, "
            + "\"CstmId\": \"vdf\", \"Subject\": \"rif\", \"DestinationPrefix\": \"0256\", "
            + "\"TimeStart\": \"2012-02-02T17:30:00Z\", \"TimeEnd\": \"2012-02-02T18:30:00Z\"}]}";

    private final ObjectMapper mapper = Json.newMapper();
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private Path pki;
    private DevStack stack;

    @BeforeAll
    void start(KafkaBroker broker, @TempDir Path state, @TempDir Path files) throws Exception {
        Assumptions.assumeTrue(onPath("openssl"), "openssl is not on PATH: install it (apt-get install openssl) to "
                + "run the TLS test with files made as an operator makes them");
        pki = files;
        makeCertificates();
        String bootstrap = broker.bootstrapServers();
        stack = DevStack.start(StreamsAppConfig.defaults(bootstrap, state).withApplicationId("tls-" + run),
                GatewayConfig.defaults(bootstrap).withPorts(0, 0).withTls(new TlsSettings(pki.resolve("server.pem"),
                        pki.resolve("server.key"), pki.resolve("ca.pem"))), Duration.ofSeconds(90));
        // Rating profiles carry their tenant (vdf) in the files; loading them again changes nothing.
        assertThat(stack.load(EndToEndTest.DEMO, "vdf", Duration.ofSeconds(60)).errors()).isEmpty();
    }

    @AfterAll
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    /** The commands of docs/security.md: a CA, an EC server key and certificate, an RSA client's. */
    private void makeCertificates() throws Exception {
        Files.writeString(pki.resolve("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                + "extendedKeyUsage=serverAuth\n");
        Files.writeString(pki.resolve("client.ext"), "extendedKeyUsage=clientAuth\n");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "30",
                "-subj", "/CN=ratestream test CA");
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "server.key",
                "-out", "server.csr", "-subj", "/CN=localhost");
        openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "server.pem", "-days", "30", "-extfile", "server.ext");
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "client.key", "-out", "client.csr", "-subj",
                "/CN=billing");
        openssl("x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "client.pem", "-days", "30", "-extfile", "client.ext");
        openssl("pkcs12", "-export", "-in", "client.pem", "-inkey", "client.key", "-out", "client.p12",
                "-passout", "pass:test");
        openssl("x509", "-in", "client.pem", "-outform", "der", "-out", "client.der");
        openssl("dgst", "-sha256", "-out", "client.sha256", "client.der");
    }

    private String openssl(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        return run(command, null);
    }

    private String run(List<String> command, String input) throws Exception {
        Process process = new ProcessBuilder(command).directory(pki.toFile()).redirectErrorStream(true).start();
        if (input != null) {
            process.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        }
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + ": " + output).isZero();
        return output;
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    private SSLContext client(boolean withCertificate) throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        try (InputStream ca = Files.newInputStream(pki.resolve("ca.pem"))) {
            trusted.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(ca));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        KeyStore own = KeyStore.getInstance("PKCS12");
        if (withCertificate) {
            try (InputStream p12 = Files.newInputStream(pki.resolve("client.p12"))) {
                own.load(p12, "test".toCharArray());
            }
        } else {
            own.load(null, null);
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(own, "test".toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
        return context;
    }

    @Test
    void shouldAnswerJsonRpcOverTlsWithTheClientsCertificate() throws Exception {
        try (SSLSocket socket = (SSLSocket) client(true).getSocketFactory().createSocket("127.0.0.1",
                stack.gateway().jsonRpcPort())) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(SEED.getBytes(StandardCharsets.UTF_8));
            JsonNode response = mapper.readTree(new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8)).readLine());

            assertThat(response.get("error").isNull()).as(response.toString()).isTrue();
            assertThat(response.at("/result/Cost").decimalValue()).isEqualByComparingTo("540");
        }
    }

    @Test
    void shouldServeHttpsWithAndWithoutAClientCertificate() throws Exception {
        String path = "/getcost?cstmid=vdf&subj=rif&dest=0256&ts=2012-02-02T17:30:00Z"
                + "&te=2012-02-02T18:30:00Z";
        for (boolean withCertificate : new boolean[] {true, false}) {
            HttpResponse<String> response = HttpClient.newBuilder().sslContext(client(withCertificate)).build()
                    .send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + stack.gateway().httpPort() + path))
                            .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(mapper.readTree(response.body()).at("/Cost").decimalValue()).isEqualByComparingTo("540");
        }
        HttpResponse<String> jsonRpc = HttpClient.newBuilder().sslContext(client(false)).build().send(
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + stack.gateway().httpPort() + "/jsonrpc"))
                        .POST(HttpRequest.BodyPublishers.ofString(SEED)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(mapper.readTree(jsonRpc.body()).at("/result/Cost").decimalValue()).as(jsonRpc.body())
                .isEqualByComparingTo("540");
        assertThatThrownBy(() -> Wire.get(stack.gateway().httpPort(), path)).as("plain HTTP")
                .isInstanceOf(IOException.class);
    }

    @Test
    void shouldTurnAwayAPlainJsonRpcClientAndKeepServing() throws Exception {
        try (Socket plain = new Socket("127.0.0.1", stack.gateway().jsonRpcPort())) {
            plain.setSoTimeout(30_000);
            plain.getOutputStream().write(SEED.getBytes(StandardCharsets.UTF_8));
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            try {
                plain.getInputStream().transferTo(received);
            } catch (IOException reset) {
                // closed with a reset: turned away too
            }
            assertThat(received.toString(StandardCharsets.ISO_8859_1)).doesNotContain("Cost");
        }
        shouldAnswerJsonRpcOverTlsWithTheClientsCertificate();
    }

    @Test
    void shouldAnswerPythonsSslClient() throws Exception {
        Assumptions.assumeTrue(onPath("python3"), "python3 is not on PATH");
        String script = String.join("\n",
                "import json, socket, ssl, sys",
                "context = ssl.create_default_context(cafile='ca.pem')",
                "context.load_cert_chain('client.pem', 'client.key')",
                "with socket.create_connection(('127.0.0.1', int(sys.argv[1]))) as raw:",
                "    with context.wrap_socket(raw, server_hostname='127.0.0.1') as s:",
                "        s.sendall(sys.stdin.read().encode())",
                "        print(s.makefile().readline().strip())",
                "");
        Files.writeString(pki.resolve("client.py"), script);

        String output = run(List.of("python3", "client.py", String.valueOf(stack.gateway().jsonRpcPort())), SEED);

        assertThat(mapper.readTree(output).at("/result/Cost").decimalValue()).isEqualByComparingTo("540");
    }

    @Test
    void shouldComputeTheClientCertificatesDigestAsOpensslDoes() throws Exception {
        X509Certificate certificate;
        try (InputStream pem = Files.newInputStream(pki.resolve("client.pem"))) {
            certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(pem);
        }
        String openssl = Files.readString(pki.resolve("client.sha256")).strip(); // SHA2-256(client.der)= <hex>

        assertThat(openssl).endsWith("= " + ClientCertificates.sha256Hex(certificate));
    }
}
