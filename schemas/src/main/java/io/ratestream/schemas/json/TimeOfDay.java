package io.ratestream.schemas.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Interval times of day, {@code HH:MM:SS} as the original files write them. The empty string (the
 * original files' "start of day" or "end of day") reads as {@code null}, and {@code null} writes as
 * the empty string.
 */
final class TimeOfDay {

    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("HH:mm:ss");

    private TimeOfDay() {
    }

    static final class Serializer extends StdSerializer<LocalTime> {
        Serializer() {
            super(LocalTime.class);
        }

        @Override
        public void serialize(LocalTime value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeString(value.getNano() == 0 ? FORMAT.format(value) : value.toString());
        }
    }

    static final class Deserializer extends StdDeserializer<LocalTime> {
        Deserializer() {
            super(LocalTime.class);
        }

        @Override
        public LocalTime deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                return (LocalTime) ctx.handleUnexpectedToken(LocalTime.class, p);
            }
            String text = p.getText().trim();
            if (text.isEmpty()) {
                return null;
            }
            try {
                return LocalTime.parse(text);
            } catch (DateTimeParseException e) {
                return (LocalTime) ctx.handleWeirdStringValue(LocalTime.class, text,
                        "not a time of day such as 18:00:00 (or \"\" for the start or end of the day)");
            }
        }

        @Override
        public LocalTime getNullValue(DeserializationContext ctx) {
            return null;
        }
    }
}
