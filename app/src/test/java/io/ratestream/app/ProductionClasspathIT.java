package io.ratestream.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production image's classpath, built as the Dockerfile builds it: the app's runtime scope (which the
 * package phase writes to target/classpath.txt; the Dockerfile copies the same scope with
 * {@code dependency:copy-dependencies -DincludeScope=runtime}) plus the app jar. It holds no broker,
 * Scala or test library, and the CLI runs on it: {@code streams} and {@code gateway} start their help,
 * {@code kafka} and {@code dev} refuse with a sentence rather than a stack trace. Runs in Maven's
 * integration-test phase, after the jar is packaged.
 */
class ProductionClasspathIT {

    /** What only the broker, Scala or the tests need. kafka-streams needs kafka-clients alone. */
    private static final List<String> NOT_IN_PRODUCTION = List.of("kafka_2.13", "kafka-server", "kafka-raft",
            "kafka-metadata", "kafka-storage", "kafka-coordinator", "kafka-group-coordinator", "kafka-transaction",
            "kafka-share", "kafka-tools", "scala-", "junit", "opentest4j", "assertj", "testkit", "testcontainers");

    private static List<Path> classpath;

    @BeforeAll
    static void readTheClasspath() throws IOException {
        Path target = Path.of("target").toAbsolutePath();
        List<Path> entries = new ArrayList<>();
        try (Stream<Path> jars = Files.list(target)) {
            // the app jar, as the Dockerfile copies it (no -sources or -tests jar is built)
            jars.filter(p -> p.getFileName().toString().matches("app-.*\\.jar")).forEach(entries::add);
        }
        assertThat(entries).as("the app jar in target/: run mvn package first").hasSize(1);
        String runtime = Files.readString(target.resolve("classpath.txt"), StandardCharsets.UTF_8).trim();
        for (String entry : runtime.split(File.pathSeparator)) {
            entries.add(Path.of(entry));
        }
        classpath = List.copyOf(entries);
    }

    @Test
    void shouldHoldNoBrokerScalaOrTestLibrary() {
        List<String> names = classpath.stream().map(p -> p.getFileName().toString()).toList();

        assertThat(names).contains("kafka-streams-4.4.0.jar", "kafka-clients-4.4.0.jar")
                .anyMatch(name -> name.startsWith("log4j-core-"));
        for (String prefix : NOT_IN_PRODUCTION) {
            assertThat(names).as("jars starting with %s", prefix).noneMatch(name -> name.startsWith(prefix));
        }
    }

    @Test
    void shouldRunTheStreamsAppAndTheGatewayCommandsOnIt(@TempDir Path dir) throws Exception {
        for (String command : List.of("streams", "gateway")) {
            Result help = run(dir, command, "--help");

            assertThat(help.code()).as(help.output()).isZero();
            assertThat(help.output()).startsWith("Usage: ratestream " + command);
        }
    }

    @Test
    void shouldRefuseTheBrokerCommandsWithASentence(@TempDir Path dir) throws Exception {
        for (String command : List.of("kafka", "dev")) {
            Result run = run(dir, command, "--data-dir", dir.resolve("data").toString());

            assertThat(run.code()).as(run.output()).isEqualTo(1);
            assertThat(run.output()).isEqualTo("ratestream " + command + ": `ratestream " + command + "` needs the "
                    + "embedded broker, which the production image does not carry: run a Kafka cluster "
                    + "(docs/operations.md) or use ./ratestream from a source checkout\n");
            assertThat(dir.resolve("data")).as("nothing was started").doesNotExist();
        }
    }

    private record Result(int code, String output) {
    }

    /** Runs the CLI on the production classpath in a JVM of its own; returns its exit code and output. */
    private static Result run(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", String.join(File.pathSeparator, classpath.stream().map(Path::toString).toList()),
                "io.ratestream.app.cli.RatestreamCli"));
        command.addAll(List.of(args));
        Path output = Files.createTempFile(dir, "cli-", ".txt");
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("ratestream " + String.join(" ", args) + " did not end within 120 s: "
                    + Files.readString(output));
        }
        return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    }
}
