package io.ratestream.streams.topology;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.command.ReplyTo;
import io.ratestream.schemas.event.BudgetEvent;
import io.ratestream.schemas.json.JsonSerde;
import io.ratestream.schemas.model.Names;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.reply.Reply;
import io.ratestream.streams.rating.Engine;
import io.ratestream.streams.rating.MonthlyRefill;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The one processor of the commands topic: parse, check the key, let the {@link CommandHandler} decide
 * against the stores, forward the reply (to the route the command asked for) and the events. A record
 * that cannot be used goes to the dead-letter topic with the reason, and, when its request id can be
 * read, an error reply goes back so that nobody waits for a timeout. Nothing here reads a clock, except
 * the refill check, which only writes ordinary commands into the log.
 */
final class CommandProcessor implements Processor<byte[], byte[], String, Object> {

    private final ReferenceBook reference;
    private final CommandReader reader;
    private final ObjectMapper mapper;
    private final Duration retention;
    private final Duration refillCheck;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, UserBudget> budgets;
    private StoreLedger ledger;
    private CommandHandler handler;

    CommandProcessor(ReferenceBook reference, ObjectMapper mapper, Duration retention, Duration refillCheck) {
        this.reference = reference;
        this.mapper = mapper;
        this.reader = new CommandReader(new JsonSerde<>(mapper, Command.class));
        this.retention = retention;
        this.refillCheck = refillCheck;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.budgets = context.getStateStore(RatestreamTopology.BUDGETS_STORE);
        this.ledger = new StoreLedger(budgets, context.getStateStore(RatestreamTopology.PROCESSED_STORE),
                context.getStateStore(RatestreamTopology.PROCESSED_INDEX_STORE));
        this.handler = new CommandHandler(new Engine(reference), retention);
        if (refillCheck != null) {
            context.schedule(refillCheck, PunctuationType.WALL_CLOCK_TIME, this::writeDueRefills);
        }
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        CommandReader.Read read = reader.read(record.key(), record.value());
        if (read.rejection() != null) {
            reject(record, read.rejection());
            return;
        }
        Command command = read.command();
        String key = command.key();
        CommandHandler.Outcome outcome = handler.handle(ledger, command);
        long timestamp = record.timestamp();
        context.forward(new Record<>(command.requestId(), new RoutedReply(outcome.reply(), command.replyTo()),
                timestamp), RatestreamTopology.REPLIES_SINK);
        for (BudgetEvent event : outcome.events()) {
            context.forward(new Record<>(key, event, timestamp), RatestreamTopology.EVENTS_SINK);
        }
        if (outcome.internalError() != null) {
            deadLetter(record, outcome.internalError());
        }
    }

    /** A record that is not a usable command: dead letter, and an error reply when it can be addressed. */
    private void reject(Record<byte[], byte[]> record, String reason) {
        deadLetter(record, reason);
        JsonNode tree = readTree(record.value());
        String requestId = tree.path("RequestId").isTextual() ? tree.get("RequestId").asText() : null;
        if (requestId == null || Names.requestIdProblem(requestId, "RequestId") != null) {
            return;
        }
        ReplyTo replyTo = null;
        try {
            JsonNode route = tree.get("ReplyTo");
            replyTo = route == null || route.isNull() ? null : mapper.treeToValue(route, ReplyTo.class);
        } catch (Exception e) {
            // an unreadable route: answer on the default reply topic
        }
        Reply reply = Reply.error(requestId, null, "bad command: " + reason);
        context.forward(new Record<>(requestId, new RoutedReply(reply, replyTo), record.timestamp()),
                RatestreamTopology.REPLIES_SINK);
    }

    private JsonNode readTree(byte[] value) {
        try {
            JsonNode tree = value == null ? null : mapper.readTree(value);
            return tree == null ? mapper.missingNode() : tree;
        } catch (Exception e) {
            return mapper.missingNode();
        }
    }

    private void deadLetter(Record<byte[], byte[]> record, String reason) {
        RecordMetadata where = context.recordMetadata().orElse(null);
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        context.forward(new Record<>(key, DeadLetters.of(reason, where, record.key(), record.value()),
                record.timestamp()), RatestreamTopology.DEAD_LETTERS_SINK);
    }

    /**
     * Notices budgets whose monthly refill is due and writes a refill command for each into the command
     * log. The command is a no-op if the refill has happened by the time it is processed, so writing it
     * more than once is harmless.
     */
    private void writeDueRefills(long now) {
        Instant at = Instant.ofEpochMilli(now);
        try (KeyValueIterator<String, UserBudget> all = budgets.all()) {
            while (all.hasNext()) {
                KeyValue<String, UserBudget> entry = all.next();
                YearMonth due = MonthlyRefill.due(entry.value, at);
                int colon = entry.key.indexOf(':');
                if (due != null && colon > 0) {
                    Command refill = MonthlyRefill.command(entry.key.substring(0, colon),
                            entry.key.substring(colon + 1), due, at);
                    context.forward(new Record<>(entry.key, refill, now), RatestreamTopology.REFILL_SINK);
                }
            }
        }
    }
}
