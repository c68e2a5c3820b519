package io.ratestream.benchmarks;

import static io.ratestream.benchmarks.SampleData.require;
import static io.ratestream.benchmarks.SampleData.requireEqual;
import static io.ratestream.benchmarks.SampleData.requireOk;

import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.model.CallCost;
import io.ratestream.schemas.model.MinuteBucket;
import io.ratestream.schemas.model.Timespan;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.streams.rating.Decision;
import io.ratestream.streams.rating.Engine;
import java.math.BigDecimal;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One call of {@link Engine#decide} per operation, over the original 2012 sample data
 * ({@code demo/cgrates-2012}, tenant {@code vdf}), with the commands built once in setup. Each
 * benchmark returns the {@link Decision} so that nothing is eliminated as dead code, and setup checks
 * every answer once, so a broken engine fails the run instead of printing a fast number.
 *
 * <ul>
 *   <li>{@link #getCostWorkedExample}: GetCost of the SPEC worked example, subject {@code rif} to
 *       {@code 0256}, 2012-02-02T17:30Z to 18:30Z, no budget: profile lookup, two interval-priced spans
 *       split at 18:00, CallCost with its timespans. Expected cost 540.
 *   <li>{@link #getCostPrefixFallback}: the same call dialled as {@code 0256308200}: six profile lookups
 *       miss before {@code 0256} matches (SPEC 2.1). Expected cost 540, matched prefix 0256.
 *   <li>{@link #getCostMinuteBuckets}: GetCost of a 110-second call from subject {@code minutosu} to
 *       {@code 0723} with its budget from {@code user_budgets.json}: bucket ordering (retea, priority 20,
 *       100 s free, before nationale, priority 10, 0.01/s) and two bucket-priced spans. Expected cost 0.1.
 *   <li>{@link #debitSeconds}: DebitSeconds of 5 s for {@code minutosu} to {@code 0723}, always from the
 *       same starting budget: bucket offers, the new budget and its event. Expected reply 105 (95 + 10
 *       seconds left).
 *   <li>{@link #getMaxSessionTime}: GetMaxSessionTime, Amount 3000, for {@code minutosu} to {@code 0723}
 *       from 17:30Z, credit 21: up to ten ratings of the call without timespans. Expected 1200.
 *   <li>{@link #getExactMaxSessionTime}: GetExactMaxSessionTime, same inputs: a bisection to the
 *       millisecond (about 22 ratings). Expected 1364.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EngineBenchmark {

    private static final String START = "2012-02-02T17:30:00Z";

    private Engine engine;
    private UserBudget minutosu;
    private Command workedExample;
    private Command fallbackCall;
    private Command bucketCall;
    private Command debitFive;
    private Command maxSession;
    private Command exactMaxSession;

    /** Loads the data, builds the commands and checks each benchmark's answer once. */
    @Setup
    public void setUp() {
        SampleData sample = new SampleData();
        engine = sample.engine;
        minutosu = sample.budget("minutosu");
        workedExample = SampleData.command("bench-1", Method.GET_COST, "rif", "0256", START,
                "2012-02-02T18:30:00Z", null);
        fallbackCall = SampleData.command("bench-1b", Method.GET_COST, "rif", "0256308200", START,
                "2012-02-02T18:30:00Z", null);
        bucketCall = SampleData.command("bench-2", Method.GET_COST, "minutosu", "0723", START,
                "2012-02-02T17:31:50Z", null);
        debitFive = SampleData.command("bench-3", Method.DEBIT_SECONDS, "minutosu", "0723", null, null,
                BigDecimal.valueOf(5));
        maxSession = SampleData.command("bench-4", Method.GET_MAX_SESSION_TIME, "minutosu", "0723", START, null,
                BigDecimal.valueOf(3000));
        exactMaxSession = SampleData.command("bench-5", Method.GET_EXACT_MAX_SESSION_TIME, "minutosu", "0723",
                START, null, BigDecimal.valueOf(3000));
        checkWorkedExample(getCostWorkedExample());
        checkWorkedExample(getCostPrefixFallback());
        require("0256".equals(getCostPrefixFallback().reply().callCost().destinationPrefix()),
                "0256308200 must fall back to the profile of 0256");
        checkMinuteBuckets(getCostMinuteBuckets());
        checkDebitSeconds(debitSeconds());
        requireEqual(new BigDecimal(1200), requireOk(getMaxSessionTime(), "GetMaxSessionTime").reply().value(),
                "GetMaxSessionTime of minutosu to 0723, Amount 3000");
        requireEqual(new BigDecimal(1364),
                requireOk(getExactMaxSessionTime(), "GetExactMaxSessionTime").reply().value(),
                "GetExactMaxSessionTime of minutosu to 0723, Amount 3000");
    }

    @Benchmark
    public Decision getCostWorkedExample() {
        return engine.decide(null, workedExample);
    }

    @Benchmark
    public Decision getCostPrefixFallback() {
        return engine.decide(null, fallbackCall);
    }

    @Benchmark
    public Decision getCostMinuteBuckets() {
        return engine.decide(minutosu, bucketCall);
    }

    @Benchmark
    public Decision debitSeconds() {
        return engine.decide(minutosu, debitFive);
    }

    @Benchmark
    public Decision getMaxSessionTime() {
        return engine.decide(minutosu, maxSession);
    }

    @Benchmark
    public Decision getExactMaxSessionTime() {
        return engine.decide(minutosu, exactMaxSession);
    }

    private static void checkWorkedExample(Decision decision) {
        CallCost cost = requireOk(decision, "GetCost of the worked example").reply().callCost();
        requireEqual(new BigDecimal(540), cost.cost(), "cost of the worked example");
        require(cost.timespans().size() == 2, "the worked example must have 2 timespans, has "
                + cost.timespans().size());
        require(decision.events().isEmpty(), "GetCost must change nothing");
    }

    private static void checkMinuteBuckets(Decision decision) {
        CallCost cost = requireOk(decision, "GetCost of the bucket call").reply().callCost();
        requireEqual(new BigDecimal("0.1"), cost.cost(), "cost of 110 s from minutosu to 0723");
        List<Timespan> spans = cost.timespans();
        require(spans.size() == 2, "the bucket call must have 2 timespans, has " + spans.size());
        require(spans.get(0).minuteInfo() != null && spans.get(0).minuteInfo().destinationId().equals("retea"),
                "the first 100 s must come from the retea bucket: " + spans.get(0));
        requireEqual(BigDecimal.valueOf(100), spans.get(0).minuteInfo().quantity(), "seconds from retea");
        require(spans.get(1).minuteInfo() != null
                && spans.get(1).minuteInfo().destinationId().equals("nationale"),
                "the last 10 s must come from the nationale bucket: " + spans.get(1));
        requireEqual(BigDecimal.TEN, spans.get(1).minuteInfo().quantity(), "seconds from nationale");
    }

    private void checkDebitSeconds(Decision decision) {
        requireOk(decision, "DebitSeconds");
        requireEqual(BigDecimal.valueOf(105), decision.reply().value(), "seconds left after DebitSeconds 5");
        require(decision.changed() && decision.budget() != minutosu, "DebitSeconds must return a new budget");
        for (MinuteBucket bucket : decision.budget().minuteBuckets()) {
            BigDecimal expected = BigDecimal.valueOf(bucket.destinationId().equals("retea") ? 95 : 10);
            requireEqual(expected, bucket.seconds(), "seconds left in " + bucket.destinationId());
        }
        requireEqual(BigDecimal.valueOf(21), decision.budget().credit(), "credit after DebitSeconds 5");
    }
}
