package io.ratestream.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.json.JsonSerde;
import io.ratestream.schemas.model.MinuteBucket;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.reply.Reply;
import io.ratestream.streams.state.BudgetCodec;
import io.ratestream.streams.state.ProcessedReplyCodec;
import io.ratestream.streams.topology.ProcessedReply;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * What the state stores cost a DebitBalance on the stream thread, in the JSON of earlier releases and
 * in the binary state format ({@code io.ratestream.streams.state}), for two budgets:
 * {@code demo} is {@code minutosu} of {@code demo/cgrates-2012} (two minute buckets, a tariff plan, a
 * last refill), {@code bench} is the shape {@code ratestream bench} loads (one bucket of 1e9 free
 * seconds, credit 1,000,000 less some debits of 0.01). The processed entry is the DebitBalance's:
 * a number reply with its subscriber, the accepted-at instant and the fingerprint.
 *
 * <ul>
 *   <li>{@link #jsonStorePath}: what a DebitBalance cost before: the budget read (deserialized once),
 *       the new budget serialized twice (its size checked when staged, then the store's serde at
 *       commit), the processed entry serialized twice the same way.
 *   <li>{@link #binaryStorePath}: the same with byte-valued stores: the budget decoded once, the new
 *       budget and the entry encoded once each (the staged bytes are what the commit writes).
 *   <li>The others: one value one way, to see where the time goes.
 * </ul>
 *
 * <p>Setup prints the bytes of each value in both formats and checks that every value reads back
 * equal (binary) or as the JSON serde reads it, so a broken codec fails the run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class StateStoreBenchmark {

    @Param({"demo", "bench"})
    public String budget;

    private JsonSerde<UserBudget> budgetsJson;
    private JsonSerde<ProcessedReply> processedJson;
    private BudgetCodec budgets;
    private ProcessedReplyCodec processed;
    private UserBudget value;
    private ProcessedReply entry;
    private byte[] budgetJson;
    private byte[] budgetBinary;

    /** Builds the values, prints their sizes and checks both formats once. */
    @Setup
    public void setUp() {
        ObjectMapper mapper = Json.newMapper();
        budgetsJson = new JsonSerde<>(mapper, UserBudget.class);
        processedJson = new JsonSerde<>(mapper, ProcessedReply.class);
        budgets = new BudgetCodec(mapper);
        processed = new ProcessedReplyCodec(mapper);
        String key;
        if (budget.equals("demo")) {
            value = new SampleData().budget("minutosu").withCredit(new BigDecimal("20.99"))
                    .withLastRefill(YearMonth.of(2012, 1));
            key = "vdf:minutosu";
        } else {
            value = new UserBudget("bench-000042", new BigDecimal("999987.65"), BigDecimal.ZERO, BigDecimal.ZERO,
                    BigDecimal.ZERO, BigDecimal.ZERO, 0, null,
                    List.of(new MinuteBucket(new BigDecimal("999999880"), 20, BigDecimal.ZERO, "retea")), null);
            key = "bench:bench-000042";
        }
        Reply reply = Reply.of("bench-3f9c2a71-1234567", Method.DEBIT_BALANCE, value.credit()).withSubscriber(key);
        entry = new ProcessedReply(reply, Instant.parse("2026-03-01T12:34:56.789Z"), 0x5DEECE66DL * 0x1234567L);
        budgetJson = budgetsJson.serialize("budgets", value);
        budgetBinary = budgets.encode(value);
        byte[] entryJson = processedJson.serialize("processed-requests", entry);
        byte[] entryBinary = processed.encode(entry);
        requireEqual(budgets.decode(budgetBinary), value, "binary budget round trip");
        requireEqual(processed.decode(entryBinary), entry, "binary entry round trip");
        requireEqual(budgets.decode(budgetJson), budgetsJson.deserialize("budgets", budgetJson),
                "JSON budget read by the codec");
        System.out.printf("%n[%s] bytes per value: budget JSON %d, binary %d; processed entry JSON %d, binary %d%n",
                budget, budgetJson.length, budgetBinary.length, entryJson.length, entryBinary.length);
    }

    private static void requireEqual(Object actual, Object expected, String what) {
        if (!expected.equals(actual)) {
            throw new IllegalStateException(what + ": expected " + expected + ", got " + actual);
        }
    }

    @Benchmark
    public void jsonStorePath(Blackhole hole) {
        hole.consume(budgetsJson.deserialize("budgets", budgetJson));
        hole.consume(budgetsJson.serialize("budgets", value));
        hole.consume(budgetsJson.serialize("budgets", value));
        hole.consume(processedJson.serialize("processed-requests", entry));
        hole.consume(processedJson.serialize("processed-requests", entry));
    }

    @Benchmark
    public void binaryStorePath(Blackhole hole) {
        hole.consume(budgets.decode(budgetBinary));
        hole.consume(budgets.encode(value));
        hole.consume(processed.encode(entry));
    }

    @Benchmark
    public byte[] jsonBudgetWrite() {
        return budgetsJson.serialize("budgets", value);
    }

    @Benchmark
    public byte[] binaryBudgetWrite() {
        return budgets.encode(value);
    }

    @Benchmark
    public UserBudget jsonBudgetRead() {
        return budgetsJson.deserialize("budgets", budgetJson);
    }

    @Benchmark
    public UserBudget binaryBudgetRead() {
        return budgets.decode(budgetBinary);
    }

    @Benchmark
    public byte[] jsonEntryWrite() {
        return processedJson.serialize("processed-requests", entry);
    }

    @Benchmark
    public byte[] binaryEntryWrite() {
        return processed.encode(entry);
    }
}
