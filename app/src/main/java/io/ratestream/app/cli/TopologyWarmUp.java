package io.ratestream.app.cli;

import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.files.DataSet;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.model.MinuteBucket;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.topics.Topics;
import io.ratestream.streams.StreamsAppConfig;
import io.ratestream.streams.topology.RatestreamTopology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * Runs the streams app's own topology in a {@link TopologyTestDriver} on the demo data while {@code dev}
 * starts, so that the JIT compiles the command path (debits, sessions, their store writes, changelogs and
 * events) before clients come: {@link io.ratestream.app.bench.WarmUp} can send only queries through the
 * real stack, which change nothing. Everything here stays in this process and a temporary directory,
 * deleted at the end: no Kafka record, no budget, no state of the real stack is touched.
 */
final class TopologyWarmUp {

    private static final OffsetDateTime AT = OffsetDateTime.parse("2012-02-02T17:30:00Z");
    private static final int DRAIN_EVERY = 16;

    private TopologyWarmUp() {
    }

    /** A warm-up running on its own thread until {@link #stop()}. */
    static final class Running {
        private final AtomicBoolean stopping = new AtomicBoolean();
        private final AtomicLong sent = new AtomicLong();
        private final AtomicLong refused = new AtomicLong();
        private final Thread thread;

        private Running(DataSet demo, String tenant) {
            thread = new Thread(() -> {
                try {
                    run(demo, tenant, stopping, sent, refused);
                } catch (RuntimeException | LinkageError e) {
                    // only a warm-up: the stack serves anyway, colder
                    System.out.println("topology warm-up stopped: " + e);
                }
            }, "ratestream-topology-warm-up");
            thread.setDaemon(true);
            thread.setPriority(Thread.MIN_PRIORITY);
        }

        /** Stops it (within one round of commands) and returns how many commands it sent. */
        long stop() throws InterruptedException {
            stopping.set(true);
            thread.join(TimeUnit.SECONDS.toMillis(30));
            return sent.get();
        }

        /** Commands sent so far. */
        long sent() {
            return sent.get();
        }

        /** Commands answered with an error so far: none, unless the warm-up warms the wrong path. */
        long refused() {
            return refused.get();
        }
    }

    /** Starts a warm-up on the demo data of {@code tenant}; {@link Running#stop()} ends it. */
    static Running start(DataSet demo, String tenant) {
        Running running = new Running(demo, tenant);
        running.thread.start();
        return running;
    }

