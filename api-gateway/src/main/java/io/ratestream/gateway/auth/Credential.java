package io.ratestream.gateway.auth;

import java.util.Objects;

/**
 * What a caller presented, reduced to its digest: never the key itself, so nothing that holds a
 * credential can log a key.
 *
 * @param kind an API key or a client certificate
 * @param sha256 lower-case hex SHA-256 of the key's UTF-8 bytes or of the certificate's DER encoding
 */
public record Credential(Kind kind, String sha256) {

    /** How the caller proved who it is. */
    public enum Kind {
        API_KEY("API key"),
        CLIENT_CERTIFICATE("client certificate");

        private final String description;

        Kind(String description) {
            this.description = description;
        }

        /** "API key", "client certificate". */
        public String description() {
            return description;
        }
    }

    public Credential {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(sha256, "sha256");
    }

    @Override
    public String toString() {
        // The digest of a key is not secret, but it does not belong in logs either.
        return kind.description();
    }
}
