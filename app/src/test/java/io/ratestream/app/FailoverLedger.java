package io.ratestream.app;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * The ledger of the failover test, and its probes. Ledger threads each debit their own subscribers one
 * call at a time with a fresh request id per debit; a call without an answer (the gateway's
 * {@code outcome_unknown}, {@code busy} or {@code unavailable}, a client read timeout, a lost connection)
 * is sent again with the same request id until answered. Each thread keeps its subscribers' expected
 * credit (the start less every acknowledged debit) and checks every answer against it. Every debit is
 * recorded (first try, answer, tries, timeouts) so that latency and timeouts can be read per window.
 *
 * <p>Probes: one thread per command partition, each on a subscriber of its own on that partition, calling
 * DebitBalance of 0 (a read that goes through the command log like any debit) once at a time, one try per
 * call, recording when each try began and ended and whether it was answered with a credit. The time from a
 * kill until a partition answers again is the end of its first answered try begun after the kill.
 */
final class FailoverLedger {

    /** Amounts debited in turn: exact decimals, some with all 9 decimals a command may have. */
    static final List<String> AMOUNTS = List.of("0.01", "0.37", "1.5", "0.123456789", "2", "0.000000001");
    /** Codes answered for a call that may be sent again with its request id: outcome unknown, unavailable, busy. */
    static final List<Integer> RETRY_CODES = List.of(-32001, -32002, -32003);
    /** How long the client waits for an answer on its connection before it gives up on it and sends again. */
    static final int READ_TIMEOUT_MS = 15_000;
    /** How long one debit may take, retries included, before it counts as unanswered. */
    static final long CALL_DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(90);

    /** One debit: first try and final answer ({@link System#nanoTime()}), tries, tries that timed out. */
    record Debit(String subject, String requestId, long began, long ended, int tries, int timeouts, boolean answered) {
    }

    /** One probe try: partition, begin and end ({@link System#nanoTime()}), answered with a credit or not. */
    record Try(int partition, long began, long ended, boolean ok) {
    }

    private final int port;
    private final String tenant;
    private final String run;
    private final Map<String, BigDecimal> expected = new ConcurrentHashMap<>();
    final List<Debit> debits = Collections.synchronizedList(new ArrayList<>());
    final List<Try> tries = Collections.synchronizedList(new ArrayList<>());
    final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    final Map<String, LongAdder> retriesByKind = new ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopping;

    FailoverLedger(int port, String tenant, String run) {
        this.port = port;
        this.tenant = tenant;
        this.run = run;
    }

    /** Starts one ledger thread per list of subscribers, each starting at {@code credit}. */
    void startLedger(List<List<String>> subjectsByThread, BigDecimal credit) {
        for (int i = 0; i < subjectsByThread.size(); i++) {
            List<String> subjects = subjectsByThread.get(i);
            subjects.forEach(s -> expected.put(s, credit));
            int index = i;
            start("ledger-" + i, () -> ledger(index, subjects));
        }
    }

    /** Starts one probe thread per partition: {@code probes.get(p)} is a subscriber on partition p. */
    void startProbes(List<String> probes) {
        for (int p = 0; p < probes.size(); p++) {
            int partition = p;
            start("probe-" + p, () -> probe(partition, probes.get(partition)));
        }
    }

