package io.ratestream.gateway;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What this gateway answered lately, for the operator's status page: per-5-second buckets over the last
 * 10 minutes (requests, errors, latency percentiles) and the last 20 errors. In memory only; a restart
 * starts empty. Thread-safe: every method takes the instance's lock, which is held for a few array
 * writes per request.
 */
public final class RecentActivity {

    /** Width of one bucket. */
    public static final Duration BUCKET = Duration.ofSeconds(5);
    /** Buckets kept: 10 minutes. */
    public static final int BUCKETS = 120;
    /** Errors kept. */
    public static final int ERRORS = 20;
    /**
     * Latencies kept per bucket. Beyond that a bucket keeps a uniform sample (reservoir sampling), so the
     * percentiles are estimates under load, exact below it.
     */
    static final int SAMPLES = 256;

    private final Clock clock;
    private final long bucketMillis = BUCKET.toMillis();
    private final Bucket[] ring = new Bucket[BUCKETS];
    private final ArrayDeque<Failure> errors = new ArrayDeque<>(ERRORS);

    /**
     * One bucket as the page reads it; {@code P50Ms} and {@code P99Ms} are null (left out of the JSON) when
     * it had no request.
     */
    public record Slot(@JsonProperty("Start") Instant start, @JsonProperty("Requests") long requests,
            @JsonProperty("Errors") long errors, @JsonProperty("P50Ms") Double p50Ms,
            @JsonProperty("P99Ms") Double p99Ms) {
    }

    /** One failed request: when it completed, its method's wire name, and the message its caller got. */
    public record Failure(@JsonProperty("Time") Instant time, @JsonProperty("Method") String method,
            @JsonProperty("Message") String message) {
    }

    public RecentActivity(Clock clock) {
        this.clock = clock;
        for (int i = 0; i < BUCKETS; i++) {
            ring[i] = new Bucket();
        }
    }

    /**
     * Counts one completed request.
     *
     * @param method the method's wire name
     * @param latencyNanos from receipt to completion
     * @param error null on success; a {@link CompletionException} is unwrapped
     */
    public synchronized void record(String method, long latencyNanos, Throwable error) {
        Instant now = clock.instant();
        long index = Math.floorDiv(now.toEpochMilli(), bucketMillis);
        Bucket bucket = ring[(int) Math.floorMod(index, (long) BUCKETS)];
        bucket.resetIfOlderThan(index);
        bucket.add(latencyNanos, error != null);
        if (error != null) {
            if (errors.size() == ERRORS) {
                errors.removeFirst();
            }
            errors.addLast(new Failure(now, method, message(error)));
        }
    }

    /** The last 10 minutes, oldest bucket first, empty buckets included; the last one is the current one. */
    public synchronized List<Slot> timeline() {
        long current = Math.floorDiv(clock.millis(), bucketMillis);
        List<Slot> slots = new ArrayList<>(BUCKETS);
        for (long index = current - BUCKETS + 1; index <= current; index++) {
            Bucket bucket = ring[(int) Math.floorMod(index, (long) BUCKETS)];
            Instant start = Instant.ofEpochMilli(index * bucketMillis);
            slots.add(bucket.index == index ? bucket.slot(start) : new Slot(start, 0, 0, null, null));
        }
        return slots;
    }

    /** The last {@value #ERRORS} errors, newest first. */
    public synchronized List<Failure> errors() {
        List<Failure> newestFirst = new ArrayList<>(errors);
        Collections.reverse(newestFirst);
        return newestFirst;
    }

    private static String message(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
    }

    /** The nearest-rank percentile of sorted values, in milliseconds. */
    static double percentile(long[] sortedNanos, int size, double p) {
        int rank = (int) Math.ceil(p / 100.0 * size);
        return sortedNanos[Math.max(0, rank - 1)] / 1_000_000.0;
    }

    /** Mutable; guarded by the enclosing instance's lock. */
    private static final class Bucket {
        private long index = Long.MIN_VALUE;
        private long requests;
        private long errors;
        private final long[] latencies = new long[SAMPLES];

        void resetIfOlderThan(long current) {
            if (index != current) {
                index = current;
                requests = 0;
                errors = 0;
            }
        }

        void add(long latencyNanos, boolean failed) {
            requests++;
            if (failed) {
                errors++;
            }
            if (requests <= SAMPLES) {
                latencies[(int) requests - 1] = latencyNanos;
            } else {
                long slot = ThreadLocalRandom.current().nextLong(requests);
                if (slot < SAMPLES) {
                    latencies[(int) slot] = latencyNanos;
                }
            }
        }

        Slot slot(Instant start) {
            if (requests == 0) {
                return new Slot(start, 0, 0, null, null);
            }
            int size = (int) Math.min(requests, SAMPLES);
            long[] sorted = Arrays.copyOf(latencies, size);
            Arrays.sort(sorted);
            return new Slot(start, requests, errors, percentile(sorted, size, 50), percentile(sorted, size, 99));
        }
    }
}
