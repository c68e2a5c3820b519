package io.ratestream.streams.topology;

import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.event.BudgetEvent;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.reply.ErrorKind;
import io.ratestream.schemas.reply.Reply;
import io.ratestream.streams.rating.Decision;
import io.ratestream.streams.rating.Engine;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies one command to a {@link Ledger}: idempotency first, then the engine, then the new state.
 * Deterministic: its results depend only on the ledger and the command, so the streams app and the
 * replayer, feeding it the same commands, end with the same budgets.
 *
 * <p>A request id seen before for the same {@code tenant:subject} gets its original reply and changes
 * nothing, as long as the earlier command was accepted no more than the retention before this one. Entries are forgotten after twice
 * the retention, a few per command, so that forgetting never changes a result and never costs a pause.
 *
 * <p>A query read from {@code ratestream.queries} goes through {@link #answer} instead: the engine
 * answers it from the budget and nothing is read or written besides (no processed entry, no forgetting).
 */
final class CommandHandler {

    private static final Logger LOG = LoggerFactory.getLogger(CommandHandler.class);

    /** Processed entries forgotten per command: more than the one each command adds. */
    private static final int FORGET_PER_COMMAND = 2;
    /** How far one command may move the forgetting watermark. */
    private static final Duration MAX_WATERMARK_STEP = Duration.ofMinutes(10);
    /**
     * Request ids are idempotency keys per subscriber: the processed store is keyed by
     * {@code tenant:subject} + this + request id (neither part can contain a control character).
     */
    static final char SEPARATOR = '\u001f';
    /** Below this (year 1900) a watermark minus the retention could leave Instant's range: forget nothing. */
    private static final long EARLIEST_FORGET_SECOND = -2_208_988_800L;

    private final Engine engine;
    private final Duration retention;
    private Instant watermark;

    CommandHandler(Engine engine, Duration retention) {
        this.engine = engine;
        this.retention = retention;
    }

    /**
     * What handling a command produced.
     *
     * @param internalError set when the engine failed unexpectedly (a bug): the reply is an error, nothing
     *     changed, and the command should be reported on the dead-letter topic
     */
    record Outcome(Reply reply, List<BudgetEvent> events, boolean duplicate, String internalError) {
    }

    /**
     * Whether {@link #handle} would answer {@code command} with the original reply of an earlier,
     * processed request with the same id and fingerprint, changing nothing: a retry. A budget-setting
     * command on ratestream.commands whose admission entry was used already is handled only when this
     * is true (a repeated copy answered as any retry).
     */
    boolean isRepeat(Ledger ledger, Command command) {
        ProcessedReply seen = recent(ledger, command);
        return seen != null && seen.sameRequest(command.fingerprint());
    }

    /** The processed entry of the command's request id when it is within the retention, else null. */
    private ProcessedReply recent(Ledger ledger, Command command) {
        ProcessedReply seen = ledger.processed(command.key() + SEPARATOR + command.requestId());
        return seen != null && !seen.acceptedAt().isBefore(command.acceptedAt().minus(retention)) ? seen : null;
    }

    /**
     * Answers a query ({@code GetCost}, {@code GetMaxSessionTime}, {@code GetExactMaxSessionTime}: a method
     * that does not change a budget) from the budget, and does nothing else: its request id is neither
     * looked up nor recorded, the ledger is only read, and the forgetting watermark does not move. Used for
     * {@code ratestream.queries}, whose records nobody retries.
     *
     * @throws IllegalArgumentException when the command's method changes budgets (the caller refuses those
     *     first)
     */
    Outcome answer(Ledger ledger, Command command) {
        if (command.method().changesBudget()) {
            throw new IllegalArgumentException(command.method().wireName() + " changes a budget: it is not a query");
        }
        String key = command.key();
        UserBudget budget = ledger.budget(key); // one that cannot be read fails the record, as in handle
        try {
            Decision decision = engine.decide(budget, command);
            if (decision.changed()) {
                // The engine never changes a budget on a query; if a bug made it, the change is dropped.
                throw new IllegalStateException("the engine changed the budget on " + command.method().wireName());
            }
            return new Outcome(decision.reply().withSubscriber(key), List.of(), false, null);
        } catch (RuntimeException e) {
            String internalError = "internal error: " + e;
            LOG.error("engine failed on query {} for {}", command.requestId(), key, e);
            return new Outcome(Reply.error(command.requestId(), command.method(), ErrorKind.INTERNAL, internalError)
                    .withSubscriber(key), List.of(), false, internalError);
        }
    }

    Outcome handle(Ledger ledger, Command command) {
        Instant acceptedAt = command.acceptedAt();
        String processedKey = command.key() + SEPARATOR + command.requestId();
        ProcessedReply seen = recent(ledger, command);
        long fingerprint = command.fingerprint();
        Outcome outcome;
        if (seen != null) {
            // Entries written before replies named their subscriber get it here.
            outcome = seen.sameRequest(fingerprint)
                    ? new Outcome(seen.reply().withSubscriber(command.key()), List.of(), true, null)
                    : new Outcome(Reply.error(command.requestId(), command.method(), ErrorKind.REQUEST_ID_CONFLICT,
                            "RequestId " + command.requestId() + " was already used for a different request of "
                                    + command.key() + " (another method, amount, destination or time): use a new "
                                    + "id for a new request; nothing was changed").withSubscriber(command.key()),
                            List.of(), false, null);
        } else {
            String key = command.key();
            Decision decision;
            String internalError = null;
            try {
                decision = engine.decide(ledger.budget(key), command);
            } catch (RuntimeException e) {
                // The engine is pure and answers every business "no" itself: this is a bug. Keep the budget,
                // answer, report, and go on: one command must never stall its partition.
                internalError = "internal error: " + e;
                LOG.error("engine failed on request {} for {}", command.requestId(), key, e);
                decision = new Decision(ledger.budget(key),
                        Reply.error(command.requestId(), command.method(), ErrorKind.INTERNAL, internalError),
                        List.of());
            }
            if (decision.changed()) {
                ledger.putBudget(key, decision.budget());
            }
            Reply reply = decision.reply().withSubscriber(key);
            ledger.putProcessed(processedKey, new ProcessedReply(reply, acceptedAt, fingerprint));
            outcome = new Outcome(reply, decision.events(), false, internalError);
        }
        if (watermark == null) {
            // The first command of this handler (of a task, after every start) only sets the watermark: were its
            // AcceptedAt far ahead, forgetting on it alone would drop entries the commands after it still need.
            watermark = acceptedAt;
            return outcome;
        }
        if (acceptedAt.isAfter(watermark)) {
            // At most one step per command: one command with a far-future AcceptedAt (a producer's broken
            // clock) must not make the ledger forget the request ids of the last day. A lagging watermark
            // only keeps entries longer.
            Instant step = watermark.plus(MAX_WATERMARK_STEP);
            watermark = acceptedAt.isAfter(step) ? step : acceptedAt;
        }
        // Never more than a step ahead of the command in hand: a watermark set far ahead (by the first command,
        // or by a run of them from a clock that is wrong) comes back with the first command of a right clock.
        Instant ceiling = acceptedAt.plus(MAX_WATERMARK_STEP);
        if (watermark.isAfter(ceiling)) {
            watermark = ceiling;
        }
        if (watermark.getEpochSecond() > EARLIEST_FORGET_SECOND) {
            ledger.forgetProcessedBefore(watermark.minus(retention).minus(retention), FORGET_PER_COMMAND);
        }
        return outcome;
    }
}
