package io.ratestream.streams.topology;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.ratestream.schemas.reply.Reply;
import java.time.Instant;

/**
 * What the idempotency store keeps per request id: the reply that was sent and when its command was
 * accepted (the age of an entry is judged on that, never on a clock).
 *
 * @param reply the original reply; never null
 * @param acceptedAt the command's accepted-at instant; never null
 */
public record ProcessedReply(
        @JsonProperty("Reply") Reply reply,
        @JsonProperty("AcceptedAt") Instant acceptedAt) {
}
