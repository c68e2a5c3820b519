package io.ratestream.benchmarks;

import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.reply.Reply;
import io.ratestream.schemas.topics.Topics;
import io.ratestream.streams.StreamsApp;
import io.ratestream.streams.StreamsAppConfig;
import io.ratestream.streams.TopicSetup;
import io.ratestream.testkit.EmbeddedKafkaBroker;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Request/reply latency of the pipeline under each exactly-once design considered in docs/design.md:
 * an embedded broker, the real streams app, and a client that writes DebitBalance commands and waits for
 * their replies, sequentially and with 200 in flight. Prints a Markdown table. Not a test.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar io.ratestream.benchmarks.PipelineLatency
 * [--sequential N] [--seconds S] [--inflight K] [--partitions P] [--threads T] [--variants name,name]}
 */
public final class PipelineLatency {

    /** One configuration under test. */
    record Variant(String name, String guarantee, long commitMs, long pollMs, long lingerMs, boolean readCommitted,
            String note) {
    }

    static final List<Variant> VARIANTS = List.of(
            new Variant("defaults", StreamsConfig.EXACTLY_ONCE_V2, 100, 100, 100, true,
                    "Streams defaults, replies read_committed"),
            new Variant("a-commit5", StreamsConfig.EXACTLY_ONCE_V2, 5, 5, 0, true,
                    "(a) commit 5 ms, poll 5, linger 0, read_committed"),
            new Variant("a-commit20", StreamsConfig.EXACTLY_ONCE_V2, 20, 5, 0, true,
                    "(a) commit 20 ms, poll 5, linger 0, read_committed"),
            new Variant("b-commit100", StreamsConfig.EXACTLY_ONCE_V2, 100, 5, 0, false,
                    "(b) commit 100 ms, poll 5, linger 0, read_uncommitted"),
            new Variant("b-commit1000", StreamsConfig.EXACTLY_ONCE_V2, 1000, 5, 0, false,
                    "(b) commit 1000 ms, poll 5, linger 0, read_uncommitted"),
            new Variant("b-commit20", StreamsConfig.EXACTLY_ONCE_V2, 20, 5, 0, false,
                    "(b) commit 20 ms, poll 5, linger 0, read_uncommitted"),
            new Variant("alos", StreamsConfig.AT_LEAST_ONCE, 100, 5, 0, true,
                    "at_least_once (NOT exactly-once; the floor of the topology)"));

    private static final int SUBJECTS = 1000;
    private static final Instant T0 = Instant.parse("2012-02-02T17:00:00Z");

    private PipelineLatency() {
    }

    public static void main(String[] args) throws Exception {
        int sequential = 1000;
        int seconds = 10;
        int inflight = 200;
        int partitions = 1;
        int threads = 1;
        List<String> names = VARIANTS.stream().map(Variant::name).toList();
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--sequential" -> sequential = Integer.parseInt(args[i + 1]);
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--inflight" -> inflight = Integer.parseInt(args[i + 1]);
                case "--partitions" -> partitions = Integer.parseInt(args[i + 1]);
                case "--threads" -> threads = Integer.parseInt(args[i + 1]);
                case "--variants" -> names = List.of(args[i + 1].split(","));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path dir = Files.createTempDirectory("ratestream-latency");
        List<String> rows = new ArrayList<>();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"), 0)) {
            String bootstrap = broker.bootstrapServers();
            TopicSetup.ensure(bootstrap, partitions, (short) 1);
            loadBudgets(bootstrap);
            for (Variant variant : VARIANTS) {
                if (names.contains(variant.name())) {
                    int count = variant.name().equals("defaults") ? Math.min(sequential, 200) : sequential;
                    rows.add(measure(bootstrap, dir, variant, count, seconds, inflight, threads));
                    System.err.println(rows.get(rows.size() - 1));
                }
            }
        }
        System.out.println("| variant | settings | sequential p50 ms | sequential p99 ms | sequential req/s | "
                + inflight + " in flight req/s | p50 ms | p99 ms |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        rows.forEach(System.out::println);
    }

    private static void loadBudgets(String bootstrap) throws Exception {
        try (Client client = new Client(bootstrap, true)) {
            for (int i = 0; i < SUBJECTS; i++) {
                UserBudget budget = new UserBudget("s" + i, new BigDecimal("1000000000"), null, null, null, null, 0,
                        null, null, null);
                client.producer.send(new ProducerRecord<>(Topics.ADMIN_COMMANDS, "vdf:s" + i, new Command("set-s" + i,
                        Method.SET_USER_BUDGET, descriptor("s" + i), T0, null, budget)));
            }
            client.producer.flush();
        }
    }

