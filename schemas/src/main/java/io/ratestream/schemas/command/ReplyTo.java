package io.ratestream.schemas.command;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where the reply to a command goes: a topic and the partition its waiting gateway reads, so that
 * several gateways can share one reply topic.
 *
 * @param topic the reply topic; never blank
 * @param partition the partition; {@code -1} lets the producer choose by key
 */
public record ReplyTo(
        @JsonProperty("Topic") String topic,
        @JsonProperty("Partition") int partition) {

    public ReplyTo {
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("ReplyTo.Topic is required");
        }
        if (partition < -1) {
            throw new IllegalArgumentException("ReplyTo.Partition must be -1 or a partition number");
        }
    }
}
