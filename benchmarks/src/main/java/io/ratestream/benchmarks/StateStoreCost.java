package io.ratestream.benchmarks;

import java.util.LinkedHashMap;
import java.util.Map;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@link StateStoreBenchmark}'s two store paths timed in CPU time of the measuring thread ({@link
 * CpuRounds}): the median round, in ns per operation.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.ratestream.benchmarks.StateStoreCost [rounds] [ops per round]
 * </pre>
 */
public final class StateStoreCost {

    private StateStoreCost() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int ops = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        Blackhole hole = new Blackhole(
                "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
        for (String shape : new String[] {"demo", "bench"}) {
            StateStoreBenchmark state = new StateStoreBenchmark();
            state.budget = shape;
            state.setUp();
            Map<String, Runnable> variants = new LinkedHashMap<>();
            variants.put("jsonStorePath", () -> state.jsonStorePath(hole));
            variants.put("binaryStorePath", () -> state.binaryStorePath(hole));
            variants.put("jsonBudgetRead", () -> hole.consume(state.jsonBudgetRead()));
            variants.put("binaryBudgetRead", () -> hole.consume(state.binaryBudgetRead()));
            variants.put("jsonBudgetWrite", () -> hole.consume(state.jsonBudgetWrite()));
            variants.put("binaryBudgetWrite", () -> hole.consume(state.binaryBudgetWrite()));
            variants.put("jsonEntryWrite", () -> hole.consume(state.jsonEntryWrite()));
            variants.put("binaryEntryWrite", () -> hole.consume(state.binaryEntryWrite()));
            CpuRounds.print("[" + shape + "] ", variants, rounds, ops);
        }
        hole.evaporate("Yes, I am Stephen Hawking, and know a thing or two about black holes.");
    }
}
