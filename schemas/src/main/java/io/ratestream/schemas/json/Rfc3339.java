package io.ratestream.schemas.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.datatype.jsr310.deser.InstantDeserializer;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;

/**
 * RFC 3339 times that keep their UTC offset: {@code 2012-02-02T17:30:00Z},
 * {@code 2012-02-02T19:30:00+02:00}, with a fraction of a second only when there is one.
 *
 * <p>Go clients cannot leave a {@code time.Time} field out and send its zero value,
 * {@code 0001-01-01T00:00:00Z}: that instant reads as an absent time (SPEC 1).
 */
public final class Rfc3339 {

    /** Go's zero {@code time.Time}, {@code 0001-01-01T00:00:00Z}, as seconds since the epoch. */
    public static final long GO_ZERO_EPOCH_SECOND = -62_135_596_800L;

    /** Writes seconds always (unlike ISO_OFFSET_DATE_TIME, which drops {@code :00}) and {@code Z} for UTC. */
    public static final DateTimeFormatter FORMAT = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd'T'HH:mm:ss")
            .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
            .appendOffset("+HH:MM", "Z")
            .toFormatter();

    private static final DateTimeFormatter PARSE = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_OFFSET_DATE_TIME)
            .toFormatter();

    private static final long YEAR_0_SECOND = -62_167_219_200L; // 0000-01-01T00:00:00Z
    private static final long YEAR_9999_END_SECOND = 253_402_300_799L; // 9999-12-31T23:59:59Z

    private Rfc3339() {
    }

    /**
     * Parses an RFC 3339 time.
     *
     * @throws IllegalArgumentException naming the text and the expected form
     */
    public static OffsetDateTime parse(String text) {
        OffsetDateTime common = parseCommon(text);
        if (common != null) {
            return common;
        }
        try {
            return OffsetDateTime.parse(text.trim(), PARSE);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + Texts.cut(text, BoundedDecimal.QUOTED)
                    + "' is not an RFC 3339 time such as 2012-02-02T17:30:00Z");
        }
    }

    /**
     * Parses an RFC 3339 time, reading Go's zero time as absent.
     *
     * @return the time, or null for Go's zero time
     * @throws IllegalArgumentException naming the text and the expected form
     */
    public static OffsetDateTime parseOrAbsent(String text) {
        OffsetDateTime time = parse(text);
        return isGoZero(time) ? null : time;
    }

    /** Whether a time is Go's zero time (at any offset): the way a Go client says "absent". */
    public static boolean isGoZero(OffsetDateTime time) {
        return time != null && time.toEpochSecond() == GO_ZERO_EPOCH_SECOND && time.getNano() == 0;
    }

    /** Formats a time as RFC 3339 with its own offset, as {@link #FORMAT} does. */
    public static String format(OffsetDateTime time) {
        int year = time.getYear();
        if (year < 0 || year > 9999) {
            return FORMAT.format(time);
        }
        StringBuilder out = dateTime(new StringBuilder(35), year, time.getMonthValue(), time.getDayOfMonth(),
                time.getHour(), time.getMinute(), time.getSecond());
        int nano = time.getNano();
        if (nano != 0) {
            int length = 9;
            while (nano % 10 == 0) {
                nano /= 10;
                length--;
            }
            digits(out.append('.'), nano, length);
        }
        int offset = time.getOffset().getTotalSeconds();
        if (offset == 0) {
            return out.append('Z').toString();
        }
        if (offset % 60 != 0) {
            return FORMAT.format(time); // an offset with seconds: rare, left to the formatter
        }
        int minutes = Math.abs(offset) / 60;
        out.append(offset < 0 ? '-' : '+');
        digits(out, minutes / 60, 2).append(':');
        return digits(out, minutes % 60, 2).toString();
    }

    /**
     * Formats an instant exactly as {@link DateTimeFormatter#ISO_INSTANT} (and so {@link Instant#toString()}
     * and Jackson's own Instant serializer) does, in UTC with a fraction in groups of three digits, without
     * the formatter: a command's {@code AcceptedAt} is written on every call.
     */
    public static String format(Instant instant) {
        long second = instant.getEpochSecond();
        if (second < YEAR_0_SECOND || second > YEAR_9999_END_SECOND) {
            return DateTimeFormatter.ISO_INSTANT.format(instant);
        }
        LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(second, 86_400));
        int secondOfDay = (int) Math.floorMod(second, 86_400);
        StringBuilder out = dateTime(new StringBuilder(30), date.getYear(), date.getMonthValue(),
                date.getDayOfMonth(), secondOfDay / 3600, secondOfDay / 60 % 60, secondOfDay % 60);
        int nano = instant.getNano();
        if (nano != 0) {
            out.append('.');
            if (nano % 1_000_000 == 0) {
                digits(out, nano / 1_000_000, 3);
            } else if (nano % 1_000 == 0) {
                digits(out, nano / 1_000, 6);
            } else {
                digits(out, nano, 9);
            }
        }
        return out.append('Z').toString();
    }

    /** {@code yyyy-MM-ddTHH:mm:ss}, for a year of four digits. */
    private static StringBuilder dateTime(StringBuilder out, int year, int month, int day, int hour, int minute,
            int second) {
        digits(out, year, 4).append('-');
        digits(out, month, 2).append('-');
        digits(out, day, 2).append('T');
        digits(out, hour, 2).append(':');
        digits(out, minute, 2).append(':');
        return digits(out, second, 2);
    }

    private static StringBuilder digits(StringBuilder out, int value, int width) {
        for (int divisor = pow10(width - 1); divisor > 0; divisor /= 10) {
            out.append((char) ('0' + value / divisor % 10));
        }
        return out;
    }

    private static int pow10(int exponent) {
        int value = 1;
        for (int i = 0; i < exponent; i++) {
            value *= 10;
        }
        return value;
    }

    /**
     * The time of the form nearly every client sends, {@code 2012-02-02T17:30:00Z} or with a fraction
     * and a {@code +HH:MM} offset, read without the formatter (a few percent of a stream thread's time
     * under load); null for anything else, which the formatter then reads or refuses. Accepts nothing the
     * formatter refuses (Rfc3339Test compares the two on many texts).
     */
    static OffsetDateTime parseCommon(String text) {
        int length = text.length();
        if (length < 20 || length > 35 || !at(text, 4, '-') || !at(text, 7, '-') || !at(text, 13, ':')
                || !at(text, 16, ':') || (text.charAt(10) != 'T' && text.charAt(10) != 't')) {
            return null;
        }
        int year = number(text, 0, 4);
        int month = number(text, 5, 2);
        int day = number(text, 8, 2);
        int hour = number(text, 11, 2);
        int minute = number(text, 14, 2);
        int second = number(text, 17, 2);
        if ((year | month | day | hour | minute | second) < 0) {
            return null;
        }
        int position = 19;
        int nano = 0;
        if (text.charAt(position) == '.') {
            int start = ++position;
            while (position < length && position - start < 9 && isDigit(text.charAt(position))) {
                nano = nano * 10 + text.charAt(position++) - '0';
            }
            int fraction = position - start;
            if (fraction == 0 || (position < length && isDigit(text.charAt(position)))) {
                return null;
            }
            nano *= pow10(9 - fraction);
        }
        ZoneOffset offset;
        if (position == length - 1 && (text.charAt(position) == 'Z' || text.charAt(position) == 'z')) {
            offset = ZoneOffset.UTC;
        } else if (position == length - 6 && (text.charAt(position) == '+' || text.charAt(position) == '-')
                && at(text, position + 3, ':')) {
            int hours = number(text, position + 1, 2);
            int minutes = number(text, position + 4, 2);
            if ((hours | minutes) < 0 || hours > 18 || minutes > 59) {
                return null;
            }
            int sign = text.charAt(position) == '-' ? -1 : 1;
            try {
                offset = ZoneOffset.ofHoursMinutes(sign * hours, sign * minutes);
            } catch (DateTimeException e) {
                return null;
            }
        } else {
            return null;
        }
        try {
            return OffsetDateTime.of(year, month, day, hour, minute, second, nano, offset);
        } catch (DateTimeException e) {
            return null;
        }
    }

    private static boolean at(String text, int index, char expected) {
        return text.charAt(index) == expected;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** The decimal number of {@code width} ASCII digits at {@code start}, or -1. */
    private static int number(String text, int start, int width) {
        int value = 0;
        for (int i = start; i < start + width; i++) {
            char c = text.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            value = value * 10 + c - '0';
        }
        return value;
    }

    static final class Serializer extends StdSerializer<OffsetDateTime> {
        Serializer() {
            super(OffsetDateTime.class);
        }

        @Override
        public void serialize(OffsetDateTime value, JsonGenerator gen, SerializerProvider provider)
                throws IOException {
            gen.writeString(format(value));
        }
    }

    /** Writes an {@link Instant} as {@link #format(Instant)}: what Jackson's own serializer writes, faster. */
    static final class InstantWriter extends StdSerializer<Instant> {
        InstantWriter() {
            super(Instant.class);
        }

        @Override
        public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeString(format(value));
        }
    }

    /**
     * Reads an {@link Instant} (a command's {@code AcceptedAt}) through {@link #parseCommon} when the text
     * has the common form, and as Jackson's own {@link InstantDeserializer} does otherwise (numbers, other
     * ISO forms), so that what is accepted and what it means do not change.
     */
    static final class InstantReader extends StdDeserializer<Instant> {
        InstantReader() {
            super(Instant.class);
        }

        @Override
        public Instant deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            if (p.currentToken() == JsonToken.VALUE_STRING) {
                OffsetDateTime common = parseCommon(p.getText());
                if (common != null) {
                    return common.toInstant();
                }
            }
            return InstantDeserializer.INSTANT.deserialize(p, ctx);
        }
    }

    static final class Deserializer extends StdDeserializer<OffsetDateTime> {
        Deserializer() {
            super(OffsetDateTime.class);
        }

        @Override
        public OffsetDateTime deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                return (OffsetDateTime) ctx.handleUnexpectedToken(OffsetDateTime.class, p);
            }
            String text = p.getText();
            if (text.isBlank()) {
                return null;
            }
            try {
                return parseOrAbsent(text);
            } catch (IllegalArgumentException e) {
                return (OffsetDateTime) ctx.handleWeirdStringValue(OffsetDateTime.class, text, e.getMessage());
            }
        }
    }
}
