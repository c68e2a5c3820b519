package io.ratestream.testkit.junit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import io.ratestream.testkit.EmbeddedKafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that hands tests a Kafka cluster as a {@link KafkaBroker} parameter:
 * <pre>{@code
 * @ExtendWith(KafkaBrokerExtension.class)
 * class RoundTripTest {
 *     @Test
 *     void shouldRoundTrip(KafkaBroker kafka) { ... kafka.bootstrapServers() ... }
 * }
 * }</pre>
 * The cluster is chosen by {@link BrokerSource#choose}: an external one when
 * {@code RATESTREAM_TEST_BOOTSTRAP} is set, a Testcontainers one when {@code RATESTREAM_TEST_DOCKER=true}
 * (fails fast when no Docker engine answers), else an {@link EmbeddedKafkaBroker}. It is started
 * once per JVM, on first use, kept in the root store and stopped when the test run ends; all test
 * classes share it, so each test should use its own topic names.
 */
public final class KafkaBrokerExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaBrokerExtension.class);
    private static final String KEY = "broker";
    private static final int EXTERNAL_TIMEOUT_MS = 15_000;

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == KafkaBroker.class;
    }

    @Override
    public KafkaBroker resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        try {
            return extensionContext.getRoot().getStore(NAMESPACE)
                    .getOrComputeIfAbsent(KEY, key -> start(System::getenv), RunningBroker.class)
                    .broker();
        } catch (RuntimeException e) {
            throw new ParameterResolutionException("no Kafka broker for tests: " + e.getMessage(), e);
        }
    }

    /** Starts (or, for an external cluster, checks) the broker that {@code env} asks for. */
    static RunningBroker start(Function<String, String> env) {
        return switch (BrokerSource.choose(env)) {
            case EXTERNAL -> external(env.apply(BrokerSource.BOOTSTRAP_ENV).trim());
            case DOCKER -> docker();
            case EMBEDDED -> embedded();
        };
    }

    private static RunningBroker external(String bootstrap) {
        final Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "ratestream-test-external-check");
        try (Admin admin = Admin.create(props)) {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs(EXTERNAL_TIMEOUT_MS))
                    .nodes().get(EXTERNAL_TIMEOUT_MS + 1_000L, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking " + bootstrap, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(BrokerSource.BOOTSTRAP_ENV + "=" + bootstrap + " but no Kafka answered"
                    + " within " + EXTERNAL_TIMEOUT_MS / 1000 + " s: start that cluster or unset the variable", e);
        }
        return new RunningBroker(new KafkaBroker(bootstrap, BrokerSource.EXTERNAL), () -> { });
    }

    private static RunningBroker docker() {
        try {
            Class.forName("org.testcontainers.kafka.KafkaContainer", false, KafkaBrokerExtension.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(BrokerSource.DOCKER_ENV + "=true needs org.testcontainers:testcontainers-kafka"
                    + " on the test classpath: add it as a test dependency", e);
        }
        return DockerKafka.start();
    }

    private static RunningBroker embedded() {
        final Path dataDir = createDataDir();
        final EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dataDir, 0);
        return new RunningBroker(new KafkaBroker(broker.bootstrapServers(), BrokerSource.EMBEDDED), () -> {
            broker.close();
            deleteRecursively(dataDir);
        });
    }

    /** Under Maven's target/ when the tests run from a module directory, else the system temp dir. */
    private static Path createDataDir() {
        final Path target = Path.of("target");
        try {
            return Files.isDirectory(target)
                    ? Files.createTempDirectory(target, "embedded-kafka-")
                    : Files.createTempDirectory("ratestream-embedded-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a data dir for the embedded Kafka broker", e);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path directory, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(directory);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
