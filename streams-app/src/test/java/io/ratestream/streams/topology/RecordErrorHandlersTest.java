package io.ratestream.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.json.JsonSerde;
import io.ratestream.schemas.topics.DeadLetter;
import io.ratestream.schemas.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

/**
 * The record exception handlers on their own: what they answer Kafka Streams, and the dead letters they
 * hand it. (Through the topology, see PoisonTopologyTest: the processors catch what a record causes
 * themselves, so the processing handler is rarely reached there.)
 */
class RecordErrorHandlersTest {

    private static final JsonSerde<DeadLetter> LETTERS = new JsonSerde<>(Json.newMapper(), DeadLetter.class);
    private static final byte[] BIG = new byte[600_000];

    static {
        Arrays.fill(BIG, (byte) '{');
    }

    /** Where a handler is called from: a record of {@code topic} at partition 2, offset 41. */
    private record Context(String topic, byte[] sourceRawKey, byte[] sourceRawValue) implements ErrorHandlerContext {
        @Override
        public int partition() {
            return 2;
        }

        @Override
        public long offset() {
            return 41;
        }

        @Override
        public Headers headers() {
            return new RecordHeaders();
        }

        @Override
        public String processorNodeId() {
            return RatestreamTopology.COMMAND_PROCESSOR;
        }

        @Override
        public TaskId taskId() {
            return new TaskId(0, 2);
        }

        @Override
        public long timestamp() {
            return 1_328_202_000_000L;
        }
    }

    private static final Context COMMAND = new Context(Topics.COMMANDS, "vdf:rif".getBytes(StandardCharsets.UTF_8), BIG);

    private static ProcessingErrors processing() {
        ProcessingErrors handler = new ProcessingErrors();
        handler.configure(Map.of());
        return handler;
    }

    private static ProductionErrors production(Map<String, ?> configs) {
        ProductionErrors handler = new ProductionErrors();
        handler.configure(configs);
        return handler;
    }

    private static DeadLetter only(List<ProducerRecord<byte[], byte[]>> records) {
        assertThat(records).hasSize(1);
        assertThat(records.get(0).topic()).isEqualTo(Topics.DEAD_LETTERS);
        return LETTERS.deserialize(Topics.DEAD_LETTERS, records.get(0).value());
    }

