package io.ratestream.app.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * ProcCpu, ServerProcesses and CpuWatch against real processes: this test JVM, and a child JVM
 * ({@link CpuBurner}) whose command line looks like a ratestream gateway's.
 */
@EnabledOnOs(OS.LINUX)
class ProcCpuTest {

    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private static CpuBurner.Running burner;
    private static Process child;
    private static int childPort;
    private final ProcCpu cpu = new ProcCpu();

    @BeforeAll
    static void startChild() throws Exception {
        burner = CpuBurner.start("gateway", "--bootstrap", "127.0.0.1:9");
        child = burner.process();
        childPort = burner.port();
    }

    @AfterAll
    static void stopChild() throws Exception {
        if (burner != null) {
            burner.close();
        }
    }

    @Test
    void shouldCountThisJvmsCpuAsTheJdkDoes() {
        // The JDK reads the same fields and divides by sysconf(_SC_CLK_TCK): a wrong tick rate shows at 1 s.
        awaitTrue(() -> jdkCpuSeconds() >= 1.0 || burn());
        long before = cpu.processTicks(ProcessHandle.current().pid()).orElseThrow();
        double jdk = jdkCpuSeconds();
        long after = cpu.processTicks(ProcessHandle.current().pid()).orElseThrow();

        double tick = 1.0 / cpu.ticksPerSecond();
        assertThat(jdk).isBetween(cpu.seconds(before) - tick, cpu.seconds(after) + tick);
        assertThat(ProcCpu.available()).isTrue();
    }

    @Test
    void shouldAddUserAndSystemTimeFromAStatLineWhoseNameHoldsSpacesAndParentheses() {
        String stat = "4242 (C2 Compiler) (x)) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 56 0 0 20 0 30 0 77 0 0";

        assertThat(ProcCpu.parseStatTicks(stat)).isEqualTo(1234 + 56);
        assertThatThrownBy(() -> ProcCpu.parseStatTicks("4242 (x) S 1 2")).hasMessageContaining("too few fields");
    }

    @Test
    void shouldSeeAChildJvmWorkAndItsJitCompilerThreadsCompile() {
        long pid = child.pid();
        long first = cpu.processTicks(pid).orElseThrow();
        awaitTrue(() -> cpu.processTicks(pid).orElseThrow() >= first + 3);

        // The burner's loop and what it calls are compiled by C1 and C2 in the child's first seconds.
        awaitTrue(() -> cpu.compilerThreadTicks(pid).values().stream().mapToLong(Long::longValue).sum() > 0);
        Map<Long, Long> jit = cpu.compilerThreadTicks(pid);
        long process = cpu.processTicks(pid).orElseThrow();
        assertThat(jit).isNotEmpty();
        assertThat(jit.values().stream().mapToLong(Long::longValue).sum()).isLessThanOrEqualTo(process);
        assertThat(cpu.compilerThreadTicks(ProcessHandle.current().pid())).as("this JVM has compiler threads too")
                .isNotEmpty();
    }

    @Test
    void shouldReadNothingOfAProcessThatEndedOrWithoutProc() throws Exception {
        Process ended = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-version").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(ended.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(cpu.processTicks(ended.pid())).isEqualTo(OptionalLong.empty());
        assertThat(cpu.compilerThreadTicks(ended.pid())).isEmpty();
        ProcCpu nowhere = new ProcCpu(Path.of("/nonexistent-proc"), 100);
        assertThat(nowhere.processTicks(ProcessHandle.current().pid())).isEmpty();
    }

