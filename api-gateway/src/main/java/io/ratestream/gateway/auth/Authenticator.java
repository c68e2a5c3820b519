package io.ratestream.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Who is who: the principals of the auth file by the digests of their keys and certificates. Without an
 * auth file ({@link #open()}) every caller is {@link Principal#ANONYMOUS}, which may do everything: the
 * service then listens on loopback only (docs/security.md).
 *
 * <p>{@link #reload()} swaps the whole table at once; a caller's principal is looked up again at every
 * call, so a key removed from the file stops working on connections that authenticated with it before,
 * and a role added takes effect without reconnecting. A file that fails to load leaves the table as it
 * was. Thread-safe.
 */
public final class Authenticator {

    /** Longest API key read; a longer one is refused before it is hashed. */
    public static final int MAX_KEY_LENGTH = 256;

    private final Path file;
    /** Whether callers must authenticate: with principals from a file, even none (then nobody may call). */
    private final boolean enabled;
    private final AtomicReference<Map<String, Principal>> byDigest;

    private Authenticator(Path file, boolean enabled, Map<String, Principal> byDigest) {
        this.file = file;
        this.enabled = enabled;
        this.byDigest = new AtomicReference<>(byDigest);
    }

    /** No authentication: every caller may do everything. */
    public static Authenticator open() {
        return new Authenticator(null, false, Map.of());
    }

    /**
     * The principals of an auth file.
     *
     * @throws AuthFileException when the file cannot be read or breaks a rule
     */
    public static Authenticator fromFile(Path file) {
        return new Authenticator(file, true, table(AuthFile.read(file)));
    }

    /** The principals of a file already read (tests, the keys command). */
    public static Authenticator of(AuthFile auth) {
        return new Authenticator(null, true, table(auth));
    }

    private static Map<String, Principal> table(AuthFile auth) {
        Map<String, Principal> table = new HashMap<>();
        for (AuthFile.Entry entry : auth.principals()) {
            Principal principal = entry.principal();
            if (entry.apiKeySha256() != null) {
                table.put(key(Credential.Kind.API_KEY, entry.apiKeySha256()), principal);
            }
            if (entry.clientCertSha256() != null) {
                table.put(key(Credential.Kind.CLIENT_CERTIFICATE, entry.clientCertSha256()), principal);
            }
        }
        return Map.copyOf(table);
    }

    private static String key(Credential.Kind kind, String digest) {
        return kind.name() + ":" + digest;
    }

    /** Whether callers must authenticate (an auth file is in use). */
    public boolean enabled() {
        return enabled;
    }

    /** The auth file, or null without one. */
    public Path file() {
        return file;
    }

    /**
     * Reads the auth file again and, when it is valid, replaces the table.
     *
     * @return the number of principals now loaded
     * @throws AuthFileException when the file cannot be read or breaks a rule: the table stays as it was
     * @throws IllegalStateException without an auth file
     */
    public int reload() {
        if (file == null) {
            throw new IllegalStateException("no auth file to reload");
        }
        AuthFile auth = AuthFile.read(file);
        byDigest.set(table(auth));
        return auth.principals().size();
    }

    /** The credential of an API key as presented; its digest only is kept. */
    public static Credential apiKey(String key) {
        return new Credential(Credential.Kind.API_KEY, sha256Hex(key.getBytes(StandardCharsets.UTF_8)));
    }

    /** The credential of a client certificate, by the digest of its DER encoding. */
    public static Credential clientCertificate(String sha256Hex) {
        return new Credential(Credential.Kind.CLIENT_CERTIFICATE, sha256Hex.toLowerCase(java.util.Locale.ROOT));
    }

    /**
     * The principal a credential belongs to now: {@link Principal#ANONYMOUS} when authentication is off
     * (whatever the credential), null when it is on and the credential is null or unknown.
     */
    public Principal principal(Credential credential) {
        if (!enabled()) {
            return Principal.ANONYMOUS;
        }
        return credential == null ? null : byDigest.get().get(key(credential.kind(), credential.sha256()));
    }

    /** Lower-case hex SHA-256. */
    public static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
