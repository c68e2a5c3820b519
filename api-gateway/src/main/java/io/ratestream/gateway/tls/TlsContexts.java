package io.ratestream.gateway.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's TLS, built once at start from {@link TlsSettings}: the server key and certificate chain in
 * an in-memory {@link KeyStore}, the client CAs in another, a Netty {@link SslContext} for JSON-RPC over TCP
 * and Jetty {@link SslContextFactory.Server}s for HTTPS made from the same stores. The JDK's TLS does every
 * handshake (no native library, no hand-written crypto); TLS 1.2 and 1.3 only.
 *
 * <p>Client certificates: with a client CA, JSON-RPC over TCP requires one signed by it (no certificate or
 * another CA's: the handshake fails); HTTPS asks for one ("want"): a client without one is served (it
 * authenticates with an API key), one whose certificate another CA signed fails the handshake (the JDK
 * checks every certificate a client sends). A certificate the CA signed is never refused for its identity:
 * whether a principal names it is decided after the handshake (see {@link ClientCertificates}).
 *
 * <p>Immutable and thread-safe.
 */
public final class TlsContexts {

    private static final Logger LOG = LoggerFactory.getLogger(TlsContexts.class);
    /** The protocol versions both listeners speak. */
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    private static final String KEY_ALIAS = "server";

    private final TlsSettings settings;
    private final KeyStore keys;
    private final String keyStorePassword;
    private final KeyStore trusted;
    private final SslContext netty;

    private TlsContexts(TlsSettings settings, KeyStore keys, String keyStorePassword, KeyStore trusted,
            SslContext netty) {
        this.settings = settings;
        this.keys = keys;
        this.keyStorePassword = keyStorePassword;
        this.trusted = trusted;
        this.netty = netty;
    }

    /**
     * Reads the files and builds the contexts.
     *
     * @throws IllegalArgumentException a file is not what it should be (not PEM, no certificate, an
     *     encrypted or traditional key, a key that does not belong to the certificate); the message names the
     *     file and says what to do
     */
    public static TlsContexts load(TlsSettings settings) {
        List<X509Certificate> chain = PemFiles.certificates(settings.certificateChain(), "--tls-cert");
        PrivateKey key = PemFiles.privateKey(settings.privateKey(), "--tls-key");
        requireMatch(chain.get(0), key, settings);
        warnIfNotValidNow(chain.get(0), settings.certificateChain());
        List<X509Certificate> authorities = settings.clientCa() == null ? List.of()
                : PemFiles.certificates(settings.clientCa(), "--tls-client-ca");
        try {
            // The stores never leave memory; a fresh password keeps their PKCS#12 encoding well-formed.
            byte[] seed = new byte[16];
            new SecureRandom().nextBytes(seed);
            String password = HexFormat.of().formatHex(seed);
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry(KEY_ALIAS, key, password.toCharArray(), chain.toArray(new X509Certificate[0]));
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keys, password.toCharArray());
            KeyStore trusted = authorities.isEmpty() ? null : trustStore(authorities);
            SslContextBuilder netty = SslContextBuilder.forServer(keyManagers).sslProvider(SslProvider.JDK)
                    .protocols(PROTOCOLS);
            if (trusted != null) {
                TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(
                        TrustManagerFactory.getDefaultAlgorithm());
                trustManagers.init(trusted);
                netty.trustManager(trustManagers).clientAuth(ClientAuth.REQUIRE);
            }
            return new TlsContexts(settings, keys, password, trusted, netty.build());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot set up TLS with " + settings.certificateChain() + " and "
                    + settings.privateKey() + ": " + e.getMessage(), e);
        }
    }

    static KeyStore trustStore(List<X509Certificate> authorities) throws GeneralSecurityException,
            IOException {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        for (int i = 0; i < authorities.size(); i++) {
            trusted.setCertificateEntry("client-ca-" + i, authorities.get(i));
        }
        return trusted;
    }

    /** Signs with the key and verifies with the certificate: the JDK says whether they are one pair. */
    private static void requireMatch(X509Certificate certificate, PrivateKey key, TlsSettings settings) {
        PublicKey published = certificate.getPublicKey();
        boolean match = false;
        if (published.getAlgorithm().equals(key.getAlgorithm())) {
            try {
                Signature signature = Signature.getInstance(
                        key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA");
                byte[] probe = "ratestream: does this key belong to this certificate?".getBytes(StandardCharsets.UTF_8);
                signature.initSign(key);
                signature.update(probe);
                byte[] signed = signature.sign();
                signature.initVerify(published);
                signature.update(probe);
                match = signature.verify(signed);
            } catch (GeneralSecurityException e) {
                match = false; // e.g. an EC key on another curve than the certificate's
            }
        }
        if (!match) {
            throw new IllegalArgumentException("the private key in " + settings.privateKey() + " (--tls-key, "
                    + key.getAlgorithm() + ") does not belong to the first certificate of "
                    + settings.certificateChain() + " (--tls-cert, " + certificate.getSubjectX500Principal().getName()
                    + ", " + published.getAlgorithm() + "): give the key the certificate was made for, and that "
                    + "certificate first in its file (`openssl x509 -noout -pubkey -in CERT` and `openssl pkey "
                    + "-pubout -in KEY` print the same key when they match)");
        }
    }

    private static void warnIfNotValidNow(X509Certificate certificate, Path file) {
        Date now = new Date();
        if (now.after(certificate.getNotAfter()) || now.before(certificate.getNotBefore())) {
            LOG.warn("the server certificate in {} is valid from {} to {} only: clients will refuse it", file,
                    certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant());
        }
    }

    /** The files these contexts were read from. */
    public TlsSettings settings() {
        return settings;
    }

    /** Whether clients are asked for a certificate (a client CA was given). */
    public boolean verifiesClients() {
        return trusted != null;
    }

    /** How long a JSON-RPC connection has to complete its handshake. */
    public Duration handshakeTimeout() {
        return settings.handshakeTimeout();
    }

    /** The Netty context of the JSON-RPC listener (server mode; client certificates required with a CA). */
    public SslContext netty() {
        return netty;
    }

    /**
     * A handler for one new JSON-RPC connection, first in its pipeline: it closes the connection when the
     * handshake is not complete within {@link #handshakeTimeout()}.
     */
    public SslHandler newHandler(ByteBufAllocator allocator) {
        SslHandler handler = netty.newHandler(allocator);
        handler.setHandshakeTimeoutMillis(settings.handshakeTimeout().toMillis());
        return handler;
    }

    /**
     * A Jetty context factory for one HTTPS connector, fed the same key and trust stores: client
     * certificates wanted (not needed) with a CA.
     */
    public SslContextFactory.Server newJettyFactory() {
        SslContextFactory.Server factory = new SslContextFactory.Server();
        factory.setKeyStore(keys);
        factory.setKeyStorePassword(keyStorePassword);
        factory.setCertAlias(KEY_ALIAS);
        factory.setIncludeProtocols(PROTOCOLS);
        if (trusted != null) {
            factory.setTrustStore(trusted);
            factory.setWantClientAuth(true);
        }
        return factory;
    }
}
