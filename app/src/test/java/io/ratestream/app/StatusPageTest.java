package io.ratestream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.ratestream.gateway.GatewayConfig;
import io.ratestream.schemas.files.CgratesFiles;
import io.ratestream.schemas.json.Json;
import io.ratestream.streams.StreamsAppConfig;
import io.ratestream.testkit.junit.KafkaBroker;
import io.ratestream.testkit.junit.KafkaBrokerExtension;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's status page ({@code GET /}) rendered by a real headless Chromium after real traffic:
 * what a person would see, read from the DOM after the page's script has fetched {@code /api/activity}.
 */
@ExtendWith(KafkaBrokerExtension.class)
class StatusPageTest {

    private static final String GET_COST =
            "/getcost?cstmid=vdf&subj=rif&dest=0256&ts=2012-02-02T17:30:00Z&te=2012-02-02T18:30:00Z";
    private static final Duration BROWSER_TIMEOUT = Duration.ofSeconds(90);

    @Test
    void shouldShowKafkaTrafficAndTheLastErrorInABrowser(KafkaBroker broker, @TempDir Path dir) throws Exception {
        Path chromium = chromium();
        String run = UUID.randomUUID().toString().substring(0, 8);
        try (DevStack stack = DevStack.start(StreamsAppConfig.defaults(broker.bootstrapServers(), dir.resolve("state"))
                        .withApplicationId("status-" + run),
                GatewayConfig.defaults(broker.bootstrapServers()).withPorts(0, 0), Duration.ofSeconds(90))) {
            stack.load(new CgratesFiles(Json.newMapper()).readDirectory(Path.of("..", "demo", "cgrates-2012")), "vdf",
                    Duration.ofSeconds(60));
            int port = stack.gateway().httpPort();
            for (int i = 0; i < 5; i++) {
                assertThat(Wire.get(port, GET_COST).statusCode()).isEqualTo(200);
            }
            var refused = Wire.get(port, "/debitbalance?cstmid=vdf&subj=nobody&amount=1");
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(refused.body()).contains("no budget");
            String url = "http://127.0.0.1:" + port + "/";

            String dom = browse(chromium, dir, "dom", List.of("--dump-dom", url));

            Set<?> partitions = (Set<?>) stack.gateway().gateway().status().get("ReplyPartitions");
            assertThat(partitions).isNotEmpty();
            assertThat(text(dom, "kafka")).isEqualTo("up");
            assertThat(text(dom, "partitions"))
                    .isEqualTo(partitions.stream().map(String::valueOf).collect(Collectors.joining(", ")));
            // this test's streams instance, with the command partitions it owns
            assertThat(text(dom, "streams")).contains("status-" + run + "@");
            assertThat(Long.parseLong(text(dom, "requests"))).isGreaterThanOrEqualTo(6);
            assertThat(Double.parseDouble(text(dom, "rate"))).isGreaterThan(0);
            assertThat(Long.parseLong(text(dom, "error-count"))).isGreaterThanOrEqualTo(1);
            assertThat(attribute(dom, "chart", "data-requests")).isNotEqualTo("0");
            assertThat(dom).containsPattern("<g id=\"rate-bars\"><rect ").containsPattern("id=\"p50-line\" d=\"M[0-9]")
                    .doesNotContain("NaN");
            assertThat(dom)
                    .containsPattern("<tr class=\"error\">.*DebitBalance.*no budget for tenant vdf and subject nobody");

            Path screenshot = Path.of("target", "status-page.png").toAbsolutePath();
            Files.deleteIfExists(screenshot);
            browse(chromium, dir, "screenshot", List.of("--screenshot=" + screenshot, "--window-size=1200,900", url));
            assertThat(screenshot).isNotEmptyFile();
        }
    }

    /** Runs Chromium once on a fresh profile and returns what it printed; kills it if it hangs. */
    private static String browse(Path chromium, Path dir, String name, List<String> args) throws Exception {
        Path profile = Files.createDirectories(dir.resolve("chromium-" + name));
        List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile,
                "--virtual-time-budget=5000"));
        command.addAll(args);
        Path out = dir.resolve(name + ".out");
        Path log = dir.resolve(name + ".log");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(log.toFile())
                .directory(dir.toFile()).start();
        try {
            if (!process.waitFor(BROWSER_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                fail("chromium did not finish within " + BROWSER_TIMEOUT + "; its log:\n" + tail(log));
            }
            assertThat(process.exitValue()).as("chromium's exit code; its log:\n%s", tail(log)).isZero();
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    /** The browser, or the reason there is none: CI must have it, a developer may skip. */
    private static Path chromium() {
        Stream<Path> onPath = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(entry -> !entry.isEmpty())
                .flatMap(entry -> Stream.of(Path.of(entry, "chromium"), Path.of(entry, "chromium-browser")));
        Optional<Path> found = Stream.concat(onPath, Stream.of(Path.of("/usr/bin/chromium")))
                .filter(Files::isExecutable).findFirst();
        if (found.isPresent()) {
            return found.get();
        }
        String missing = "no chromium binary (looked for chromium, chromium-browser on PATH and /usr/bin/chromium)";
        if ("true".equals(System.getenv("CI"))) {
            fail(missing + ": .ci/run installs chromium (apt-get install -y chromium); check that step");
        }
        Assumptions.abort(missing + ": install it (apt-get install -y chromium) to run the status page test");
        return null;
    }

    private static String text(String dom, String id) {
        Matcher m = Pattern.compile("<[^>]*\\bid=\"" + id + "\"[^>]*>([^<]*)<").matcher(dom);
        assertThat(m.find()).as("element #%s in the rendered page:\n%s", id, dom).isTrue();
        return m.group(1).trim();
    }

    private static String attribute(String dom, String id, String name) {
        Matcher element = Pattern.compile("<[^>]*\\bid=\"" + id + "\"[^>]*>").matcher(dom);
        assertThat(element.find()).as("element #%s in the rendered page:\n%s", id, dom).isTrue();
        Matcher value = Pattern.compile("\\b" + name + "=\"([^\"]*)\"").matcher(element.group());
        assertThat(value.find()).as("%s on #%s: %s", name, id, element.group()).isTrue();
        return value.group(1);
    }

    private static String tail(Path log) throws Exception {
        if (!Files.exists(log)) {
            return "(none)";
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }
}
