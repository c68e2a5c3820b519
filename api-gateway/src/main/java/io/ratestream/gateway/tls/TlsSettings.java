package io.ratestream.gateway.tls;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where the gateway's TLS material is: both listeners (JSON-RPC over TCP and HTTP) speak TLS with it. The
 * files are PEM as {@code openssl} writes them; they are read once, at start ({@link TlsContexts#load}).
 *
 * @param certificateChain the server's certificate, then its intermediates, as {@code -----BEGIN
 *     CERTIFICATE-----} blocks in one file ({@code --tls-cert}); never null
 * @param privateKey the server certificate's private key, unencrypted PKCS#8 ({@code -----BEGIN PRIVATE
 *     KEY-----}, RSA or EC; {@code --tls-key}); never null
 * @param clientCa the certificates of the CA(s) that sign client certificates ({@code --tls-client-ca});
 *     null: clients are not asked for a certificate. When given, JSON-RPC over TCP requires a client
 *     certificate signed by one of them, HTTPS asks for one and serves clients without one too (they
 *     authenticate with an API key)
 * @param handshakeTimeout how long a JSON-RPC connection has to complete its TLS handshake before it is
 *     closed (default {@link #DEFAULT_HANDSHAKE_TIMEOUT}, 10 s); positive
 */
public record TlsSettings(Path certificateChain, Path privateKey, Path clientCa, Duration handshakeTimeout) {

    /**
     * Default of {@link #handshakeTimeout()}: 10 seconds, the same as the JSON-RPC request deadline. A
     * connection that has not completed its handshake by then is closed; the client sees the connection
     * closed (a handshake error).
     */
    public static final long DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
    /** {@link #DEFAULT_HANDSHAKE_TIMEOUT_MS} as a duration. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofMillis(DEFAULT_HANDSHAKE_TIMEOUT_MS);

    /** Checks that each file is there and readable; the message names the file and the option. */
    public TlsSettings {
        requireReadable(certificateChain, "certificate chain", "--tls-cert");
        requireReadable(privateKey, "private key", "--tls-key");
        if (clientCa != null) {
            requireReadable(clientCa, "client CA", "--tls-client-ca");
        }
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
            throw new IllegalArgumentException("the TLS handshake timeout must be positive, got " + handshakeTimeout);
        }
    }

    /** The given files, with the default handshake timeout; {@code clientCa} may be null. */
    public TlsSettings(Path certificateChain, Path privateKey, Path clientCa) {
        this(certificateChain, privateKey, clientCa, DEFAULT_HANDSHAKE_TIMEOUT);
    }

    /** These files with another handshake timeout. */
    public TlsSettings withHandshakeTimeout(Duration value) {
        return new TlsSettings(certificateChain, privateKey, clientCa, value);
    }

    /** Whether clients are asked for a certificate signed by {@link #clientCa()}. */
    public boolean verifiesClients() {
        return clientCa != null;
    }

    private static void requireReadable(Path file, String what, String option) {
        if (file == null) {
            throw new IllegalArgumentException("no TLS " + what + " file given: pass " + option + " PEM");
        }
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("TLS " + what + " file " + file + " does not exist: check " + option);
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException("TLS " + what + " file " + file
                    + " is not a readable file: check " + option + " and the file's permissions");
        }
    }
}