    @Test
    void shouldFindAServerJvmByItsCommandLineAndASocketOnAPortBenchUses() throws Exception {
        ServerProcesses processes = new ServerProcesses(Path.of("/proc"), CpuBurner.class.getName());
        ServerProcesses.Found found = processes.find(Set.of(childPort));

        assertThat(found.servers()).containsExactly(new ServerProcesses.Watched("gateway", child.pid()));
        try (ServerSocket other = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ServerProcesses.Found elsewhere = processes.find(Set.of(other.getLocalPort()));

            assertThat(elsewhere.servers()).as("a stack on other ports").isEmpty();
            assertThat(elsewhere.skipped()).singleElement().asString().startsWith("gateway pid " + child.pid());
        }
        assertThat(processes.named(child.pid())).isEqualTo(new ServerProcesses.Watched("gateway", child.pid()));
        assertThat(new ServerProcesses().named(child.pid()).role()).as("not ratestream's main class")
                .isEqualTo("process");
    }

    @Test
    void shouldTakeTheSubcommandAsTheRole() {
        String main = ServerProcesses.MAIN_CLASS;

        assertThat(ServerProcesses.role(List.of("-Xmx1g", "-cp", "a.jar:b.jar", main, "dev", "--data-dir", "d"), main))
                .isEqualTo("dev");
        assertThat(ServerProcesses.role(List.of("-jar", "/opt/ratestream.jar", "--verbose", "kafka"), main))
                .isEqualTo("kafka");
        assertThat(ServerProcesses.role(List.of("-cp", "x", "other.Main", "dev"), main)).isNull();
        assertThat(ServerProcesses.role(List.of("-cp", "x", main), main)).isNull();
        assertThat(ServerProcesses.port("0100007F:1F90")).isEqualTo(8080);
        assertThat(ServerProcesses.port("00000000000000000000000000000000:07D1")).isEqualTo(2001);
    }

    @Test
    void shouldReportTheCpuPerCallOfTheWindowAndTheJitShareInProgressLines() {
        long pid = child.pid();
        CpuWatch watch = new CpuWatch(List.of(new ServerProcesses.Watched("gateway", pid)), List.of("a note"),
                new ProcCpu(), new ProcCpu());
        watch.started();
        watch.windowStarted(1_000);
        long first = cpu.processTicks(pid).orElseThrow();
        awaitTrue(() -> cpu.processTicks(pid).orElseThrow() >= first + 5);
        String progress = watch.progress("[  1 s warm-up]");
        watch.windowEnded(1_100);

        assertThat(progress).matches("\\[  1 s warm-up\\] jit  gateway " + pid + " \\d+\\.\\d\\d of \\d+\\.\\d\\d cores");
        CpuWatch.Report report = watch.report();
        assertThat(report.calls()).isEqualTo(100);
        assertThat(report.processes()).extracting(CpuWatch.Row::role).containsExactly("gateway", "bench");
        CpuWatch.Row gateway = report.processes().get(0);
        assertThat(gateway.cpuSeconds()).isGreaterThanOrEqualTo(5.0 / cpu.ticksPerSecond());
        assertThat(gateway.microsPerCall()).isCloseTo(gateway.cpuSeconds() * 1e6 / 100, offset(1e-6));
        assertThat(gateway.cores()).isCloseTo(gateway.cpuSeconds() / report.seconds(), offset(1e-9));
        assertThat(report.processes().get(1).pid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(report.servers().cpuSeconds()).as("bench itself is not a server").isEqualTo(gateway.cpuSeconds());
        assertThat(report.servers().line()).matches("cpu: servers total: \\d+\\.\\d\\d s, \\d+\\.\\d\\d cores, \\d+ us/call");
        assertThat(gateway.line()).startsWith("cpu: gateway pid " + pid + ": ");
        assertThat(report.notes()).containsExactly("a note");
    }

    private static double jdkCpuSeconds() {
        return ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos() / 1e9;
    }

    private static volatile long sink;

    /** Spends about 10 ms of CPU; false, so that awaitTrue tries again. */
    private static boolean burn() {
        long end = System.nanoTime() + 10_000_000;
        long x = 0;
        while (System.nanoTime() < end) {
            x += Long.toString(x).length();
        }
        sink = x;
        return false;
    }

    private static void awaitTrue(BooleanSupplier condition) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within " + DEADLINE).isLessThan(deadline);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
