package io.ratestream.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGHUP reloads the auth file of a running {@code ratestream dev --auth FILE}, a child process as an
 * operator runs it: open connections stay open, a key removed from the file stops working on the
 * connection that authenticated with it, a key added works on a new connection, and a broken file
 * leaves the principals loaded before in force ("NOT reloaded").
 */
class HangupIT {

    private static final String GET_COST = "{\"id\":%d,\"method\":\"Responder.GetCost\",\"params\":[{\"CstmId\":\"vdf\","
            + "\"Subject\":\"rif\",\"DestinationPrefix\":\"0256\",\"TimeStart\":\"2012-02-02T17:30:00Z\","
            + "\"TimeEnd\":\"2012-02-02T18:30:00Z\"}]}";

    private final List<String> output = new CopyOnWriteArrayList<>();
    private int nextId = 1;

    @TempDir
    Path dir;

    @Test
    void shouldReloadTheAuthFileOnSighupWithoutDroppingConnections() throws Exception {
        Assumptions.assumeFalse(System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("windows"),
                "SIGHUP is POSIX");
        Path auth = dir.resolve("auth.json");
        String first = key("add", "switch-1", "--tenant", "vdf", "--role", "rate", "--auth", auth.toString());
        key("add", "ops", "--tenant", "*", "--role", "admin", "--auth", auth.toString());
        int tcp = freePort();
        Process dev = start(auth, tcp);
        try (RpcConnection kept = new RpcConnection(tcp, 30_000)) {
            assertThat(output).contains("auth: principals from " + auth + " (SIGHUP reloads it)");
            assertThat(kept.call(authenticate(first)).get("result").asBoolean()).isTrue();
            assertCost(kept);

            assertThat(CliTest.cli("keys", "remove", "switch-1", "--auth", auth.toString()).code()).isZero();
            String second = key("add", "switch-2", "--tenant", "vdf", "--role", "rate", "--auth", auth.toString());
            hangup(dev, "ratestream: reloaded " + auth + ": 2 principals");

            JsonNode refused = kept.call(GET_COST.formatted(nextId++));
            assertThat(refused.get("error").asText()).isEqualTo("unauthenticated: unknown API key");
            try (RpcConnection fresh = new RpcConnection(tcp, 30_000)) {
                assertThat(fresh.call(authenticate(first)).get("error").asText())
                        .isEqualTo("unauthenticated: unknown API key");
                assertThat(fresh.call(authenticate(second)).get("result").asBoolean()).isTrue();
                assertCost(fresh);
            }
            // the same connection, still open, takes the new key
            assertThat(kept.call(authenticate(second)).get("result").asBoolean()).isTrue();
            assertCost(kept);

            Files.writeString(auth, "{\"principals\": [");
            hangup(dev, "ratestream: NOT reloaded, the principals loaded before stay in force: " + auth
                    + " is not JSON");

            assertCost(kept);
            try (RpcConnection fresh = new RpcConnection(tcp, 30_000)) {
                assertThat(fresh.call(authenticate(second)).get("result").asBoolean()).isTrue();
                assertCost(fresh);
                assertThat(fresh.call(authenticate(first)).get("error").asText())
                        .isEqualTo("unauthenticated: unknown API key");
            }
            assertThat(dev.isAlive()).isTrue();
        } finally {
            stop(dev);
        }
    }

    private String authenticate(String key) {
        return "{\"id\":" + nextId++ + ",\"method\":\"Responder.Authenticate\",\"params\":[{\"ApiKey\":\"" + key
                + "\"}]}";
    }

    private void assertCost(RpcConnection connection) throws IOException {
        JsonNode cost = connection.call(GET_COST.formatted(nextId++));
        assertThat(cost.at("/result/Cost").decimalValue()).as(cost.toString()).isEqualByComparingTo("540");
    }

    /** Runs {@code ratestream keys ...} in this JVM; returns the key it printed. */
    private static String key(String... args) {
        String[] line = new String[args.length + 1];
        line[0] = "keys";
        System.arraycopy(args, 0, line, 1, args.length);
        CliTest.Run run = CliTest.cli(line);
        assertThat(run.code()).as(run.err()).isZero();
        return run.out().trim();
    }

    /** Sends SIGHUP and waits until the process says {@code expected}. */
    private void hangup(Process process, String expected) throws Exception {
        int before = output.size();
        Process kill = new ProcessBuilder("kill", "-HUP", String.valueOf(process.pid())).inheritIO().start();
        assertThat(kill.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
        awaitLine(process, line -> line.startsWith(expected), before, "after SIGHUP");
    }

    /** Waits until the process prints a line that {@code wanted} accepts, after its first {@code from} lines. */
    private void awaitLine(Process process, java.util.function.Predicate<String> wanted, int from, String what)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (true) {
            boolean ended = !process.isAlive();
            List<String> lines = List.copyOf(output.subList(Math.min(from, output.size()), output.size()));
            if (lines.stream().anyMatch(wanted)) {
                return;
            }
            if (ended && process.waitFor(1, TimeUnit.SECONDS) && output.size() == from + lines.size()) {
                throw new AssertionError("the process ended (exit " + process.exitValue() + ") without a line "
                        + what + "; it printed: " + lines);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no such line " + what + "; the process printed: " + lines);
            }
            Thread.sleep(50);
        }
    }

    /** {@code ratestream dev --auth FILE} in a JVM of its own, ready (demo data loaded under vdf). */
    private Process start(Path auth, int tcp) throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path demo = Path.of("..", "demo", "cgrates-2012").toAbsolutePath().normalize();
        List<String> command = new ArrayList<>();
        if (sighupIgnored()) {
            // a build started under nohup: the child would inherit the ignored SIGHUP, and a JVM leaves an
            // ignored SIGHUP ignored (HangupTest); GNU env gives the child the default disposition back
            command.addAll(List.of("env", "--default-signal=HUP"));
        }
        command.addAll(List.of(java.toString(), "-Xmx1g", "-cp", classpath,
                "io.ratestream.app.cli.RatestreamCli", "dev", "--auth", auth.toString(),
                "--data-dir", dir.resolve("data").toString(), "--kafka-port", String.valueOf(freePort()),
                "--jsonrpc-port", String.valueOf(tcp), "--http-port", String.valueOf(freePort()),
                "--demo-dir", demo.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        // however this JVM ends, the child must not outlive it
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "ratestream-dev-reaper"));
        Thread copier = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    output.add(line);
                }
            } catch (IOException e) {
                output.add("cannot read the output: " + e);
            }
        }, "ratestream-dev-output");
        copier.setDaemon(true);
        copier.start();
        try {
            awaitLine(process, line -> line.startsWith("ready in "), 0, "saying it is ready");
        } catch (AssertionError e) {
            process.destroyForcibly();
            throw e;
        }
        return process;
    }

    /** Whether this JVM was started with SIGHUP ignored (Linux: bit 0 of SigIgn in /proc/self/status). */
    private static boolean sighupIgnored() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return false;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16) & 1L) != 0;
            }
        }
        return false;
    }

    private static void stop(Process process) throws InterruptedException {
        process.destroy(); // SIGTERM: the shutdown hook stops the stack cleanly
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
