package io.ratestream.schemas.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;

/**
 * Prepaid seconds towards one destination.
 *
 * @param seconds seconds left in the bucket (exact decimal); never null
 * @param priority buckets with a higher priority are used first
 * @param price money per second taken from the credit when the bucket's seconds are used; 0 = free; never negative
 * @param destinationId the destination whose numbers the bucket covers; never blank
 */
public record MinuteBucket(
        @JsonProperty("Seconds") BigDecimal seconds,
        @JsonProperty("Priority") int priority,
        @JsonProperty("Price") BigDecimal price,
        @JsonProperty("DestinationId") String destinationId) {

    public MinuteBucket {
        seconds = Decimals.orZero(seconds);
        price = Decimals.orZero(price);
        if (price.signum() < 0) {
            throw new IllegalArgumentException("Price must not be negative; got " + price);
        }
        if (destinationId == null || destinationId.isBlank()) {
            throw new IllegalArgumentException("DestinationId is required");
        }
    }

    /** Whether using this bucket costs nothing. */
    @JsonIgnore
    public boolean isFree() {
        return price.signum() == 0;
    }

    /** A copy holding another number of seconds. */
    public MinuteBucket withSeconds(BigDecimal newSeconds) {
        return new MinuteBucket(newSeconds, priority, price, destinationId);
    }
}
