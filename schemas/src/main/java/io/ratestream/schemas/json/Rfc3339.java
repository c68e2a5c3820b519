package io.ratestream.schemas.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.time.OffsetDateTime;
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

    private Rfc3339() {
    }

    /**
     * Parses an RFC 3339 time.
     *
     * @throws IllegalArgumentException naming the text and the expected form
     */
    public static OffsetDateTime parse(String text) {
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

    /** Formats a time as RFC 3339 with its own offset. */
    public static String format(OffsetDateTime time) {
        return FORMAT.format(time);
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
