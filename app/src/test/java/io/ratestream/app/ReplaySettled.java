package io.ratestream.app;

import io.ratestream.streams.topology.Replay;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Waits for a live application to equal the replay of the command log (what {@code replay --verify} checks). */
final class ReplaySettled {

    private ReplaySettled() {
    }

    /**
     * The verification once the live application has processed every command and its budgets equal the
     * replay of the command log, key by key; fails after 60 s, naming the differences and the offsets.
     */
    static Replay.Verification of(String bootstrap, String applicationId) throws Exception {
        Replay replay = new Replay(bootstrap, Duration.ofHours(24), Duration.ofSeconds(60));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            Replay.Verification check = replay.verify(applicationId);
            if (check.identical() && check.liveAtSnapshot()) {
                return check;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the live budgets of " + applicationId + " did not settle on the replay: "
                        + check.differences() + ", live at " + check.liveOffsets() + ", replayed up to "
                        + check.replay().endOffsets());
            }
            Thread.sleep(200);
        }
    }
}
