package io.ratestream.benchmarks;

import io.ratestream.schemas.files.CgratesFiles;
import io.ratestream.schemas.files.DataSet;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.model.RatingProfile;
import io.ratestream.schemas.topics.Topics;
import io.ratestream.streams.StreamsApp;
import io.ratestream.streams.StreamsAppConfig;
import io.ratestream.streams.TopicSetup;
import io.ratestream.testkit.EmbeddedKafkaBroker;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What the reference data costs the streams app, in one JVM with an embedded broker: loads bench's data
 * shape (the demo's vdf:rif rating profiles, two, copied to each of N subscribers) onto the reference
 * topics, starts a streams app, waits until its book holds them all, and prints the heap used after a
 * full GC less the heap used before the app started; then closes it, starts it again on the same state
 * dir and prints the time from start to RUNNING and the heap again. Uses only the public API of
 * {@link StreamsApp}, so it measures an older build as well.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.ratestream.benchmarks.ReferenceHeap 100000
 * </pre>
 */
public final class ReferenceHeap {

    private ReferenceHeap() {
    }

    public static void main(String[] args) throws Exception {
        int subscribers = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        Path dir = Files.createTempDirectory("reference-heap");
        DataSet demo = new CgratesFiles(Json.newMapper()).readDirectory(Path.of("demo", "cgrates-2012"));
        List<RatingProfile> rif = demo.ratingProfiles().stream()
                .filter(p -> p.cstmId().equals("vdf") && p.subject().equals("rif")).toList();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"), 0)) {
            String bootstrap = broker.bootstrapServers();
            TopicSetup.ensure(bootstrap, 4, (short) 1);
            int profiles = load(bootstrap, demo, rif, subscribers);
            StreamsAppConfig config = StreamsAppConfig.defaults(bootstrap, dir.resolve("streams"))
                    .withApplicationId("reference-heap");
            long base = heapUsed();
            System.out.printf("%d rating profiles on the topic; heap used before the app: %d MiB%n", profiles,
                    base >> 20);
            for (String start : List.of("first start (state dir empty)", "restart (state dir kept)")) {
                long started = System.nanoTime();
                try (StreamsApp app = StreamsApp.start(config)) {
                    if (!app.awaitRunning(Duration.ofMinutes(10))) {
                        throw new IllegalStateException("the app did not reach RUNNING: " + app.state());
                    }
                    long running = System.nanoTime() - started;
                    while (!app.reference().holdsAtLeast(profiles, demo.destinations().size(),
                            demo.tariffPlans().size())) {
                        Thread.sleep(100);
                    }
                    long loaded = System.nanoTime() - started;
                    System.out.printf("%s: RUNNING after %.1f s, every profile held after %.1f s, heap used by the app"
                                    + " %d MiB (%s)%n", start, running / 1e9, loaded / 1e9, (heapUsed() - base) >> 20,
                            app.reference().summary());
                }
            }
        }
    }

    private static int load(String bootstrap, DataSet demo, List<RatingProfile> rif, int subscribers)
            throws Exception {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        properties.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        var mapper = Json.newMapper();
        int count = 0;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(properties, new StringSerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < subscribers; i++) {
                String subject = String.format("bench-%06d", i);
                for (RatingProfile p : rif) {
                    RatingProfile copy = new RatingProfile(p.tor(), "bench", subject, p.destinationPrefix(),
                            p.activationPeriods());
                    producer.send(new ProducerRecord<>(Topics.RATING_PROFILES, copy.key(),
                            mapper.writeValueAsBytes(copy)));
                    count++;
                }
            }
            for (var destination : demo.destinations()) {
                producer.send(new ProducerRecord<>(Topics.DESTINATIONS, destination.id(),
                        mapper.writeValueAsBytes(destination)));
            }
            for (var plan : demo.tariffPlans()) {
                producer.send(new ProducerRecord<>(Topics.TARIFF_PLANS, plan.id(), mapper.writeValueAsBytes(plan)));
            }
            producer.flush();
        }
        return count;
    }

    /** Heap used after a full collection (System.gc twice, as the JVM may need a second one to finish). */
    private static long heapUsed() throws InterruptedException {
        for (int i = 0; i < 2; i++) {
            System.gc();
            TimeUnit.MILLISECONDS.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
