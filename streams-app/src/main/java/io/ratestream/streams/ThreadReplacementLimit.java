package io.ratestream.streams;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streams app's uncaught-exception handler. Records never reach it (the processors and the record
 * exception handlers skip what one record causes), so what does is infrastructure: a broker gone, a
 * fenced producer, a failing state store. A failed stream thread is replaced, resuming from the last
 * commit, at most {@link #MAX_REPLACEMENTS} times within {@link #WINDOW}; one more failure within the
 * window means replacing does not help (the same failure comes back), and the client shuts down to
 * ERROR, which makes {@code ratestream streams} exit non-zero for its supervisor to restart it, rather
 * than loop or idle. The global thread cannot be replaced: its failure shuts the client down at once.
 *
 * <p>Thread-safe: stream threads fail concurrently. Not stream processing: reading a clock is fine here.
 */
public final class ThreadReplacementLimit implements StreamsUncaughtExceptionHandler {

    /** How many stream-thread replacements {@link #WINDOW} allows (3). */
    public static final int MAX_REPLACEMENTS = 3;
    /** The window {@link #MAX_REPLACEMENTS} counts in (10 minutes). */
    public static final Duration WINDOW = Duration.ofMinutes(10);

    private static final Logger LOG = LoggerFactory.getLogger(ThreadReplacementLimit.class);
    private static final String GLOBAL_THREAD_SUFFIX = "-GlobalStreamThread";

    private final int maxReplacements;
    private final Duration window;
    private final Clock clock;
    private final Deque<Instant> replacements = new ArrayDeque<>();
    private Throwable fatal;
    private int replaced;

    /** The handler with the defaults, on the system clock. */
    public ThreadReplacementLimit() {
        this(MAX_REPLACEMENTS, WINDOW, Clock.systemUTC());
    }

    /** At most {@code maxReplacements} replacements within {@code window}, on the system clock. */
    public ThreadReplacementLimit(int maxReplacements, Duration window) {
        this(maxReplacements, window, Clock.systemUTC());
    }

    ThreadReplacementLimit(int maxReplacements, Duration window, Clock clock) {
        if (maxReplacements < 0 || window.isNegative()) {
            throw new IllegalArgumentException("the thread replacement limit needs a count and a window of at least 0");
        }
        this.maxReplacements = maxReplacements;
        this.window = window;
        this.clock = clock;
    }

    @Override
    public StreamThreadExceptionResponse handle(Throwable exception) {
        return handle(exception, Thread.currentThread().getName().endsWith(GLOBAL_THREAD_SUFFIX));
    }

    synchronized StreamThreadExceptionResponse handle(Throwable exception, boolean globalThread) {
        if (globalThread) {
            fatal = exception;
            LOG.error("the global stream thread failed; it cannot be replaced: shutting the streams client down",
                    exception);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        Instant now = clock.instant();
        Instant windowStart = now.minus(window);
        while (!replacements.isEmpty() && !replacements.peekFirst().isAfter(windowStart)) {
            replacements.removeFirst();
        }
        if (replacements.size() >= maxReplacements) {
            fatal = exception;
            LOG.error("a stream thread failed after {} replacements within {}: shutting the streams client down",
                    replacements.size(), window, exception);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        replacements.addLast(now);
        replaced++;
        LOG.error("a stream thread failed; replacing it ({} of {} replacements allowed within {}; processing resumes "
                + "from the last commit)", replacements.size(), maxReplacements, window, exception);
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    /** The failure this handler shut the client down for; null while it has not. */
    public synchronized Throwable fatal() {
        return fatal;
    }

    /** How many stream threads this handler has had replaced, in all. */
    public synchronized int replaced() {
        return replaced;
    }

    /** Replacements within the window that ends now. */
    synchronized int recentReplacements() {
        Instant windowStart = clock.instant().minus(window);
        return (int) replacements.stream().filter(at -> at.isAfter(windowStart)).count();
    }
}
