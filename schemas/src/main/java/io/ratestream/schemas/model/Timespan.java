package io.ratestream.schemas.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.time.OffsetDateTime;

/**
 * One priced piece of a call: either by an interval of an activation period ({@code interval} and
 * {@code activationTime} set) or by a minute bucket ({@code minuteInfo} set).
 *
 * @param timeStart start of the span, in the call's UTC offset; never null
 * @param timeEnd exclusive end of the span; never null
 * @param cost cost of the span, discount included, rounded half-up to 6 decimals for display (the call's
 *     total is computed from the exact span costs); never null
 * @param interval the interval that priced the span; null for a bucket span
 * @param activationTime the activation time of the interval's period; null for a bucket span
 * @param minuteInfo the bucket that priced the span; null for an interval span
 */
public record Timespan(
        @JsonProperty("TimeStart") OffsetDateTime timeStart,
        @JsonProperty("TimeEnd") OffsetDateTime timeEnd,
        @JsonProperty("Cost") BigDecimal cost,
        @JsonProperty("Interval") Interval interval,
        @JsonProperty("ActivationTime") OffsetDateTime activationTime,
        @JsonProperty("MinuteInfo") MinuteInfo minuteInfo) {

    public Timespan {
        if ((interval == null) == (minuteInfo == null)) {
            throw new IllegalArgumentException("a timespan is priced by exactly one of Interval and MinuteInfo");
        }
    }

    /** Whether an interval (not a bucket) priced this span. */
    @JsonIgnore
    public boolean isIntervalPriced() {
        return interval != null;
    }
}
