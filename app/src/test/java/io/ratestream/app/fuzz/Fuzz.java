package io.ratestream.app.fuzz;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Runs a property over seeded random inputs against a running system, several cases at a time. Case
 * {@code i} draws its input from {@code new Random(seed * 1_000_003 + i)}: a failure names the seed and
 * the case, and {@code -Dfuzz.seed=S -Dfuzz.case=I} replays it alone. Inputs that {@code exclusive}
 * accepts (those that could cost the system under test a lot of memory) run alone, never beside
 * another case. Each property bounds its own waiting (a stall is a failure it reports).
 *
 * <p>System properties: {@code fuzz.seed}, {@code fuzz.case}, {@code fuzz.cases} (a multiplier),
 * {@code fuzz.collect=N} (keep going after a failure, report up to N; the default stops at the first).
 */
final class Fuzz {

    private static final int SHOW_LIMIT = 600;

    private Fuzz() {
    }

    /** A property over one input; throws (an AssertionError, usually) when it does not hold. */
    interface Check<T> {
        void check(T input) throws Exception;
    }

    /** The property's name, its seed, and how many random cases after the fixed corpus. */
    record Plan(String name, long seed, int cases, int parallelism, Duration overall) {
    }

    static <T> void run(Plan plan, List<T> corpus, Function<Random, T> generator, Function<T, String> show,
            Predicate<T> exclusive, Check<T> property) throws InterruptedException {
        long seed = Long.getLong("fuzz.seed", plan.seed());
        int total = (int) (plan.cases() * Double.parseDouble(System.getProperty("fuzz.cases", "1")));
        Integer only = Integer.getInteger("fuzz.case");
        int collect = Integer.getInteger("fuzz.collect", 1);
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        ReadWriteLock alone = new ReentrantReadWriteLock();
        Semaphore slots = new Semaphore(plan.parallelism());
        ExecutorService pool = Executors.newFixedThreadPool(plan.parallelism(), runnable -> {
            Thread thread = new Thread(runnable, "fuzz-" + plan.name());
            thread.setDaemon(true);
            return thread;
        });
        AtomicInteger ran = new AtomicInteger();
        long started = System.nanoTime();
        try {
            for (int i = -corpus.size(); i < total && failures.size() < collect; i++) {
                if (only != null && only != i) {
                    continue;
                }
                T input = i < 0 ? corpus.get(i + corpus.size()) : generator.apply(new Random(seed * 1_000_003L + i));
                String where = i < 0 ? "corpus entry " + (i + corpus.size())
                        : "case " + i + " (replay: -Dfuzz.seed=" + seed + " -Dfuzz.case=" + i + ")";
                slots.acquire();
                pool.execute(() -> {
                    var lock = exclusive.test(input) ? alone.writeLock() : alone.readLock();
                    lock.lock();
                    try {
                        if (failures.size() < collect) {
                            ran.incrementAndGet();
                            property.check(input);
                        }
                    } catch (Throwable e) {
                        String message = e instanceof AssertionError ? e.getMessage() : e.toString();
                        failures.add(plan.name() + " failed at " + where + "\n  input: " + show.apply(input) + "\n  "
                                + cut(message));
                    } finally {
                        lock.unlock();
                        slots.release();
                    }
                });
            }
        } finally {
            pool.shutdown();
        }
        if (!pool.awaitTermination(plan.overall().toMillis(), TimeUnit.MILLISECONDS)) {
            pool.shutdownNow();
            failures.add(plan.name() + ": cases still running after " + plan.overall().toSeconds() + " s (a stall)");
        }
        System.out.printf("fuzz %s: %d inputs (seed %d) in %d ms, %d failures%n", plan.name(), ran.get(), seed,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), failures.size());
        if (!failures.isEmpty()) {
            List<String> copy;
            synchronized (failures) {
                copy = new ArrayList<>(failures);
            }
            copy.forEach(System.out::println);
            throw new AssertionError(String.join("\n\n", copy));
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
            int c = bytes[i] & 0xff;
            String one = c >= 0x20 && c < 0x7f && c != '\\' ? String.valueOf((char) c)
                    : c == '\\' ? "\\\\" : String.format("\\x%02x", c);
            out.append(run >= 12 ? "<" + one + " x" + run + ">" : one.repeat(run));
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

    static String cut(String text) {
        if (text == null) {
            return "null";
        }
        return text.length() <= 2 * SHOW_LIMIT ? text : text.substring(0, 2 * SHOW_LIMIT) + "... (" + text.length()
                + " chars in all)";
    }
}
