package io.ratestream.streams.topology;

import io.ratestream.schemas.topics.DeadLetter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/** Builds {@link DeadLetter}s from raw records. */
final class DeadLetters {

    private DeadLetters() {
    }

    static DeadLetter of(String reason, RecordMetadata where, byte[] key, byte[] value) {
        return new DeadLetter(reason,
                where == null ? "?" : where.topic(), where == null ? -1 : where.partition(),
                where == null ? -1 : where.offset(),
                key == null ? null : new String(key, StandardCharsets.UTF_8),
                utf8(value),
                value == null ? null : Base64.getEncoder().encodeToString(value));
    }

    /** The bytes as text when they are valid UTF-8, else null. */
    static String utf8(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
