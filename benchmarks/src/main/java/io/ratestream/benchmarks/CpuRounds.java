package io.ratestream.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Times variants in <b>CPU time of the measuring thread</b> (ThreadMXBean), not wall time, so that a
 * machine shared with other work (the 2-core box with builds running) still gives usable numbers: time
 * spent descheduled does not count. Rounds alternate the variants after three warm-up rounds; the
 * median round is printed, in ns per operation.
 */
final class CpuRounds {

    private CpuRounds() {
    }

    static void print(String label, Map<String, Runnable> variants, int rounds, int ops) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<String, double[]> results = new LinkedHashMap<>();
        variants.keySet().forEach(name -> results.put(name, new double[rounds]));
        for (int round = -3; round < rounds; round++) {
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
            System.out.printf("%s%-26s median %7.0f ns/op CPU (min %.0f, max %.0f)%n", label, name,
                    sorted[rounds / 2], sorted[0], sorted[rounds - 1]);
        });
    }
}
