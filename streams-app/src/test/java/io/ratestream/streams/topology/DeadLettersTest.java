package io.ratestream.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.json.JsonSerde;
import io.ratestream.schemas.topics.DeadLetter;
import io.ratestream.schemas.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** Dead letters are cut to fit, and cut where a reader can still use what is kept. */
class DeadLettersTest {

    @Test
    void shouldKeepASmallRecordWhole() {
        byte[] value = "{\"RequestId\":\"x\"".getBytes(StandardCharsets.UTF_8);

        DeadLetter letter = DeadLetters.of("bad", Topics.COMMANDS, 1, 7, "vdf:rif".getBytes(StandardCharsets.UTF_8), value);

        assertThat(letter.truncated()).isFalse();
        assertThat(letter.value()).isEqualTo("{\"RequestId\":\"x\"");
        assertThat(Base64.getDecoder().decode(letter.valueBase64())).isEqualTo(value);
        assertThat(letter.keyBytes()).isEqualTo(7);
        assertThat(letter.valueBytes()).isEqualTo(value.length);
    }

    @Test
    void shouldCutTextAtACharacterBoundarySoThatItStaysText() {
        // 'é' is two bytes: the 32,768th one straddles the 64 KiB limit
        byte[] value = "é".repeat(40_000).getBytes(StandardCharsets.UTF_8);
        value = Arrays.copyOf(("x" + new String(value, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8),
                value.length + 1);

        DeadLetter letter = DeadLetters.of("bad", Topics.COMMANDS, 0, 0, null, value);

        byte[] kept = Base64.getDecoder().decode(letter.valueBase64());
        assertThat(kept).hasSize(DeadLetters.MAX_VALUE_BYTES - 1).isEqualTo(Arrays.copyOf(value, kept.length));
        assertThat(letter.value()).isEqualTo(new String(kept, StandardCharsets.UTF_8)).endsWith("é");
        assertThat(letter.truncated()).isTrue();
        assertThat(letter.valueBytes()).isEqualTo(80_001);
        assertThat(letter.key()).isNull();
        assertThat(letter.keyBytes()).isNull();
    }

    @Test
    void shouldCutBinaryAtTheLimitExactly() {
        byte[] value = new byte[100_000];
        Arrays.fill(value, (byte) 0x80); // continuation bytes only: not UTF-8

        DeadLetter letter = DeadLetters.of("bad", Topics.COMMANDS, 0, 0, null, value);

        assertThat(Base64.getDecoder().decode(letter.valueBase64())).hasSize(DeadLetters.MAX_VALUE_BYTES);
        assertThat(letter.value()).isNull();
    }

    @Test
    void shouldFitARecordWhateverTheLargestValueItReports() {
        // control characters: the worst case for JSON escaping (six bytes each)
        byte[] value = new byte[1_000_000];
        byte[] key = new byte[1_000_000];
        JsonSerde<DeadLetter> serde = new JsonSerde<>(Json.newMapper(), DeadLetter.class);

        DeadLetter letter = DeadLetters.of("x".repeat(100_000), Topics.COMMANDS, 0, 0, key, value);

        assertThat(serde.serialize(Topics.DEAD_LETTERS, letter).length).isLessThan(RecordLimits.MAX_RECORD_BYTES);
        assertThat(letter.reason()).hasSize(DeadLetters.MAX_REASON_CHARS);
        assertThat(DeadLetters.keyText(key).getBytes(StandardCharsets.UTF_8)).hasSize(DeadLetters.MAX_KEY_BYTES);
    }

    @Test
    void shouldCutAReasonWithoutSplittingACharacter() {
        String reason = "a".repeat(DeadLetters.MAX_REASON_CHARS - 4) + "😀".repeat(10);

        String cut = DeadLetters.cut(reason);

        assertThat(cut).hasSizeLessThanOrEqualTo(DeadLetters.MAX_REASON_CHARS).endsWith("a...");
        assertThat(DeadLetters.cut("short")).isEqualTo("short");
        assertThat(DeadLetters.cut(null)).isNull();
    }
}
