package io.ratestream.app;

import io.ratestream.gateway.GatewayConfig;
import io.ratestream.schemas.files.CgratesFiles;
import io.ratestream.schemas.json.Json;
import io.ratestream.streams.StreamsAppConfig;
import io.ratestream.testkit.EmbeddedKafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Everything on one machine, in one JVM: an embedded Kafka broker (KRaft) on 127.0.0.1:9092, the
 * streams app and the gateway (JSON-RPC 2001, HTTP 8000). On a fresh data directory it loads the demo
 * data (the 2012 sample files) under tenant {@code vdf}; later starts keep every budget as it was.
 *
 * <p>Usage: {@code Dev [--data-dir DIR] [--no-demo-data]}. Ctrl-C stops it cleanly.
 */
public final class Dev {

    private Dev() {
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of("data");
        boolean demo = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data-dir" -> data = Path.of(args[++i]);
                case "--no-demo-data" -> demo = false;
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (known: --data-dir DIR, --no-demo-data)");
            }
        }
        boolean fresh = !Files.exists(data.resolve("kafka"));
        long started = System.nanoTime();
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(data.resolve("kafka"), 9092);
        DevStack stack = DevStack.start(StreamsAppConfig.defaults(broker.bootstrapServers(), data.resolve("streams")),
                GatewayConfig.defaults(broker.bootstrapServers()), Duration.ofSeconds(120));
        if (fresh && demo) {
            Loader.Report report = stack.load(new CgratesFiles(Json.newMapper()).readDirectory(Path.of("demo",
                    "cgrates-2012")), "vdf", Duration.ofSeconds(60));
            System.out.printf("loaded the demo data under tenant vdf: %d rating profiles, %d destinations, "
                    + "%d tariff plans, %d budgets%n", report.ratingProfiles(), report.destinations(),
                    report.tariffPlans(), report.budgets());
        }
        System.out.printf("Kafka     %s%nJSON-RPC  127.0.0.1:%d%nHTTP      http://127.0.0.1:%d%n",
                broker.bootstrapServers(), stack.gateway().jsonRpcPort(), stack.gateway().httpPort());
        System.out.printf("try: curl 'http://127.0.0.1:%d/getcost?cstmid=vdf&subj=rif&dest=0256"
                + "&ts=2012-02-02T17:30:00Z&te=2012-02-02T18:30:00Z'%n", stack.gateway().httpPort());
        System.out.printf("ready in %.1f s (data in %s); Ctrl-C stops%n", (System.nanoTime() - started) / 1e9,
                data.toAbsolutePath());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stack.close();
            broker.close();
            stopped.countDown();
        }, "ratestream-dev-shutdown"));
        stopped.await();
    }
}
