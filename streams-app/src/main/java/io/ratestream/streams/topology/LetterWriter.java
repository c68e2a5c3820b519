package io.ratestream.streams.topology;

import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.json.JsonSerde;
import io.ratestream.schemas.topics.DeadLetter;
import io.ratestream.schemas.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;

/**
 * Dead letters as the exception handlers send them: already serialized records, which Kafka Streams
 * hands to the producer as they are, so they are checked here against the size a record may have. A
 * letter too large with its payload is sent without it; one too large even so is not sent (it is
 * logged by the handler that wanted it).
 */
final class LetterWriter {

    private final JsonSerde<DeadLetter> serde = new JsonSerde<>(Json.newMapper(), DeadLetter.class);
    private final int maxValueBytes;

    /** A writer for the Kafka Streams configuration a handler was configured with. */
    LetterWriter(Map<String, ?> configs) {
        this.maxValueBytes = RecordLimits.maxValueBytes(configs);
    }

    /** The dead letter of the record a handler was called for, with {@code reason}. */
    static DeadLetter letter(ErrorHandlerContext context, String reason) {
        return DeadLetters.of(reason, context.topic(), context.partition(), context.offset(), context.sourceRawKey(),
                context.sourceRawValue());
    }

    /**
     * {@code letter} as a record to send, keyed by the cut key of the record it reports: the one letter,
     * without its payload when it does not fit with it, or none when it does not fit even so.
     */
    List<ProducerRecord<byte[], byte[]>> records(DeadLetter letter, long timestamp) {
        byte[] key = letter.key() == null ? null : letter.key().getBytes(StandardCharsets.UTF_8);
        return records(key, letter, timestamp);
    }

    /** {@code letter} as a record keyed {@code key}, as {@link #records(DeadLetter, long)}. */
    List<ProducerRecord<byte[], byte[]>> records(byte[] key, DeadLetter letter, long timestamp) {
        byte[] value = serde.serialize(Topics.DEAD_LETTERS, letter);
        if (value.length > maxValueBytes) {
            value = serde.serialize(Topics.DEAD_LETTERS, letter.withoutPayload());
        }
        if (value.length > maxValueBytes) {
            return List.of();
        }
        return List.of(new ProducerRecord<>(Topics.DEAD_LETTERS, null, timestamp < 0 ? null : timestamp, key, value));
    }

    /** The letter in a serialized dead-letter record, or null when it is not one. */
    DeadLetter read(byte[] value) {
        try {
            return value == null ? null : serde.deserialize(Topics.DEAD_LETTERS, value);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
