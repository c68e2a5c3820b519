package io.ratestream.gateway.auth;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs refused requests with the principal's name (never a key), at most {@value #LINES_PER_SECOND}
 * lines a second: a client hammering with a wrong key fills a counter, not the disk. The next line
 * logged says how many were left out. Thread-safe.
 */
final class AuthAudit {

    /** Log lines a second at most. */
    static final int LINES_PER_SECOND = 10;

    private static final Logger LOG = LoggerFactory.getLogger("io.ratestream.gateway.auth.audit");

    private long windowStart = System.nanoTime();
    private int lines;
    private long suppressed;

    /** Logs one refusal, unless this second's lines are used up. */
    void refused(String reason, String principal, Caller.Transport transport, String action, String message) {
        long left;
        synchronized (this) {
            long now = System.nanoTime();
            if (now - windowStart >= TimeUnit.SECONDS.toNanos(1)) {
                windowStart = now;
                lines = 0;
            }
            if (lines >= LINES_PER_SECOND) {
                suppressed++;
                return;
            }
            lines++;
            left = suppressed;
            suppressed = 0;
        }
        LOG.warn("refused {} over {} for {}: {} ({}){}", action, transport.wireName(),
                principal == null ? "an unauthenticated caller" : "principal '" + principal + "'", reason, message,
                left == 0 ? "" : "; " + left + " refusals before this one were not logged");
    }
}
