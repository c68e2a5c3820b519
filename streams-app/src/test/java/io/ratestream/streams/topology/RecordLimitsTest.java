package io.ratestream.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;

/** The size a written record may have, and the serializer that holds it. */
class RecordLimitsTest {

    @Test
    void shouldAllowAMillionBytesUnlessTheProducerMaySendLess() {
        assertThat(RecordLimits.maxValueBytes(Map.of())).isEqualTo(1_000_000);
        assertThat(RecordLimits.maxValueBytes(Map.of("producer.max.request.size", "2097152"))).isEqualTo(1_000_000);
        assertThat(RecordLimits.maxValueBytes(Map.of("max.request.size", "500000"))).isEqualTo(500_000 - 16_384);
        assertThat(RecordLimits.maxValueBytes(Map.of("producer.max.request.size", "4000", "max.request.size", "9")))
                .isEqualTo(3000);
    }

    @Test
    void shouldRefuseAValueOneByteOverTheLimitAtSerialization() {
        Serializer<byte[]> bounded = RecordLimits.bounded(Serdes.ByteArray().serializer(), 1_000_000);

        assertThat(bounded.serialize("t", new byte[1_000_000])).hasSize(1_000_000);
        assertThatThrownBy(() -> bounded.serialize("t", new byte[1_000_001]))
                .isInstanceOf(SerializationException.class)
                .hasMessage("a value for t would be 1000001 bytes, more than the 1000000 a record may have");
        assertThat(bounded.serialize("t", null)).isNull();
    }
}
