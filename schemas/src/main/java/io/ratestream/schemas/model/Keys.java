package io.ratestream.schemas.model;

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
}