    @Test
    void shouldSkipACommandThatEscapedItsProcessorAndDeadLetterItCut() {
        ProcessingExceptionHandler.Response response = processing().handleError(COMMAND, null,
                new IllegalStateException("a bug"));

        assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.RESUME);
        DeadLetter letter = only(response.deadLetterQueueRecords());
        assertThat(letter.reason()).isEqualTo("cannot be processed: java.lang.IllegalStateException: a bug");
        assertThat(letter.partition()).isEqualTo(2);
        assertThat(letter.offset()).isEqualTo(41);
        assertThat(letter.truncated()).isTrue();
        assertThat(letter.valueBytes()).isEqualTo(600_000);
        assertThat(new String(response.deadLetterQueueRecords().get(0).key(), StandardCharsets.UTF_8)).isEqualTo("vdf:rif");
    }

    @Test
    void shouldSkipAReferenceRecordOrAPunctuationWithoutADeadLetter() {
        Context reference = new Context(Topics.DESTINATIONS, new byte[] {1}, new byte[] {2});
        Context punctuation = new Context(null, null, null);

        assertThat(processing().handleError(reference, null, new IllegalArgumentException("x")).result())
                .isEqualTo(ProcessingExceptionHandler.Result.RESUME);
        assertThat(processing().handleError(reference, null, new IllegalArgumentException("x"))
                .deadLetterQueueRecords()).isEmpty();
        assertThat(processing().handleError(punctuation, null, new IllegalStateException("x")).result())
                .isEqualTo(ProcessingExceptionHandler.Result.RESUME);
    }

    @Test
    void shouldFailTheTaskForKafkasOwnFailures() {
        assertThat(processing().handleError(COMMAND, null, new ProcessorStateException("rocksdb")).result())
                .isEqualTo(ProcessingExceptionHandler.Result.FAIL);
        assertThat(processing().handleError(COMMAND, null, new ProducerFencedException("fenced")).result())
                .isEqualTo(ProcessingExceptionHandler.Result.FAIL);
    }

    @Test
    void shouldSkipARecordTheBrokerRefusesAndReportItWithoutPayload() {
        ProducerRecord<byte[], byte[]> reply = new ProducerRecord<>(Topics.REPLIES, new byte[] {1}, new byte[] {2});

        ProductionExceptionHandler.Response response = production(Map.of("producer.max.request.size", "4000"))
                .handleError(COMMAND, reply, new RecordTooLargeException("too large"));

        assertThat(response.result()).isEqualTo(ProductionExceptionHandler.Result.RESUME);
        DeadLetter letter = only(response.deadLetterQueueRecords());
        assertThat(letter.reason()).contains("its output to ratestream.replies was not written: too large");
        assertThat(letter.valueBase64()).isNull(); // 64 KiB of payload does not fit in 3000 bytes
        assertThat(letter.valueBytes()).isEqualTo(600_000);
        assertThat(response.deadLetterQueueRecords().get(0).value().length).isLessThanOrEqualTo(3000);
    }

    @Test
    void shouldResendADeadLetterTheBrokerRefusesWithoutItsPayloadOnceOnly() {
        ProductionErrors handler = production(Map.of());
        DeadLetter full = DeadLetters.of("bad", Topics.COMMANDS, 2, 41, "vdf:rif".getBytes(StandardCharsets.UTF_8), BIG);
        ProducerRecord<byte[], byte[]> sent = new ProducerRecord<>(Topics.DEAD_LETTERS, null,
                LETTERS.serialize(Topics.DEAD_LETTERS, full));

        ProductionExceptionHandler.Response first = handler.handleError(COMMAND, sent, new RecordTooLargeException("x"));
        DeadLetter resent = only(first.deadLetterQueueRecords());
        ProductionExceptionHandler.Response second = handler.handleError(COMMAND, first.deadLetterQueueRecords().get(0),
                new RecordTooLargeException("x"));

        assertThat(resent).isEqualTo(full.withoutPayload());
        assertThat(resent.truncated()).isTrue();
        assertThat(second.result()).isEqualTo(ProductionExceptionHandler.Result.RESUME);
        assertThat(second.deadLetterQueueRecords()).isEmpty();
    }

    @Test
    void shouldLeaveRetriableErrorsToKafkaStreams() {
        ProducerRecord<byte[], byte[]> event = new ProducerRecord<>(Topics.EVENTS, new byte[] {1}, new byte[] {2});

        assertThat(production(Map.of()).handleError(COMMAND, event, new NotEnoughReplicasException("wait")).result())
                .isEqualTo(ProductionExceptionHandler.Result.RETRY);
    }

    @Test
    void shouldSendADeadLetterThatCannotBeSerializedWithoutItsPayload() {
        DeadLetter full = DeadLetters.of("bad", Topics.COMMANDS, 2, 41, "vdf:rif".getBytes(StandardCharsets.UTF_8), BIG);
        ProducerRecord<String, DeadLetter> record = new ProducerRecord<>(Topics.DEAD_LETTERS, "vdf:rif", full);

        ProductionExceptionHandler.Response response = production(Map.of("producer.max.request.size", "4000"))
                .handleSerializationError(COMMAND, record, new RecordLimits.OversizeException(Topics.DEAD_LETTERS,
                        153_000, 3000), ProductionExceptionHandler.SerializationExceptionOrigin.VALUE);

        assertThat(response.result()).isEqualTo(ProductionExceptionHandler.Result.RESUME);
        assertThat(only(response.deadLetterQueueRecords())).isEqualTo(full.withoutPayload());
        assertThat(new String(response.deadLetterQueueRecords().get(0).key(), StandardCharsets.UTF_8)).isEqualTo("vdf:rif");
    }
}
