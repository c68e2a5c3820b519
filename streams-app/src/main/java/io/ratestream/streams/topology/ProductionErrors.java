package io.ratestream.streams.topology;

import io.ratestream.schemas.topics.DeadLetter;
import io.ratestream.schemas.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code production.exception.handler}: a record the streams app cannot write (a reply, an event,
 * a dead letter or a refill command too large for a record, or refused by the broker) is logged, counted
 * (Kafka Streams' {@code dropped-records-total} metric of the task) and skipped, and reported on the
 * dead-letter topic with the topic, partition and offset of the command that produced it; the stream
 * thread goes on. A dead letter that does not fit is sent again without its payload. Retriable errors
 * (a broker away, too few replicas) are left to Kafka Streams, which retries the task.
 *
 * <p>Only a record refused at serialization (see {@link RecordLimits}) is skipped cleanly under
 * exactly-once: one the producer itself refuses has already doomed the open transaction, which Kafka
 * Streams then aborts and retries. That is why every sink checks sizes first.
 */
public final class ProductionErrors implements ProductionExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ProductionErrors.class);

    private LetterWriter letters;

    @Override
    public void configure(Map<String, ?> configs) {
        letters = new LetterWriter(configs);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
            SerializationExceptionOrigin origin) {
        LOG.error("a {} for {} (from {}-{}@{}) cannot be written and is skipped: {}", origin.name().toLowerCase(
                java.util.Locale.ROOT), record.topic(), context.topic(), context.partition(), context.offset(),
                DeadLetters.cut(exception.getMessage()));
        if (record.value() instanceof DeadLetter letter) {
            byte[] key = letter.key() == null ? null : letter.key().getBytes(StandardCharsets.UTF_8);
            return Response.resume(letters.records(key, letter.withoutPayload(), context.timestamp()));
        }
        return Response.resume(report(context, record.topic(), exception));
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
        if (exception instanceof RetriableException) {
            return Response.retry();
        }
        LOG.error("a record for {} (from {}-{}@{}) was refused and is skipped: {}", record.topic(), context.topic(),
                context.partition(), context.offset(), DeadLetters.cut(exception.toString()));
        if (Topics.DEAD_LETTERS.equals(record.topic())) {
            DeadLetter letter = letters.read(record.value());
            boolean hadPayload = letter != null && (letter.key() != null || letter.valueBase64() != null);
            return Response.resume(hadPayload ? letters.records(record.key(), letter.withoutPayload(), context.timestamp())
                    : List.of());
        }
        return Response.resume(report(context, record.topic(), exception));
    }

    private List<ProducerRecord<byte[], byte[]>> report(ErrorHandlerContext context, String topic, Exception exception) {
        String reason = "its output to " + topic + " was not written: " + exception.getMessage();
        return letters.records(LetterWriter.letter(context, reason), context.timestamp());
    }
}
