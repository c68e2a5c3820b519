package io.ratestream.gateway.tls;

import io.javalin.config.JavalinConfig;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;

/**
 * HTTPS instead of HTTP on a Javalin server: one Jetty connector speaking TLS, in place of Javalin's plain
 * one (Javalin adds its own connector only when none was added). It binds where {@code Javalin.start(host,
 * port)} says, read when the server starts, so {@code start(host, 0)} and {@code port()} work as over HTTP.
 */
public final class HttpsConnector {

    private HttpsConnector() {
    }

    /** Makes the server of {@code config} listen with HTTPS only, with {@code tls}'s key and client CA. */
    public static void install(JavalinConfig config, TlsContexts tls) {
        config.jetty.addConnector((server, http) -> {
            HttpConfiguration https = new HttpConfiguration(http);
            // The client certificate as the jakarta.servlet.request.X509Certificate attribute. No SNI host
            // check: one certificate, no virtual hosts; checking the name is the client's part.
            https.addCustomizer(new SecureRequestCustomizer(false));
            ServerConnector connector = new ServerConnector(server,
                    new SslConnectionFactory(tls.newJettyFactory(), HttpVersion.HTTP_1_1.asString()),
                    new HttpConnectionFactory(https));
            connector.setHost(config.jetty.host);
            connector.setPort(config.jetty.port);
            return connector;
        });
    }
}
