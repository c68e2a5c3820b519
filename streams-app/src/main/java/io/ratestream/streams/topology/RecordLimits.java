package io.ratestream.streams.topology;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The sizes of the records the streams app reads and writes. Every record it writes (replies, events,
 * dead letters, refill commands, and the changelogs of its stores) is checked against
 * {@link #maxValueBytes} when it is serialized, before it reaches the producer: under exactly-once, a
 * record the producer refuses (RecordTooLargeException) aborts the whole transaction, and the same input
 * record would be processed and refused again for ever. Caught at serialization, it is a record that
 * cannot be written, which the production exception handler skips and reports, and, for the stores, a
 * command that cannot be applied, which the command processor dead-letters.
 */
public final class RecordLimits {

    /**
     * The largest value the streams app writes, in bytes (1,000,000): below both Kafka's defaults for
     * the producer's {@code max.request.size} (1,048,576) and the broker's {@code message.max.bytes}
     * (1,048,588), with room for the key, the headers and the batch framing.
     */
    public static final int MAX_RECORD_BYTES = 1_000_000;
    /**
     * The largest command value the processor reads, in bytes (256 KiB); a larger one is dead-lettered
     * unread. Four times the gateway's largest request, and small enough that a budget it sets, which
     * its event carries twice (before and after), still fits in {@link #MAX_RECORD_BYTES}.
     */
    public static final int MAX_COMMAND_BYTES = 256 * 1024;
    /** Kept below a smaller {@code max.request.size} for the key, headers and framing (at most a quarter of it). */
    static final int FRAMING_BYTES = 16 * 1024;

    private RecordLimits() {
    }

    /**
     * The largest value to write with these Kafka Streams properties: {@link #MAX_RECORD_BYTES}, or less
     * when the producer is configured to send less ({@code producer.max.request.size} or
     * {@code max.request.size}).
     */
    public static int maxValueBytes(Map<?, ?> properties) {
        Object configured = properties.get(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG));
        if (configured == null) {
            configured = properties.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        }
        if (configured == null) {
            return MAX_RECORD_BYTES;
        }
        int requestSize;
        try {
            requestSize = Integer.parseInt(configured.toString().trim());
        } catch (NumberFormatException e) {
            return MAX_RECORD_BYTES; // Kafka itself refuses the setting at start-up
        }
        return Math.max(1, Math.min(MAX_RECORD_BYTES, requestSize - Math.min(FRAMING_BYTES, requestSize / 4)));
    }

    /** {@code serializer}, refusing values larger than {@code max} bytes with an {@link OversizeException}. */
    static <T> Serializer<T> bounded(Serializer<T> serializer, int max) {
        return (topic, value) -> {
            byte[] bytes = serializer.serialize(topic, value);
            if (bytes != null && bytes.length > max) {
                throw new OversizeException(topic, bytes.length, max);
            }
            return bytes;
        };
    }

    /** A value larger than a record may be: it is not written. */
    public static final class OversizeException extends SerializationException {

        private final int bytes;

        OversizeException(String topic, int bytes, int max) {
            super("a value for " + topic + " would be " + bytes + " bytes, more than the " + max
                    + " a record may have");
            this.bytes = bytes;
        }

        /** The size the value would have had. */
        public int bytes() {
            return bytes;
        }
    }
}