    /**
     * Sends commands through the topology until {@code stopping} is set, counting them in {@code sent} and
     * the error replies in {@code refused}.
     */
    static void run(DataSet demo, String tenant, AtomicBoolean stopping, AtomicLong sent, AtomicLong refused) {
        Path dir;
        try {
            dir = Files.createTempDirectory("ratestream-warm-up-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            drive(demo, tenant, stopping, sent, refused, dir);
        } finally {
            delete(dir);
        }
    }

    private static void drive(DataSet demo, String tenant, AtomicBoolean stopping, AtomicLong sent, AtomicLong refused,
            Path dir) {
        StreamsAppConfig config = StreamsAppConfig.defaults("warm-up:9092", dir).withApplicationId("ratestream-warm-up")
                .withRefillCheck(null);
        Topics topics = new Topics(Json.newMapper());
        Instant start = AT.toInstant();
        try (TopologyTestDriver driver = new TopologyTestDriver(RatestreamTopology.build(config), config.toProperties(),
                start)) {
            StringSerializer keys = new StringSerializer();
            var profiles = driver.createInputTopic(Topics.RATING_PROFILES, keys, topics.ratingProfiles().valueSerde().serializer());
            demo.ratingProfiles().forEach(p -> profiles.pipeInput(p.key(), p));
            var destinationTopic = driver.createInputTopic(Topics.DESTINATIONS, keys, topics.destinations().valueSerde().serializer());
            demo.destinations().forEach(d -> destinationTopic.pipeInput(d.id(), d));
            var plans = driver.createInputTopic(Topics.TARIFF_PLANS, keys, topics.tariffPlans().valueSerde().serializer());
            demo.tariffPlans().forEach(p -> plans.pipeInput(p.id(), p));
            TestInputTopic<String, Command> admin = driver.createInputTopic(Topics.ADMIN_COMMANDS, keys,
                    topics.adminCommands().valueSerde().serializer());
            TestInputTopic<String, Command> commands = driver.createInputTopic(Topics.COMMANDS, keys,
                    topics.commands().valueSerde().serializer());
            TestInputTopic<String, Command> queries = driver.createInputTopic(Topics.QUERIES, keys,
                    topics.queries().valueSerde().serializer());

            // every demo profile's subject gets a budget with a large credit and the demo's minute buckets
            UserBudget template = demo.userBudgets().get(0);
            // each subject of the tenant's profiles, with the number of its first profile
            Map<String, String> destinations = new LinkedHashMap<>();
            demo.ratingProfiles().stream().filter(p -> p.cstmId().equals(tenant))
                    .forEach(p -> destinations.putIfAbsent(p.subject(), p.destinationPrefix()));
            Set<String> subjects = destinations.keySet();
            // the demo's minute buckets, each with seconds enough for any warm-up, and a number one of them pays
            var buckets = template.minuteBuckets().stream().map(b -> new MinuteBucket(new BigDecimal("1000000000"),
                    b.priority(), b.price(), b.destinationId())).toList();
            String secondsNumber = demo.destinations().stream()
                    .filter(d -> d.id().equals(buckets.get(0).destinationId())).findFirst()
                    .map(d -> d.prefixes().get(0)).orElseThrow();
            for (String subject : subjects) {
                UserBudget budget = new UserBudget(subject, new BigDecimal("1000000000"), BigDecimal.ZERO,
                        BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, 0, template.tariffPlanId(), buckets, null);
                send(admin, new Command("warm-up-set-" + subject, Method.SET_USER_BUDGET,
                        descriptor(tenant, subject, null, null, null, null), start, null, budget), start);
            }
            Instant at = start;
            long round = 0;
            while (!stopping.get()) {
                round++;
                for (String subject : subjects) {
                    at = at.plusMillis(1);
                    String id = "warm-up-" + round + "-" + subject;
                    String destination = destinations.get(subject);
                    send(queries, new Command(id + "-cost", Method.GET_COST,
                            descriptor(tenant, subject, destination, null, null, null), at, null, null), at);
                    send(commands, new Command(id + "-debit", Method.DEBIT_BALANCE,
                            descriptor(tenant, subject, null, new BigDecimal("0.01"), null, null), at, null, null), at);
                    send(commands, new Command(id + "-seconds", Method.DEBIT_SECONDS,
                            descriptor(tenant, subject, secondsNumber, BigDecimal.ONE, null, null), at, null, null), at);
                    send(queries, new Command(id + "-max", Method.GET_MAX_SESSION_TIME,
                            descriptor(tenant, subject, destination, new BigDecimal("600"), null, null), at, null, null), at);
                    send(commands, new Command(id + "-start", Method.SESSION_START,
                            descriptor(tenant, subject, destination, new BigDecimal("30"), id, null), at, null, null), at);
                    send(commands, new Command(id + "-end", Method.SESSION_END,
                            descriptor(tenant, subject, null, null, id, new BigDecimal("20")), at, null, null), at);
                    sent.addAndGet(6);
                }
                if (round % DRAIN_EVERY == 0) {
                    drain(driver, topics, refused);
                }
            }
            drain(driver, topics, refused);
        }
    }

    private static void send(TestInputTopic<String, Command> topic, Command command, Instant at) {
        topic.pipeInput(command.key(), command, at);
    }

    private static CallDescriptor descriptor(String tenant, String subject, String destination, BigDecimal amount,
            String sessionId, BigDecimal used) {
        return new CallDescriptor(0, tenant, subject, destination, destination == null ? null : AT,
                destination == null || sessionId != null ? null : AT.plusMinutes(60), amount, null, sessionId, used);
    }

    /** Reads (and drops) what the topology wrote: the driver keeps every output record until it is read. */
    private static void drain(TopologyTestDriver driver, Topics topics, AtomicLong refused) {
        ByteArrayDeserializer bytes = new ByteArrayDeserializer();
        for (String topic : driver.producedTopicNames()) {
            if (topic.equals(Topics.REPLIES)) {
                driver.createOutputTopic(topic, new StringDeserializer(), topics.replies().valueSerde().deserializer())
                        .readValuesToList().forEach(reply -> {
                            if (reply.error() != null && refused.getAndIncrement() < 5) {
                                System.err.println("warm-up refusal: " + reply.method() + " " + reply.error());
                            }
                        });
            } else {
                driver.createOutputTopic(topic, bytes, bytes).readRecordsToList();
            }
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a temporary directory left behind is not worth failing for
        }
    }
}
