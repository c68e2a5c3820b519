package io.ratestream.testkit.junit;

import java.io.IOException;

/**
 * A broker handed to tests plus how to stop it; kept in JUnit's root store, which closes it at the
 * end of the run.
 */
record RunningBroker(KafkaBroker broker, Stopper stopper) implements AutoCloseable {

    /** Stops a broker and removes what it left behind. */
    @FunctionalInterface
    interface Stopper {
        void stop() throws IOException;
    }

    @Override
    public void close() throws IOException {
        stopper.stop();
    }
}
