package io.ratestream.streams.topology;

import io.ratestream.schemas.topics.Topics;
import java.util.Map;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code processing.exception.handler}, also for the global thread
 * ({@code processing.exception.handler.global.enabled}). The processors catch what a record can cause
 * themselves (the command processor dead-letters it, the reference processor skips it), so this is the
 * net under them: an exception that still escapes a processor or a punctuation is logged, counted
 * (Kafka Streams' {@code dropped-records-total}) and the record skipped; a command record also goes to
 * the dead-letter topic. Kafka's own failures (a state store that fails, a fenced producer) are not a
 * record's fault: they fail the task, for the uncaught-exception handler to decide.
 */
public final class ProcessingErrors implements ProcessingExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessingErrors.class);

    private LetterWriter letters;

    @Override
    public void configure(Map<String, ?> configs) {
        letters = new LetterWriter(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        if (CommandProcessor.isKafkas(exception)) {
            LOG.error("processor {} failed on {}-{}@{} for a reason of Kafka's: failing the task",
                    context.processorNodeId(), context.topic(), context.partition(), context.offset(), exception);
            return Response.fail();
        }
        LOG.error("processor {} failed on {}-{}@{}: the record is skipped", context.processorNodeId(),
                context.topic() == null ? "(punctuation)" : context.topic(), context.partition(), context.offset(),
                exception);
        if (Topics.COMMANDS.equals(context.topic()) || Topics.ADMIN_COMMANDS.equals(context.topic())
                || Topics.QUERIES.equals(context.topic())) {
            return Response.resume(letters.records(LetterWriter.letter(context, "cannot be processed: " + exception),
                    context.timestamp()));
        }
        return Response.resume();
    }
}
