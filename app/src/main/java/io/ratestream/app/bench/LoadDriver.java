package io.ratestream.app.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Drives the gateway for a fixed time: one sender thread per client, either keeping a fixed number
 * of calls in flight (closed loop) or sending on a fixed schedule (open loop; latency then counts from
 * the scheduled send time, so a stalled server cannot hide its stall by slowing the client down:
 * coordinated omission is corrected by construction). A debit answered "timeout" or "unavailable" is
 * sent again with the same RequestId until it gets a real answer, so each debit is acknowledged once.
 * Latency is in microseconds, from the first send to the final answer.
 *
 * <p>The run starts with {@code warmup} of the same load: a call first sent then counts in the warm-up
 * figures, not in the reported histogram, requests and errors; its debits count in the self-check like
 * any other, as the budgets are read before the warm-up.
 */
final class LoadDriver {

    private static final long RETRY_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /**
     * How long a closed-loop sender blocks for a free slot before it looks at its retry queue again. It
     * was 1 ms: with 100 senders that was 100,000 wake-ups a second, and the load tool took more CPU
     * than the broker (benchmarks/scripts/cpu-split.sh). A retry waits at most this much longer.
     */
    private static final long PERMIT_WAIT_MILLIS = 10;
    private static final long SECOND_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final int MAX_ERROR_KINDS = 20;

    /**
     * What to run. {@code rate} is total calls per second; 0 means closed loop with {@code inFlight}.
     * {@code protocol} is only recorded in the results: the driver sees {@link RpcClient}s.
     */
    record Settings(String tenant, List<String> subjects, Mix mix, Protocol protocol, int connections, int inFlight,
            double rate, Duration warmup, Duration duration, Duration drain, String runId) {
    }

    /** The calls of one phase that got their final answer, and the debits sent again after a timeout. */
    record Counts(long requests, long errors, long retries) {
    }

    /**
     * What the run did: latency and counts of the measured part ({@code seconds} long, from the end of
     * the warm-up to the last answer), the warm-up's counts, and the debits of the whole run: sent (once
     * per debit, however often it was sent again), acknowledged, and unresolved. Arrays are indexed like
     * {@code Settings.subjects}.
     */
    record Outcome(Histogram latencyMicros, Counts measured, Counts warmup, double seconds,
            AtomicLongArray debitsSent, AtomicLongArray debitBalances, AtomicLongArray debitSeconds,
            AtomicLongArray unresolved, Map<String, LongAdder> errorKinds) {
    }

    /**
     * What else a run reports, from /proc ({@link CpuWatch}): told when the run starts, asked for a line
     * after each progress line (on the progress thread), and told when the measured window (from the end
     * of the warm-up to the end of {@code duration}, before the drain) starts and ends, with the calls
     * completed so far (final answers, both phases), on a thread of its own that wakes at those times.
     */
    interface Watcher {
        Watcher NONE = new Watcher() {
        };

        default void started() {
        }

        /** A line to print after the progress line that began with {@code prefix}, or null. */
        default String progress(String prefix) {
            return null;
        }

        default void windowStarted(long completed) {
        }

        default void windowEnded(long completed) {
        }
    }

    /**
     * One phase's figures: recorded from any thread; {@link #interval}, {@link #newErrors} and
     * {@link #newRetries} by the progress loop.
     */
    private static final class Tally {
        final String errorPrefix;
        final Recorder recorder = new Recorder(3);
        final Histogram total = new Histogram(3);
        final LongAdder requests = new LongAdder();
        final LongAdder errors = new LongAdder();
        final LongAdder retries = new LongAdder();
        private Histogram interval;
        private long errorsShown;
        private long retriesShown;

        Tally(String errorPrefix) {
            this.errorPrefix = errorPrefix;
        }

        /** The latencies recorded since the last call, which are also added to the total. */
        Histogram interval() {
            interval = recorder.getIntervalHistogram(interval);
            total.add(interval);
            return interval;
        }

        long newErrors() {
            long now = errors.sum();
            long shown = now - errorsShown;
            errorsShown = now;
            return shown;
        }

        long newRetries() {
            long now = retries.sum();
            long shown = now - retriesShown;
            retriesShown = now;
            return shown;
        }

        Counts counts() {
            return new Counts(requests.sum(), errors.sum(), retries.sum());
        }
    }

