package io.ratestream.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./ratestream dev} as a user runs it, from the repository (after {@code mvn package}, so the
 * launcher finds its jar current and does not rebuild): ready line, a JSON-RPC call, a clean stop, and a
 * restart that keeps a debited budget. Runs in Maven's integration-test phase.
 */
class LauncherIT {

    private static final Path LAUNCHER = Path.of("..", "ratestream").toAbsolutePath().normalize();

    @Test
    void shouldStartAnswerStopCleanlyAndKeepBudgetsAcrossARestart(@TempDir Path data) throws Exception {
        int kafka = freePort();
        int tcp = freePort();
        int http = freePort();
        List<String> command = List.of(LAUNCHER.toString(), "dev", "--data-dir", data.toString(), "--kafka-port",
                String.valueOf(kafka), "--jsonrpc-port", String.valueOf(tcp), "--http-port", String.valueOf(http));

        Dev first = Dev.start(command);
        assertThat(first.output()).anyMatch(line -> line.startsWith("loaded the demo data under tenant vdf"));
        // the warm-up ran its queries through the gateway before the ready line, and none failed
        assertThat(first.output()).anyMatch(line -> line.matches("warmed up: [1-9][0-9]* queries in .* s, 0 failed.*"));
        // and the command path ran through the topology in-process: not one command refused, and (below) the
        // demo budget it debited in its own copy is untouched in the real one (21 - 5 = 16)
        assertThat(first.output()).anyMatch(line -> line.matches(
                "warmed up the command path: [1-9][0-9]* commands through the topology in this process, 0 refused.*"));
        JsonNode cost = Wire.rpc(tcp, EndToEndTest.SEED);
        assertThat(cost.at("/result/Cost").decimalValue()).isEqualByComparingTo("540");
        assertThat(Wire.rpc(tcp, Wire.debit(2, "minutosu", "5")).get("result").decimalValue()).isEqualByComparingTo("16");
        assertThat(first.stop()).as("exit code after SIGTERM").isIn(0, 143);

        Dev second = Dev.start(command);
        assertThat(second.output()).noneMatch(line -> line.startsWith("loaded the demo data"));
        assertThat(Wire.rpc(tcp, Wire.debit(3, "minutosu", "0")).get("result").decimalValue()).isEqualByComparingTo("16");
        assertThat(second.stop()).isIn(0, 143);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** A running {@code ratestream dev} process and what it printed until it was ready. */
    private record Dev(Process process, List<String> output) {

        static Dev start(List<String> command) throws Exception {
            Process process = new ProcessBuilder(command).directory(LAUNCHER.getParent().toFile())
                    .redirectError(ProcessBuilder.Redirect.appendTo(Path.of("target", "launcher-it.log").toFile()))
                    .start();
            List<String> lines = new ArrayList<>();
            CompletableFuture<Void> ready = CompletableFuture.runAsync(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line = out.readLine(); line != null; line = out.readLine()) {
                        synchronized (lines) {
                            lines.add(line);
                        }
                        if (line.startsWith("ready in ")) {
                            return;
                        }
                    }
                    throw new IllegalStateException("ratestream dev ended before it was ready: " + lines);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            try {
                ready.get(240, TimeUnit.SECONDS);
            } catch (Exception e) {
                process.destroyForcibly();
                throw new AssertionError("ratestream dev was not ready (see app/target/launcher-it.log): " + lines, e);
            }
            return new Dev(process, List.copyOf(lines));
        }

        int stop() throws InterruptedException {
            process.destroy(); // SIGTERM, as Ctrl-C's SIGINT: the shutdown hook stops everything cleanly
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("ratestream dev did not stop within 60 s of SIGTERM");
            }
            return process.exitValue();
        }
    }
}
