package io.ratestream.schemas.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;

/**
 * A volume-discount threshold of a tariff plan: from {@code volume} placed seconds on, interval-priced
 * call costs are reduced by {@code discount} percent.
 *
 * @param volume placed seconds from which the threshold applies; never null or negative
 * @param discount percent, 0 to 100; never null
 */
public record VolumeDiscount(
        @JsonProperty("Volume") BigDecimal volume,
        @JsonProperty("Discount") BigDecimal discount) {

    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    public VolumeDiscount {
        volume = Decimals.requireInRange(Decimals.orZero(volume), "Volume");
        discount = Decimals.requireInRange(Decimals.orZero(discount), "Discount");
        if (volume.signum() < 0) {
            throw new IllegalArgumentException("Volume must not be negative; got " + volume);
        }
        if (discount.signum() < 0 || discount.compareTo(HUNDRED) > 0) {
            throw new IllegalArgumentException("Discount must be a percent from 0 to 100; got " + discount);
        }
    }
}
