package io.ratestream.benchmarks;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.app.DevStack;
import io.ratestream.gateway.GatewayConfig;
import io.ratestream.schemas.files.CgratesFiles;
import io.ratestream.schemas.json.Json;
import io.ratestream.streams.StreamsAppConfig;
import io.ratestream.testkit.EmbeddedKafkaBroker;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * A quick closed-loop load through the real JSON-RPC/TCP port: everything (embedded broker, streams app,
 * gateway, this client) in one JVM on this machine. Requests alternate GetCost of the worked example and
 * DebitBalance 0.01 on the demo's budgets. Prints req/s and latency per scenario. Not a test.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar io.ratestream.benchmarks.GatewayLoad [seconds]}
 */
public final class GatewayLoad {

    private static final ObjectMapper STREAM = Json.newMapper().disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private GatewayLoad() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        Path dir = Files.createTempDirectory("ratestream-load");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"), 0);
                DevStack stack = DevStack.start(StreamsAppConfig.defaults(broker.bootstrapServers(), dir.resolve("s")),
                        GatewayConfig.defaults(broker.bootstrapServers()).withPorts(0, 0), Duration.ofSeconds(90))) {
            stack.load(new CgratesFiles(Json.newMapper()).readDirectory(Path.of("demo", "cgrates-2012")), "vdf",
                    Duration.ofSeconds(60));
            int port = stack.gateway().jsonRpcPort();
            run(port, 1, 1, 3, "warm-up");
            System.out.println("| connections | in flight per connection | req/s | p50 ms | p99 ms | errors |");
            System.out.println("|---|---|---|---|---|---|");
            System.out.println(run(port, 1, 1, seconds, null));
            System.out.println(run(port, 1, 100, seconds, null));
            System.out.println(run(port, 50, 1, seconds, null));
            System.out.println(run(port, 50, 4, seconds, null));
        }
    }

    private static String run(int port, int connections, int inFlight, int seconds, String label) throws Exception {
        Recorder latency = new Recorder(3);
        AtomicLong done = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            int connection = c;
            Thread thread = new Thread(() -> drive(port, connection, inFlight, end, latency, done, errors));
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        var histogram = latency.getIntervalHistogram();
        return String.format(Locale.ROOT, "| %d | %d | %.0f | %.2f | %.2f | %d |", connections, inFlight,
                done.get() / (double) seconds, histogram.getValueAtPercentile(50) / 1e6,
                histogram.getValueAtPercentile(99) / 1e6, errors.get());
    }

    private static void drive(int port, int connection, int inFlight, long end, Recorder latency, AtomicLong done,
            AtomicLong errors) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            Semaphore window = new Semaphore(inFlight);
            ConcurrentHashMap<Long, Long> sentAt = new ConcurrentHashMap<>();
            Thread reader = new Thread(() -> {
                try (JsonParser parser = STREAM.getFactory().createParser(socket.getInputStream())) {
                    while (true) {
                        JsonNode response = STREAM.readTree(parser);
                        if (response == null) {
                            return;
                        }
                        Long start = sentAt.remove(response.get("id").asLong());
                        if (start != null) {
                            latency.recordValue(System.nanoTime() - start);
                        }
                        if (!response.get("error").isNull()) {
                            errors.incrementAndGet();
                        }
                        done.incrementAndGet();
                        window.release();
                    }
                } catch (Exception e) {
                    // connection closed at the end of the run
                }
            });
            reader.start();
            long id = 0;
            while (System.nanoTime() < end) {
                window.acquire();
                id++;
                sentAt.put(id, System.nanoTime());
                out.write(request(id, connection).getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            window.acquire(inFlight);
            socket.close();
            reader.join();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String request(long id, int connection) {
        if (id % 2 == 0) {
            return "{\"id\":" + id + ",\"method\":\"Responder.GetCost\",\"params\":[{\"CstmId\":\"vdf\",\"Subject\":\"rif\","
                    + "\"DestinationPrefix\":\"0256\",\"TimeStart\":\"2012-02-02T17:30:00Z\",\"TimeEnd\":\"2012-02-02T18:30:00Z\"}]}";
        }
        String subject = connection % 2 == 0 ? "minutosu" : "broker";
        return "{\"id\":" + id + ",\"method\":\"Responder.DebitBalance\",\"params\":[{\"CstmId\":\"vdf\",\"Subject\":\""
                + subject + "\",\"Amount\":0.01}]}";
    }
}
