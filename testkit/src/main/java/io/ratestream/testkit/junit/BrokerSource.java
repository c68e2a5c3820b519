package io.ratestream.testkit.junit;

import java.util.Locale;
import java.util.function.Function;

/**
 * Where the tests' Kafka cluster comes from, and the rule that picks it from the environment.
 */
public enum BrokerSource {

    /** A running cluster named by {@value #BOOTSTRAP_ENV}; tests neither start nor stop it. */
    EXTERNAL,
    /** A Testcontainers Kafka container, asked for with {@value #DOCKER_ENV}{@code =true}. */
    DOCKER,
    /** The {@link io.ratestream.testkit.EmbeddedKafkaBroker}, started once per JVM: the default. */
    EMBEDDED;

    /** Environment variable naming an external cluster's bootstrap servers. */
    public static final String BOOTSTRAP_ENV = "RATESTREAM_TEST_BOOTSTRAP";
    /** Environment variable that asks for a Testcontainers broker when {@code true}. */
    public static final String DOCKER_ENV = "RATESTREAM_TEST_DOCKER";

    /**
     * Picks the source from environment values: a non-blank {@value #BOOTSTRAP_ENV} wins, then
     * {@value #DOCKER_ENV}{@code =true}, else the embedded broker. Pure: reads nothing but {@code env}.
     *
     * @param env looks up a variable, null when unset (for example {@code System::getenv})
     * @throws IllegalArgumentException if {@value #DOCKER_ENV} is set to neither true nor false
     */
    public static BrokerSource choose(Function<String, String> env) {
        final String bootstrap = env.apply(BOOTSTRAP_ENV);
        if (bootstrap != null && !bootstrap.isBlank()) {
            return EXTERNAL;
        }
        final String docker = env.apply(DOCKER_ENV);
        if (docker == null || docker.isBlank()) {
            return EMBEDDED;
        }
        switch (docker.trim().toLowerCase(Locale.ROOT)) {
            case "true":
                return DOCKER;
            case "false":
                return EMBEDDED;
            default:
                throw new IllegalArgumentException(DOCKER_ENV + " must be true or false, was '" + docker
                        + "': fix the variable or unset it to use the embedded broker");
        }
    }
}
