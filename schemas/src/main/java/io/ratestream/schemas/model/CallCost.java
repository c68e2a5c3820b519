package io.ratestream.schemas.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.util.List;

/**
 * The result of GetCost.
 *
 * @param tor the descriptor's type of record
 * @param cstmId the tenant
 * @param subject the subscriber
 * @param destinationPrefix the prefix of the rating profile that matched (not the dialled number)
 * @param cost total cost, connect fee included, rounded half-up to 6 decimals; never null
 * @param connectFee the connect fee charged (0 when the first span is bucket-priced); never null
 * @param timespans the priced spans in time order; never null
 */
public record CallCost(
        @JsonProperty("TOR") int tor,
        @JsonProperty("CstmId") String cstmId,
        @JsonProperty("Subject") String subject,
        @JsonProperty("DestinationPrefix") String destinationPrefix,
        @JsonProperty("Cost") BigDecimal cost,
        @JsonProperty("ConnectFee") BigDecimal connectFee,
        @JsonProperty("Timespans") List<Timespan> timespans) {

    public CallCost {
        timespans = Decimals.copy(timespans, "Timespans");
    }
}
