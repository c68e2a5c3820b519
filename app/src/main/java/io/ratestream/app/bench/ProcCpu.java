package io.ratestream.app.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * CPU time of a process, and of its JIT compiler threads, as Linux's {@code /proc} counts it: the
 * {@code utime} and {@code stime} fields (14 and 15) of {@code /proc/PID/stat} and
 * {@code /proc/PID/task/TID/stat}, in clock ticks. Nothing here works without {@code /proc}
 * ({@link #available}).
 *
 * <p>The compiler threads are the JVM's threads named {@code C1 CompilerThreadN} and
 * {@code C2 CompilerThreadN}, which {@code /proc/PID/task/TID/comm} shows cut to 15 characters
 * ({@code C2 CompilerThre}). HotSpot starts and stops them as the compile queue grows and shrinks, so
 * the set is looked up again at each reading; whether a thread id is a compiler thread is remembered
 * (a thread keeps its name), so each reading reads only the {@code stat} of the compiler threads and
 * the {@code comm} of threads not seen before.
 *
 * <p>One instance per reader thread: the thread-name cache is not synchronized.
 */
final class ProcCpu {

    /** The Linux clock tick ({@code USER_HZ}) when {@code getconf CLK_TCK} cannot say: 100 on every Linux port. */
    static final long DEFAULT_TICKS_PER_SECOND = 100;

    private static final String[] COMPILER_THREADS = {"C1 CompilerThre", "C2 CompilerThre"};

    private final Path proc;
    private final long ticksPerSecond;
    private final Map<Long, Map<Long, Boolean>> compilerThreads = new HashMap<>();

    /** Reads the real {@code /proc}, with the clock tick from {@code getconf CLK_TCK}. */
    ProcCpu() {
        this(Path.of("/proc"), clockTicks());
    }

    ProcCpu(Path proc, long ticksPerSecond) {
        this.proc = proc;
        this.ticksPerSecond = ticksPerSecond;
    }

    /** Whether this machine has a readable {@code /proc/self/stat} (Linux). */
    static boolean available() {
        return Files.isReadable(Path.of("/proc", "self", "stat"));
    }

    long ticksPerSecond() {
        return ticksPerSecond;
    }

    double seconds(long ticks) {
        return (double) ticks / ticksPerSecond;
    }

    /** utime + stime of the process, in ticks; empty when it has ended (or cannot be read). */
    OptionalLong processTicks(long pid) {
        return statTicks(proc.resolve(Long.toString(pid)).resolve("stat"));
    }

    /**
     * utime + stime of each JIT compiler thread of the process that is alive now, by thread id, in
     * ticks; empty when the process has ended.
     */
    Map<Long, Long> compilerThreadTicks(long pid) {
        Path tasks = proc.resolve(Long.toString(pid)).resolve("task");
        Map<Long, Boolean> known = compilerThreads.computeIfAbsent(pid, p -> new HashMap<>());
        Map<Long, Long> ticks = new HashMap<>();
        Map<Long, Boolean> alive = new HashMap<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(tasks)) {
            for (Path task : dir) {
                long tid = Long.parseLong(task.getFileName().toString());
                Boolean compiler = known.get(tid);
                if (compiler == null) {
                    compiler = isCompilerThread(read(task.resolve("comm")));
                }
                alive.put(tid, compiler);
                if (compiler) {
                    statTicks(task.resolve("stat")).ifPresent(t -> ticks.put(tid, t));
                }
            }
        } catch (IOException | RuntimeException e) {
            compilerThreads.remove(pid);
            return Map.of();
        }
        compilerThreads.put(pid, alive);
        return ticks;
    }

    /** Forgets what was learned about a process's threads. */
    void forget(long pid) {
        compilerThreads.remove(pid);
    }

    static boolean isCompilerThread(String comm) {
        String name = comm.strip();
        for (String prefix : COMPILER_THREADS) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /**
     * utime + stime from one {@code stat} line. The second field, the command name in parentheses, may
     * itself hold spaces and parentheses, so the fields are counted from the last {@code ')'}: the state
     * (field 3) comes next, utime is field 14 and stime field 15.
     */
    static long parseStatTicks(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc stat line: " + stat);
        }
        String[] fields = stat.substring(close + 1).trim().split(" +");
        if (fields.length < 13) {
            throw new IllegalArgumentException("a /proc stat line with too few fields: " + stat);
        }
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    private static OptionalLong statTicks(Path stat) {
        try {
            return OptionalLong.of(parseStatTicks(read(stat)));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty(); // the process or thread ended between listing and reading
        }
    }

    private static String read(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
    }

    /** {@code getconf CLK_TCK}, or {@link #DEFAULT_TICKS_PER_SECOND} when it cannot be run or read. */
    static long clockTicks() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out;
            try (InputStream in = getconf.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip();
            }
            if (getconf.waitFor(5, TimeUnit.SECONDS) && getconf.exitValue() == 0) {
                long ticks = Long.parseLong(out);
                if (ticks > 0) {
                    return ticks;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // no getconf: fall back
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return DEFAULT_TICKS_PER_SECOND;
    }
}
