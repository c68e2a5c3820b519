package io.ratestream.schemas.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * A set of intervals in effect from its activation time until the next period of the same rating
 * profile activates.
 *
 * @param activationTime when the period takes effect; never null
 * @param intervals the prices of the period; never null
 */
public record ActivationPeriod(
        @JsonProperty("ActivationTime") OffsetDateTime activationTime,
        @JsonProperty("Intervals") List<Interval> intervals) {

    public ActivationPeriod {
        if (activationTime == null) {
            throw new IllegalArgumentException("ActivationTime is required");
        }
        intervals = Decimals.copy(intervals, "Intervals");
    }
}
