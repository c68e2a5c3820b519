package io.ratestream.app;

import io.ratestream.gateway.GatewayConfig;
import io.ratestream.gateway.tls.TlsSettings;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * {@link AccessControlTest}'s whole matrix again with both listeners on TLS (a CA and server certificate
 * made with openssl in the test): HTTPS GET, JSON-RPC over HTTPS, JSON-RPC over TLS. Keys authenticate;
 * client certificates as principals are {@link TlsEndToEndTest}'s.
 */
class AccessControlTlsTest extends AccessControlTest {

    private Path pki;
    private SSLContext client;

    @Override
    GatewayConfig listeners(GatewayConfig config) throws Exception {
        pki = Files.createTempDirectory("access-tls");
        Openssl.serverFiles(pki);
        client = Openssl.trusting(pki);
        return config.withTls(new TlsSettings(pki.resolve("server.pem"), pki.resolve("server.key"), null));
    }

    @Override
    HttpClient.Builder httpClient() throws Exception {
        return super.httpClient().sslContext(client);
    }

    @Override
    String scheme() {
        return "https";
    }

    @Override
    RpcConnection connect() throws Exception {
        SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", tcpPort());
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(parameters);
        socket.setTcpNoDelay(true);
        return new RpcConnection(socket, 30_000);
    }

    /** The seed's snippet speaks plain TCP: {@link AccessControlTest} runs it; TLS clients are TlsEndToEndTest's. */
    @Override
    void shouldRunTheSeedsPythonSnippetWithAnAuthenticateCallFirst() {
    }
}
