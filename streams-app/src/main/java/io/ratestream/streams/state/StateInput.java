package io.ratestream.streams.state;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Arrays;

/**
 * Reads what {@link StateOutput} wrote. A value that ends early, or a length, count or number out of
 * bounds, is an {@link IllegalArgumentException} (the codec names the value); nothing is allocated for
 * more bytes than the value has left. Not thread-safe; one per value.
 */
final class StateInput {

    private final byte[] bytes;
    private int position;

    StateInput(byte[] bytes, int position) {
        this.bytes = bytes;
        this.position = position;
    }

    /** Fails unless every byte was read. */
    void requireEnd() {
        if (position != bytes.length) {
            throw new IllegalArgumentException((bytes.length - position) + " bytes after the end of the value");
        }
    }

    private void require(int count) {
        if (count < 0 || count > bytes.length - position) {
            throw new IllegalArgumentException("the value ends early (" + count + " more bytes needed at byte "
                    + position + " of " + bytes.length + ")");
        }
    }

    int readByte() {
        require(1);
        return bytes[position++] & 0xFF;
    }

    boolean readBoolean() {
        int value = readByte();
        if (value > 1) {
            throw new IllegalArgumentException("a presence byte of " + value + " at byte " + (position - 1));
        }
        return value == 1;
    }

    int readVarInt() {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = readByte();
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("a number of more than 5 bytes at byte " + position);
    }

    long readVarLong() {
        long value = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            int b = readByte();
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("a number of more than 10 bytes at byte " + position);
    }

    int readSignedInt() {
        int raw = readVarInt();
        return (raw >>> 1) ^ -(raw & 1);
    }

    long readSignedLong() {
        long raw = readVarLong();
        return (raw >>> 1) ^ -(raw & 1);
    }

    long readFixedLong() {
        require(8);
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (bytes[position++] & 0xFF);
        }
        return value;
    }

    /** A count of elements of at least one byte each: never more than the bytes left. */
    int readCount() {
        int count = readVarInt();
        require(count);
        return count;
    }

    String readString() {
        int tag = readVarInt();
        if (tag == 0) {
            return null;
        }
        int length = tag - 1;
        require(length);
        String value = new String(bytes, position, length, StandardCharsets.UTF_8);
        position += length;
        return value;
    }

    BigDecimal readDecimal() {
        int tag = readVarInt();
        if (tag == 0) {
            return null;
        }
        if (tag == 1) {
            long unscaled = readSignedLong();
            int scale = readScale();
            return BigDecimal.valueOf(unscaled, scale);
        }
        int length = tag - 2;
        if (length < 1 || length > StateFormat.MAX_DECIMAL_BYTES) {
            throw new IllegalArgumentException("a decimal of " + length + " bytes (at most "
                    + StateFormat.MAX_DECIMAL_BYTES + ")");
        }
        require(length);
        BigInteger unscaled = new BigInteger(Arrays.copyOfRange(bytes, position, position + length));
        position += length;
        return new BigDecimal(unscaled, readScale());
    }

    private int readScale() {
        int scale = readSignedInt();
        if (scale > StateFormat.MAX_DECIMAL_SCALE || scale < -StateFormat.MAX_DECIMAL_SCALE) {
            throw new IllegalArgumentException("a decimal with scale " + scale + " (at most "
                    + StateFormat.MAX_DECIMAL_SCALE + " either way)");
        }
        return scale;
    }

    Instant readInstant() {
        if (!readBoolean()) {
            return null;
        }
        long seconds = readSignedLong();
        return Instant.ofEpochSecond(seconds, readNanos());
    }

    OffsetDateTime readOffsetDateTime() {
        if (!readBoolean()) {
            return null;
        }
        long seconds = readSignedLong();
        int nanos = readNanos();
        ZoneOffset offset = ZoneOffset.ofTotalSeconds(readSignedInt());
        return OffsetDateTime.ofInstant(Instant.ofEpochSecond(seconds, nanos), offset);
    }

    private int readNanos() {
        int nanos = readVarInt();
        if (nanos < 0 || nanos > 999_999_999) {
            throw new IllegalArgumentException("nanoseconds " + nanos);
        }
        return nanos;
    }

    LocalTime readLocalTime() {
        long tag = readVarLong();
        return tag == 0 ? null : LocalTime.ofNanoOfDay(tag - 1);
    }

    YearMonth readYearMonth() {
        if (!readBoolean()) {
            return null;
        }
        int year = readSignedInt();
        return YearMonth.of(year, readByte());
    }
}
