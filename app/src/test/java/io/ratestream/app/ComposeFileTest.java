package io.ratestream.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.topics.Topic;
import io.ratestream.schemas.topics.Topics;
import io.ratestream.streams.StreamsAppConfig;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml and the Dockerfile cannot be run where they were written (no Docker engine), so
 * this checks them against the code instead: the services, that every command names a real main class
 * with flags that class accepts, the gateway's ports, the streams instances' shared application id and
 * separate state, and that topic-init creates the topics TopicSetup would create.
 */
class ComposeFileTest {

    /** Tests run in the app module; the files are at the repository root. */
    static final Path ROOT = Path.of("..");
    static final String KAFKA = "kafka:9092";
    static final String LIB = "/opt/ratestream/lib";

    /** A main class the image runs: its source file and the options its main accepts. */
    record Main(String className, String module, Set<String> withValue, Set<String> switches) {

        Path source() {
            return ROOT.resolve(module).resolve("src/main/java").resolve(className.replace('.', '/') + ".java");
        }

        boolean accepts(String flag) {
            return withValue.contains(flag) || switches.contains(flag);
        }
    }

    /** The CLI's entry point; its subcommand's options are checked by parsing them with picocli. */
    static final String CLI = "io.ratestream.app.cli.RatestreamCli";

    static final Map<String, Main> MAINS = Map.of(CLI, new Main(CLI, "app", Set.of(), Set.of()));

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
    void shouldDeclareTheClusterServices() {
        assertThat(fieldNames(services)).contains("kafka", "topic-init", "streams-1", "streams-2", "gateway");
    }

    @Test
    void shouldRunKafkaFromTheOfficialImageAndTheAppFromTheLocalBuild() {
        for (String name : List.of("kafka", "topic-init")) {
            assertThat(service(name).path("image").asText()).as(name).matches("apache/kafka:4\\.\\d+\\.\\d+");
            assertThat(service(name).has("build")).as(name).isFalse();
        }
        for (String name : List.of("streams-1", "streams-2", "gateway")) {
            JsonNode build = service(name).path("build");
            String context = build.isObject() ? build.path("context").asText() : build.asText();
            assertThat(context).as(name + " build").isEqualTo(".");
            assertThat(service(name).has("image")).as(name).isFalse();
        }
    }

    @Test
    void shouldRunKafkaReachableAsKafka9092WithSingleNodeReplication() {
        JsonNode env = service("kafka").path("environment");
        assertThat(env.isObject()).as("kafka environment as a map").isTrue();
        assertThat(env.path("KAFKA_PROCESS_ROLES").asText()).isEqualTo("broker,controller");
        assertThat(env.path("KAFKA_ADVERTISED_LISTENERS").asText()).contains("PLAINTEXT://" + KAFKA);
        assertThat(env.path("KAFKA_LISTENERS").asText()).contains("PLAINTEXT://0.0.0.0:9092");
        for (String key : List.of("KAFKA_NODE_ID", "KAFKA_CONTROLLER_LISTENER_NAMES",
                "KAFKA_CONTROLLER_QUORUM_VOTERS", "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP")) {
            assertThat(env.path(key).asText()).as(key).isNotBlank();
        }
        for (String key : List.of("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
                "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR")) {
            assertThat(env.path(key).asText()).as(key).isEqualTo("1");
        }
        assertThat(service("kafka").path("healthcheck").path("test").isMissingNode()).as("kafka healthcheck").isFalse();
        assertThat(namedVolumeAt(service("kafka"), env.path("KAFKA_LOG_DIRS").asText())).as("kafka data volume")
                .isNotNull();
    }

    @Test
    void shouldStartInOrder() {
        assertThat(condition("topic-init", "kafka")).isEqualTo("service_healthy");
        for (String streams : List.of("streams-1", "streams-2")) {
            assertThat(condition(streams, "topic-init")).as(streams).isEqualTo("service_completed_successfully");
            assertThat(condition("gateway", streams)).as("gateway after " + streams).isNotEmpty();
        }
    }

    @Test
    void shouldRunRealMainClassesWithFlagsTheyAccept() throws Exception {
        for (String name : List.of("streams-1", "streams-2", "gateway")) {
            List<String> command = command(name);
            Main main = MAINS.get(command.get(0));
            assertThat(main).as(name + " runs one of " + MAINS.keySet()).isNotNull();

            Method method = Class.forName(main.className(), false, getClass().getClassLoader())
                    .getMethod("main", String[].class);
            assertThat(Modifier.isStatic(method.getModifiers())).as(main.className() + ".main is static").isTrue();

            Map<String, String> options = options(name);
            if (main.className().equals(CLI)) {
                // The real command line parses the arguments: an unknown flag or a missing value fails here.
                picocli.CommandLine.ParseResult parsed = new picocli.CommandLine(
                        new io.ratestream.app.cli.RatestreamCli()).parseArgs(
                                command.subList(1, command.size()).toArray(String[]::new));
                assertThat(parsed.hasSubcommand()).as(name + " names a subcommand").isTrue();
                assertThat(options.get("--bootstrap")).as(name + " bootstrap").isEqualTo(KAFKA);
                continue;
            }
            String source = Files.readString(main.source());
            for (String flag : options.keySet()) {
                assertThat(main.accepts(flag)).as(name + ": " + main.className() + " accepts " + flag).isTrue();
                assertThat(source).as(main.source() + " handles " + flag).contains("case \"" + flag + "\"");
                if (main.withValue().contains(flag)) {
                    assertThat(options.get(flag)).as(name + ": value of " + flag).isNotNull().doesNotStartWith("--");
                }
            }
            assertThat(options.get("--bootstrap")).as(name + " bootstrap").isEqualTo(KAFKA);
        }
    }

