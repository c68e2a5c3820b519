package io.ratestream.app.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * CPU per call of the processes bench can see, and the JIT warm-up of the servers, from /proc
 * ({@link ProcCpu}).
 *
 * <p><b>The window.</b> At the start and at the end of the measured window (after the warm-up; the
 * drain after it is left out) it reads utime + stime of each watched process: the servers
 * ({@link ServerProcesses}, or those named by {@code --cpu-pids}) and bench itself. Per process it
 * reports CPU seconds, cores used (CPU seconds / window seconds) and microseconds of CPU per call
 * completed in the window (calls of either phase that got their final answer between the two readings);
 * and the same for the servers together, which is the figure to compare with the (bench's own
 * CPU is the load tool's).
 *
 * <p><b>The warm-up.</b> After each progress line it prints, per server, the share of a core its JIT
 * compiler threads used in that second, next to the process's own: while C2 is still compiling the
 * first is large; when it falls to about zero the JIT is warm.
 *
 * <p>Threads: {@link #started} and {@link #progress} run on the load driver's progress thread, the window
 * calls on its window thread; the two use separate {@link ProcCpu}s (only the progress one caches thread
 * names).
 */
final class CpuWatch implements LoadDriver.Watcher {

    /** One row of the CPU table: pid -1 for the servers' total. */
    record Row(String role, long pid, double cpuSeconds, double cores, double microsPerCall) {
        String line() {
            String who = pid < 0 ? role + " total" : role + " pid " + pid;
            String perCall = Double.isNaN(microsPerCall) ? "-" : String.format("%.0f", microsPerCall);
            return String.format("cpu: %s: %.2f s, %.2f cores, %s us/call", who, cpuSeconds, cores, perCall);
        }

        void json(ObjectNode node) {
            node.put("role", role);
            if (pid >= 0) {
                node.put("pid", pid);
            }
            node.put("cpuSeconds", cpuSeconds).put("cores", cores);
            if (!Double.isNaN(microsPerCall)) {
                node.put("microsPerCall", microsPerCall);
            }
        }
    }

    /** The window's figures; {@code servers} is null when no server process was watched. */
    record Report(double seconds, long calls, List<Row> processes, Row servers, List<String> notes) {
        void print(PrintStream out) {
            out.printf("cpu window: %.1f s after the warm-up, %d calls completed in it (utime + stime from "
                    + "/proc/PID/stat)%n", seconds, calls);
            processes.forEach(row -> out.println(row.line()));
            if (servers != null) {
                out.println(servers.line());
            }
            notes.forEach(note -> out.println("cpu: " + note));
        }

        void json(ObjectNode node) {
            node.put("windowSeconds", seconds).put("calls", calls);
            processes.forEach(row -> row.json(node.withArray("processes").addObject()));
            if (servers != null) {
                servers.json(node.putObject("servers"));
            }
            notes.forEach(note -> node.withArray("notes").add(note));
        }
    }

    private final List<ServerProcesses.Watched> watched;
    private final List<String> notes;
    private final ProcCpu progressCpu;
    private final ProcCpu windowCpu;
    private final Map<Long, Long> lastTicks = new HashMap<>();
    private final Map<Long, Map<Long, Long>> lastJitTicks = new HashMap<>();
    private long lastProgressNanos;
    private long[] startTicks;
    private long startNanos;
    private long startCompleted;
    private volatile Report report;

    /**
     * Watches {@code servers} and this process ({@code bench}); {@code notes} (e.g. servers left out)
     * are printed with the report.
     */
    CpuWatch(List<ServerProcesses.Watched> servers, List<String> notes, ProcCpu progressCpu, ProcCpu windowCpu) {
        List<ServerProcesses.Watched> all = new ArrayList<>(servers);
        all.add(new ServerProcesses.Watched("bench", ProcessHandle.current().pid()));
        this.watched = List.copyOf(all);
        this.notes = new ArrayList<>(notes);
        this.progressCpu = progressCpu;
        this.windowCpu = windowCpu;
    }

    List<ServerProcesses.Watched> watched() {
        return watched;
    }

    @Override
    public void started() {
        lastProgressNanos = System.nanoTime();
        for (ServerProcesses.Watched w : servers()) {
            progressCpu.processTicks(w.pid()).ifPresent(t -> lastTicks.put(w.pid(), t));
            lastJitTicks.put(w.pid(), progressCpu.compilerThreadTicks(w.pid()));
        }
    }

    /**
     * {@code PREFIX jit  ROLE PID J of C cores ...}: per server, the cores its compiler threads (J) and
     * the whole process (C) used since the last line; null when no server is watched.
     */
    @Override
    public String progress(String prefix) {
        long now = System.nanoTime();
        double seconds = (now - lastProgressNanos) / 1e9;
        lastProgressNanos = now;
        StringBuilder line = new StringBuilder(prefix).append(" jit");
        boolean any = false;
        for (ServerProcesses.Watched w : servers()) {
            OptionalLong ticks = progressCpu.processTicks(w.pid());
            Map<Long, Long> jit = progressCpu.compilerThreadTicks(w.pid());
            Map<Long, Long> before = lastJitTicks.getOrDefault(w.pid(), Map.of());
            long jitTicks = 0;
            for (Map.Entry<Long, Long> thread : jit.entrySet()) {
                // a compiler thread started since the last line used all of its CPU since then
                jitTicks += thread.getValue() - before.getOrDefault(thread.getKey(), 0L);
            }
            lastJitTicks.put(w.pid(), jit);
            if (ticks.isEmpty()) {
                line.append(String.format("  %s %d ended", w.role(), w.pid()));
                continue;
            }
            long processTicks = ticks.getAsLong() - lastTicks.getOrDefault(w.pid(), ticks.getAsLong());
            lastTicks.put(w.pid(), ticks.getAsLong());
            line.append(String.format("  %s %d %.2f of %.2f cores", w.role(), w.pid(),
                    progressCpu.seconds(jitTicks) / seconds, progressCpu.seconds(processTicks) / seconds));
            any = true;
        }
        return any ? line.toString() : null;
    }

    @Override
    public void windowStarted(long completed) {
        startTicks = read();
        startNanos = System.nanoTime();
        startCompleted = completed;
    }

    @Override
    public void windowEnded(long completed) {
        long[] endTicks = read();
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        long calls = completed - startCompleted;
        List<Row> rows = new ArrayList<>();
        List<String> ended = new ArrayList<>(notes);
        double serverSeconds = 0;
        int servers = 0;
        for (int i = 0; i < watched.size(); i++) {
            ServerProcesses.Watched w = watched.get(i);
            if (startTicks[i] < 0 || endTicks[i] < 0) {
                ended.add(w.role() + " pid " + w.pid() + " ended during the window: left out");
                continue;
            }
            double cpu = windowCpu.seconds(endTicks[i] - startTicks[i]);
            rows.add(row(w.role(), w.pid(), cpu, seconds, calls));
            if (!w.isSelf()) {
                serverSeconds += cpu;
                servers++;
            }
        }
        report = new Report(seconds, calls, rows, servers == 0 ? null
                : row("servers", -1, serverSeconds, seconds, calls), ended);
    }

    /** The window's report; null when the run ended before the window started. */
    Report report() {
        return report;
    }

    private static Row row(String role, long pid, double cpu, double seconds, long calls) {
        return new Row(role, pid, cpu, cpu / seconds, calls > 0 ? cpu * 1e6 / calls : Double.NaN);
    }

    private long[] read() {
        long[] ticks = new long[watched.size()];
        for (int i = 0; i < ticks.length; i++) {
            ticks[i] = windowCpu.processTicks(watched.get(i).pid()).orElse(-1);
        }
        return ticks;
    }

    private List<ServerProcesses.Watched> servers() {
        return watched.subList(0, watched.size() - 1);
    }
}
