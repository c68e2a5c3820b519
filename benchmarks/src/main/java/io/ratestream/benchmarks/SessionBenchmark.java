package io.ratestream.benchmarks;

import static io.ratestream.benchmarks.SampleData.requireEqual;
import static io.ratestream.benchmarks.SampleData.requireOk;

import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.streams.rating.Decision;
import io.ratestream.streams.rating.Engine;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What prepaid sessions cost the engine (docs/sessions.md, "Limits"), as a function of the sessions already
 * open on the budget: subject {@code rif} to {@code 0256} (0.2/s before 18:00, 0.1/s after), credit 1,000,000,
 * each open session holding 60 s from 17:58. Every operation starts from the same budget with
 * {@link #openSessions} sessions open; setup checks each answer once.
 *
 * <ul>
 *   <li>{@link #sessionStart}: a new session wanting 600 s: the held budget (one rating per open session),
 *       then the grant (the whole 600 s fit: two ratings). Expected 600.
 *   <li>{@link #sessionStartTight}: the same on a credit that pays only part of it: the held budget, then a
 *       bisection to the millisecond (about 20 ratings). Expected 90 (18 left at 0.2/s).
 *   <li>{@link #sessionEnd}: the end of the first open session at 30 s: the held budget without it, the
 *       call rated with its spans, the debit and the rated-call record. Expected cost 6.
 *   <li>{@link #getExactMaxSessionTime}: the 2012 API's search on the held budget. Expected 600.
 * </ul>
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar SessionBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SessionBenchmark {

    private static final String START = "2012-02-02T17:58:00Z";

    /** Sessions open on the budget before the measured command (127: a start makes the 128th, the most). */
    @Param({"1", "8", "127"})
    public int openSessions;

    private Engine engine;
    private UserBudget budget;
    private UserBudget tightBudget;
    private Command start;
    private Command end;
    private Command exactMax;

    /** Opens the sessions and checks each benchmark's answer once. */
    @Setup
    public void setUp() {
        engine = new SampleData().engine;
        budget = open(new UserBudget("rif", new BigDecimal("1000000"), null, null, null, null, 0, null, null, null));
        // 12 per open session, plus 18 that a new session may take
        tightBudget = open(new UserBudget("rif", BigDecimal.valueOf(12L * openSessions + 18), null, null, null, null,
                0, null, null, null));
        start = command("start", Method.SESSION_START, "new", null, "600");
        end = command("end", Method.SESSION_END, "s0", "30", null);
        exactMax = command("max", Method.GET_EXACT_MAX_SESSION_TIME, null, null, "600");
        requireEqual(new BigDecimal("600"), requireOk(sessionStart(), "SessionStart").reply().value(), "grant");
        requireEqual(new BigDecimal("90"), requireOk(sessionStartTight(), "tight SessionStart").reply().value(),
                "tight grant");
        requireEqual(new BigDecimal("600"), requireOk(getExactMaxSessionTime(), "GetExactMaxSessionTime").reply()
                .value(), "exact max");
        requireEqual(new BigDecimal("6"), requireOk(sessionEnd(), "SessionEnd").reply().value(), "end cost");
    }

    private UserBudget open(UserBudget empty) {
        UserBudget result = empty;
        for (int i = 0; i < openSessions; i++) {
            result = requireOk(engine.decide(result, command("open-" + i, Method.SESSION_START, "s" + i, null, "60")),
                    "opening a session").budget();
        }
        return result;
    }

    private static Command command(String requestId, Method method, String sessionId, String used, String amount) {
        CallDescriptor descriptor = new CallDescriptor(0, "vdf", "rif", "0256", OffsetDateTime.parse(START), null,
                amount == null ? null : new BigDecimal(amount), null, sessionId, used == null ? null : new BigDecimal(used));
        return new Command(requestId, method, descriptor, OffsetDateTime.parse(START).toInstant(), null, null);
    }

    @Benchmark
    public Decision sessionStart() {
        return engine.decide(budget, start);
    }

    @Benchmark
    public Decision sessionStartTight() {
        return engine.decide(tightBudget, start);
    }

    @Benchmark
    public Decision sessionEnd() {
        return engine.decide(budget, end);
    }

    @Benchmark
    public Decision getExactMaxSessionTime() {
        return engine.decide(budget, exactMax);
    }
}