    private void start(String name, Runnable body) {
        Thread thread = new Thread(body, "failover-" + name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    private void ledger(int index, List<String> subjects) {
        Client client = new Client();
        try {
            for (long seq = 0; !stopping; seq++) {
                String subject = subjects.get((int) (seq % subjects.size()));
                String amount = AMOUNTS.get((int) ((seq / subjects.size() + index) % AMOUNTS.size()));
                String requestId = "fo-" + run + "-" + index + "-" + seq;
                Result debit = client.debit(subject, amount, requestId, CALL_DEADLINE_NANOS);
                debits.add(debit.record);
                if (debit.answer == null) {
                    problems.add("no answer within " + TimeUnit.NANOSECONDS.toSeconds(CALL_DEADLINE_NANOS) + " s for "
                            + requestId + " (" + subject + ")");
                    continue;
                }
                check(subject, new BigDecimal(amount), requestId, debit.answer);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            client.close();
        }
    }

    private void check(String subject, BigDecimal amount, String requestId, JsonNode answer) {
        JsonNode error = answer.get("error");
        if (error != null && !error.isNull()) {
            problems.add("error for " + requestId + " (" + subject + " -" + amount + "): " + error);
            return;
        }
        BigDecimal credit = expected.get(subject).subtract(amount);
        expected.put(subject, credit); // only this thread debits this subject
        BigDecimal answered = answer.get("result").decimalValue();
        if (answered.compareTo(credit) != 0) {
            problems.add("credit of " + subject + " after " + requestId + " (-" + amount + ") is "
                    + answered.toPlainString() + ", expected " + credit.toPlainString());
        }
    }

    private void probe(int partition, String subject) {
        RpcConnection connection = null;
        try {
            for (long seq = 0; !stopping; seq++) {
                long began = System.nanoTime();
                boolean ok = false;
                try {
                    if (connection == null) {
                        connection = new RpcConnection(port, READ_TIMEOUT_MS);
                    }
                    JsonNode answer = connection.call(RpcConnection.debit(seq, tenant, subject, "0",
                            "probe-" + run + "-" + partition + "-" + seq));
                    ok = answer.hasNonNull("result");
                } catch (IOException e) {
                    if (connection != null) {
                        connection.close();
                        connection = null;
                    }
                }
                tries.add(new Try(partition, began, System.nanoTime(), ok));
                TimeUnit.MILLISECONDS.sleep(ok ? 20 : 50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (connection != null) {
                connection.close();
            }
        }
    }

    /** Stops starting calls and waits for those under way. */
    void stop() throws InterruptedException {
        stopping = true;
        for (Thread thread : threads) {
            thread.join(TimeUnit.NANOSECONDS.toMillis(CALL_DEADLINE_NANOS) + 10_000);
        }
    }

    /** Each ledger subscriber's credit as the ledger expects it: the start less its acknowledged debits. */
    Map<String, BigDecimal> expectedCredits() {
        return Map.copyOf(expected);
    }

    /** A subscriber's credit read back (a debit of 0 with a request id of its own), retried; null if none. */
    BigDecimal credit(String subject) throws InterruptedException {
        Client client = new Client();
        try {
            Result read = client.debit(subject, "0", "final-" + run + "-" + subject, TimeUnit.SECONDS.toNanos(60));
            return read.answer == null || !read.answer.hasNonNull("result") ? null
                    : read.answer.get("result").decimalValue();
        } finally {
            client.close();
        }
    }

    /**
     * Recovery after a kill at {@code killNanos}: per partition, milliseconds from the kill to the end of the
     * first answered probe try begun at or after it; -1 for a partition not answering again.
     */
    long[] recoveryMillis(long killNanos, int partitions) {
        long[] recovery = new long[partitions];
        java.util.Arrays.fill(recovery, -1);
        synchronized (tries) {
            for (Try t : tries) {
                if (t.ok() && t.began() >= killNanos && recovery[t.partition()] < 0) {
                    recovery[t.partition()] = TimeUnit.NANOSECONDS.toMillis(t.ended() - killNanos);
                }
            }
        }
        return recovery;
    }

    /** Whether every partition answered a probe begun at or after {@code killNanos}. */
    boolean recovered(long killNanos, int partitions) {
        return java.util.Arrays.stream(recoveryMillis(killNanos, partitions)).allMatch(ms -> ms >= 0);
    }

    /** Latency (first try to answer) and timeouts of the debits begun in [from, to). */
    record Window(long calls, long timedOut, long timeouts, double p50, double p99, double max) {
        String line() {
            return String.format("%d debits begun, %d of them timed out at least once (%d timed-out tries); latency "
                    + "p50 %.0f ms, p99 %.0f ms, max %.0f ms", calls, timedOut, timeouts, p50, p99, max);
        }
    }

    Window window(long from, long to) {
        Histogram histogram = new Histogram(TimeUnit.MINUTES.toMicros(5), 3);
        long calls = 0;
        long timedOut = 0;
        long timeouts = 0;
        synchronized (debits) {
            for (Debit d : debits) {
                if (d.began() >= from && d.began() < to && d.answered()) {
                    calls++;
                    timeouts += d.timeouts();
                    timedOut += d.timeouts() > 0 ? 1 : 0;
                    histogram.recordValue(Math.min(histogram.getHighestTrackableValue(),
                            TimeUnit.NANOSECONDS.toMicros(d.ended() - d.began())));
                }
            }
        }
        return new Window(calls, timedOut, timeouts, histogram.getValueAtPercentile(50) / 1000.0,
                histogram.getValueAtPercentile(99) / 1000.0, histogram.getMaxValue() / 1000.0);
    }

    /** Debits under way at some moment of [from, to): begun before {@code to}, answered (or given up) after {@code from}. */
    long underWay(long from, long to) {
        synchronized (debits) {
            return debits.stream().filter(d -> d.began() < to && d.ended() >= from).count();
        }
    }

    /** A careful JSON-RPC/TCP client: one call at a time, sent again with its request id until answered. */
    private final class Client {
        private RpcConnection connection;
        private long nextId;

        /** A debit's final answer (null if none within {@code deadline} ns) and its record. */
        Result debit(String subject, String amount, String requestId, long deadline) throws InterruptedException {
            long began = System.nanoTime();
            int attempts = 0;
            int timeouts = 0;
            JsonNode answer = null;
            while (answer == null && System.nanoTime() - began < deadline) {
                attempts++;
                try {
                    if (connection == null) {
                        connection = new RpcConnection(port, READ_TIMEOUT_MS);
                    }
                    long id = ++nextId;
                    JsonNode reply = connection.call(RpcConnection.debit(id, tenant, subject, amount, requestId));
                    if (reply.path("id").asLong() != id) {
                        throw new IOException("answer for id " + reply.path("id") + " while waiting for " + id);
                    }
                    JsonNode error = reply.get("error");
                    int code = error == null || error.isNull() ? 0 : error.path("code").asInt();
                    if (!RETRY_CODES.contains(code)) {
                        answer = reply;
                    } else {
                        String kind = error.path("data").path("kind").asText("code " + code);
                        retriesByKind.computeIfAbsent(kind, k -> new LongAdder()).increment();
                        if (code == -32001) {
                            timeouts++; // the gateway's reply timeout
                        } else {
                            TimeUnit.MILLISECONDS.sleep(50); // nothing was sent: back off a little
                        }
                    }
                } catch (IOException e) {
                    boolean timedOut = e instanceof SocketTimeoutException;
                    timeouts += timedOut ? 1 : 0;
                    retriesByKind.computeIfAbsent(timedOut ? "client read timeout" : "connection lost",
                            k -> new LongAdder()).increment();
                    close();
                    TimeUnit.MILLISECONDS.sleep(100);
                }
            }
            return new Result(new Debit(subject, requestId, began, System.nanoTime(), attempts, timeouts,
                    answer != null), answer);
        }

        void close() {
            if (connection != null) {
                connection.close();
                connection = null;
            }
        }
    }

    private record Result(Debit record, JsonNode answer) {
    }
}
