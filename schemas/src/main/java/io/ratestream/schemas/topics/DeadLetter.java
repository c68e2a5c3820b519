package io.ratestream.schemas.topics;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A record that could not be used, as written to the dead-letters topic (key: the source record's key
 * as text, when it had one, cut like {@code key}): why, where it came from, and its bytes, so that
 * nothing is lost and nothing stalls. A dead letter always fits in a Kafka record: the streams app
 * keeps at most the beginning of a large key or value, says so in {@code truncated}, and gives the
 * original sizes, so that the whole record can still be read from its topic, partition and offset for
 * as long as that topic keeps it.
 *
 * @param reason what is wrong with it, for a person to read (cut when long); never null
 * @param topic the topic it was read from ({@code "?"} when unknown); never null
 * @param partition its partition; -1 when unknown
 * @param offset its offset; -1 when unknown
 * @param key its key as UTF-8 text, or its beginning when {@code truncated}; null when it had none
 * @param value its value as UTF-8 text when that is valid UTF-8 (the same bytes as {@code valueBase64});
 *     null otherwise
 * @param valueBase64 its value in Base64, the exact bytes, or the exact first bytes when
 *     {@code truncated}; null when it had no value or when a dead letter with the value would not fit
 * @param truncated whether {@code key}, {@code value} or {@code valueBase64} hold only the beginning of
 *     the original, or were left out because they would not fit
 * @param keyBytes the size of the original key in bytes; null when it had none
 * @param valueBytes the size of the original value in bytes; null when it had none
 */
public record DeadLetter(
        @JsonProperty("Reason") String reason,
        @JsonProperty("Topic") String topic,
        @JsonProperty("Partition") int partition,
        @JsonProperty("Offset") long offset,
        @JsonProperty("Key") String key,
        @JsonProperty("Value") String value,
        @JsonProperty("ValueBase64") String valueBase64,
        @JsonProperty("Truncated") boolean truncated,
        @JsonProperty("KeyBytes") Integer keyBytes,
        @JsonProperty("ValueBytes") Integer valueBytes) {

    /** This letter without its key and value bytes (its sizes stay): what is sent when the full one does not fit. */
    public DeadLetter withoutPayload() {
        return new DeadLetter(reason, topic, partition, offset, null, null, null,
                truncated || key != null || valueBase64 != null, keyBytes, valueBytes);
    }
}
