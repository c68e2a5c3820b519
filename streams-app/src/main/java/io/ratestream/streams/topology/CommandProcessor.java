package io.ratestream.streams.topology;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.command.ReplyTo;
import io.ratestream.schemas.event.BudgetEvent;
import io.ratestream.schemas.json.JsonSerde;
import io.ratestream.schemas.model.Names;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.reply.ErrorKind;
import io.ratestream.schemas.reply.Reply;
import io.ratestream.schemas.topics.Topics;
import io.ratestream.streams.rating.Engine;
import io.ratestream.streams.rating.MonthlyRefill;
import io.ratestream.streams.state.BudgetCodec;
import io.ratestream.streams.state.ProcessedReplyCodec;
import io.ratestream.streams.state.StateCodec;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one processor of the three command topics ({@code ratestream.commands},
 * {@code ratestream.admin-commands} and {@code ratestream.queries}, read by the same tasks): parse and
 * check the key; a record of {@code ratestream.queries} is only answered (a query, from the budget as the
 * subscriber's earlier commands left it: no store is written, no event; a budget-changing command there is
 * refused); a record of the admin topic is only admitted (a copy forwarded to {@code ratestream.commands}, and for a budget-setting
 * method an admission entry, see {@link Admission}); a record of {@code ratestream.commands} is applied,
 * a budget-setting one only when it was admitted: the {@link CommandHandler} decides against the stores,
 * the reply goes to the route the command asked for, the events follow. So every budget changes in the
 * offset order of one log, which the replay reads in the same order. Nothing here reads a clock, except
 * the refill check and the session expiry check, which only write ordinary commands into the log. The
 * deadlines of open sessions ({@link SessionDeadlines}) follow the budgets in the same staged write as the
 * budget, so they too depend on the log alone.
 *
 * <p><b>No record stalls its partition.</b> A record that cannot be processed, for whatever reason (it
 * does not parse or validate, it is too large, the engine fails, the state it needs cannot be read, a
 * value it would store is too large), goes to the dead-letter topic with the reason and is skipped; when
 * its request id can be read, an error reply goes back so that nobody waits for a timeout. Only Kafka's
 * own exceptions ({@link KafkaException}s other than {@link SerializationException}: a fenced producer,
 * a migrated task, a failing state store) leave this processor, for Kafka Streams to handle.
 *
 * <p><b>Decide first, write after.</b> The handler works on {@link StagedStore}s: its reads see its own
 * writes, the stores see none of them until it has finished. Then the writes are applied and only then
 * the reply, events and dead letters are forwarded. A record that fails while it is being decided
 * changes no store and forwards nothing but its dead letter and error reply. Values are serialized, and
 * their size checked, while they are staged, so applying them cannot fail for the record's own sake; if
 * it fails for the store's (a RocksDB error), Kafka Streams fails the task, and under exactly-once the
 * transaction, store writes included, is rolled back.
 */
