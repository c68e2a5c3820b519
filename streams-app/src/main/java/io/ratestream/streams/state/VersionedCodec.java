package io.ratestream.streams.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.schemas.json.JsonSerde;
import java.time.DateTimeException;
import org.apache.kafka.common.errors.SerializationException;

/**
 * A {@link StateCodec} that writes {@link StateFormat#VERSION_1} (or {@link StateFormat#VERSION_2} for a value
 * that needs it, {@link #version}) and reads them, and JSON (a value
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

    /** Writes the fields of the value's {@link #version} (the version byte is written already). */
    abstract void write(StateOutput out, T value);

    /** Reads the fields of version 1. */
    abstract T read(StateInput in);

    /** Reads the fields of a version above 1; by default, there is none. */
    T read(StateInput in, int version) {
        throw new IllegalArgumentException("unknown state format version " + version);
    }

    /** The newest version this codec reads. */
    int newestVersion() {
        return StateFormat.VERSION_1;
    }

    /** The version to write a value in: version 1 unless the value needs a later one. */
    int version(T value) {
        return StateFormat.VERSION_1;
    }

    @Override
    public final byte[] encode(T value) {
        if (value == null) {
            throw new SerializationException("a null " + what + " is stored as a delete, not encoded");
        }
        StateOutput out = new StateOutput(capacity);
        out.writeByte(version(value));
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
        if (version < StateFormat.VERSION_1 || version > newestVersion()) {
            throw new SerializationException("not a valid " + what + ": unknown state format version " + version
                    + " (this release reads JSON and " + (newestVersion() == StateFormat.VERSION_1 ? "version 1"
                            : "versions 1 to " + newestVersion()) + ")");
        }
        try {
            StateInput in = new StateInput(bytes, 1);
            T value = version == StateFormat.VERSION_1 ? read(in) : read(in, version);
            in.requireEnd();
            return value;
        } catch (IllegalArgumentException | DateTimeException | ArithmeticException | NullPointerException e) {
            throw new SerializationException("not a valid " + what + " (state format " + version + "): "
                    + e.getMessage(), e);
        }
    }
}
