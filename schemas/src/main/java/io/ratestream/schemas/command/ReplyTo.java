package io.ratestream.schemas.command;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.ratestream.schemas.topics.Topics;

/**
 * Where the reply to a command goes: the partition of the replies topic its waiting gateway reads, so
 * that several gateways share one reply topic, each reading only its own partitions.
 *
 * <p>The topic must be {@link Topics#REPLIES}: a command may not make the engine write into any other
 * topic (the commands topic, or one that does not exist and would stall the writer).
 *
 * @param topic the reply topic: {@code ratestream.replies}
 * @param partition the partition; {@code -1} (also when absent) lets the producer choose by the request
 *     id; a partition the topic does not have is treated as {@code -1}
 */
public record ReplyTo(
        @JsonProperty("Topic") String topic,
        @JsonProperty("Partition") int partition) {

    public ReplyTo {
        if (!Topics.REPLIES.equals(topic)) {
            throw new IllegalArgumentException("ReplyTo.Topic must be " + Topics.REPLIES + " (route with Partition)");
        }
        if (partition < -1) {
            throw new IllegalArgumentException("ReplyTo.Partition must be -1 or a partition number");
        }
    }

    /** Reads a route; an absent partition means "by key" (-1), not partition 0. */
    @JsonCreator
    public static ReplyTo of(@JsonProperty("Topic") String topic, @JsonProperty("Partition") Integer partition) {
        return new ReplyTo(topic, partition == null ? -1 : partition);
    }
}