    private static String measure(String bootstrap, Path dir, Variant variant, int sequential, int seconds,
            int inflight, int threads) throws Exception {
        StreamsAppConfig config = StreamsAppConfig.defaults(bootstrap, dir.resolve("state-" + variant.name()))
                .with(b -> {
                    b.applicationId = "latency-" + variant.name();
                    b.processingGuarantee = variant.guarantee();
                    b.commitInterval = Duration.ofMillis(variant.commitMs());
                    b.pollInterval = Duration.ofMillis(variant.pollMs());
                    b.producerLinger = Duration.ofMillis(variant.lingerMs());
                    b.streamThreads = threads;
                    b.refillCheck = null;
                    b.partitions = 1;
                });
        try (StreamsApp app = StreamsApp.start(config); Client client = new Client(bootstrap, variant.readCommitted())) {
            if (!app.awaitRunning(Duration.ofSeconds(120))) {
                throw new IllegalStateException("streams app did not start: " + app.state());
            }
            AtomicLong ids = new AtomicLong();
            String prefix = variant.name() + "-";
            // catch up with the log (every variant replays the budgets and earlier variants' commands), warm up
            client.call(debit(prefix + "probe", 0), Duration.ofSeconds(300));
            Histogram warm = new Histogram(3);
            for (int i = 0; i < Math.min(200, sequential); i++) {
                warm.recordValue(client.call(debit(prefix + "w" + ids.incrementAndGet(), i), Duration.ofSeconds(30)));
            }
            Histogram seq = new Histogram(3);
            long start = System.nanoTime();
            for (int i = 0; i < sequential; i++) {
                seq.recordValue(client.call(debit(prefix + "s" + ids.incrementAndGet(), i), Duration.ofSeconds(30)));
            }
            double seqRate = sequential / ((System.nanoTime() - start) / 1e9);

            Histogram concurrent = new Histogram(3);
            Semaphore permits = new Semaphore(inflight);
            AtomicLong done = new AtomicLong();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            long began = System.nanoTime();
            int n = 0;
            while (System.nanoTime() < end) {
                permits.acquire();
                long sent = System.nanoTime();
                client.send(debit(prefix + "c" + ids.incrementAndGet(), n++), reply -> {
                    concurrent.recordValue(System.nanoTime() - sent);
                    done.incrementAndGet();
                    permits.release();
                });
            }
            permits.acquire(inflight);
            double rate = done.get() / ((System.nanoTime() - began) / 1e9);
            return String.format(Locale.ROOT, "| %s | %s | %.1f | %.1f | %.0f | %.0f | %.1f | %.1f |", variant.name(),
                    variant.note(), ms(seq, 50), ms(seq, 99), seqRate, rate, ms(concurrent, 50), ms(concurrent, 99));
        }
    }

    private static double ms(Histogram histogram, double percentile) {
        return histogram.getValueAtPercentile(percentile) / 1e6;
    }

    private static CallDescriptor descriptor(String subject) {
        return new CallDescriptor(0, "vdf", subject, null, null, null, null, null);
    }

    private static Command debit(String requestId, int n) {
        String subject = "s" + (n % SUBJECTS);
        return new Command(requestId, Method.DEBIT_BALANCE, descriptor(subject).withAmount(new BigDecimal("0.01")), T0,
                null, null);
    }

    /** Producer of commands and reader of replies, as a gateway is. */
    private static final class Client implements AutoCloseable {
        private final KafkaProducer<String, Command> producer;
        private final KafkaConsumer<String, Reply> consumer;
        private final Map<String, java.util.function.Consumer<Reply>> waiting = new ConcurrentHashMap<>();
        private final Thread poller;
        private volatile boolean running = true;

        Client(String bootstrap, boolean readCommitted) {
            Topics topics = new Topics(Json.newMapper());
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
            producer = new KafkaProducer<>(p, new StringSerializer(), topics.commands().valueSerde().serializer());
            Properties c = new Properties();
            c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
            c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            consumer = new KafkaConsumer<>(c, new StringDeserializer(), topics.replies().valueSerde().deserializer());
            List<TopicPartition> parts = consumer.partitionsFor(Topics.REPLIES, Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(Topics.REPLIES, i.partition())).toList();
            consumer.assign(parts);
            consumer.seekToEnd(parts);
            parts.forEach(part -> consumer.position(part, Duration.ofSeconds(30)));
            poller = new Thread(this::poll, "latency-replies");
            poller.start();
        }

        void send(Command command, java.util.function.Consumer<Reply> onReply) {
            waiting.put(command.requestId(), onReply);
            producer.send(new ProducerRecord<>(Topics.COMMANDS, null, command.acceptedAt().toEpochMilli(),
                    command.key(), command));
        }

        /** Sends and waits; returns the latency in nanoseconds. */
        long call(Command command, Duration timeout) throws InterruptedException {
            java.util.concurrent.CountDownLatch latch = new java.util.concurrent.CountDownLatch(1);
            long start = System.nanoTime();
            long[] end = new long[1];
            send(command, reply -> {
                end[0] = System.nanoTime();
                latch.countDown();
            });
            if (!latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("no reply to " + command.requestId() + " within " + timeout);
            }
            return end[0] - start;
        }

        private void poll() {
            try {
                while (running) {
                    for (ConsumerRecord<String, Reply> record : consumer.poll(Duration.ofMillis(100))) {
                        java.util.function.Consumer<Reply> each = waiting.remove(record.key());
                        if (each != null) {
                            each.accept(record.value());
                        }
                    }
                }
            } catch (WakeupException e) {
                // closing
            }
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            consumer.wakeup();
            poller.join(5000);
            consumer.close();
            producer.close();
        }
    }
}
