package io.ratestream.schemas.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.DefaultDeserializationContext;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.deser.InstantDeserializer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The fast paths of {@link Rfc3339} must read and write exactly what the formatters do. */
class Rfc3339Test {

    /** The formatter the parser used alone before the fast path. */
    private static final DateTimeFormatter REFERENCE = new DateTimeFormatterBuilder().parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_OFFSET_DATE_TIME).toFormatter();

    @ParameterizedTest
    @ValueSource(strings = {"2012-02-02T17:30:00Z", "2012-02-02t17:30:00z", "2012-02-02T19:30:00+02:00",
        "2012-02-02T12:00:00-05:30", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
        "2012-02-02T17:30:00.5Z", "2012-02-02T17:30:00.123456+18:00", "2012-02-02T17:30:00-18:00",
        "2012-02-02T17:30:00-00:00", "2012-02-29T00:00:00Z"})
    void shouldReadTheCommonFormsAsTheFormatterDoes(String text) {
        assertThat(Rfc3339.parseCommon(text)).isNotNull().isEqualTo(OffsetDateTime.parse(text, REFERENCE));
        assertThat(Rfc3339.parse(text)).isEqualTo(OffsetDateTime.parse(text, REFERENCE));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2012-13-01T00:00:00Z",
        "2012-02-02T23:60:00Z", "2012-02-02T23:59:60Z", "2012-02-02T17:30:00.1234567890Z",
        "2012-02-02T17:30:00+18:30", "2012-02-02T17:30:00+19:00", "2012-02-02T17:30:00+02:60",
        "2012-02-02 17:30:00Z", "2012-02-02T17:30:00", "2012-02-02T17:30:00ZZ", "2012-02-02T17:30:00+0200",
        "2O12-02-02T17:30:00Z", "2012-02-02T17:30:00+02:0x", "+2012-02-02T17:30:00Z", "2012-02-02T17:30:00.-1Z"})
    void shouldRefuseWhatTheFormatterRefuses(String text) {
        assertThat(Rfc3339.parseCommon(text)).isNull();
        assertThatThrownBy(() -> OffsetDateTime.parse(text, REFERENCE)).isNotNull();
        assertThatThrownBy(() -> Rfc3339.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("RFC 3339");
    }

    /** Forms the formatter reads (its SMART resolver, optional seconds): the fast path leaves them to it. */
    @ParameterizedTest
    @ValueSource(strings = {"2013-02-29T00:00:00Z", "2012-02-02T24:00:00Z", "2012-02-02T17:30:00.Z",
        "2012-02-02T17:30Z", " 2012-02-02T17:30:00Z ", "2012-02-02T17:30:00+02:00:30"})
    void shouldLeaveTheRareFormsToTheFormatter(String text) {
        assertThat(Rfc3339.parseCommon(text)).isNull();
        assertThat(Rfc3339.parse(text)).isEqualTo(OffsetDateTime.parse(text.trim(), REFERENCE));
    }

    @Test
    void shouldAgreeWithTheFormatterOnMutatedTexts() {
        Random random = new Random(3339);
        String alphabet = "0123456789-:T.Z+ tz9";
        List<String> disagreements = new ArrayList<>();
        int accepted = 0;
        for (int i = 0; i < 200_000; i++) {
            char[] text = Rfc3339.format(randomTime(random)).toCharArray();
            int edits = random.nextInt(3);
            for (int e = 0; e < edits; e++) {
                text[random.nextInt(text.length)] = alphabet.charAt(random.nextInt(alphabet.length()));
            }
            String candidate = new String(text);
            OffsetDateTime fast = Rfc3339.parseCommon(candidate);
            OffsetDateTime reference;
            try {
                reference = OffsetDateTime.parse(candidate, REFERENCE);
            } catch (RuntimeException e) {
                reference = null;
            }
            if (fast != null) {
                accepted++;
                if (!fast.equals(reference)) {
                    disagreements.add(candidate + " -> " + fast + " / " + reference);
                }
            }
        }
        assertThat(disagreements).isEmpty();
        assertThat(accepted).isGreaterThan(50_000);
    }

    /** An Instant (AcceptedAt) reads as Jackson's own JavaTimeModule reads it, whatever the text. */
    @Test
    void shouldReadInstantsAsJacksonsReaderDoes() throws Exception {
        ObjectMapper ours = Json.newMapper();
        // the project's mapper as it was: Jackson's InstantDeserializer registered last, so it wins
        ObjectMapper jacksons = Json.newMapper().registerModule(
                new SimpleModule("jacksons").addDeserializer(Instant.class, InstantDeserializer.INSTANT));
        assertThat(deserializerOf(ours)).isInstanceOf(Rfc3339.InstantReader.class);
        assertThat(deserializerOf(jacksons)).isInstanceOf(InstantDeserializer.class);
        Random random = new Random(7);
        String alphabet = "0123456789-:T.Z+ tz9";
        List<String> texts = new ArrayList<>(List.of("\"2012-02-02T17:30:00Z\"", "\"2012-02-02T19:30:00+02:00\"",
                "1328203800", "1328203800.5", "\"2012-02-02T17:30:00.123Z\"", "\"\"", "\"x\"", "null", "[1]"));
        for (int i = 0; i < 50_000; i++) {
            char[] text = Rfc3339.format(randomTime(random)).toCharArray();
            for (int e = random.nextInt(3); e > 0; e--) {
                text[random.nextInt(text.length)] = alphabet.charAt(random.nextInt(alphabet.length()));
            }
            texts.add("\"" + new String(text) + "\"");
        }
        List<String> disagreements = new ArrayList<>();
        for (String text : texts) {
            String mine = read(ours, text);
            String theirs = read(jacksons, text);
            if (!mine.equals(theirs)) {
                disagreements.add(text + " -> " + mine + " / " + theirs);
            }
        }
        assertThat(disagreements).isEmpty();
    }

    private static Object deserializerOf(ObjectMapper mapper) throws Exception {
        DefaultDeserializationContext context = ((DefaultDeserializationContext) mapper.getDeserializationContext())
                .createInstance(mapper.getDeserializationConfig(), null, null);
        return context.findRootValueDeserializer(mapper.constructType(Instant.class));
    }

    private static String read(ObjectMapper mapper, String json) {
        try {
            return String.valueOf(mapper.readValue(json, Instant.class));
        } catch (Exception e) {
            return "refused";
        }
    }

    @Test
    void shouldWriteAsTheFormatterWrites() {
        Random random = new Random(42);
        for (int i = 0; i < 100_000; i++) {
            OffsetDateTime time = randomTime(random);
            assertThat(Rfc3339.format(time)).isEqualTo(Rfc3339.FORMAT.format(time));
        }
        OffsetDateTime withSeconds = OffsetDateTime.of(2012, 2, 2, 17, 30, 0, 0, ZoneOffset.ofTotalSeconds(3723));
        OffsetDateTime farFuture = OffsetDateTime.of(12012, 2, 2, 17, 30, 0, 0, ZoneOffset.UTC);
        assertThat(Rfc3339.format(withSeconds)).isEqualTo(Rfc3339.FORMAT.format(withSeconds));
        assertThat(Rfc3339.format(farFuture)).isEqualTo(Rfc3339.FORMAT.format(farFuture));
    }

    @Test
    void shouldWriteInstantsAsTheIsoInstantFormatterWrites() {
        Random random = new Random(483);
        int[] nanos = {0, 0, 500_000_000, 123_000_000, 1, 999_999_999, 120_000, 123_456_000, 100, 10_000_000};
        List<Instant> instants = new ArrayList<>(List.of(Instant.EPOCH, Instant.MIN, Instant.MAX,
                Instant.parse("0000-01-01T00:00:00Z"), Instant.parse("0000-01-01T00:00:00Z").minusNanos(1),
                Instant.parse("9999-12-31T23:59:59.999999999Z"), Instant.parse("9999-12-31T23:59:59Z").plusSeconds(1),
                Instant.parse("2012-02-29T23:59:59.5Z"), Instant.parse("1969-12-31T23:59:59.999Z")));
        for (int i = 0; i < 200_000; i++) {
            long second = random.nextLong(-70_000_000_000L, 260_000_000_000L);
            instants.add(Instant.ofEpochSecond(second, nanos[random.nextInt(nanos.length)]));
        }
        List<String> disagreements = new ArrayList<>();
        for (Instant instant : instants) {
            String expected = DateTimeFormatter.ISO_INSTANT.format(instant);
            if (!Rfc3339.format(instant).equals(expected)) {
                disagreements.add(expected + " -> " + Rfc3339.format(instant));
            }
        }
        assertThat(disagreements).isEmpty();
    }

    /** An Instant (AcceptedAt) is written as Jackson's own JavaTimeModule writes it. */
    @Test
    void shouldWriteInstantsAsJacksonsWriterDoes() throws Exception {
        ObjectMapper ours = Json.newMapper();
        // the project's mapper as it was: Jackson's InstantSerializer registered last, so it wins
        ObjectMapper jacksons = Json.newMapper().registerModule(new SimpleModule("jacksons")
                .addSerializer(Instant.class, com.fasterxml.jackson.datatype.jsr310.ser.InstantSerializer.INSTANCE));
        assertThat(ours.getSerializerProviderInstance().findValueSerializer(Instant.class))
                .isInstanceOf(Rfc3339.InstantWriter.class);
        Random random = new Random(515);
        for (int i = 0; i < 50_000; i++) {
            Instant instant = Instant.ofEpochSecond(random.nextLong(-62_135_596_800L, 253_402_300_799L),
                    random.nextInt(4) == 0 ? 0 : random.nextInt(1_000_000_000));
            assertThat(ours.writeValueAsString(instant)).isEqualTo(jacksons.writeValueAsString(instant));
        }
    }

    private static OffsetDateTime randomTime(Random random) {
        int[] nanos = {0, 0, 500_000_000, 123_000_000, 1, 999_999_999, 120_000};
        int offsetMinutes = random.nextInt(4) == 0 ? 0 : (random.nextInt(36 * 60 + 1) - 18 * 60);
        return OffsetDateTime.of(random.nextInt(9999) + 1, random.nextInt(12) + 1, random.nextInt(28) + 1,
                random.nextInt(24), random.nextInt(60), random.nextInt(60), nanos[random.nextInt(nanos.length)],
                ZoneOffset.ofTotalSeconds(offsetMinutes * 60));
    }
}
