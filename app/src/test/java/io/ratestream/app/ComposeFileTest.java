package io.ratestream.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.ratestream.app.cli.RatestreamCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.CommandSpec;

/**
 * docker-compose.yml and the Dockerfile cannot be run where they were written (no Docker engine), so
 * this checks them against the code instead: the services and their healthchecks, that every app
 * service's command and RATESTREAM_* variables parse with the real command line (the image's entry
 * point) into the values meant, the gateway's ports and keys, the streams instances' shared application
 * id and separate state, and that Kafka is the version of the libraries.
 */
class ComposeFileTest {

    /** Tests run in the app module; the files are at the repository root. */
    static final Path ROOT = Path.of("..");
    static final String KAFKA = "kafka:9092";
    static final String LIB = "/opt/ratestream/lib";
    static final String CLI = "io.ratestream.app.cli.RatestreamCli";
    static final List<String> APP_SERVICES = List.of("streams-1", "streams-2", "gateway");

    static JsonNode compose;
    static JsonNode services;

    @BeforeAll
    static void parse() throws IOException {
        compose = new YAMLMapper().readTree(ROOT.resolve("docker-compose.yml").toFile());
        services = compose.path("services");
        assertThat(services.isObject()).as("docker-compose.yml has services").isTrue();
    }

    @Test
    void shouldSayItWasNotRunHere() throws IOException {
        String head = Files.readString(ROOT.resolve("docker-compose.yml")).lines().limit(15)
                .collect(Collectors.joining("\n"));
        assertThat(head).contains("NOT run").contains("ComposeFileTest");
    }

    @Test
    void shouldDeclareTheClusterServicesEachWithAHealthcheck() {
        assertThat(fieldNames(services)).containsExactlyInAnyOrder("kafka", "streams-1", "streams-2", "gateway");
        for (String name : fieldNames(services)) {
            JsonNode test = service(name).path("healthcheck").path("test");
            assertThat(test.isArray() && test.size() > 1).as(name + " healthcheck").isTrue();
        }
    }

    @Test
    void shouldRunKafkaOfTheLibrariesVersionAndTheAppFromTheLocalBuild() throws IOException {
        Matcher version = Pattern.compile("<kafka.version>([^<]+)</kafka.version>")
                .matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertThat(version.find()).isTrue();
        assertThat(service("kafka").path("image").asText()).isEqualTo("apache/kafka:" + version.group(1));
        for (String name : APP_SERVICES) {
            JsonNode build = service(name).path("build");
            String context = build.isObject() ? build.path("context").asText() : build.asText();
            assertThat(context).as(name + " build").isEqualTo(".");
            assertThat(service(name).has("image")).as(name).isFalse();
        }
    }

    @Test
    void shouldRunKafkaReachableAsKafka9092WithSingleNodeReplicationAndFastFailover() {
        JsonNode env = service("kafka").path("environment");
        assertThat(env.isObject()).as("kafka environment as a map").isTrue();
        assertThat(env.path("KAFKA_PROCESS_ROLES").asText()).isEqualTo("broker,controller");
        assertThat(env.path("KAFKA_ADVERTISED_LISTENERS").asText()).contains("PLAINTEXT://" + KAFKA);
        assertThat(env.path("KAFKA_LISTENERS").asText()).contains("PLAINTEXT://0.0.0.0:9092");
        for (String key : List.of("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
                "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR")) {
            assertThat(env.path(key).asText()).as(key).isEqualTo("1");
        }
        // The streams instances' session timeout must be allowed, or they could not join their group.
        long sessionTimeout = Long.parseLong(option("streams-1", "--session-timeout-ms"));
        assertThat(Long.parseLong(env.path("KAFKA_GROUP_MIN_SESSION_TIMEOUT_MS").asText())).isLessThanOrEqualTo(sessionTimeout);
        assertThat(namedVolumeAt(service("kafka"), env.path("KAFKA_LOG_DIRS").asText())).as("kafka data volume")
                .isNotNull();
    }

    @Test
    void shouldStartInOrder() {
        for (String streams : List.of("streams-1", "streams-2")) {
            assertThat(condition(streams, "kafka")).as(streams).isEqualTo("service_healthy");
            assertThat(condition("gateway", streams)).as("gateway after " + streams).isEqualTo("service_healthy");
        }
    }

    @Test
    void shouldRunCommandsAndVariablesTheCommandLineAccepts() {
        for (String name : APP_SERVICES) {
            CommandSpec command = spec(name);
            assertThat(command.name()).as(name).isEqualTo(name.startsWith("streams") ? "streams" : "gateway");
            assertThat(option(name, "--bootstrap")).as(name + " bootstrap").isEqualTo(KAFKA);
        }
    }

    @Test
    void shouldCheckEachAppServiceAtTheHealthEndpointOfItsOwnPort() {
        for (String name : APP_SERVICES) {
            List<String> test = texts(service(name).path("healthcheck").path("test"));
            assertThat(test).as(name).contains("curl");
            assertThat(test.get(test.size() - 1)).as(name)
                    .isEqualTo("http://127.0.0.1:" + option(name, "--http-port") + "/health/ready");
        }
    }

