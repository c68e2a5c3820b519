package io.ratestream.app;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The {@code ratestream} processes of a test, each a JVM of its own started as an operator starts it
 * ({@code java -cp CLASSPATH io.ratestream.app.cli.RatestreamCli COMMAND ...}): their output kept in memory
 * and in {@code LOGS/NAME.log}, a wait for a line, SIGKILL, and a reaper that ends all of them (also when
 * the test JVM ends). The classpath is that of {@code ./ratestream}: the app jar and target/classpath.txt,
 * plus target/classpath-dev.txt (the broker's jars) for {@code ratestream kafka} when that file exists;
 * without them (a build without the package phase) the test JVM's own classpath.
 */
final class ClusterProcesses implements AutoCloseable {

    private static final Path TARGET = Path.of("target");
    private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

    private final Path logs;
    private final Map<String, Running> running = new LinkedHashMap<>();

    /** One process and what it printed (stdout and stderr, one line each). */
    record Running(String name, Process process, List<String> output) {
    }

    ClusterProcesses(Path logs) throws IOException {
        this.logs = Files.createDirectories(logs);
    }

    /** Starts {@code ratestream ARGS...} as {@code name} with {@code heap} (e.g. "512m") as its -Xmx. */
    synchronized Running start(String name, String heap, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(JAVA.toString(), "-Xmx" + heap, "-XX:+UseSerialGC", "-cp",
                classpath(args.length > 0 && args[0].equals("kafka")), "io.ratestream.app.cli.RatestreamCli"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "reaper-" + name));
        List<String> output = new CopyOnWriteArrayList<>();
        Path log = logs.resolve(name + ".log");
        Thread copier = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8)); PrintWriter out = new PrintWriter(Files.newBufferedWriter(log))) {
                out.println("$ " + String.join(" ", command));
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    output.add(line);
                    out.println(System.currentTimeMillis() + " " + line);
                    out.flush();
                }
            } catch (IOException e) {
                output.add("cannot read the output: " + e);
            }
        }, "output-" + name);
        copier.setDaemon(true);
        copier.start();
        Running started = new Running(name, process, output);
        running.put(name, started);
        return started;
    }

    /** Waits until {@code name} prints a line matching {@code regex} (from its start); fails when it ends first. */
    void await(String name, String regex, long seconds) throws InterruptedException {
        Running r = running.get(name);
        Predicate<String> wanted = Pattern.compile(regex).asPredicate();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (r.output().stream().noneMatch(wanted)) {
            if (!r.process().isAlive()) {
                r.process().waitFor(2, TimeUnit.SECONDS); // let the copier read the last lines
                throw new AssertionError(name + " ended (exit " + r.process().exitValue() + ") without a line /"
                        + regex + "/; it printed (see " + logs.resolve(name + ".log") + "): " + tail(r));
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + " printed no line /" + regex + "/ within " + seconds + " s: " + tail(r));
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }

    private static List<String> tail(Running r) {
        List<String> lines = List.copyOf(r.output());
        return lines.subList(Math.max(0, lines.size() - 30), lines.size());
    }

    /** SIGKILL, and waits until the process is gone. */
    void kill(String name) throws InterruptedException {
        Process process = running.get(name).process();
        process.destroyForcibly(); // SIGKILL on POSIX
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError(name + " still runs 30 s after SIGKILL");
        }
    }

    boolean alive(String name) {
        return running.get(name).process().isAlive();
    }

    /** Ends every process still running: SIGKILL, the last started first (the test's data goes with it). */
    @Override
    public synchronized void close() throws InterruptedException {
        List<Running> all = new ArrayList<>(running.values());
        for (int i = all.size() - 1; i >= 0; i--) {
            all.get(i).process().destroyForcibly();
        }
        for (Running r : all) {
            r.process().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /**
     * The classpath {@code ./ratestream} runs with: the app jar, target/classpath.txt, and for the broker
     * ({@code kafka}) target/classpath-dev.txt when it exists; else this JVM's classpath.
     */
    static String classpath(boolean kafka) throws IOException {
        Path runtime = TARGET.resolve("classpath.txt");
        Path jar;
        try (Stream<Path> files = Files.list(TARGET)) {
            jar = files.filter(p -> p.getFileName().toString().matches("app-.*\\.jar")
                    && !p.getFileName().toString().matches(".*-(sources|tests|javadoc)\\.jar")).findFirst().orElse(null);
        }
        if (jar == null || !Files.exists(runtime)) {
            return System.getProperty("java.class.path");
        }
        StringBuilder classpath = new StringBuilder(jar.toAbsolutePath().toString());
        appendFile(classpath, runtime);
        Path dev = TARGET.resolve("classpath-dev.txt");
        if (kafka && Files.exists(dev)) {
            appendFile(classpath, dev);
        }
        return classpath.toString();
    }

    private static void appendFile(StringBuilder classpath, Path file) throws IOException {
        String entries = Files.readString(file).trim();
        if (!entries.isEmpty()) {
            classpath.append(java.io.File.pathSeparator).append(entries);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
