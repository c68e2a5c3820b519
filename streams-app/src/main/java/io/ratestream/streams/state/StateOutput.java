package io.ratestream.streams.state;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;

/** Writes the primitives of {@link StateFormat} into a growing array. Not thread-safe; one per value. */
final class StateOutput {

    private byte[] buffer;
    private int size;

    StateOutput(int capacity) {
        buffer = new byte[capacity];
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buffer, size);
    }

    private void ensure(int more) {
        if (size + more > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + more));
        }
    }

    void writeByte(int value) {
        ensure(1);
        buffer[size++] = (byte) value;
    }

    void writeBoolean(boolean value) {
        writeByte(value ? 1 : 0);
    }

    /** An unsigned variable-length int (LEB128). */
    void writeVarInt(int value) {
        ensure(5);
        while ((value & ~0x7F) != 0) {
            buffer[size++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        buffer[size++] = (byte) value;
    }

    /** An unsigned variable-length long (LEB128). */
    void writeVarLong(long value) {
        ensure(10);
        while ((value & ~0x7FL) != 0) {
            buffer[size++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        buffer[size++] = (byte) value;
    }

    void writeSignedInt(int value) {
        writeVarInt((value << 1) ^ (value >> 31));
    }

    void writeSignedLong(long value) {
        writeVarLong((value << 1) ^ (value >> 63));
    }

    void writeFixedLong(long value) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buffer[size++] = (byte) (value >>> shift);
        }
    }

    /** Length + 1 (0 for null), then the UTF-8 bytes. */
    void writeString(String value) {
        if (value == null) {
            writeVarInt(0);
            return;
        }
        int length = value.length();
        for (int i = 0; i < length; i++) {
            if (value.charAt(i) >= 0x80) {
                byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
                writeVarInt(utf8.length + 1);
                writeBytes(utf8);
                return;
            }
        }
        writeVarInt(length + 1);
        ensure(length);
        for (int i = 0; i < length; i++) {
            buffer[size++] = (byte) value.charAt(i);
        }
    }

    private void writeBytes(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buffer, size, bytes.length);
        size += bytes.length;
    }

    /**
     * A tag (0 null, 1 an unscaled value that fits in a long, 2 + n an unscaled value of n bytes), the
     * unscaled value, the scale.
     */
    void writeDecimal(BigDecimal value) {
        if (value == null) {
            writeVarInt(0);
            return;
        }
        int scale = value.scale();
        if (scale > StateFormat.MAX_DECIMAL_SCALE || scale < -StateFormat.MAX_DECIMAL_SCALE) {
            throw new SerializationException("a decimal with scale " + scale + " cannot be stored (at most "
                    + StateFormat.MAX_DECIMAL_SCALE + " either way)");
        }
        BigInteger unscaled = value.unscaledValue();
        if (unscaled.bitLength() < Long.SIZE) {
            writeVarInt(1);
            writeSignedLong(unscaled.longValue());
        } else {
            byte[] bytes = unscaled.toByteArray();
            if (bytes.length > StateFormat.MAX_DECIMAL_BYTES) {
                throw new SerializationException("a decimal of " + value.precision() + " digits cannot be stored "
                        + "(at most " + StateFormat.MAX_DECIMAL_BYTES + " bytes of digits)");
            }
            writeVarInt(2 + bytes.length);
            writeBytes(bytes);
        }
        writeSignedInt(scale);
    }

    void writeInstant(Instant value) {
        writeBoolean(value != null);
        if (value != null) {
            writeSignedLong(value.getEpochSecond());
            writeVarInt(value.getNano());
        }
    }

    void writeOffsetDateTime(OffsetDateTime value) {
        writeBoolean(value != null);
        if (value != null) {
            writeSignedLong(value.toEpochSecond());
            writeVarInt(value.getNano());
            writeSignedInt(value.getOffset().getTotalSeconds());
        }
    }

    /** Nanosecond of the day + 1, 0 for null. */
    void writeLocalTime(LocalTime value) {
        writeVarLong(value == null ? 0 : value.toNanoOfDay() + 1);
    }

    void writeYearMonth(YearMonth value) {
        writeBoolean(value != null);
        if (value != null) {
            writeSignedInt(value.getYear());
            writeByte(value.getMonthValue());
        }
    }
}
