package io.ratestream.testkit.junit;

import java.util.Objects;

/**
 * The Kafka cluster a test talks to, as handed out by {@link KafkaBrokerExtension}: declare a
 * parameter of this type in a test method, constructor or {@code @BeforeAll} method.
 *
 * @param bootstrapServers the {@code bootstrap.servers} value for clients; never blank
 * @param source           where the cluster comes from
 */
public record KafkaBroker(String bootstrapServers, BrokerSource source) {

    public KafkaBroker {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(source, "source");
        if (bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrapServers must not be blank");
        }
    }
}
