package io.ratestream.app.cli;

import io.ratestream.gateway.auth.AuthFileException;
import io.ratestream.gateway.auth.Authenticator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGHUP reloads the auth file, as daemons reload their configuration: connections stay open, and every
 * request from then on is checked against the new file. A file that does not load leaves the one before
 * in force, and says why on standard error.
 */
final class Hangup {

    private static final Logger LOG = LoggerFactory.getLogger(Hangup.class);

    private Hangup() {
    }

    /**
     * Reloads {@code authenticator}'s file on every SIGHUP. Returns whether a SIGHUP will: false without a
     * file, where there is no SIGHUP, and in a process started with SIGHUP ignored (as {@code nohup} starts
     * it), where the JVM leaves the signal ignored and would never call the handler.
     */
    static boolean reloads(Authenticator authenticator) {
        if (authenticator.file() == null) {
            return false;
        }
        try {
            sun.misc.SignalHandler before = sun.misc.Signal.handle(new sun.misc.Signal("HUP"),
                    signal -> reload(authenticator));
            if (before == sun.misc.SignalHandler.SIG_IGN) {
                LOG.warn("this process ignores SIGHUP (started with nohup?): restart it to reload {}",
                        authenticator.file());
                return false;
            }
            return true;
        } catch (IllegalArgumentException e) {
            LOG.warn("no SIGHUP on this platform: restart to reload {}", authenticator.file());
            return false;
        }
    }

    /** One reload, reported on standard error; never throws. */
    static void reload(Authenticator authenticator) {
        try {
            int principals = authenticator.reload();
            System.err.printf("ratestream: reloaded %s: %d principals%n", authenticator.file(), principals);
        } catch (AuthFileException | IllegalStateException e) {
            System.err.printf("ratestream: NOT reloaded, the principals loaded before stay in force: %s%n",
                    e.getMessage());
        }
    }
}
