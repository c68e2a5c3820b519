package io.ratestream.gateway.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The client side of the gateway's TLS, for ratestream's own clients (the console): trust a CA's PEM and,
 * optionally, present a client certificate and its PKCS#8 key, read as the gateway reads its own files.
 */
public final class ClientTls {

    private ClientTls() {
    }

    /**
     * A client context.
     *
     * @param ca the CA certificate(s) that signed the gateway's certificate (PEM); null trusts the JDK's CAs
     * @param certificate the client's certificate chain (PEM); null for none
     * @param key its unencrypted PKCS#8 key (PEM); with {@code certificate} only
     * @throws IllegalArgumentException naming a file that is not what it should be
     */
    public static SSLContext context(Path ca, Path certificate, Path key) {
        if ((certificate == null) != (key == null)) {
            throw new IllegalArgumentException("a client certificate needs its key, and a key its certificate");
        }
        try {
            TrustManagerFactory trust = null;
            if (ca != null) {
                trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(TlsContexts.trustStore(PemFiles.certificates(ca, "--tls-ca")));
            }
            KeyManagerFactory keys = null;
            if (certificate != null) {
                List<X509Certificate> chain = PemFiles.certificates(certificate, "--tls-cert");
                PrivateKey privateKey = PemFiles.privateKey(key, "--tls-key");
                byte[] seed = new byte[16];
                new SecureRandom().nextBytes(seed);
                char[] password = HexFormat.of().formatHex(seed).toCharArray();
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setKeyEntry("client", privateKey, password, chain.toArray(new X509Certificate[0]));
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(store, password);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : keys.getKeyManagers(), trust == null ? null : trust.getTrustManagers(),
                    null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
        }
    }
}
