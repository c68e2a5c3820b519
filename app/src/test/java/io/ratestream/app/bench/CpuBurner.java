package io.ratestream.app.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in server JVM for ProcCpuTest, started as {@code java -cp ... CpuBurner ROLE ...} so that its
 * command line reads like ratestream's ({@code MAIN_CLASS SUBCOMMAND ...}): listens on a loopback port,
 * prints it, keeps one thread busy with code the JIT compiles, and exits when its standard input closes
 * (its parent test ended, even by a crash).
 */
public final class CpuBurner {

    private static volatile long sink;

    private CpuBurner() {
    }

    /** A running burner and the port it listens on; {@link #close} ends it. */
    record Running(Process process, int port) implements AutoCloseable {
        long pid() {
            return process.pid();
        }

        @Override
        public void close() throws InterruptedException, IOException {
            process.getOutputStream().close();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    /** Starts {@code java -cp TEST_CLASSPATH CpuBurner ARGS...} and waits (up to a minute) for its port. */
    static Running start(String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(java, "-Xmx64m", "-cp", classpath,
                CpuBurner.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        try {
            String port = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).get(60, TimeUnit.SECONDS);
            return new Running(process, Integer.parseInt(port.trim()));
        } catch (Exception e) {
            process.destroyForcibly();
            throw e;
        }
    }

    public static void main(String[] args) throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            System.out.println(socket.getLocalPort());
            System.out.flush();
            Thread burner = new Thread(CpuBurner::burn, "burner");
            burner.setDaemon(true);
            burner.start();
            while (System.in.read() >= 0) {
                // wait for the parent to close our input
            }
        }
    }

    private static void burn() {
        long x = 1;
        for (long i = 0; ; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
            sink = Long.toString(x, 36).hashCode() + mix(x, i);
        }
    }

    private static long mix(long x, long i) {
        return (x >>> 17) ^ (i * 31) ^ Long.rotateLeft(x, (int) (i & 63));
    }
}
