package io.ratestream.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.app.Loader;
import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.command.ReplyTo;
import io.ratestream.schemas.event.BudgetEvent;
import io.ratestream.schemas.files.DataSet;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A reset day at scale, in one JVM with an embedded broker: loads N budgets whose monthly refill is due
 * (reset day 1, loaded 32 days ago, so each counts as refilled last month) through
 * {@code ratestream.admin-commands}, starts a streams app whose refill check runs after {@code --check}
 * seconds, and while it runs sends a probe (a DebitBalance of 0 for a subscriber of its own) every 10 ms,
 * printing per second: the probes answered and their slowest reply, the refills applied so far (read from
 * {@code ratestream.events}) and the app's state. What a stream thread does while it notices a million
 * due budgets shows in the probes' latency; whether the refills get done at all, in the count.
 *
 * <p>With {@code --loader-max-in-flight N} the budgets are loaded while the app runs and the probe goes, through
 * {@code ratestream load}'s {@link Loader} keeping at most N budgets in flight (0: no limit): what a bulk load
 * costs live calls.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.ratestream.benchmarks.RefillBurst --budgets 200000 --check 60 --seconds 240
 * java -cp benchmarks/target/benchmarks.jar io.ratestream.benchmarks.RefillBurst --budgets 200000 --check 900 \
 *   --seconds 120 --loader-max-in-flight 10000
 * </pre>
 */
public final class RefillBurst {

    private static final String TENANT = "burst";
    private static final String PROBE = "probe";

    private RefillBurst() {
    }

