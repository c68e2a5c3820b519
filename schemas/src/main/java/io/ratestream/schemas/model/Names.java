package io.ratestream.schemas.model;

/**
 * Rules for the names that become keys: tenants, subjects, prefixes, request ids. They must be
 * present, short, and free of control characters; a tenant and a prefix also free of {@code ':'}.
 */
public final class Names {

    /** Longest tenant, subject or destination accepted. */
    public static final int MAX_NAME = 256;
    /** Longest request id accepted. */
    public static final int MAX_REQUEST_ID = 128;
    /** Longest session id accepted (Diameter's Session-Id is a few dozen characters). */
    public static final int MAX_SESSION_ID = 128;

    private Names() {
    }

    /** The problem with a tenant, or null when it is fine. */
    public static String tenantProblem(String value, String field) {
        String problem = nameProblem(value, field, MAX_NAME);
        if (problem == null && value.indexOf(':') >= 0) {
            return field + " must not contain ':'";
        }
        return problem;
    }

    /** The problem with a subject, or null when it is fine. */
    public static String subjectProblem(String value, String field) {
        return nameProblem(value, field, MAX_NAME);
    }

    /** The problem with a destination prefix, or null when it is fine. */
    public static String prefixProblem(String value, String field) {
        return tenantProblem(value, field);
    }

    /** The problem with a session id, or null when it is fine. */
    public static String sessionIdProblem(String value, String field) {
        return nameProblem(value, field, MAX_SESSION_ID);
    }

    /** The problem with a request id, or null when it is fine. */
    public static String requestIdProblem(String value, String field) {
        return nameProblem(value, field, MAX_REQUEST_ID);
    }

    static void requireTenant(String value, String field) {
        throwIf(tenantProblem(value, field));
    }

    static void requireSubject(String value, String field) {
        throwIf(subjectProblem(value, field));
    }

    static void requirePrefix(String value, String field) {
        throwIf(prefixProblem(value, field));
    }

    private static void throwIf(String problem) {
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    private static String nameProblem(String value, String field, int max) {
        if (value == null || value.isBlank()) {
            return field + " is required";
        }
        if (value.length() > max) {
            return field + " is longer than " + max + " characters";
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                return field + " must not contain control characters";
            }
            if (Character.isSurrogate(c)) {
                // A pair is one character; a lone half has no UTF-8 form and would change in a record key.
                boolean pair = Character.isHighSurrogate(c) && i + 1 < value.length()
                        && Character.isLowSurrogate(value.charAt(i + 1));
                if (pair) {
                    i++;
                } else {
                    return field + " must be valid Unicode (it holds half of a surrogate pair)";
                }
            }
        }
        return null;
    }
}
