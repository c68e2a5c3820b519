package io.ratestream.testkit.junit;

/**
 * A broker handed to tests plus how to stop it; kept in JUnit's root store, which closes it at the
 * end of the run.
 */
record RunningBroker(KafkaBroker broker, AutoCloseable stopper) implements AutoCloseable {

    @Override
    public void close() throws Exception {
        stopper.close();
    }
}
