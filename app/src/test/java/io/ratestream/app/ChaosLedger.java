package io.ratestream.app;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * The ledger of the chaos test: a few connections, each debiting its own subscribers one call at a
 * time with a fresh request id per debit, retried with that id until answered ({@link RetryingClient}).
 * It keeps, per subscriber, the credit it expects (the start less every acknowledged debit) and checks
 * every answer against it: the debits of a subscriber come from one connection in order, so each
 * answer must be exactly the expected credit. Latency, from a debit's first try to its final answer, is
 * recorded per phase of the test (the phase in which the debit began).
 */
final class ChaosLedger implements AutoCloseable {

    /** The phases of the test, in order. */
    enum Phase { WARMUP, BASELINE, ATTACK, AFTER }

    /** Amounts debited in turn: exact decimals, some with all 9 decimals a command may have. */
    static final List<String> AMOUNTS = List.of("0.01", "0.37", "1.5", "0.123456789", "2", "0.000000001");
    /** How long one debit may take, retries included, before it counts as unanswered. */
    static final Duration CALL_DEADLINE = Duration.ofSeconds(60);
    private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(5);
    private static final int SHOWN = 20;
    private static final int TIMELINE_SECONDS = 600;

    private final int port;
    private final String tenant;
    private final String run;
    private final List<List<String>> subjectsByConnection;
    private final Map<String, BigDecimal> expected = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> acknowledged = new ConcurrentHashMap<>();
    private final Map<Phase, Histogram> latency = new EnumMap<>(Phase.class);
    private final Map<Phase, Long> entered = new EnumMap<>(Phase.class);
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    private final LongAdder problemCount = new LongAdder();
    private final LongAdder unanswered = new LongAdder();
    private final AtomicLong lastAnswer = new AtomicLong();
    private final AtomicLong longestAttackGap = new AtomicLong();
    /** Answers and the slowest of them, per second since {@link #start()} (by the time of the answer). */
    private final AtomicLongArray answersPerSecond = new AtomicLongArray(TIMELINE_SECONDS);
    private final AtomicLongArray slowestPerSecond = new AtomicLongArray(TIMELINE_SECONDS);
    private volatile long origin;
    final RetryingClient.Stats stats = new RetryingClient.Stats();
    private final List<Thread> threads = new ArrayList<>();
    private volatile Phase phase = Phase.WARMUP;
    private volatile boolean stopping;
    private long stopped;

    ChaosLedger(int port, String tenant, String run, List<List<String>> subjectsByConnection, BigDecimal credit) {
        this.port = port;
        this.tenant = tenant;
        this.run = run;
        this.subjectsByConnection = subjectsByConnection;
        for (List<String> subjects : subjectsByConnection) {
            for (String subject : subjects) {
                expected.put(subject, credit);
                acknowledged.put(subject, new LongAdder());
            }
        }
        for (Phase p : Phase.values()) {
            latency.put(p, new Histogram(HIGHEST_MICROS, 3));
        }
    }