    private final Settings settings;
    private final Tally warmup = new Tally("warm-up: ");
    private final Tally measured = new Tally("");
    private final AtomicLongArray debitsSent;
    private final AtomicLongArray debitBalances;
    private final AtomicLongArray debitSeconds;
    private final AtomicLongArray unresolved;
    private final Map<String, LongAdder> errorKinds = new ConcurrentHashMap<>();
    /** Calls that got their final answer, in either phase: what the CPU window divides by. */
    private final LongAdder completed = new LongAdder();

    LoadDriver(Settings settings) {
        this.settings = settings;
        int n = settings.subjects().size();
        debitsSent = new AtomicLongArray(n);
        debitBalances = new AtomicLongArray(n);
        debitSeconds = new AtomicLongArray(n);
        unresolved = new AtomicLongArray(n);
    }

    Outcome run(List<RpcClient> clients, PrintStream progress) throws InterruptedException {
        return run(clients, progress, Watcher.NONE);
    }

    Outcome run(List<RpcClient> clients, PrintStream progress, Watcher watcher) throws InterruptedException {
        watcher.started();
        long start = System.nanoTime();
        long measuredFrom = start + settings.warmup().toNanos();
        long end = measuredFrom + settings.duration().toNanos();
        CountDownLatch sendersDone = new CountDownLatch(1);
        Thread window = new Thread(() -> watchWindow(watcher, measuredFrom, end, sendersDone), "bench-cpu-window");
        window.setDaemon(true);
        window.start();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients.size(); i++) {
            Sender sender = new Sender(i, clients.size(), clients.get(i), measuredFrom);
            Thread thread = new Thread(() -> sender.run(start, end), "bench-sender-" + i);
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        }
        long tick = start;
        int warmupSecond = 0;
        int second = 0;
        while (threads.stream().anyMatch(Thread::isAlive)) {
            long wait = tick + SECOND_NANOS - System.nanoTime();
            for (Thread thread : threads) {
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)));
                wait = tick + SECOND_NANOS - System.nanoTime();
            }
            if (wait > 0) {
                continue;
            }
            long now = System.nanoTime();
            boolean warmingUp = tick < measuredFrom;
            Tally tally = warmingUp ? warmup : measured;
            Histogram interval = tally.interval();
            String prefix = String.format("[%3d s%s]", warmingUp ? ++warmupSecond : ++second,
                    warmingUp ? " warm-up" : "");
            progress.printf("%s %8.0f req/s  errors %d  retries %d  p50 %.2f ms  p99 %.2f ms  max %.2f ms%n",
                    prefix, interval.getTotalCount() / ((now - tick) / 1e9), tally.newErrors(), tally.newRetries(),
                    interval.getValueAtPercentile(50) / 1000.0, interval.getValueAtPercentile(99) / 1000.0,
                    interval.getMaxValue() / 1000.0);
            String extra = watcher.progress(prefix);
            if (extra != null) {
                progress.println(extra);
            }
            tick = now;
        }
        sendersDone.countDown(); // ends the window now when every sender stopped early (broken connections)
        window.join();
        measured.interval();
        double seconds = Math.max(settings.duration().toNanos(), System.nanoTime() - measuredFrom) / 1e9;
        return new Outcome(measured.total, measured.counts(), warmup.counts(), seconds, debitsSent, debitBalances,
                debitSeconds, unresolved, errorKinds);
    }

    /**
     * Tells the watcher when the measured window starts and ends. Senders done before it started: no
     * window; done before its end: it ends then. (A latch, not an interrupt: an interrupt would also
     * close the file channels the watcher reads /proc with.)
     */
    private void watchWindow(Watcher watcher, long from, long to, CountDownLatch sendersDone) {
        try {
            if (sendersDone.await(Math.max(0, from - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                return;
            }
            watcher.windowStarted(completed.sum());
            sendersDone.await(Math.max(0, to - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        watcher.windowEnded(completed.sum());
    }

    /** One call, possibly sent several times (same RequestId) until it gets an answer that is not a timeout. */
    private static final class Attempt implements Delayed {
        final Op op;
        final int subject;
        final long intendedNanos;
        final ObjectNode descriptor;
        volatile long retryAtNanos;

        Attempt(Op op, int subject, long intendedNanos, ObjectNode descriptor) {
            this.op = op;
            this.subject = subject;
            this.intendedNanos = intendedNanos;
            this.descriptor = descriptor;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(retryAtNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(retryAtNanos, ((Attempt) other).retryAtNanos);
        }
    }

    /** One client's sender: owns its random draws and sequence numbers (one thread). */
    private final class Sender {
        private final int index;
        private final int connections;
        private final RpcClient client;
        private final long measuredFrom;
        private final Semaphore permits = new Semaphore(settings.inFlight());
        private final DelayQueue<Attempt> retryQueue = new DelayQueue<>();
        private final AtomicInteger open = new AtomicInteger();
        private final SplittableRandom random;
        private volatile boolean broken;
        private long sequence;

        Sender(int index, int connections, RpcClient client, long measuredFrom) {
            this.index = index;
            this.connections = connections;
            this.client = client;
            this.measuredFrom = measuredFrom;
            this.random = new SplittableRandom(settings.runId().hashCode() * 31L + index);
        }

        void run(long start, long end) {
            try {
                long interval = settings.rate() > 0 ? (long) (1e9 * connections / settings.rate()) : 0;
                long due = start + interval * index / connections;
                while (!broken && System.nanoTime() < end) {
                    Attempt retry = retryQueue.poll();
                    if (retry != null) {
                        send(retry);
                    } else if (interval > 0) {
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            sendIfAny(retryQueue.poll(Math.min(wait, end - System.nanoTime()), TimeUnit.NANOSECONDS));
                        } else if (due < end) {
                            open.incrementAndGet();
                            send(next(due));
                            due += interval;
                        }
                    } else if (permits.tryAcquire(PERMIT_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                        open.incrementAndGet();
                        send(next(System.nanoTime()));
                    }
                }
                long drainEnd = System.nanoTime() + settings.drain().toNanos();
                while (!broken && open.get() > 0 && System.nanoTime() < drainEnd) {
                    sendIfAny(retryQueue.poll(10, TimeUnit.MILLISECONDS));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void sendIfAny(Attempt attempt) {
            if (attempt != null) {
                send(attempt);
            }
        }

        private Attempt next(long intendedNanos) {
            Op op = settings.mix().pick(random.nextInt(settings.mix().total()));
            int subject = random.nextInt(settings.subjects().size());
            String requestId = null;
            if (op.isDebit()) {
                requestId = settings.runId() + "-" + index + "-" + (++sequence);
                debitsSent.incrementAndGet(subject);
                unresolved.incrementAndGet(subject);
            }
            return new Attempt(op, subject, intendedNanos,
                    op.descriptor(settings.tenant(), settings.subjects().get(subject), requestId));
        }

        private void send(Attempt attempt) {
            client.call(attempt.op.method, attempt.descriptor).whenComplete((reply, error) -> finish(attempt, reply,
                    error));
        }

        private void finish(Attempt attempt, JsonNode reply, Throwable error) {
            // A call belongs to the phase it was (scheduled to be) first sent in.
            Tally tally = attempt.intendedNanos < measuredFrom ? warmup : measured;
            if (error == null && attempt.op.isDebit() && RpcClient.isRetriable(reply)) {
                tally.retries.increment();
                attempt.retryAtNanos = System.nanoTime() + RETRY_DELAY_NANOS;
                retryQueue.add(attempt);
                return;
            }
            long now = System.nanoTime();
            tally.recorder.recordValue(Math.max(0, (now - attempt.intendedNanos) / 1000));
            tally.requests.increment();
            completed.increment();
            if (error != null) {
                // The connection broke: a debit in flight stays unresolved, and this sender stops.
                broken = true;
                countError(tally, "connection: " + error.getMessage());
            } else if (RpcClient.isError(reply)) {
                countError(tally, attempt.op.mixName + ": " + RpcClient.errorText(reply));
                if (attempt.op.isDebit()) {
                    unresolved.decrementAndGet(attempt.subject); // a refusal: nothing was applied
                }
            } else if (attempt.op.isDebit()) {
                (attempt.op == Op.DEBIT_BALANCE ? debitBalances : debitSeconds).incrementAndGet(attempt.subject);
                unresolved.decrementAndGet(attempt.subject);
            }
            open.decrementAndGet();
            permits.release();
        }

        private void countError(Tally tally, String kind) {
            tally.errors.increment();
            String key = tally.errorPrefix + kind;
            if (errorKinds.size() < MAX_ERROR_KINDS || errorKinds.containsKey(key)) {
                errorKinds.computeIfAbsent(key, k -> new LongAdder()).increment();
            }
        }
    }
}
