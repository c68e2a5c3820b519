package io.ratestream.schemas.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalTime;
import java.time.OffsetDateTime;

/**
 * The one Jackson configuration of ratestream, shared by the gateway, the streams app, the loader and
 * any JVM producer of its topics.
 *
 * <ul>
 *   <li>Field names are read in any letter case ({@code "Tor"}, {@code "TOR"} and {@code "tor"} are the
 *       same field), as the original Go server did; unknown fields are ignored, as Go's decoder does.
 *   <li>Money and amounts are {@link BigDecimal}, read exactly from the JSON text within the bounds of
 *       {@link BoundedDecimal} and written as plain JSON numbers without trailing zeros or exponent
 *       ({@code 540}, {@code 0.5}, {@code 60.35}).
 *   <li>Go's zero time {@code 0001-01-01T00:00:00Z} reads as an absent time (see {@link Rfc3339}).
 *   <li>Times are RFC 3339 and keep their UTC offset both ways (see {@link Rfc3339}).
 *   <li>A float is never silently truncated into an integer field.
 *   <li>Null values are left out when writing.
 * </ul>
 *
 * <p>Each call returns a new mapper. A configured mapper is thread-safe; build one at start-up and share
 * it, never per request.
 */
public final class Json {

    /** Longest description {@link #describe} returns: an error may quote input, never much of it. */
    public static final int MAX_DESCRIPTION = 240;

    /** Longest JSON string value accepted, in characters: nothing in the contract comes near it. */
    public static final int MAX_STRING_LENGTH = 1 << 20;

    private Json() {
    }

    /**
     * A one-line description of why JSON could not be read, for error replies and dead letters: the
     * innermost message (a record's own validation, a bad value), with the field path when there is
     * one, and without Jackson's source excerpts.
     */
    public static String describe(Throwable error) {
        String path = "";
        if (error instanceof com.fasterxml.jackson.databind.JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            StringBuilder text = new StringBuilder();
            for (com.fasterxml.jackson.databind.JsonMappingException.Reference ref : mapping.getPath()) {
                if (ref.getFieldName() != null) {
                    text.append(text.length() == 0 ? "" : ".").append(ref.getFieldName());
                } else if (ref.getIndex() >= 0) {
                    text.append('[').append(ref.getIndex()).append(']');
                }
            }
            path = text.toString();
        }
        Throwable cause = error;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = cause instanceof com.fasterxml.jackson.core.JsonProcessingException json
                ? json.getOriginalMessage() : cause.getMessage();
        String described = path.isEmpty() ? message : path + ": " + message;
        return Texts.cut(described, MAX_DESCRIPTION);
    }

    /** A new mapper with the ratestream configuration. */
    public static ObjectMapper newMapper() {
        SimpleModule ratestream = new SimpleModule("ratestream");
        ratestream.addSerializer(BigDecimal.class, new PlainDecimalSerializer());
        ratestream.addDeserializer(BigDecimal.class, new BoundedDecimal.Deserializer());
        ratestream.addSerializer(OffsetDateTime.class, new Rfc3339.Serializer());
        ratestream.addDeserializer(OffsetDateTime.class, new Rfc3339.Deserializer());
        ratestream.addDeserializer(Instant.class, new Rfc3339.InstantReader());
        ratestream.addSerializer(Instant.class, new Rfc3339.InstantWriter());
        ratestream.addSerializer(LocalTime.class, new TimeOfDay.Serializer());
        ratestream.addDeserializer(LocalTime.class, new TimeOfDay.Deserializer());

        JsonMapper mapper = JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .addModule(ratestream)
                .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
                .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
                .disable(JsonParser.Feature.AUTO_CLOSE_SOURCE)
                .serializationInclusion(JsonInclude.Include.NON_NULL)
                .build();
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxStringLength(MAX_STRING_LENGTH)
                .maxNumberLength(BoundedDecimal.MAX_TEXT)
                .maxNestingDepth(64)
                .build());
        return mapper;
    }
}
