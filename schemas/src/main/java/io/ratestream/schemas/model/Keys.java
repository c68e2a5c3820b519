package io.ratestream.schemas.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The keys of ratestream's topics and stores. A tenant never contains {@code ':'} (validation rejects
 * it), so {@code tenant:subject} is unambiguous even when a subject contains colons, as SIP URIs do.
 */
public final class Keys {

    private Keys() {
    }

    /** Key of a budget and of every command about it: {@code tenant:subject}. */
    public static String budget(String tenant, String subject) {
        return tenant + ":" + subject;
    }

    /** Key of a rating profile: {@code tenant:subject:prefix}. */
    public static String ratingProfile(String tenant, String subject, String prefix) {
        return tenant + ":" + subject + ":" + prefix;
    }

    /**
     * The lower-case hex SHA-256 of a key's UTF-8 bytes: what stands for the key in a request id the service
     * makes up (a refill's, an expiry's) when the key itself would make the id too long.
     */
    public static String digest(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
