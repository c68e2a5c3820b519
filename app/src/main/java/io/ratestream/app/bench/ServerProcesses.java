package io.ratestream.app.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the ratestream server JVMs whose CPU bench reports: processes whose command line runs
 * {@value #MAIN_CLASS} (or a {@code -jar} whose name holds "ratestream") with one of the subcommands
 * {@link #SERVER_ROLES}, and that belong to the stack under load: they hold a TCP socket (listening or
 * connected) on one of the ports bench uses, its Kafka bootstrap port or the gateway's port. That keeps
 * out another stack on the same machine (other ports), while catching all four kinds of process of this
 * one: {@code dev} and {@code kafka} listen on the Kafka port, {@code gateway} and {@code streams} are
 * connected to it. Sockets are matched through {@code /proc/net/tcp}, {@code /proc/net/tcp6} and the
 * {@code socket:[inode]} links in {@code /proc/PID/fd}, so only processes whose descriptors this user
 * may read are seen. Command lines are read from {@code /proc/PID/cmdline} ({@link #arguments}).
 */
final class ServerProcesses {

    /** The CLI's main class, as the launcher and the Docker image start it. */
    static final String MAIN_CLASS = "io.ratestream.app.cli.RatestreamCli";

    /** The subcommands that run a server. */
    static final Set<String> SERVER_ROLES = Set.of("dev", "kafka", "streams", "gateway");

    /** A process whose CPU is reported: its role (the subcommand, "bench" for this process) and pid. */
    record Watched(String role, long pid) {
        boolean isSelf() {
            return pid == ProcessHandle.current().pid();
        }
    }

    /** What discovery found: the processes to watch, and the ratestream servers left out, with why. */
    record Found(List<Watched> servers, List<String> skipped) {
    }

    private final Path proc;
    private final String mainClass;

    ServerProcesses() {
        this(Path.of("/proc"), MAIN_CLASS);
    }

    /** Reads {@code proc}, recognizing {@code mainClass} (a test runs a stand-in). */
    ServerProcesses(Path proc, String mainClass) {
        this.proc = proc;
        this.mainClass = mainClass;
    }

    /** The server processes other than this one that hold a socket on one of {@code ports}, by pid. */
    Found find(Set<Integer> ports) {
        Set<Long> inodes = socketInodes(ports);
        List<Watched> servers = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        ProcessHandle.allProcesses().filter(p -> p.pid() != self).forEach(process -> {
            String role = arguments(process.pid()).map(a -> role(a, mainClass)).orElse(null);
            if (role == null || !SERVER_ROLES.contains(role)) {
                return;
            }
            if (holdsAny(process.pid(), inodes)) {
                servers.add(new Watched(role, process.pid()));
            } else {
                skipped.add(role + " pid " + process.pid() + " (no socket on ports " + text(ports)
                        + ": another stack)");
            }
        });
        servers.sort(Comparator.comparingLong(Watched::pid));
        return new Found(servers, skipped);
    }

    static String text(Set<Integer> ports) {
        return String.join(", ", ports.stream().sorted().map(String::valueOf).toList());
    }

    /** The role of a process named by --cpu-pids: its ratestream subcommand, or "process". */
    Watched named(long pid) {
        ProcessHandle process = ProcessHandle.of(pid).orElseThrow(() -> new IllegalArgumentException(
                "--cpu-pids: no process " + pid));
        String role = arguments(process.pid()).map(a -> role(a, mainClass)).orElse(null);
        return new Watched(role == null ? "process" : role, pid);
    }

    /**
     * The command line of a process, program first, from {@code /proc/PID/cmdline}; empty when it cannot
     * be read. (Not {@code ProcessHandle.Info.arguments()}: the JDK reads only the first 4 KiB of the
     * command line and gives no arguments at all when it is longer, as ratestream's classpath makes it.)
     */
    Optional<List<String>> arguments(long pid) {
        try {
            byte[] bytes = Files.readAllBytes(proc.resolve(Long.toString(pid)).resolve("cmdline"));
            if (bytes.length == 0) {
                return Optional.empty(); // a kernel thread, or a process that is ending
            }
            return Optional.of(List.of(new String(bytes, StandardCharsets.UTF_8).split("\0")));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The subcommand of a ratestream command line (its arguments after the program): the first argument
     * after the main class, or after a {@code -jar} whose file name holds "ratestream", that is not an
     * option; null when the command line is not ratestream's.
     */
    static String role(List<String> args, String mainClass) {
        int from = -1;
        for (int i = 0; i < args.size() && from < 0; i++) {
            String arg = args.get(i);
            if (arg.equals(mainClass)) {
                from = i + 1;
            } else if (arg.equals("-jar") && i + 1 < args.size()
                    && Path.of(args.get(i + 1)).getFileName().toString().contains("ratestream")) {
                from = i + 2;
            }
        }
        if (from < 0) {
            return null;
        }
        for (int i = from; i < args.size(); i++) {
            if (!args.get(i).startsWith("-")) {
                return args.get(i);
            }
        }
        return null;
    }

    /** The inodes of the TCP sockets (IPv4 and IPv6) whose local or remote port is one of {@code ports}. */
    Set<Long> socketInodes(Set<Integer> ports) {
        Set<Long> inodes = new HashSet<>();
        for (String table : List.of("tcp", "tcp6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(proc.resolve("net").resolve(table));
            } catch (IOException e) {
                continue; // no IPv6
            }
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = line.trim().split(" +");
                if (f.length > 9 && (ports.contains(port(f[1])) || ports.contains(port(f[2])))) {
                    inodes.add(Long.parseLong(f[9]));
                }
            }
        }
        inodes.remove(0L); // sockets in TIME_WAIT belong to no process
        return inodes;
    }

    /** The port of an address of /proc/net/tcp: {@code 0100007F:1F90} is 127.0.0.1:8080. */
    static int port(String address) {
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1), 16);
    }

    private boolean holdsAny(long pid, Set<Long> inodes) {
        if (inodes.isEmpty()) {
            return false;
        }
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve(Long.toString(pid)).resolve("fd"))) {
            for (Path fd : fds) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    continue; // closed since the listing
                }
                if (target.startsWith("socket:[")
                        && inodes.contains(Long.parseLong(target.substring(8, target.length() - 1)))) {
                    return true;
                }
            }
        } catch (IOException | RuntimeException e) {
            return false; // ended, or not ours to read
        }
        return false;
    }
}
