package io.ratestream.streams.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.schemas.json.JsonSerde;
import java.time.DateTimeException;
import org.apache.kafka.common.errors.SerializationException;

/**
 * A {@link StateCodec} that writes {@link StateFormat#VERSION_1} and reads it, and JSON (a value
 * whose first byte is {@code '{'}, as releases before the binary format wrote it). Anything else,
 * an unknown version, a value that ends early or has bytes left over, a record whose own validation
 * refuses what was read, is a {@link SerializationException} naming the value and the problem.
 *
 * @param <T> the value type
 */
abstract class VersionedCodec<T> implements StateCodec<T> {

    private final String what;
    private final JsonSerde<T> json;
    private final int capacity;

    /**
     * @param mapper reads the JSON of earlier releases (normally {@code Json.newMapper()})
     * @param capacity the first size of the output buffer: about a typical value
     */
    VersionedCodec(ObjectMapper mapper, Class<T> type, int capacity) {
        this.what = type.getSimpleName();
        this.json = new JsonSerde<>(mapper, type);
        this.capacity = capacity;
    }

    /** Writes the fields of version 1 (the version byte is written already). */
    abstract void write(StateOutput out, T value);

    /** Reads the fields of version 1. */
    abstract T read(StateInput in);

    @Override
    public final byte[] encode(T value) {
        if (value == null) {
            throw new SerializationException("a null " + what + " is stored as a delete, not encoded");
        }
        StateOutput out = new StateOutput(capacity);
        out.writeByte(StateFormat.VERSION_1);
        write(out, value);
        return out.toByteArray();
    }

    @Override
    public final T decode(byte[] bytes) {
        if (bytes.length == 0) {
            throw new SerializationException("not a valid " + what + ": an empty value");
        }
        int version = bytes[0] & 0xFF;
        if (version == StateFormat.JSON_START) {
            return json.deserialize(null, bytes);
        }
        if (version != StateFormat.VERSION_1) {
            throw new SerializationException("not a valid " + what + ": unknown state format version " + version
                    + " (this release reads JSON and version " + StateFormat.VERSION_1 + ")");
        }
        try {
            StateInput in = new StateInput(bytes, 1);
            T value = read(in);
            in.requireEnd();
            return value;
        } catch (IllegalArgumentException | DateTimeException | ArithmeticException | NullPointerException e) {
            throw new SerializationException("not a valid " + what + " (state format " + version + "): "
                    + e.getMessage(), e);
        }
    }
}
