package io.ratestream.testkit.junit;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The Testcontainers path. The only class that names Testcontainers types, so that they are loaded
 * only when {@link BrokerSource#DOCKER} is chosen (Testcontainers is an optional dependency).
 */
final class DockerKafka {

    static final String IMAGE = "apache/kafka:4.1.0";

    private DockerKafka() {
    }

    static RunningBroker start() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            throw new IllegalStateException(BrokerSource.DOCKER_ENV + "=true but no Docker engine answers:"
                    + " start Docker, or unset " + BrokerSource.DOCKER_ENV + " to use the embedded broker");
        }
        final KafkaContainer container = new KafkaContainer(DockerImageName.parse(IMAGE));
        container.start();
        return new RunningBroker(new KafkaBroker(container.getBootstrapServers(), BrokerSource.DOCKER), container::stop);
    }
}