    @Test
    void shouldRunTheGatewayWithKeysAndPublishItsPortsOnLoopbackOnly() throws Exception {
        Map<String, String> options = options("gateway");
        assertThat(options.get("--bind")).isEqualTo("0.0.0.0");
        assertThat(options.getOrDefault("--jsonrpc-port", "2001")).isEqualTo("2001");
        assertThat(options.getOrDefault("--http-port", "8000")).isEqualTo("8000");
        assertThat(texts(service("gateway").path("ports"))).containsExactlyInAnyOrder("127.0.0.1:2001:2001",
                "127.0.0.1:8000:8000");

        // --auth names a file the container sees through a bind mount of the repository's docker/auth.
        String auth = options.get("--auth");
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
        Map<String, String> one = options("streams-1");
        Map<String, String> two = options("streams-2");
        assertThat(one.get("--application-id")).isNotBlank().isEqualTo(two.get("--application-id"));

        String volumeOne = namedVolumeAt(service("streams-1"), one.get("--state-dir"));
        String volumeTwo = namedVolumeAt(service("streams-2"), two.get("--state-dir"));
        assertThat(volumeOne).as("streams-1 --state-dir on a named volume").isNotNull();
        assertThat(volumeTwo).as("streams-2 --state-dir on a named volume").isNotNull();
        assertThat(volumeOne).isNotEqualTo(volumeTwo);
    }

    /** The same topics, partitions and configs as TopicSetup.ensure with the streams app's defaults. */
    @Test
    void shouldCreateTheTopicsTopicSetupWouldCreate() {
        int partitions = StreamsAppConfig.defaults(KAFKA, Path.of("unused")).partitions();
        Map<String, String> expected = new TreeMap<>();
        for (Topic<String, ?> topic : new Topics(Json.newMapper()).all()) {
            String shape;
            if (topic.compacted()) {
                shape = "partitions=1 cleanup.policy=compact";
            } else if (topic.name().equals(Topics.DEAD_LETTERS)) {
                shape = "partitions=1";
            } else if (topic.name().equals(Topics.COMMANDS) || topic.name().equals(Topics.ADMIN_COMMANDS)) {
                shape = "partitions=" + partitions + " retention.ms=-1";
            } else {
                shape = "partitions=" + partitions;
            }
            expected.put(topic.name(), shape);
        }

        Map<String, String> created = new TreeMap<>();
        for (List<String> line : topicCreations()) {
            assertThat(line).as("topic-init line %s", line)
                    .contains("--if-not-exists")
                    .containsSequence("--bootstrap-server", KAFKA)
                    .containsSequence("--replication-factor", "1");
            StringBuilder shape = new StringBuilder("partitions=" + valueAfter(line, "--partitions"));
            for (int i = 0; i < line.size() - 1; i++) {
                if (line.get(i).equals("--config")) {
                    shape.append(' ').append(line.get(i + 1));
                }
            }
            assertThat(created.put(valueAfter(line, "--topic"), shape.toString())).as("created once").isNull();
        }
        assertThat(created).isEqualTo(expected);
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

    /** The service's command, exec form: every element a string (a YAML number here would be an error). */
    static List<String> command(String name) {
        JsonNode command = service(name).path("command");
        assertThat(command.isArray()).as(name + " command is a list").isTrue();
        command.forEach(element -> assertThat(element.isTextual()).as(name + " command element " + element).isTrue());
        return texts(command);
    }

    /** The command's options after the main class: flag to value (null for a switch). */
    static Map<String, String> options(String name) {
        List<String> command = command(name);
        Main main = MAINS.get(command.get(0));
        Map<String, String> options = new LinkedHashMap<>();
        // The CLI's subcommand comes first: `RatestreamCli gateway --bootstrap ...`.
        int first = command.get(0).equals(CLI) ? 2 : 1;
        for (int i = first; i < command.size(); i++) {
            String flag = command.get(i);
            assertThat(flag).as(name + " command element " + i).startsWith("--");
            boolean switchFlag = main != null && main.switches().contains(flag);
            String value = switchFlag || i + 1 >= command.size() ? null : command.get(++i);
            assertThat(options.containsKey(flag)).as(name + ": " + flag + " given once").isFalse();
            options.put(flag, value);
        }
        return options;
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

    /** topic-init's kafka-topics.sh --create lines, split into words. */
    static List<List<String>> topicCreations() {
        JsonNode init = service("topic-init");
        List<String> words = new ArrayList<>(texts(init.path("entrypoint")));
        words.addAll(texts(init.path("command")));
        String script = words.get(words.size() - 1);
        List<List<String>> creations = new ArrayList<>();
        for (String line : script.split("\n")) {
            List<String> tokens = List.of(line.trim().split("\\s+"));
            if (tokens.get(0).equals("/opt/kafka/bin/kafka-topics.sh") && tokens.contains("--create")) {
                creations.add(tokens);
            }
        }
        assertThat(creations).as("kafka-topics.sh --create lines in topic-init").isNotEmpty();
        return creations;
    }

    static String valueAfter(List<String> tokens, String flag) {
        int at = tokens.indexOf(flag);
        assertThat(at).as(flag + " in " + tokens).isNotNegative().isLessThan(tokens.size() - 1);
        return tokens.get(at + 1);
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
