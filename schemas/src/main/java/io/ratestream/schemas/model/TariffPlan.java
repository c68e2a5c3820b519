package io.ratestream.schemas.model;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.util.List;

/**
 * The allowances a budget is reset to, its received-call bonus and its volume discounts. The original
 * files spell two fields {@code ReceivedCallsSecondsLimit} and {@code RecivedCallBonus}; both spellings
 * are read, the corrected ones are written.
 *
 * @param id the plan's name; never blank
 * @param smsCredit SMS units a reset gives; never null
 * @param traffic traffic units a reset gives; never null
 * @param receivedCallSecondsLimit received-call seconds that earn the bonus; 0 = no bonus; never null
 * @param receivedCallBonus the bonus; never null
 * @param minuteBuckets the buckets a reset gives; never null
 * @param volumeDiscountThresholds the discount thresholds; never null
 */
public record TariffPlan(
        @JsonProperty("Id") String id,
        @JsonProperty("SmsCredit") BigDecimal smsCredit,
        @JsonProperty("Traffic") BigDecimal traffic,
        @JsonProperty("ReceivedCallSecondsLimit") @JsonAlias("ReceivedCallsSecondsLimit")
        BigDecimal receivedCallSecondsLimit,
        @JsonProperty("ReceivedCallBonus") @JsonAlias("RecivedCallBonus") ReceivedCallBonus receivedCallBonus,
        @JsonProperty("MinuteBuckets") List<MinuteBucket> minuteBuckets,
        @JsonProperty("VolumeDiscountThresholds") List<VolumeDiscount> volumeDiscountThresholds) {

    public TariffPlan {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("Id is required");
        }
        smsCredit = Decimals.requireInRange(Decimals.orZero(smsCredit), "SmsCredit");
        traffic = Decimals.requireInRange(Decimals.orZero(traffic), "Traffic");
        receivedCallSecondsLimit = Decimals.requireInRange(Decimals.orZero(receivedCallSecondsLimit),
                "ReceivedCallSecondsLimit");
        if (receivedCallSecondsLimit.signum() < 0) {
            throw new IllegalArgumentException("ReceivedCallSecondsLimit must not be negative");
        }
        receivedCallBonus = receivedCallBonus == null ? ReceivedCallBonus.NONE : receivedCallBonus;
        minuteBuckets = Decimals.copy(minuteBuckets, "MinuteBuckets");
        for (MinuteBucket bucket : minuteBuckets) {
            requireInRange(bucket, "MinuteBuckets");
        }
        if (receivedCallBonus.minuteBucket() != null) {
            requireInRange(receivedCallBonus.minuteBucket(), "ReceivedCallBonus.MinuteBucket");
        }
        volumeDiscountThresholds = Decimals.copy(volumeDiscountThresholds, "VolumeDiscountThresholds");
    }

    /**
     * The discount percent for a number of placed seconds: that of the threshold with the highest
     * volume not above them, or 0 when none is.
     */
    public BigDecimal discountPercent(BigDecimal placedSeconds) {
        VolumeDiscount best = null;
        for (VolumeDiscount threshold : volumeDiscountThresholds) {
            if (threshold.volume().compareTo(placedSeconds) <= 0
                    && (best == null || threshold.volume().compareTo(best.volume()) > 0)) {
                best = threshold;
            }
        }
        return best == null ? BigDecimal.ZERO : best.discount();
    }

    private static void requireInRange(MinuteBucket bucket, String field) {
        Decimals.requireInRange(bucket.seconds(), field + ".Seconds");
        Decimals.requireInRange(bucket.price(), field + ".Price");
    }
}
