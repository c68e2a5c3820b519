package io.ratestream.gateway.jsonrpc;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Runs a property over seeded random inputs, one case after the other. Case {@code i} draws its input
 * from {@code new Random(seed * 1_000_003 + i)}, so a failure names the seed and the case and can be
 * replayed alone with {@code -Dfuzz.seed=S -Dfuzz.case=I}. Each case runs on a worker thread and must
 * finish within a generous bound: a case that does not is reported as a stall (its input named), not
 * waited for, because one hostile input that makes the code under test spin for minutes is exactly
 * what the suite looks for.
 *
 * <p>System properties: {@code fuzz.seed} (replaces every property's fixed seed), {@code fuzz.case}
 * (runs that case only), {@code fuzz.cases} (multiplies the number of cases), {@code fuzz.collect=N}
 * (keeps going after a failure and reports up to N of them, for exploring; the default stops at the
 * first).
 */
final class FuzzRunner {

    /** The longest one case may take before it counts as a stall. */
    static final Duration CASE_DEADLINE = Duration.ofSeconds(20);
    private static final int SHOW_LIMIT = 600;

    private FuzzRunner() {
    }

    /** A property over inputs of type {@code T}: throws (an AssertionError, usually) when it does not hold. */
    interface Check<T> {
        void check(T input) throws Exception;
    }

    /**
     * Checks {@code property} on {@code cases} inputs drawn by {@code generator}, after the fixed
     * {@code corpus} (inputs that must always be tried, whatever the seed).
     */
    static <T> void run(String name, long seed, int cases, List<T> corpus, Function<Random, T> generator,
            Function<T, String> show, Check<T> property) {
        long chosenSeed = Long.getLong("fuzz.seed", seed);
        int total = (int) (cases * Double.parseDouble(System.getProperty("fuzz.cases", "1")));
        Integer only = Integer.getInteger("fuzz.case");
        int collect = Integer.getInteger("fuzz.collect", 1);
        List<String> failures = new ArrayList<>();
        ExecutorService worker = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "fuzz-" + name);
            thread.setDaemon(true);
            return thread;
        });
        long started = System.nanoTime();
        int ran = 0;
        try {
            for (int i = -corpus.size(); i < total && failures.size() < collect; i++) {
                if (only != null && only != i) {
                    continue;
                }
                T input = i < 0 ? corpus.get(i + corpus.size()) : generator.apply(new Random(chosenSeed * 1_000_003L + i));
                ran++;
                String failure = runOne(worker, property, input);
                if (failure != null) {
                    String where = i < 0 ? "corpus entry " + (i + corpus.size()) : "case " + i
                            + " (replay: -Dfuzz.seed=" + chosenSeed + " -Dfuzz.case=" + i + ")";
                    failures.add(name + " failed at " + where + "\n  input: " + show.apply(input) + "\n  " + failure);
                    if (failure.startsWith("stalled")) {
                        // the stalled case still occupies the worker: the next cases need another one
                        worker.shutdownNow();
                        worker = Executors.newSingleThreadExecutor(runnable -> {
                            Thread thread = new Thread(runnable, "fuzz-" + name);
                            thread.setDaemon(true);
                            return thread;
                        });
                    }
                }
            }
        } finally {
            worker.shutdownNow();
        }
        System.out.printf("fuzz %s: %d inputs (seed %d) in %d ms, %d failures%n", name, ran, chosenSeed,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), failures.size());
        if (!failures.isEmpty()) {
            failures.forEach(System.out::println);
            throw new AssertionError(String.join("\n\n", failures));
        }
    }

    private static <T> String runOne(ExecutorService worker, Check<T> property, T input) {
        Future<?> outcome = worker.submit(() -> {
            property.check(input);
            return null;
        });
        try {
            outcome.get(CASE_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            return null;
        } catch (TimeoutException e) {
            outcome.cancel(true);
            return "stalled: no outcome within " + CASE_DEADLINE.toSeconds() + " s";
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            return cause instanceof AssertionError ? cutText(cause.getMessage()) : cutText(cause.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Bytes for a person: printable ASCII as is, other bytes as \xNN, long runs folded, long inputs cut. */
    static String show(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < bytes.length && out.length() < SHOW_LIMIT) {
            int run = 1;
            while (i + run < bytes.length && bytes[i + run] == bytes[i]) {
                run++;
            }
            String one = showByte(bytes[i]);
            if (run >= 12) {
                out.append('<').append(one).append(" x").append(run).append('>');
            } else {
                out.append(one.repeat(run));
            }
            i += run;
        }
        if (i < bytes.length) {
            out.append("... (").append(bytes.length).append(" bytes in all)");
        }
        return out.toString();
    }

    static String show(String text) {
        return show(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String showByte(byte b) {
        int c = b & 0xff;
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            return String.valueOf((char) c);
        }
        return c == '\\' ? "\\\\" : String.format("\\x%02x", c);
    }

    /** A long message cut to what a person reads. */
    static String cutText(String text) {
        if (text == null) {
            return "null";
        }
        return text.length() <= 2 * SHOW_LIMIT ? text
                : text.substring(0, 2 * SHOW_LIMIT) + "... (" + text.length() + " chars in all)";
    }
}
