package io.ratestream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.gateway.GatewayConfig;
import io.ratestream.gateway.auth.AuthFile;
import io.ratestream.gateway.auth.Authenticator;
import io.ratestream.gateway.auth.Role;
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
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole stack with TLS on both listeners and an auth file, from files made with the openssl command
 * line as an operator would (docs/security.md): JSON-RPC over TLS authenticated by the client certificate
 * a principal names, a certificate the CA signed that no principal names (unauthenticated until an API key
 * authenticates it), HTTPS with a certificate, with a key and with neither, Python's ssl module and Go's
 * {@code net/rpc/jsonrpc} over {@code tls.Dial} as clients, and a plain client turned away.
 */
@ExtendWith(KafkaBrokerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsEndToEndTest {

    private static final String SEED = "{\"id\": 1, \"method\": \"Responder.GetCost\", \"params\": [{\"Tor\": 0, "
            + "\"CstmId\": \"vdf\", \"Subject\": \"rif\", \"DestinationPrefix\": \"0256\", "
            + "\"TimeStart\": \"2012-02-02T17:30:00Z\", \"TimeEnd\": \"2012-02-02T18:30:00Z\"}]}";

    private static final String DEBIT = "{\"id\": 2, \"method\": \"Responder.DebitBalance\", \"params\": [{"
            + "\"CstmId\": \"vdf\", \"Subject\": \"minutosu\", \"Amount\": 0}]}";

    private final ObjectMapper mapper = Json.newMapper();
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    /** The key of principal "switch" (rate and charge for vdf); "billing" is client.pem's holder (rate only). */
    private final String switchKey = "rsk_tls-test-" + run;
    private Path pki;
    private DevStack stack;

    @BeforeAll
    void start(KafkaBroker broker, @TempDir Path state, @TempDir Path files) throws Exception {
        Programs.require("openssl", "openssl");
        pki = files;
        makeCertificates();
        // The digest as openssl prints it, in upper case: the auth file takes either letter case.
        String digest = Files.readString(pki.resolve("client.sha256")).strip().replaceAll(".*= ", "")
                .toUpperCase(java.util.Locale.ROOT);
        AuthFile auth = new AuthFile(List.of(
                new AuthFile.Entry("billing", null, digest, List.of("vdf"), List.of(Role.RATE)),
                new AuthFile.Entry("switch", Authenticator.apiKey(switchKey).sha256(), null, List.of("vdf"),
                        List.of(Role.RATE, Role.CHARGE))));
        String bootstrap = broker.bootstrapServers();
        stack = DevStack.start(StreamsAppConfig.defaults(bootstrap, state).withApplicationId("tls-" + run),
                GatewayConfig.defaults(bootstrap).withPorts(0, 0).withTls(new TlsSettings(pki.resolve("server.pem"),
                        pki.resolve("server.key"), pki.resolve("ca.pem"))).withAuthenticator(Authenticator.of(auth)),
                Duration.ofSeconds(90));
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
        // A client the CA signed that no principal names.
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "stranger.key", "-out", "stranger.csr", "-subj",
                "/CN=stranger");
        openssl("x509", "-req", "-in", "stranger.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "stranger.pem", "-days", "30", "-extfile", "client.ext");
        openssl("pkcs12", "-export", "-in", "stranger.pem", "-inkey", "stranger.key", "-out", "stranger.p12",
                "-passout", "pass:test");
        openssl("x509", "-in", "client.pem", "-outform", "der", "-out", "client.der");
        openssl("dgst", "-sha256", "-out", "client.sha256", "client.der");
    }

    private String openssl(String... arguments) throws Exception {
        return Openssl.openssl(pki, arguments);
    }

    private String run(List<String> command, String input) throws Exception {
        return Openssl.run(pki, command, input);
    }

    private SSLContext client(boolean withCertificate) throws Exception {
        return client(withCertificate ? "client" : null);
    }

    /** A client context trusting the CA, presenting {@code holder}.p12 (none when null). */
    private SSLContext client(String holder) throws Exception {
        TrustManagerFactory trust = Openssl.trustManagers(pki);
        KeyStore own = KeyStore.getInstance("PKCS12");
        if (holder != null) {
            try (InputStream p12 = Files.newInputStream(pki.resolve(holder + ".p12"))) {
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

    /** Sends each request on one TLS connection presenting {@code holder}'s certificate; the answers in order. */
    private List<JsonNode> overTls(String holder, String... requests) throws Exception {
        try (SSLSocket socket = (SSLSocket) client(holder).getSocketFactory().createSocket("127.0.0.1",
                stack.gateway().jsonRpcPort())) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.setSoTimeout(30_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            List<JsonNode> answers = new ArrayList<>();
            for (String request : requests) {
                socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
                answers.add(mapper.readTree(in.readLine()));
            }
            return answers;
        }
    }

    @Test
    void shouldAnswerJsonRpcOverTlsWithTheClientsCertificate() throws Exception {
        // billing's certificate authenticates the connection at the handshake: no Authenticate call.
        List<JsonNode> answers = overTls("client", SEED, DEBIT);

        assertThat(answers.get(0).get("error").isNull()).as(answers.get(0).toString()).isTrue();
        assertThat(answers.get(0).at("/result/Cost").decimalValue()).isEqualByComparingTo("540");
        // ... as billing, which may rate but not charge.
        assertThat(answers.get(1).get("error").asText())
                .isEqualTo("forbidden: principal 'billing' lacks the role charge that DebitBalance needs");
    }

    @Test
    void shouldLeaveACertificateNoPrincipalNamesUnauthenticatedUntilAKeyAuthenticatesIt() throws Exception {
        String authenticate = "{\"id\": 9, \"method\": \"Responder.Authenticate\", \"params\": [{\"ApiKey\": \""
                + switchKey + "\"}]}";
        List<JsonNode> answers = overTls("stranger", SEED, authenticate, SEED, DEBIT);

        assertThat(answers.get(0).get("error").asText()).startsWith("unauthenticated: unknown client certificate");
        assertThat(answers.get(1).get("result").asBoolean()).isTrue();
        assertThat(answers.get(2).at("/result/Cost").decimalValue()).isEqualByComparingTo("540");
        assertThat(answers.get(3).get("error").isNull()).as("switch may charge: " + answers.get(3)).isTrue();
    }

    @Test
    void shouldServeHttpsWithAndWithoutAClientCertificate() throws Exception {
        String path = "/getcost?cstmid=vdf&subj=rif&dest=0256&ts=2012-02-02T17:30:00Z"
                + "&te=2012-02-02T18:30:00Z";
        // With billing's certificate, or without one but with switch's key: both principals may rate.
        for (boolean withCertificate : new boolean[] {true, false}) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:"
                    + stack.gateway().httpPort() + path)).timeout(Duration.ofSeconds(30));
            if (!withCertificate) {
                request.header("Authorization", "Bearer " + switchKey);
            }
            HttpResponse<String> response = HttpClient.newBuilder().sslContext(client(withCertificate)).build()
                    .send(request.build(), HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(mapper.readTree(response.body()).at("/Cost").decimalValue()).isEqualByComparingTo("540");
        }
        // Neither a certificate nor a key: 401. billing's certificate charging: 403.
        HttpResponse<String> nobody = HttpClient.newBuilder().sslContext(client(false)).build().send(
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + stack.gateway().httpPort() + path))
                        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(nobody.statusCode()).as(nobody.body()).isEqualTo(401);
        HttpResponse<String> billingCharges = HttpClient.newBuilder().sslContext(client(true)).build().send(
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + stack.gateway().httpPort()
                        + "/debitbalance?cstmid=vdf&subj=minutosu&amount=0")).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(billingCharges.statusCode()).as(billingCharges.body()).isEqualTo(403);
        assertThat(billingCharges.body()).contains("principal 'billing' lacks the role charge");
        HttpResponse<String> jsonRpc = HttpClient.newBuilder().sslContext(client(false)).build().send(
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + stack.gateway().httpPort() + "/jsonrpc"))
                        .header("Authorization", "Bearer " + switchKey)
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
        Programs.require("python3", "python3");
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

    /**
     * Go's own client, unchanged: {@code tls.Dial} + {@code jsonrpc.NewClient}, authenticated by billing's
     * certificate, and by the stranger's certificate plus {@code Responder.Authenticate} with switch's key.
     */
    @Test
    void shouldAnswerGosJsonRpcClientOverTls() throws Exception {
        Programs.require("go", "golang-go");
        Files.writeString(pki.resolve("client.go"), String.join("\n",
                "package main",
                "",
                "import (",
                "\t\"crypto/tls\"",
                "\t\"crypto/x509\"",
                "\t\"fmt\"",
                "\t\"net/rpc/jsonrpc\"",
                "\t\"os\"",
                "\t\"time\"",
                ")",
                "",
                "// The 2012 rater's CallDescriptor, as Go clients declare it.",
                "type CallDescriptor struct {",
                "\tTOR                                   int",
                "\tCstmId, Subject, DestinationPrefix    string",
                "\tTimeStart, TimeEnd                    time.Time",
                "\tAmount                                float64",
                "}",
                "",
                "func main() {",
                "\tport, holder, key := os.Args[1], os.Args[2], os.Args[3]",
                "\tca, _ := os.ReadFile(\"ca.pem\")",
                "\tpool := x509.NewCertPool()",
                "\tpool.AppendCertsFromPEM(ca)",
                "\tcertificate, err := tls.LoadX509KeyPair(holder+\".pem\", holder+\".key\")",
                "\tif err != nil {",
                "\t\tpanic(err)",
                "\t}",
                "\tconn, err := tls.Dial(\"tcp\", \"127.0.0.1:\"+port, &tls.Config{RootCAs: pool,",
                "\t\tCertificates: []tls.Certificate{certificate}})",
                "\tif err != nil {",
                "\t\tpanic(err)",
                "\t}",
                "\tclient := jsonrpc.NewClient(conn)",
                "\tif key != \"-\" {",
                "\t\tvar ok bool",
                "\t\terr = client.Call(\"Responder.Authenticate\", map[string]string{\"ApiKey\": key}, &ok)",
                "\t\tfmt.Println(\"authenticate\", ok, err)",
                "\t}",
                "\tstart := time.Date(2012, 2, 2, 17, 30, 0, 0, time.UTC)",
                "\tcd := CallDescriptor{CstmId: \"vdf\", Subject: \"rif\", DestinationPrefix: \"0256\",",
                "\t\tTimeStart: start, TimeEnd: start.Add(time.Hour)}",
                "\tvar cost map[string]interface{}",
                "\terr = client.Call(\"Responder.GetCost\", cd, &cost)",
                "\tfmt.Println(\"getcost\", cost[\"Cost\"], err)",
                "\tvar credit float64",
                "\terr = client.Call(\"Responder.DebitBalance\", CallDescriptor{CstmId: \"vdf\", Subject: \"minutosu\"}, &credit)",
                "\tfmt.Println(\"debitbalance\", err)",
                "}",
                ""));
        String port = String.valueOf(stack.gateway().jsonRpcPort());
        Path cache = pki.resolve("go-cache");

        String billing = run(goRun(cache, "client.go", port, "client", "-"), null);
        String stranger = run(goRun(cache, "client.go", port, "stranger", switchKey), null);

        assertThat(billing).contains("getcost 540 <nil>")
                .contains("debitbalance forbidden: principal 'billing' lacks the role charge that DebitBalance needs");
        assertThat(stranger).contains("authenticate true <nil>").contains("getcost 540 <nil>")
                .contains("debitbalance <nil>");
    }

    private static List<String> goRun(Path cache, String... arguments) {
        List<String> command = new ArrayList<>(List.of("env", "GOCACHE=" + cache, "GOPATH=" + cache.resolve("path"),
                "GO111MODULE=off", "go", "run"));
        command.addAll(List.of(arguments));
        return command;
    }

    /** The console over TLS: with billing's certificate, and with the stranger's plus switch's key. */
    @Test
    void shouldRunTheConsoleOverTls() throws Exception {
        String server = "127.0.0.1:" + stack.gateway().jsonRpcPort();
        String ca = pki.resolve("ca.pem").toString();

        CliTest.Run billing = CliTest.cli("console", "getcost", "-server", server, "-tls-ca", ca, "-tls-client-cert",
                pki.resolve("client.pem").toString(), "-tls-client-key", pki.resolve("client.key").toString(),
                "-ts", "2012-02-02T17:30:00Z", "-te", "2012-02-02T18:30:00Z");
        CliTest.Run stranger = CliTest.cli("console", "debitbalance", "-server", server, "-tls-ca", ca,
                "-tls-client-cert", pki.resolve("stranger.pem").toString(), "-tls-client-key",
                pki.resolve("stranger.key").toString(), "-subject", "minutosu", "-amount", "0", "-api-key", switchKey);
        CliTest.Run strangerWithoutKey = CliTest.cli("console", "debitbalance", "-server", server, "-tls-ca", ca,
                "-tls-client-cert", pki.resolve("stranger.pem").toString(), "-tls-client-key",
                pki.resolve("stranger.key").toString(), "-subject", "minutosu", "-amount", "0");

        assertThat(billing.code()).as(billing.err()).isZero();
        assertThat(billing.out()).startsWith("cost 540 ");
        assertThat(stranger.code()).as(stranger.out() + stranger.err()).isZero();
        assertThat(strangerWithoutKey.code()).isEqualTo(1);
        assertThat(strangerWithoutKey.out()).startsWith("error: unauthenticated: unknown client certificate");
    }

    @Test
    void shouldComputeTheClientCertificatesDigestAsOpensslDoes() throws Exception {
        X509Certificate certificate;
        try (InputStream pem = Files.newInputStream(pki.resolve("client.pem"))) {
            certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(pem);
        }
        String openssl = Files.readString(pki.resolve("client.sha256")).strip(); // SHA2-256(client.der)= <hex>

        assertThat(openssl).endsWith("= " + Authenticator.sha256Hex(certificate.getEncoded()));
    }
}