    @Test
    void shouldRunTheGatewayWithKeysAndPublishItsPortsOnLoopbackOnly() throws Exception {
        assertThat(option("gateway", "--bind")).isEqualTo("0.0.0.0");
        assertThat(option("gateway", "--jsonrpc-port")).isEqualTo("2001");
        assertThat(option("gateway", "--http-port")).isEqualTo("8000");
        assertThat(texts(service("gateway").path("ports"))).containsExactlyInAnyOrder("127.0.0.1:2001:2001",
                "127.0.0.1:8000:8000");

        // --auth names a file the container sees through a bind mount of the repository's docker/auth.
        String auth = option("gateway", "--auth");
        assertThat(auth).as("the gateway runs with --auth").isNotNull();
        Path onHost = null;
        for (String volume : texts(service("gateway").path("volumes"))) {
            String[] parts = volume.split(":");
            if (parts[0].startsWith("./") && auth.startsWith(parts[1] + "/")) {
                onHost = ROOT.resolve(parts[0]).resolve(auth.substring(parts[1].length() + 1));
            }
        }
        assertThat(onHost).as("a bind mount holds " + auth).isNotNull();
        io.ratestream.gateway.auth.Authenticator authenticator = io.ratestream.gateway.auth.Authenticator.fromFile(onHost);
        // Every demo key in docker/auth/demo-keys.txt authenticates as the principal its line names.
        List<String> lines = Files.readAllLines(onHost.resolveSibling("demo-keys.txt")).stream()
                .filter(line -> !line.startsWith("#") && !line.isBlank()).toList();
        assertThat(lines).hasSize(3);
        for (String line : lines) {
            String[] fields = line.trim().split("\\s+");
            io.ratestream.gateway.auth.Principal principal = authenticator.principal(
                    io.ratestream.gateway.auth.Authenticator.apiKey(fields[3]));
            assertThat(principal).as(line).isNotNull();
            assertThat(principal.name()).isEqualTo(fields[0]);
        }
    }

    @Test
    void shouldShareTheApplicationIdAndKeepStateApart() {
        assertThat(option("streams-1", "--application-id")).isNotBlank()
                .isEqualTo(option("streams-2", "--application-id"));
        String volumeOne = namedVolumeAt(service("streams-1"), option("streams-1", "--state-dir"));
        String volumeTwo = namedVolumeAt(service("streams-2"), option("streams-2", "--state-dir"));
        assertThat(volumeOne).as("streams-1 --state-dir on a named volume").isNotNull();
        assertThat(volumeTwo).as("streams-2 --state-dir on a named volume").isNotNull();
        assertThat(volumeOne).isNotEqualTo(volumeTwo);
    }

    @Test
    void shouldBuildAnImageWhoseEntrypointRunsTheLibDirectory() throws IOException {
        Path dockerfile = ROOT.resolve("Dockerfile");
        assertThat(dockerfile).exists();
        List<String> lines = Files.readAllLines(dockerfile);

        assertThat(lines).anyMatch(l -> l.matches("FROM maven:3\\.9[^ ]*-eclipse-temurin-17 AS build"));
        assertThat(lines).anyMatch(l -> l.matches("FROM eclipse-temurin:17-jre"));
        String text = String.join("\n", lines);
        assertThat(text).contains("-pl app -am install -DskipTests")
                .contains("dependency:copy-dependencies").contains("-DincludeScope=runtime")
                .contains("app/target/app-0.1.0-SNAPSHOT.jar");
        assertThat(lines).anyMatch(l -> l.matches("COPY --from=build \\S+ " + LIB + "/?"));

        String entrypoint = lines.stream().filter(l -> l.startsWith("ENTRYPOINT ")).findFirst().orElseThrow();
        List<String> exec = List.of(new ObjectMapper().readValue(entrypoint.substring("ENTRYPOINT ".length()),
                String[].class));
        assertThat(exec).containsExactly("java", "-cp", LIB + "/*", CLI);

        assertThat(Files.readAllLines(ROOT.resolve(".dockerignore"))).contains("**/target", "data", ".git");
    }

    // --- reading the compose file

    static JsonNode service(String name) {
        JsonNode service = services.path(name);
        assertThat(service.isObject()).as("service " + name).isTrue();
        return service;
    }

    /** The named volume (declared under top-level volumes) the service mounts at {@code target}, or null. */
    static String namedVolumeAt(JsonNode service, String target) {
        for (String volume : texts(service.path("volumes"))) {
            String[] parts = volume.split(":");
            if (parts.length >= 2 && parts[1].equals(target) && compose.path("volumes").has(parts[0])) {
                return parts[0];
            }
        }
        return null;
    }

    static String condition(String service, String dependency) {
        return service(service).path("depends_on").path(dependency).path("condition").asText();
    }

    /** The service's command, exec form, parsed by the real command line with the service's environment. */
    static CommandSpec spec(String name) {
        JsonNode command = service(name).path("command");
        assertThat(command.isArray()).as(name + " command is a list").isTrue();
        command.forEach(element -> assertThat(element.isTextual()).as(name + " command element " + element).isTrue());
        Map<String, String> environment = new TreeMap<>();
        service(name).path("environment").fields().forEachRemaining(field -> {
            assertThat(field.getValue().isTextual()).as(name + " " + field.getKey() + " is a string").isTrue();
            environment.put(field.getKey(), field.getValue().asText());
        });
        return RatestreamCli.parse(environment, texts(command).toArray(String[]::new));
    }

    /** The value an option of the service's command gets (flag, variable or default); null when none. */
    static String option(String name, String option) {
        Object value = spec(name).findOption(option).getValue();
        return value == null ? null : value.toString();
    }

    static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(element -> texts.add(element.asText()));
        return texts;
    }

    static Set<String> fieldNames(JsonNode object) {
        Set<String> names = new TreeSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
