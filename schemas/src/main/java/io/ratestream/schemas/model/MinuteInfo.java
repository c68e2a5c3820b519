package io.ratestream.schemas.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;

/**
 * How a minute bucket priced a span of a call.
 *
 * @param destinationId the bucket's destination; never null
 * @param quantity seconds taken from the bucket; never null
 * @param price the bucket's price per second; never null
 */
public record MinuteInfo(
        @JsonProperty("DestinationId") String destinationId,
        @JsonProperty("Quantity") BigDecimal quantity,
        @JsonProperty("Price") BigDecimal price) {
}
