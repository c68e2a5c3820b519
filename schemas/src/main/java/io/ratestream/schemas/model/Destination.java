package io.ratestream.schemas.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A named set of number prefixes. A prefix may belong to several destinations.
 *
 * @param id the destination's name, referenced by minute buckets; never null or blank
 * @param prefixes the number prefixes; never null, no null or blank element
 */
public record Destination(
        @JsonProperty("Id") String id,
        @JsonProperty("Prefixes") List<String> prefixes) {

    /** Matches shorter than this many characters do not count (SPEC 1). */
    public static final int MIN_MATCH = 2;

    public Destination {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("Id is required");
        }
        prefixes = Decimals.copy(prefixes, "Prefixes");
        for (String prefix : prefixes) {
            if (prefix.isBlank()) {
                throw new IllegalArgumentException("Prefixes must not contain an empty prefix");
            }
        }
    }

    /**
     * The precision of this destination's match of {@code number}: the length of its longest prefix
     * that starts the number, or 0 when none does or the longest is shorter than {@link #MIN_MATCH}.
     */
    public int precision(String number) {
        int best = 0;
        for (int i = 0, n = prefixes.size(); i < n; i++) {
            String prefix = prefixes.get(i);
            int length = prefix.length();
            if (length > best && number.startsWith(prefix)) {
                best = length;
            }
        }
        return best >= MIN_MATCH ? best : 0;
    }
}