    void start() {
        enter(Phase.WARMUP);
        origin = System.nanoTime();
        lastAnswer.set(origin);
        for (int i = 0; i < subjectsByConnection.size(); i++) {
            int index = i;
            Thread thread = new Thread(() -> run(index, subjectsByConnection.get(index)), "chaos-ledger-" + i);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    synchronized void enter(Phase next) {
        entered.put(next, System.nanoTime());
        phase = next;
    }

    private void run(int index, List<String> subjects) {
        try (RetryingClient client = new RetryingClient(port, stats)) {
            for (long seq = 0; !stopping; seq++) {
                String subject = subjects.get((int) (seq % subjects.size()));
                String amount = AMOUNTS.get((int) ((seq / subjects.size() + index) % AMOUNTS.size()));
                String requestId = "ledger-" + run + "-" + index + "-" + seq;
                Phase at = phase;
                long began = System.nanoTime();
                JsonNode answer = client.debit(tenant, subject, amount, requestId, began + CALL_DEADLINE.toNanos());
                long ended = System.nanoTime();
                if (answer == null) {
                    unanswered.increment();
                    problem("no answer within " + CALL_DEADLINE + " for " + requestId + " (" + subject + ")");
                    continue;
                }
                answered(at, began, ended);
                check(subject, new BigDecimal(amount), requestId, answer);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void answered(Phase at, long began, long ended) {
        Histogram histogram = latency.get(at);
        synchronized (histogram) {
            histogram.recordValue(Math.min(HIGHEST_MICROS, TimeUnit.NANOSECONDS.toMicros(ended - began)));
        }
        int second = (int) TimeUnit.NANOSECONDS.toSeconds(ended - origin);
        if (second < TIMELINE_SECONDS) {
            answersPerSecond.incrementAndGet(second);
            slowestPerSecond.accumulateAndGet(second, TimeUnit.NANOSECONDS.toMicros(ended - began), Math::max);
        }
        long previous = lastAnswer.getAndAccumulate(ended, Math::max);
        if (phase == Phase.ATTACK && ended > previous) {
            longestAttackGap.accumulateAndGet(ended - previous, Math::max);
        }
    }

    private void check(String subject, BigDecimal amount, String requestId, JsonNode answer) {
        JsonNode error = answer.get("error");
        if (error != null && !error.isNull()) {
            problem("error for " + requestId + " (" + subject + " -" + amount + "): " + error);
            return;
        }
        BigDecimal credit = expected.get(subject).subtract(amount);
        expected.put(subject, credit); // only this thread debits this subject
        acknowledged.get(subject).increment();
        BigDecimal answered = answer.get("result").decimalValue();
        if (answered.compareTo(credit) != 0) {
            problem("credit of " + subject + " after " + requestId + " (-" + amount + ") is " + answered.toPlainString()
                    + ", expected " + credit.toPlainString());
        }
    }

    private void problem(String text) {
        problemCount.increment();
        if (problems.size() < SHOWN) {
            problems.add(text);
        }
    }

    /** Stops starting debits, and waits for those under way (each ends within {@link #CALL_DEADLINE}). */
    void stop() throws InterruptedException {
        stopping = true;
        for (Thread thread : threads) {
            thread.join(CALL_DEADLINE.toMillis() + 10_000);
        }
        synchronized (this) {
            stopped = System.nanoTime();
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    /** Each subscriber's credit as the ledger expects it: the start less its acknowledged debits. */
    Map<String, BigDecimal> expectedCredits() {
        return Map.copyOf(expected);
    }

    long acknowledged() {
        return acknowledged.values().stream().mapToLong(LongAdder::sum).sum();
    }

    long unanswered() {
        return unanswered.sum();
    }

    /** Wrong answers, unexpected errors and unanswered debits: the first {@value #SHOWN}. */
    List<String> problems() {
        synchronized (problems) {
            return List.copyOf(problems);
        }
    }

    long problemCount() {
        return problemCount.sum();
    }

    /** When {@link #start()} was called ({@link System#nanoTime()}). */
    long origin() {
        return origin;
    }

    /** The second since {@link #start()} that {@code nanoTime} falls in. */
    int second(long nanoTime) {
        return (int) TimeUnit.NANOSECONDS.toSeconds(nanoTime - origin);
    }

    /** Debits answered in a second since {@link #start()}. */
    long answers(int second) {
        return second >= 0 && second < TIMELINE_SECONDS ? answersPerSecond.get(second) : 0;
    }

    /** The slowest debit answered in a second since {@link #start()}, in milliseconds. */
    long slowestMillis(int second) {
        return second >= 0 && second < TIMELINE_SECONDS ? slowestPerSecond.get(second) / 1000 : 0;
    }

    /** When {@code p} began ({@link System#nanoTime()}); 0 if it did not. */
    synchronized long entered(Phase p) {
        return entered.getOrDefault(p, 0L);
    }

    long longestAttackGapMillis() {
        return TimeUnit.NANOSECONDS.toMillis(longestAttackGap.get());
    }

    /** Latency and throughput of the debits begun in one phase. */
    record PhaseStats(Phase phase, long calls, double seconds, double p50, double p90, double p99, double p999,
            double max) {

        double perSecond() {
            return seconds > 0 ? calls / seconds : 0;
        }

        String line() {
            return String.format("%-9s %7d %9.1f %8.2f %8.2f %8.2f %8.2f %9.2f", phase.name().toLowerCase(
                    java.util.Locale.ROOT), calls, perSecond(), p50, p90, p99, p999, max);
        }

        static String header() {
            return String.format("%-9s %7s %9s %8s %8s %8s %8s %9s", "phase", "calls", "calls/s", "p50 ms", "p90 ms",
                    "p99 ms", "p99.9 ms", "max ms");
        }
    }

    synchronized PhaseStats stats(Phase p) {
        Histogram histogram = latency.get(p);
        long from = entered.getOrDefault(p, 0L);
        long to = p.ordinal() + 1 < Phase.values().length ? entered.getOrDefault(Phase.values()[p.ordinal() + 1],
                stopped) : stopped;
        synchronized (histogram) {
            return new PhaseStats(p, histogram.getTotalCount(), (to - from) / 1e9, ms(histogram, 50), ms(histogram, 90),
                    ms(histogram, 99), ms(histogram, 99.9), histogram.getMaxValue() / 1000.0);
        }
    }

    private static double ms(Histogram histogram, double percentile) {
        return histogram.getValueAtPercentile(percentile) / 1000.0;
    }
}
