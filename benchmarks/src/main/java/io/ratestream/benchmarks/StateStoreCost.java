package io.ratestream.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@link StateStoreBenchmark}'s two store paths timed in <b>CPU time of the measuring thread</b>
 * (ThreadMXBean), not wall time, so that a machine shared with other work (the 2-core box with builds
 * running) still gives usable numbers: time spent descheduled does not count. Rounds alternate the
 * variants; the median round is reported, in ns per operation.
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
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
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
            Map<String, double[]> results = new LinkedHashMap<>();
            variants.keySet().forEach(name -> results.put(name, new double[rounds]));
            for (int round = -3; round < rounds; round++) { // three warm-up rounds
                for (Map.Entry<String, Runnable> variant : variants.entrySet()) {
                    Runnable op = variant.getValue();
                    long start = threads.getCurrentThreadCpuTime();
                    for (int i = 0; i < ops; i++) {
                        op.run();
                    }
                    long cpu = threads.getCurrentThreadCpuTime() - start;
                    if (round >= 0) {
                        results.get(variant.getKey())[round] = (double) cpu / ops;
                    }
                }
            }
            results.forEach((name, perOp) -> {
                double[] sorted = perOp.clone();
                Arrays.sort(sorted);
                System.out.printf("[%s] %-18s median %7.0f ns/op CPU (min %.0f, max %.0f)%n", shape, name,
                        sorted[rounds / 2], sorted[0], sorted[rounds - 1]);
            });
        }
        hole.evaporate("Yes, I am Stephen Hawking, and know a thing or two about black holes.");
    }
}
