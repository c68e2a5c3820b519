package io.ratestream.schemas.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;

/** Writes null as {@code ""}: the original files' "start of day" and "end of day" interval times. */
public final class EmptyStringForNull extends StdSerializer<Object> {

    private static final long serialVersionUID = 1L;

    /** Used by Jackson through {@code @JsonSerialize(nullsUsing = ...)}. */
    public EmptyStringForNull() {
        super(Object.class);
    }

    @Override
    public void serialize(Object value, JsonGenerator gen, SerializerProvider provider) throws IOException {
        gen.writeString("");
    }
}
