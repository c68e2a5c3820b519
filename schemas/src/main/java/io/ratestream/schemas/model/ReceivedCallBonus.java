package io.ratestream.schemas.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;

/**
 * What a subscriber earns each time the received-call seconds reach the tariff plan's limit.
 *
 * @param credit money added to the credit; never null
 * @param smsCredit SMS units added; never null
 * @param traffic traffic units added; never null
 * @param minuteBucket seconds added to every bucket with this bucket's destination; null for none
 */
public record ReceivedCallBonus(
        @JsonProperty("Credit") BigDecimal credit,
        @JsonProperty("SmsCredit") BigDecimal smsCredit,
        @JsonProperty("Traffic") BigDecimal traffic,
        @JsonProperty("MinuteBucket") MinuteBucket minuteBucket) {

    /** No bonus at all. */
    public static final ReceivedCallBonus NONE = new ReceivedCallBonus(null, null, null, null);

    public ReceivedCallBonus {
        credit = Decimals.requireInRange(Decimals.orZero(credit), "Credit");
        smsCredit = Decimals.requireInRange(Decimals.orZero(smsCredit), "SmsCredit");
        traffic = Decimals.requireInRange(Decimals.orZero(traffic), "Traffic");
    }
}
