package io.ratestream.streams.topology;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.ratestream.schemas.reply.Reply;
import java.time.Instant;

/**
 * What the idempotency store keeps per request id: the reply that was sent and when its command was
 * accepted (the age of an entry is judged on that, never on a clock). Stored in the binary state format
 * of {@link io.ratestream.streams.state.ProcessedReplyCodec}; the JSON names read the entries that
 * earlier releases stored as JSON.
 *
 * @param reply the original reply; never null
 * @param acceptedAt the command's accepted-at instant; never null
 * @param fingerprint the command's {@link io.ratestream.schemas.command.Command#fingerprint()}, so that a
 *     request id reused for a different request is noticed; null in entries written before it existed,
 *     which match any command
 */
public record ProcessedReply(
        @JsonProperty("Reply") Reply reply,
        @JsonProperty("AcceptedAt") Instant acceptedAt,
        @JsonProperty("Fingerprint") Long fingerprint) {

    /** Whether a command with this fingerprint is the request this entry recorded. */
    boolean sameRequest(long commandFingerprint) {
        return fingerprint == null || fingerprint == commandFingerprint;
    }
}
