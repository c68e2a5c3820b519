package io.ratestream.app.fuzz;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code ratestream dev} (embedded broker, streams app, gateway, the demo data loaded) in a child JVM,
 * started from this test's own classpath. The topic fuzz writes poison to the system's topics: in its
 * own process, a stream thread that fails for ever, or a heap that a huge number fills, cannot take the
 * test JVM down with it, and the suite sees what an operator would see. Its output goes to a log file,
 * which the suite reads for what the process reported.
 */
final class ChildStack implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final int kafkaPort;
    private final int jsonRpcPort;
    private final int httpPort;

    private ChildStack(Process process, Path log, int kafkaPort, int jsonRpcPort, int httpPort) {
        this.process = process;
        this.log = log;
        this.kafkaPort = kafkaPort;
        this.jsonRpcPort = jsonRpcPort;
        this.httpPort = httpPort;
    }

    static ChildStack start(Path dataDir, Path log, String heap) throws Exception {
        int kafka = freePort();
        int tcp = freePort();
        int http = freePort();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path demo = Path.of("..", "demo", "cgrates-2012").toAbsolutePath().normalize();
        List<String> command = List.of(java.toString(), "-Xmx" + heap, "-cp", classpath,
                "io.ratestream.app.cli.RatestreamCli", "dev", "--data-dir", dataDir.toString(),
                "--kafka-port", String.valueOf(kafka), "--jsonrpc-port", String.valueOf(tcp),
                "--http-port", String.valueOf(http), "--demo-dir", demo.toString(), "--warm-up-seconds", "0");
        Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        // however this JVM ends, the child must not outlive it
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "ratestream-dev-reaper"));
        List<String> lines = new ArrayList<>();
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread copier = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8)); PrintWriter file = new PrintWriter(Files.newBufferedWriter(log))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    file.println(line);
                    file.flush();
                    if (!ready.isDone()) {
                        lines.add(line);
                        if (line.startsWith("ready in ")) {
                            ready.complete(null);
                        }
                    }
                }
                ready.completeExceptionally(new IllegalStateException("ratestream dev ended before it was ready"));
            } catch (IOException e) {
                ready.completeExceptionally(e);
            }
        }, "ratestream-dev-output");
        copier.setDaemon(true);
        copier.start();
        try {
            ready.get(180, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new AssertionError("ratestream dev was not ready (see " + log + "): " + lines, e);
        }
        return new ChildStack(process, log, kafka, tcp, http);
    }

    /** What a finished command printed, and its exit code. */
    record Run(int exitCode, List<String> lines) {
    }

    /** Runs one {@code ratestream} command in a JVM of its own and waits for it (exit code -1: it did not end). */
    static Run run(Duration timeout, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                "io.ratestream.app.cli.RatestreamCli"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<List<String>> output = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                return out.lines().toList();
            } catch (IOException e) {
                return List.of("cannot read the output: " + e);
            }
        });
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            return new Run(-1, List.of("did not end within " + timeout.toSeconds() + " s"));
        }
        return new Run(process.exitValue(), output.get(30, TimeUnit.SECONDS));
    }

    String bootstrap() {
        return "127.0.0.1:" + kafkaPort;
    }

    int jsonRpcPort() {
        return jsonRpcPort;
    }

    int httpPort() {
        return httpPort;
    }

    boolean alive() {
        return process.isAlive();
    }

    /** The lines of the process's output so far that contain {@code text}. */
    List<String> logLines(String text) throws IOException {
        List<String> found = new ArrayList<>();
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            if (line.contains(text)) {
                found.add(line);
            }
        }
        return found;
    }

    Path log() {
        return log;
    }

    @Override
    public void close() {
        process.destroy(); // SIGTERM: the shutdown hook stops the stack cleanly
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
