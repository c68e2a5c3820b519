package io.ratestream.streams.topology;

import io.ratestream.schemas.topics.DeadLetter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Builds {@link DeadLetter}s from raw records, cut so that a letter always fits in a Kafka record
 * whatever the record it reports: at most {@link #MAX_VALUE_BYTES} of the value (which Base64 and JSON
 * escaping make at most about six times larger), {@link #MAX_KEY_BYTES} of the key and
 * {@link #MAX_REASON_CHARS} of the reason. A record whose letter had to be cut can still be read whole
 * from its topic, partition and offset.
 */
public final class DeadLetters {

    /**
     * The most bytes of a record's value a dead letter keeps (64 KiB): enough to see what a bad command
     * was, small enough that the letter fits in any record the producer may send.
     */
    public static final int MAX_VALUE_BYTES = 64 * 1024;
    /** The most bytes of a record's key a dead letter keeps, in its {@code Key} field and as its own key. */
    public static final int MAX_KEY_BYTES = 1024;
    /** The longest reason a dead letter (or an error reply quoting it) carries; a reason may quote input. */
    public static final int MAX_REASON_CHARS = 1024;

    private static final String CUT_MARK = "...";

    private DeadLetters() {
    }

    static DeadLetter of(String reason, RecordMetadata where, byte[] key, byte[] value) {
        return where == null ? of(reason, "?", -1, -1, key, value)
                : of(reason, where.topic(), where.partition(), where.offset(), key, value);
    }

    /**
     * A dead letter for a record read at {@code topic}, {@code partition}, {@code offset} (unknown: "?",
     * -1, -1).
     *
     * @param key the record's key; may be null
     * @param value the record's value; may be null
     */
    public static DeadLetter of(String reason, String topic, int partition, long offset, byte[] key, byte[] value) {
        boolean truncated = key != null && key.length > MAX_KEY_BYTES || value != null && value.length > MAX_VALUE_BYTES;
        byte[] kept = value == null ? null : Arrays.copyOf(value, utf8Boundary(value, MAX_VALUE_BYTES));
        return new DeadLetter(reason == null ? "(no reason given)" : cut(reason), topic == null ? "?" : topic, partition, offset, keyText(key), utf8(kept),
                kept == null ? null : Base64.getEncoder().encodeToString(kept), truncated,
                key == null ? null : key.length, value == null ? null : value.length);
    }

    /** A record key as a dead letter gives it (and is keyed by): lenient UTF-8, at most {@link #MAX_KEY_BYTES}. */
    public static String keyText(byte[] key) {
        return key == null ? null : new String(key, 0, utf8Boundary(key, MAX_KEY_BYTES), StandardCharsets.UTF_8);
    }

    /**
     * A text of at most {@link #MAX_REASON_CHARS} characters, for reasons, error messages and logs that may
     * quote input: a longer one is cut and ends with "...". Null stays null.
     */
    public static String cut(String reason) {
        if (reason == null || reason.length() <= MAX_REASON_CHARS) {
            return reason;
        }
        int end = MAX_REASON_CHARS - CUT_MARK.length();
        if (Character.isHighSurrogate(reason.charAt(end - 1))) {
            end--;
        }
        return reason.substring(0, end) + CUT_MARK;
    }

    /**
     * How many leading bytes to keep so that at most {@code max} are kept and, when the bytes are UTF-8,
     * no character is split (at most three bytes fewer than {@code max}).
     */
    static int utf8Boundary(byte[] bytes, int max) {
        if (bytes.length <= max) {
            return bytes.length;
        }
        int end = max;
        // bytes[end] is the first byte left out: while it continues a character, that character would be split
        while (end > max - 3 && end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--;
        }
        return (bytes[end] & 0xC0) == 0x80 ? max : end;
    }

    /** The bytes as text when they are valid UTF-8, else null. */
    static String utf8(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
