package io.ratestream.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * Who sends a request, as far as the transport knows: the credentials it presented (digests only) and
 * the transport. An HTTP request is its own caller; a JSON-RPC/TCP connection is one caller for all its
 * requests, which {@code Responder.Authenticate} or its TLS client certificate authenticates once.
 *
 * <p>Thread-safe: a connection's requests may complete on any thread.
 */
public final class Caller {

    /** The transports, as metrics and logs name them. */
    public enum Transport {
        /** The original GET API. */
        HTTP("http"),
        /** JSON-RPC over {@code POST /jsonrpc}. */
        JSONRPC_HTTP("jsonrpc_http"),
        /** JSON-RPC over a TCP connection (port 2001). */
        JSONRPC_TCP("jsonrpc_tcp");

        private final String wireName;

        Transport(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }

    private final Transport transport;
    private final String problem;
    private volatile Credential key;
    private volatile Credential certificate;

    private Caller(Transport transport, Credential key, Credential certificate, String problem) {
        this.transport = transport;
        this.key = key;
        this.certificate = certificate;
        this.problem = problem;
    }

    /** A JSON-RPC/TCP connection, unauthenticated until it calls Responder.Authenticate or shows a certificate. */
    public static Caller connection() {
        return new Caller(Transport.JSONRPC_TCP, null, null, null);
    }

    /**
     * One HTTP request.
     *
     * @param authorization the {@code Authorization} header, or null: {@code Bearer KEY}, or {@code Basic}
     *     with the key as the password (what a browser sends for the status page)
     * @param certificateSha256 the hex SHA-256 of the TLS client certificate, or null
     */
    public static Caller httpRequest(Transport transport, String authorization, String certificateSha256) {
        Credential certificate = certificateSha256 == null ? null : Authenticator.clientCertificate(certificateSha256);
        if (authorization == null || authorization.isBlank()) {
            return new Caller(transport, null, certificate, null);
        }
        String header = authorization.trim();
        int space = header.indexOf(' ');
        String scheme = space < 0 ? header : header.substring(0, space);
        String value = space < 0 ? "" : header.substring(space + 1).trim();
        String key;
        if (scheme.equalsIgnoreCase("Bearer")) {
            key = value;
        } else if (scheme.equalsIgnoreCase("Basic")) {
            key = basicPassword(value);
            if (key == null) {
                return new Caller(transport, null, certificate, "the Authorization header's Basic credentials are "
                        + "not base64 of user:KEY");
            }
        } else {
            return new Caller(transport, null, certificate, "the Authorization header must be 'Bearer KEY' (its "
                    + "scheme is '" + scheme.substring(0, Math.min(scheme.length(), 16)).toLowerCase(Locale.ROOT) + "')");
        }
        String problem = keyProblem(key);
        return problem != null ? new Caller(transport, null, certificate, problem)
                : new Caller(transport, Authenticator.apiKey(key), certificate, null);
    }

    /** Why a presented key cannot be one, or null. */
    public static String keyProblem(String key) {
        if (key == null || key.isEmpty()) {
            return "the API key is empty";
        }
        if (key.length() > Authenticator.MAX_KEY_LENGTH) {
            return "the API key is longer than " + Authenticator.MAX_KEY_LENGTH + " characters";
        }
        return null;
    }

    private static String basicPassword(String encoded) {
        try {
            String decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            String password = colon < 0 ? decoded : decoded.substring(colon + 1);
            // A user name alone (no password) also works: some tools only take a user.
            return password.isEmpty() && colon > 0 ? decoded.substring(0, colon) : password;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    public Transport transport() {
        return transport;
    }

    /** The credential to authenticate with: a key the caller gave, else its certificate; null for none. */
    public Credential credential() {
        Credential given = key;
        return given != null ? given : certificate;
    }

    /** Why the credentials the caller sent cannot be read (a malformed header); null when fine or none. */
    public String problem() {
        return problem;
    }

    /** Whether an authentication lasts beyond the request (a TCP connection) rather than for one request. */
    public boolean isConnection() {
        return transport == Transport.JSONRPC_TCP;
    }

    /** A TCP connection's TLS client certificate, once the handshake is done. */
    public void presentCertificate(Credential value) {
        certificate = value;
    }

    /** A TCP connection authenticated with a key: its later requests run as that key's principal. */
    void authenticated(Credential value) {
        key = value;
    }
}