    public static void main(String[] args) throws Exception {
        int budgets = 200_000;
        int check = 60;
        int seconds = 240;
        Integer loaderWindow = null;
        for (int i = 0; i < args.length; i += 2) {
            String value = args[i + 1];
            switch (args[i]) {
                case "--budgets" -> budgets = Integer.parseInt(value);
                case "--check" -> check = Integer.parseInt(value);
                case "--seconds" -> seconds = Integer.parseInt(value);
                case "--loader-max-in-flight" -> loaderWindow = Integer.parseInt(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path dir = Files.createTempDirectory("refill-burst");
        ObjectMapper mapper = Json.newMapper();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"), 0)) {
            String bootstrap = broker.bootstrapServers();
            TopicSetup.ensure(bootstrap, 4, (short) 1);
            if (loaderWindow == null) {
                load(bootstrap, mapper, budgets);
            }
            StreamsAppConfig config = StreamsAppConfig.defaults(bootstrap, dir.resolve("streams"))
                    .withApplicationId("refill-burst").withRefillCheck(Duration.ofSeconds(check));
            long started = System.nanoTime();
            try (StreamsApp app = StreamsApp.start(config);
                    Probe probe = new Probe(bootstrap, mapper);
                    KafkaConsumer<String, BudgetEvent> events = events(bootstrap, mapper)) {
                Thread prober = new Thread(probe::run, "probe");
                prober.setDaemon(true);
                prober.start();
                if (loaderWindow != null) {
                    loadLive(bootstrap, mapper, budgets, loaderWindow, app);
                }
                long loaded = 0;
                long refilled = 0;
                long nextLine = started + 1_000_000_000L;
                System.out.printf("budgets %,d, refill check every %d s; per second since the app's start:%n", budgets,
                        check);
                System.out.println("s | probes answered | slowest probe (ms) | budgets loaded | refills applied | state");
                while (System.nanoTime() - started < seconds * 1_000_000_000L) {
                    for (ConsumerRecord<String, BudgetEvent> record : events.poll(Duration.ofMillis(50))) {
                        if (record.value().method() == Method.SET_USER_BUDGET) {
                            loaded++;
                        } else if (record.value().method() == Method.MONTHLY_REFILL) {
                            refilled++;
                        }
                    }
                    if (System.nanoTime() >= nextLine) {
                        long[] window = probe.window();
                        System.out.printf("%d | %d | %.1f | %,d | %,d | %s%n", (nextLine - started) / 1_000_000_000L,
                                window[0], window[1] / 1e6, loaded, refilled, app.state());
                        nextLine += 1_000_000_000L;
                    }
                }
                System.out.printf("probes unanswered at the end: %d%n", probe.waiting());
            }
        }
        System.exit(0); // the probe's threads and clients are not worth a clean close
    }

    /** Loads the budgets through the Loader once the app runs, on a thread of their own; loads the probe's first. */
    private static void loadLive(String bootstrap, ObjectMapper mapper, int budgets, int window, StreamsApp app)
            throws Exception {
        if (!app.awaitRunning(Duration.ofMinutes(2))) {
            throw new IllegalStateException("the app did not reach RUNNING: " + app.state());
        }
        Loader probeLoader = new Loader(bootstrap, Clock.systemUTC());
        probeLoader.load(new DataSet(List.of(), List.of(), List.of(), List.of(budget(PROBE, 0))), TENANT, (String) null);
        List<UserBudget> due = new ArrayList<>(budgets);
        for (int i = 0; i < budgets; i++) {
            due.add(budget(String.format("s-%07d", i), 1));
        }
        Loader loader = new Loader(bootstrap, Clock.fixed(Instant.now().minus(Duration.ofDays(32)), ZoneOffset.UTC))
                .withMaxInFlight(window).withStallTimeout(Duration.ofMinutes(5));
        Thread thread = new Thread(() -> {
            try {
                long started = System.nanoTime();
                loader.load(new DataSet(List.of(), List.of(), List.of(), due), TENANT, (String) null);
                System.out.printf("loader: %,d budgets applied in %.1f s (at most %d in flight)%n", budgets,
                        (System.nanoTime() - started) / 1e9, window);
            } catch (Exception e) {
                System.out.println("loader failed: " + e);
            }
        }, "loader");
        thread.setDaemon(true);
        thread.start();
    }

    private static UserBudget budget(String subject, int resetDay) {
        return new UserBudget(subject, new BigDecimal("100"), BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO,
                BigDecimal.ZERO, resetDay, null, List.of(), null);
    }

    /** N budgets due for a refill and the probe's budget (never refilled), through the admin topic. */
    private static void load(String bootstrap, ObjectMapper mapper, int budgets) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        Instant monthAgo = Instant.now().minus(Duration.ofDays(32));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i <= budgets; i++) {
                String subject = i == budgets ? PROBE : String.format("s-%07d", i);
                Command set = new Command("load-" + subject, Method.SET_USER_BUDGET, descriptor(subject, null),
                        i == budgets ? Instant.now() : monthAgo, null, budget(subject, i == budgets ? 0 : 1));
                producer.send(new ProducerRecord<>(Topics.ADMIN_COMMANDS, set.key(), mapper.writeValueAsBytes(set)));
            }
            producer.flush();
        }
    }

    private static CallDescriptor descriptor(String subject, BigDecimal amount) {
        return new CallDescriptor(0, TENANT, subject, null, null, null, amount, null);
    }

    private static KafkaConsumer<String, BudgetEvent> events(String bootstrap, ObjectMapper mapper) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        KafkaConsumer<String, BudgetEvent> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new Topics(mapper).events().valueSerde().deserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.EVENTS).stream()
                .map(p -> new TopicPartition(Topics.EVENTS, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    /** A DebitBalance of 0 every 10 ms for the probe subscriber; the replies read from partition 0. */
    private static final class Probe implements AutoCloseable {

        private final ObjectMapper mapper;
        private final KafkaProducer<String, byte[]> producer;
        private final KafkaConsumer<String, Reply> replies;
        private final Map<String, Long> sent = new ConcurrentHashMap<>();
        private final AtomicLong answered = new AtomicLong();
        private final AtomicLong slowest = new AtomicLong();
        private volatile boolean closed;

        Probe(String bootstrap, ObjectMapper mapper) {
            this.mapper = mapper;
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
            producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
            Properties consumerProps = new Properties();
            consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
            replies = new KafkaConsumer<>(consumerProps, new StringDeserializer(),
                    new Topics(mapper).replies().valueSerde().deserializer());
            TopicPartition zero = new TopicPartition(Topics.REPLIES, 0);
            replies.assign(List.of(zero));
            replies.seekToEnd(List.of(zero));
            replies.position(zero);
        }

        void run() {
            Thread sender = new Thread(() -> {
                long n = 0;
                while (!closed) {
                    String id = "probe-" + n++;
                    Command debit = new Command(id, Method.DEBIT_BALANCE, descriptor(PROBE, BigDecimal.ZERO),
                            Instant.now(), new ReplyTo(Topics.REPLIES, 0), null);
                    try {
                        sent.put(id, System.nanoTime());
                        producer.send(new ProducerRecord<>(Topics.COMMANDS, debit.key(), mapper.writeValueAsBytes(debit)));
                        Thread.sleep(10);
                    } catch (Exception e) {
                        return;
                    }
                }
            }, "probe-sender");
            sender.setDaemon(true);
            sender.start();
            while (!closed) {
                for (ConsumerRecord<String, Reply> record : replies.poll(Duration.ofMillis(20))) {
                    Long at = sent.remove(record.value().requestId());
                    if (at != null) {
                        long took = System.nanoTime() - at;
                        answered.incrementAndGet();
                        slowest.accumulateAndGet(took, Math::max);
                    }
                }
            }
        }

        /** Probes answered and the slowest reply (ns) since the last call, counting a probe still unanswered. */
        long[] window() {
            long now = System.nanoTime();
            long waiting = sent.values().stream().mapToLong(at -> now - at).max().orElse(0);
            return new long[] {answered.getAndSet(0), Math.max(slowest.getAndSet(0), waiting)};
        }

        int waiting() {
            return sent.size();
        }

        @Override
        public void close() {
            closed = true;
            producer.close(Duration.ofSeconds(2));
        }
    }
}
