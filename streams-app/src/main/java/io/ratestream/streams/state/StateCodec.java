package io.ratestream.streams.state;

import java.nio.charset.StandardCharsets;

/**
 * How the values of one state store are written to and read from bytes (the store and its changelog
 * hold exactly these bytes). The command processor's staged stores encode a value once, when it is
 * staged (its size is checked on those bytes), write those same bytes at commit, and decode a stored
 * value once per record that reads it.
 *
 * <p>Both methods throw Kafka's {@link org.apache.kafka.common.errors.SerializationException} for a
 * value they cannot handle: the command processor turns that into a dead letter for the record that
 * needed it. Implementations are stateless and thread-safe.
 *
 * @param <T> the value type
 */
public interface StateCodec<T> {

    /** The bytes of {@code value}, never null. */
    byte[] encode(T value);

    /** The value of {@code bytes} (never null), never null. */
    T decode(byte[] bytes);

    /** Values that are bytes already: stored as they are. */
    static StateCodec<byte[]> bytes() {
        return Identity.INSTANCE;
    }

    /** Text values, stored as UTF-8 (the bytes Kafka's {@code StringSerializer} writes). */
    static StateCodec<String> utf8() {
        return Utf8.INSTANCE;
    }

    /** See {@link #bytes()}. */
    enum Identity implements StateCodec<byte[]> {
        INSTANCE;

        @Override
        public byte[] encode(byte[] value) {
            return value;
        }

        @Override
        public byte[] decode(byte[] bytes) {
            return bytes;
        }
    }

    /** See {@link #utf8()}. */
    enum Utf8 implements StateCodec<String> {
        INSTANCE;

        @Override
        public byte[] encode(String value) {
            return value.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String decode(byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }
}
