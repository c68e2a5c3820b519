package io.ratestream.gateway.tls;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import jakarta.servlet.http.HttpServletRequest;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * The identity of a connection's client certificate: the SHA-256 of its DER encoding, lower-case hex, as
 * {@code openssl x509 -in client.pem -outform der | sha256sum} prints it. A principal's
 * {@code clientCertSha256} is compared with it. Only a certificate the TLS handshake verified (signed by
 * the configured client CA) is ever seen here; a connection without TLS or without a client certificate
 * has none (null).
 *
 * <p>Decision (docs/security.md): a certificate the CA signed that no principal names is not refused at the
 * handshake; its connection stays unauthenticated, and an API key may then authenticate it.
 */
public final class ClientCertificates {

    /** The request attribute under which the servlet container gives the client's certificate chain. */
    public static final String SERVLET_ATTRIBUTE = "jakarta.servlet.request.X509Certificate";

    private ClientCertificates() {
    }

    /**
     * The SHA-256 of the verified client certificate of a JSON-RPC connection; null when the connection has
     * no TLS, its handshake is not complete (or failed), or the client sent no certificate.
     */
    public static String sha256Hex(Channel channel) {
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        if (ssl == null || !ssl.handshakeFuture().isSuccess()) {
            return null;
        }
        try {
            Certificate[] peer = ssl.engine().getSession().getPeerCertificates();
            return peer.length == 0 ? null : sha256Hex(peer[0]);
        } catch (SSLPeerUnverifiedException e) {
            return null; // no client certificate
        }
    }

    /**
     * The SHA-256 of the verified client certificate of an HTTPS request; null over plain HTTP or when the
     * client sent no certificate.
     */
    public static String sha256Hex(HttpServletRequest request) {
        if (request.getAttribute(SERVLET_ATTRIBUTE) instanceof X509Certificate[] chain && chain.length > 0) {
            return sha256Hex(chain[0]);
        }
        return null;
    }

    /** The SHA-256 of {@code certificate}'s DER encoding, lower-case hex. */
    public static String sha256Hex(Certificate certificate) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("a verified certificate cannot be encoded: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