final class CommandProcessor implements Processor<byte[], byte[], String, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(CommandProcessor.class);

    private final ReferenceBook reference;
    private final CommandReader reader;
    private final ObjectMapper mapper;
    private final Duration retention;
    private final Duration refillCheck;
    private final Duration sessionGrace;
    private final int maxValueBytes;
    private final CommandMetrics metrics;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, UserBudget> budgets;
    /** Admission entries: {@link Admission#entryKey} to the admin record's place. */
    private StagedStore<String, String> admitted;
    /** The deadlines store, staged with the others; the expiry check writes it through {@link #deadlines}. */
    private StagedStore<Bytes, byte[]> stagedDeadlines;
    private SessionDeadlines deadlines;
    private List<StagedStore<?, ?>> staged;
    private StoreLedger ledger;
    /** The refill check's progress; null when it never runs. */
    private RefillSweep refills;
    private CommandHandler handler;
    /** The command being processed, once it has been read. */
    private Command current;
    /** What became of the record being processed, for {@link CommandMetrics}: an outcome and its dead letters. */
    private String outcome;
    private final List<DeadLetterReason> lettered = new ArrayList<>();

    /** What the record being processed will forward, once its writes are applied. */
    private record Output(Record<String, Object> record, String sink) {
    }

    /**
     * @param refillCheck how often the refill check runs; null: never
     * @param sessionGrace how long past its grant a session may go unreported before the expiry check ends it
     * @param metrics told what became of each record and refill and expiry check, after its outputs are forwarded
     */
    CommandProcessor(ReferenceBook reference, ObjectMapper mapper, Duration retention, Duration refillCheck,
            Duration sessionGrace, int maxValueBytes, CommandMetrics metrics) {
        this.metrics = metrics;
        this.sessionGrace = sessionGrace;
        this.reference = reference;
        this.mapper = mapper;
        this.reader = new CommandReader(new JsonSerde<>(mapper, Command.class));
        this.retention = retention;
        this.refillCheck = refillCheck;
        this.maxValueBytes = maxValueBytes;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        StagedStore<String, UserBudget> stagedBudgets = new StagedStore<>(
                context.getStateStore(RatestreamTopology.BUDGETS_STORE), new BudgetCodec(mapper), maxValueBytes);
        this.budgets = stagedBudgets; // the refill check's scans: nothing is staged between records
        StagedStore<String, ProcessedReply> stagedProcessed = new StagedStore<>(
                context.getStateStore(RatestreamTopology.PROCESSED_STORE), new ProcessedReplyCodec(mapper),
                maxValueBytes);
        StagedStore<Bytes, byte[]> stagedIndex = new StagedStore<>(
                context.getStateStore(RatestreamTopology.PROCESSED_INDEX_STORE), StateCodec.bytes(), maxValueBytes);
        this.admitted = new StagedStore<>(context.getStateStore(RatestreamTopology.ADMITTED_STORE),
                StateCodec.utf8(), maxValueBytes);
        this.stagedDeadlines = new StagedStore<>(context.getStateStore(RatestreamTopology.SESSION_DEADLINES_STORE),
                StateCodec.bytes(), maxValueBytes);
        this.deadlines = new SessionDeadlines(stagedDeadlines);
        this.staged = List.of(stagedBudgets, stagedProcessed, stagedIndex, admitted, stagedDeadlines);
        this.ledger = new StoreLedger(stagedBudgets, stagedProcessed, stagedIndex);
        KeyValueStore<String, byte[]> profiles = context.getStateStore(RatestreamTopology.RATING_PROFILES_STORE);
        this.handler = new CommandHandler(new Engine(reference.over(profiles)), retention);
        if (refillCheck != null) {
            refills = new RefillSweep();
            context.schedule(refillCheck, PunctuationType.WALL_CLOCK_TIME, this::startRefillSweep);
        }
        context.schedule(SessionDeadlines.CHECK_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::writeDueExpiries);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        List<Output> outputs = new ArrayList<>();
        current = null;
        outcome = null;
        lettered.clear();
        try {
            decide(record, outputs);
        } catch (RuntimeException | StackOverflowError e) {
            staged.forEach(StagedStore::discard);
            ledger.rescan(); // its forgetting never happened
            if (isKafkas(e)) {
                throw (KafkaException) e;
            }
            outputs.clear();
            lettered.clear();
            failed(record, current, e, outputs);
        }
        staged.forEach(StagedStore::commit);
        for (Output output : outputs) {
            context.forward(output.record(), output.sink());
        }
        lettered.forEach(metrics::deadLettered);
        metrics.commandHandled(current == null ? CommandMetrics.UNKNOWN_METHOD : current.method().wireName(), outcome);
    }

    /** Decides what {@code record} does: stages its store writes, collects what it forwards. */
    private void decide(Record<byte[], byte[]> record, List<Output> outputs) {
        RecordMetadata source = context.recordMetadata().orElse(null);
        CommandReader.Read read = reader.read(source == null ? null : source.topic(), record.key(), record.value());
        if (read.rejection() != null) {
            reject(record, read.rejection(), read.reason(), outputs);
            return;
        }
        Command command = read.command();
        current = command;
        if (source != null && Topics.ADMIN_COMMANDS.equals(source.topic())) {
            admit(record, command, source, outputs);
            return;
        }
        if (source != null && Topics.QUERIES.equals(source.topic())) {
            query(record, command, outputs);
            return;
        }
        if (command.method().adminOnly()) {
            // Applied only as an admitted copy (its entry is used up in the same staged write as the
            // budget), or answered as the retry of one already applied; anything else is refused.
            String entry = Admission.entryKey(command, Admission.digest(record.value()));
            if (admitted.get(entry) != null) {
                admitted.delete(entry);
            } else if (!handler.isRepeat(ledger, command)) {
                refuse(record, command, outputs);
                return;
            }
        }
        // The budget first (the handler's read of it then costs nothing): one that cannot be read fails
        // here, named as what it is, rather than inside the handler, which would take it for the engine's.
        UserBudget before = ledger.budget(command.key());
        CommandHandler.Outcome handled = handler.handle(ledger, command);
        // The sessions' deadlines follow the budget in the same staged write (the staged read costs nothing).
        deadlines.follow(command.key(), before, ledger.budget(command.key()));
        long timestamp = record.timestamp();
        outputs.add(reply(handled.reply(), command.replyTo(), timestamp));
        for (BudgetEvent event : handled.events()) {
            outputs.add(new Output(new Record<>(command.key(), event, timestamp), RatestreamTopology.EVENTS_SINK));
        }
        outcome = handled.duplicate() ? CommandMetrics.DUPLICATE : outcomeOf(handled.reply());
        if (handled.internalError() != null) {
            outputs.add(deadLetter(record, handled.internalError(), DeadLetterReason.ENGINE_ERROR));
        }
    }

    /**
     * Admits a command of the admin topic: an entry for a budget-setting one, and a copy of the record,
     * same key, same bytes, to the same partition number of ratestream.commands, marked with
     * {@link Admission#HEADER}. Nothing is applied or answered here: the copy is, in its turn. A record
     * too large for its copy to be written ({@link RecordLimits#maxValueBytes}: only with a producer
     * {@code max.request.size} below a command's size) is refused instead: dead letter, error reply.
     */
    private void admit(Record<byte[], byte[]> record, Command command, RecordMetadata source, List<Output> outputs) {
        if (record.value().length > maxValueBytes) {
            reject(record, "the record is " + record.value().length + " bytes: its copy onto " + Topics.COMMANDS
                    + " would be more than the " + maxValueBytes + " a record may have (the producer's "
                    + "max.request.size), so it cannot be admitted; nothing was changed", DeadLetterReason.TOO_LARGE,
                    outputs);
            return;
        }
        outcome = CommandMetrics.ADMITTED;
        if (command.method().adminOnly()) {
            admitted.put(Admission.entryKey(command, Admission.digest(record.value())), Admission.origin(source));
        }
        Headers headers = new RecordHeaders().add(Admission.HEADER, Admission.originHeader(source));
        outputs.add(new Output(new Record<>(command.key(), new Admission.Copy(record.value(), source.partition()),
                Admission.copyTimestamp(record.timestamp()), headers), RatestreamTopology.ADMITTED_SINK));
    }

    /**
     * Answers a record of ratestream.queries and does nothing else: no processed entry, no index entry, no
     * event, no store write (docs/design.md, "Queries"). A command there that changes a budget is refused:
     * dead letter, error reply, nothing changed.
     */
    private void query(Record<byte[], byte[]> record, Command command, List<Output> outputs) {
        if (command.method().changesBudget()) {
            String reason = command.method().wireName() + " changes a budget, and " + Topics.QUERIES + " takes only "
                    + "queries (GetCost, GetMaxSessionTime, GetExactMaxSessionTime), which are answered without "
                    + "being recorded: send it to " + Topics.COMMANDS + "; nothing was changed";
            outputs.add(deadLetter(record, reason, DeadLetterReason.NOT_A_QUERY));
            outputs.add(reply(Reply.error(command.requestId(), command.method(), ErrorKind.BAD_REQUEST,
                    "bad command: " + reason).withSubscriber(command.key()), command.replyTo(), record.timestamp()));
            return;
        }
        CommandHandler.Outcome answered = handler.answer(ledger, command);
        outputs.add(reply(answered.reply(), command.replyTo(), record.timestamp()));
        outcome = outcomeOf(answered.reply());
        if (answered.internalError() != null) {
            outputs.add(deadLetter(record, answered.internalError(), DeadLetterReason.ENGINE_ERROR));
        }
    }

    /** A reply's outcome for {@link CommandMetrics}: its error kind, or ok. */
    private static String outcomeOf(Reply reply) {
        return reply.errorKind() != null ? reply.errorKind().wireName() : CommandMetrics.OK;
    }

    /** A budget-setting command on ratestream.commands that was not admitted: dead letter, error reply. */
    private void refuse(Record<byte[], byte[]> record, Command command, List<Output> outputs) {
        String reason = Admission.refusal(command);
        outputs.add(deadLetter(record, reason, DeadLetterReason.NOT_ADMITTED));
        outputs.add(reply(Reply.error(command.requestId(), command.method(), ErrorKind.BAD_REQUEST,
                "bad command: " + DeadLetters.cut(reason)).withSubscriber(command.key()), command.replyTo(),
                record.timestamp()));
    }

    /** A record that is not a usable command: dead letter, and an error reply when it can be addressed. */
    private void reject(Record<byte[], byte[]> record, String reason, DeadLetterReason kind, List<Output> outputs) {
        outputs.add(deadLetter(record, reason, kind));
        answerIfAddressed(record, ErrorKind.BAD_REQUEST, "bad command: " + DeadLetters.cut(reason), outputs);
    }

    /**
     * A record whose processing failed: its staged writes are discarded; dead letter, and an error reply
     * when its request id is known.
     */
    private void failed(Record<byte[], byte[]> record, Command command, Throwable error, List<Output> outputs) {
        String reason = "cannot be processed: " + describe(error);
        RecordMetadata where = context.recordMetadata().orElse(null);
        LOG.error("record {} of {} cannot be processed: dead-lettered and skipped (no store changed)",
                where == null ? "?" : where.partition() + "@" + where.offset(),
                command == null ? "?" : command.key() + " request " + command.requestId(), error);
        outputs.add(deadLetter(record, reason, DeadLetterReason.PROCESSING_FAILED));
        String message = "internal error: " + DeadLetters.cut(reason) + " (nothing changed)";
        if (command != null) {
            outputs.add(reply(Reply.error(command.requestId(), command.method(), ErrorKind.INTERNAL, message)
                    .withSubscriber(command.key()), command.replyTo(), record.timestamp()));
        } else {
            answerIfAddressed(record, ErrorKind.INTERNAL, message, outputs);
        }
    }

    /**
     * Whether an exception is Kafka's own business (a fenced producer, a migrated task, a failing store),
     * to be left to Kafka Streams, rather than this record's: everything else, {@link SerializationException}
     * (bytes that do not deserialize, a value too large) included, is the record's.
     */
    static boolean isKafkas(Throwable error) {
        return error instanceof KafkaException && !(error instanceof SerializationException);
    }

    private static String describe(Throwable error) {
        return error instanceof StagedStore.UnreadableStateException || error instanceof RecordLimits.OversizeException
                ? error.getMessage() : error.toString();
    }

    /**
     * Adds an error reply when the record's RequestId (and ReplyTo, if any) can still be read, addressed to
     * the record's key, which a gateway matches with the subscriber it waits for.
     */
    private void answerIfAddressed(Record<byte[], byte[]> record, ErrorKind kind, String message,
            List<Output> outputs) {
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
        String subscriber = record.key() == null ? null : DeadLetters.utf8(record.key());
        outputs.add(reply(Reply.error(requestId, null, kind, message).withSubscriber(subscriber), replyTo,
                record.timestamp()));
    }

    private static Output reply(Reply reply, ReplyTo replyTo, long timestamp) {
        return new Output(new Record<>(reply.requestId(), new RoutedReply(reply, replyTo), timestamp),
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

    /** The dead letter of {@code record}; also makes {@code kind} the record's outcome, for the metrics. */
    private Output deadLetter(Record<byte[], byte[]> record, String reason, DeadLetterReason kind) {
        lettered.add(kind);
        outcome = kind.wireName();
        RecordMetadata where = context.recordMetadata().orElse(null);
        return new Output(new Record<>(DeadLetters.keyText(record.key()),
                DeadLetters.of(reason, where, record.key(), record.value()), record.timestamp()),
                RatestreamTopology.DEAD_LETTERS_SINK);
    }

    /**
     * Every refill-check interval: starts a sweep over the budgets, its first step at once and the next every
     * {@link RefillSweep#STEP} until a step has read the last budget. A sweep still under way goes on.
     */
    private void startRefillSweep(long now) {
        if (!refills.running()) {
            refills.start(context.schedule(RefillSweep.STEP, PunctuationType.WALL_CLOCK_TIME, this::writeDueRefills));
            writeDueRefills(now);
        }
    }

    /**
     * A step of the refill check ({@link RefillSweep}): reads the next budgets of the task, at most
     * {@link RefillSweep#MAX_VISITS_PER_STEP}, and writes a refill command into {@code ratestream.admin-commands}
     * for each whose monthly refill is due, at most {@link RefillSweep#MAX_REFILLS_PER_STEP} (a refill is
     * budget-setting: it is admitted there like any admin record and applied as its copy on
     * ratestream.commands). The command is a no-op if the refill has happened by the time it is processed, so
     * writing it more than once is harmless. A budget that cannot be read is skipped (its commands are
     * dead-lettered with the reason); the others are still checked.
     */
    private void writeDueRefills(long now) {
        Instant at = Instant.ofEpochMilli(now);
        int visited = 0;
        int written = 0;
        String next = null;
        try (KeyValueIterator<String, UserBudget> all = budgets.range(refills.from(), null)) {
            while (all.hasNext()) {
                if (visited == RefillSweep.MAX_VISITS_PER_STEP || written == RefillSweep.MAX_REFILLS_PER_STEP) {
                    next = all.peekNextKey();
                    break;
                }
                visited++;
                Command refill;
                try {
                    refill = refillIfDue(all.next(), at); // the iterator moves on before it reads the value
                } catch (RuntimeException e) {
                    if (isKafkas(e)) {
                        throw e;
                    }
                    LOG.warn("refill check: skipped a budget that cannot be checked ({})", DeadLetters.cut(e.toString()));
                    continue;
                }
                if (refill != null) {
                    context.forward(new Record<>(refill.key(), refill, now), RatestreamTopology.REFILL_SINK);
                    metrics.refillIssued();
                    written++;
                }
            }
        } catch (RuntimeException e) {
            if (isKafkas(e)) {
                throw e; // the task fails; the sweep goes with its processor
            }
            // Not a budget's (those are skipped above): a bug. Ending the sweep here keeps the next steps from
            // failing at the same key every 200 ms; the next sweep, an interval later, tries again.
            LOG.error("refill check: a step failed, the sweep ends here (the next starts in {})", refillCheck, e);
            next = null;
        }
        refills.stepped(next);
    }

    /**
     * The expiry check: writes a {@code SessionExpiry} command into {@code ratestream.admin-commands} for each
     * session whose last grant plus the grace has run out by {@code now} (at most
     * {@link SessionDeadlines#MAX_EXPIRIES_PER_CHECK}, oldest first), and removes its deadline, so it is written
     * once (under exactly-once the removal commits with the written commands, or neither does). The command
     * is admitted and applied like a refill; the engine ends the session only if it is still at the grant the
     * command names.
     */
    private void writeDueExpiries(long now) {
        Instant at = Instant.ofEpochMilli(now);
        try {
            for (SessionDeadlines.Due due : deadlines.due(at.minus(sessionGrace),
                    SessionDeadlines.MAX_EXPIRIES_PER_CHECK)) {
                deadlines.remove(due);
                Command expiry = expiryOf(due, at);
                if (expiry != null) {
                    context.forward(new Record<>(expiry.key(), expiry, now), RatestreamTopology.REFILL_SINK);
                    metrics.expiryIssued();
                }
            }
        } catch (RuntimeException e) {
            // Kafka's (the task fails): the deadlines stay, and a repeated expiry is a retry
            stagedDeadlines.discard();
            deadlines.rescan(); // its removals never happened
            throw e;
        }
        stagedDeadlines.commit();
    }

    /** The expiry of a due session, or null (logged) for an entry that no command could have written. */
    private static Command expiryOf(SessionDeadlines.Due due, Instant at) {
        try {
            return SessionDeadlines.command(due, at);
        } catch (IllegalArgumentException e) {
            LOG.warn("expiry check: dropped the deadline of session {} of {}:{}, which is not a command ({})",
                    DeadLetters.cut(due.sessionId()), DeadLetters.cut(due.tenant()), DeadLetters.cut(due.subject()),
                    DeadLetters.cut(e.getMessage()));
            return null;
        }
    }

    private static Command refillIfDue(KeyValue<String, UserBudget> entry, Instant at) {
        YearMonth due = MonthlyRefill.due(entry.value, at);
        int colon = entry.key.indexOf(':');
        return due == null || colon <= 0 ? null
                : MonthlyRefill.command(entry.key.substring(0, colon), entry.key.substring(colon + 1), due, at);
    }
}
