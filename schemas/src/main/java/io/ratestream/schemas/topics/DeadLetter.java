package io.ratestream.schemas.topics;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A record that could not be used, as written to the dead-letters topic (key: the source record's key
 * as text, when it had one): why, where it came from, and its bytes, so that nothing is lost and
 * nothing stalls.
 *
 * @param reason what is wrong with it, for a person to read; never null
 * @param topic the topic it was read from; never null
 * @param partition its partition
 * @param offset its offset
 * @param key its key as UTF-8 text; null when it had none
 * @param value its value as UTF-8 text when it is valid UTF-8; null otherwise
 * @param valueBase64 its value in Base64, always (exact bytes); null when it had none
 */
public record DeadLetter(
        @JsonProperty("Reason") String reason,
        @JsonProperty("Topic") String topic,
        @JsonProperty("Partition") int partition,
        @JsonProperty("Offset") long offset,
        @JsonProperty("Key") String key,
        @JsonProperty("Value") String value,
        @JsonProperty("ValueBase64") String valueBase64) {
}
