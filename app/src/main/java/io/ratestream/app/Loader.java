package io.ratestream.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.files.DataSet;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.model.Keys;
import io.ratestream.schemas.model.RatingProfile;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.reply.ErrorKind;
import io.ratestream.schemas.reply.Reply;
import io.ratestream.schemas.topics.Topics;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;

/**
 * Loads a data set in the original formats into a running system: reference data onto the compacted
 * topics, budgets as {@code SetUserBudget} commands on {@code ratestream.admin-commands} (the only topic
 * the streams app takes them from), then waits for every budget's reply. Everything it writes goes to
 * topics that only the loader's Kafka principal may write (docs/security.md); it reads the replies. A budget's
 * request id is derived from its tenant and content, so loading the same files twice changes nothing.
 * The data set is read and validated completely (by {@code CgratesFiles}) before this writes anything.
 *
 * <p>Reference data is sent at once; budgets are sent as fast as the streams app applies them, with at
 * most {@link #DEFAULT_MAX_IN_FLIGHT} sent and not yet applied ({@link #withMaxInFlight}), then awaited (a
 * million budgets take minutes, bound by the streams app, not by round trips). The bound is for the live
 * calls of a running system: the budgets go to the partitions of the command topics that the calls use, and
 * a load that wrote a million at once would queue them ahead of every call for as long as the streams app
 * takes to apply them (docs/performance.md, "Loading into a live system"). Whether the streams app rates
 * with the loaded profiles is checked with a few probes, not one per profile: see {@link #awaitProfiles}.
 *
 * <p><b>Progress and time limits.</b> With {@link #withProgress}, it prints a line at most every
 * interval: records sent, acknowledged by Kafka, budgets applied by the streams app (answered), the rates
 * and the time left; and a last line when done. It waits as long as the load progresses: it fails only
 * when nothing was acknowledged or applied for the stall timeout ({@link #DEFAULT_STALL_TIMEOUT}, see
 * {@link #withStallTimeout}), with a sentence starting "no record applied for N s: is the streams app
 * running?", or when an overall timeout was given ({@link #withTimeout}; none by default) and passed.
 */
public final class Loader {

    /** How long a load may go without a record acknowledged or applied before it fails: 60 s. */
    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(60);

    /**
     * Budgets a load keeps sent but not yet applied, at most, unless {@link #withMaxInFlight} says otherwise. With
     * 2,000, live calls behind a load of 200,000 budgets waited 0.33-0.58 s once it was under way (the commit
     * interval and a little queue) on the 2-core machine of docs/performance.md, and the load took 68 s; with
     * 10,000, 35 s and waits of 0.64-4.8 s; with no limit, 39 s and almost no call answered until it was over.
     */
    public static final int DEFAULT_MAX_IN_FLIGHT = 2_000;

    /** How often a load with progress reporting prints a line, at most: 5 s. */
    public static final Duration DEFAULT_PROGRESS_INTERVAL = Duration.ofSeconds(5);

    private static final int SHOWN = 10;
    /** Records sent between two looks at the replies and the progress clock while sending. */
    private static final int TICK_RECORDS = 256;
    private static final Duration POLL = Duration.ofMillis(100);

    private final String bootstrapServers;
    private final Map<String, String> kafkaProperties;
    private final ObjectMapper mapper = Json.newMapper();
    private final Clock clock;
    private final PrintStream progress;
    private final Duration progressInterval;
    private final Duration stallTimeout;
    private final Duration timeout;
    /** Budgets sent and not yet applied, at most; 0: no limit. */
    private final int maxInFlight;

    public Loader(String bootstrapServers, Clock clock) {
        this(bootstrapServers, Map.of(), clock);
    }

    /**
     * @param kafkaProperties client properties applied after the loader's own, to its producer and consumer
     *     (security settings: e.g. SASL as the loader's principal); never null
     */
    public Loader(String bootstrapServers, Map<String, String> kafkaProperties, Clock clock) {
        this(bootstrapServers, kafkaProperties, clock, null, DEFAULT_PROGRESS_INTERVAL, DEFAULT_STALL_TIMEOUT, null,
                DEFAULT_MAX_IN_FLIGHT);
    }

    private Loader(String bootstrapServers, Map<String, String> kafkaProperties, Clock clock, PrintStream progress,
            Duration progressInterval, Duration stallTimeout, Duration timeout, int maxInFlight) {
        this.bootstrapServers = bootstrapServers;
        this.kafkaProperties = Map.copyOf(kafkaProperties);
        this.clock = clock;
        this.progress = progress;
        this.progressInterval = progressInterval;
        this.stallTimeout = stallTimeout;
        this.timeout = timeout;
        this.maxInFlight = maxInFlight;
    }

    /**
     * This loader printing progress lines on {@code out} (the command line gives standard error), at most
     * one per {@code interval} ({@link Duration#ZERO}: at every look, for tests), and a last line when done.
     */
    public Loader withProgress(PrintStream out, Duration interval) {
        if (interval.isNegative()) {
            throw new IllegalArgumentException("the progress interval must not be negative: " + interval);
        }
        return new Loader(bootstrapServers, kafkaProperties, clock, out, interval, stallTimeout, timeout, maxInFlight);
    }

    /** This loader failing once nothing was acknowledged or applied for {@code stall} (more than zero). */
    public Loader withStallTimeout(Duration stall) {
        if (stall.isNegative() || stall.isZero()) {
            throw new IllegalArgumentException("the stall timeout must be more than zero: " + stall);
        }
        return new Loader(bootstrapServers, kafkaProperties, clock, progress, progressInterval, stall, timeout,
                maxInFlight);
    }

    /** This loader failing once a load took longer than {@code overall}; null or zero: no such limit (the default). */
    public Loader withTimeout(Duration overall) {
        if (overall != null && overall.isNegative()) {
            throw new IllegalArgumentException("the timeout must not be negative: " + overall);
        }
        Duration limit = overall == null || overall.isZero() ? null : overall;
        return new Loader(bootstrapServers, kafkaProperties, clock, progress, progressInterval, stallTimeout, limit,
                maxInFlight);
    }

    /**
     * This loader keeping at most {@code budgets} sent and not yet applied (0: no limit, every budget written at
     * once; a system that serves no calls yet loads fastest with about 10,000, docs/performance.md).
     */
    public Loader withMaxInFlight(int budgets) {
        if (budgets < 0) {
            throw new IllegalArgumentException("the budgets in flight must be at least 0 (no limit): " + budgets);
        }
        return new Loader(bootstrapServers, kafkaProperties, clock, progress, progressInterval, stallTimeout, timeout,
                budgets);
    }

    /** What a load wrote. */
    public record Report(int ratingProfiles, int destinations, int tariffPlans, int budgets, List<String> errors) {
    }

    /** As {@link #load(DataSet, String, String)} without a batch, with {@code stallTimeout} as the stall timeout. */
    public Report load(DataSet data, String tenant, Duration stallTimeout) throws Exception {
        return withStallTimeout(stallTimeout).load(data, tenant, (String) null);
    }

    /** As {@link #load(DataSet, String, String)}, with {@code stallTimeout} as the stall timeout. */
    public Report load(DataSet data, String tenant, String batch, Duration stallTimeout) throws Exception {
        return withStallTimeout(stallTimeout).load(data, tenant, batch);
    }

    /**
     * Writes the data set and waits until every budget command is answered and the streams app rates
     * with the loaded rating profiles (reference data reaches the app's global stores on their own thread).
     * With a {@code batch}, the budget commands' request ids also carry it, so each budget is set to the
     * loaded value even where the same budget was loaded before and has changed since (the streams app
     * answers a request id it has already processed from its idempotency store, without applying it again).
     *
     * @param tenant the tenant of the budgets (the original files carry none)
     * @param batch null for request ids from the content alone, else a name unique to this load
     * @throws IllegalStateException when Kafka refused a record, nothing progressed for the stall timeout,
     *     or the overall timeout passed
     */
    public Report load(DataSet data, String tenant, String batch) throws Exception {
        int records = data.ratingProfiles().size() + data.destinations().size() + data.tariffPlans().size()
                + data.userBudgets().size();
        Tally tally = new Tally(records, data.userBudgets().size());
        try (KafkaConsumer<String, byte[]> replies = repliesFromNow();
                KafkaProducer<String, byte[]> producer = producer()) {
            AtomicReference<Exception> failure = new AtomicReference<>();
            Map<List<Integer>, RatingProfile> probes = sendReferenceData(data, producer, failure, tally);
            Map<String, UserBudget> waiting = new HashMap<>();
            List<String> errors = new ArrayList<>();
            for (UserBudget budget : data.userBudgets()) {
                // In flight: sent and not answered yet (one entry per request id, so a budget listed twice
                // with the same content, which is answered once for both, counts once)
                while (maxInFlight > 0 && waiting.size() >= maxInFlight) {
                    readReplies(replies, POLL, waiting, errors, tally);
                    tally.look(failure);
                    failIfStalled(waiting, tally);
                }
                Command command = setBudget(tenant, budget, batch);
                waiting.put(command.requestId(), budget);
                producer.send(new ProducerRecord<>(Topics.ADMIN_COMMANDS, null, command.acceptedAt().toEpochMilli(),
                        command.key(), mapper.writeValueAsBytes(command)), tally.acknowledging(failure));
                tally.sentOne(failure);
                if (tally.sent() % TICK_RECORDS == 0) {
                    // The streams app applies budgets while the rest are sent: count its replies meanwhile.
                    readReplies(replies, Duration.ZERO, waiting, errors, tally);
                }
            }
            producer.flush();
            tally.look(failure);
            awaitBudgets(waiting, errors, replies, tally);
            awaitProfiles(probes.values(), producer, replies, tally);
            tally.done();
            return new Report(data.ratingProfiles().size(), data.destinations().size(), data.tariffPlans().size(),
                    data.userBudgets().size(), errors);
        }
    }

    /**
     * Sends the reference data; returns, for each pair (partition of the profiles topic, partition of the
     * commands topic), the profile last written to the first whose subject's commands go to the second.
     */
    private Map<List<Integer>, RatingProfile> sendReferenceData(DataSet data, KafkaProducer<String, byte[]> producer,
            AtomicReference<Exception> failure, Tally tally) throws Exception {
        // Co-partitioned with ratestream.commands: the same count, the same task for a subscriber.
        int commandPartitions = producer.partitionsFor(Topics.ADMIN_COMMANDS).size();
        Map<List<Integer>, RatingProfile> last = new ConcurrentHashMap<>();
        for (RatingProfile profile : data.ratingProfiles()) {
            int commandPartition = partitionOf(Keys.budget(profile.cstmId(), profile.subject()), commandPartitions);
            // Callbacks of one partition run in the order of its offsets, so the last put is the last record.
            producer.send(new ProducerRecord<>(Topics.RATING_PROFILES, profile.key(), mapper.writeValueAsBytes(profile)),
                    (metadata, e) -> {
                        if (e == null) {
                            last.put(List.of(metadata.partition(), commandPartition), profile);
                            tally.acknowledged();
                        }
                        failed(failure, e);
                    });
            tally.sentOne(failure);
        }
        for (var destination : data.destinations()) {
            producer.send(new ProducerRecord<>(Topics.DESTINATIONS, destination.id(),
                    mapper.writeValueAsBytes(destination)), tally.acknowledging(failure));
            tally.sentOne(failure);
        }
        for (var plan : data.tariffPlans()) {
            producer.send(new ProducerRecord<>(Topics.TARIFF_PLANS, plan.id(), mapper.writeValueAsBytes(plan)),
                    tally.acknowledging(failure));
            tally.sentOne(failure);
        }
        return last;
    }

    private static void failed(AtomicReference<Exception> failure, Exception e) {
        if (e != null) {
            failure.compareAndSet(null, e);
        }
    }

    /** The partition the producer's default partitioner gives a key: murmur2 of its bytes, as every Kafka client. */
    private static int partitionOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** Waits for the reply to every budget command; adds the refusals, one sentence each, to {@code errors}. */
    private void awaitBudgets(Map<String, UserBudget> waiting, List<String> errors,
            KafkaConsumer<String, byte[]> replies, Tally tally) throws Exception {
        while (!waiting.isEmpty()) {
            readReplies(replies, POLL, waiting, errors, tally);
            tally.look(null);
            failIfStalled(waiting, tally);
        }
    }

    private static void failIfStalled(Map<String, UserBudget> waiting, Tally tally) {
        if (tally.stalled()) {
            throw new IllegalStateException(tally.stallSentence() + " (" + tally.applied() + " of "
                    + tally.budgets + " budgets applied; no reply yet for " + waiting.size() + " budgets "
                    + sample(waiting.values().stream().map(UserBudget::id).toList()) + ")");
        }
    }

    /** Reads the replies there are (waiting at most {@code wait}); takes the answered budgets out of {@code waiting}. */
    private void readReplies(KafkaConsumer<String, byte[]> replies, Duration wait, Map<String, UserBudget> waiting,
            List<String> errors, Tally tally) throws Exception {
        for (ConsumerRecord<String, byte[]> record : replies.poll(wait)) {
            UserBudget budget = waiting.remove(record.key());
            if (budget != null) {
                tally.appliedOne();
                Reply reply = mapper.readValue(record.value(), Reply.class);
                if (reply.isError()) {
                    errors.add(budget.id() + ": " + reply.error());
                }
            }
        }
    }

    /**
     * Probes profiles with a zero-length GetCost at their first activation until the app knows them. A
     * global store applies each partition of the profiles topic in offset order, so an instance that
     * knows the last profile written to a partition knows every earlier one; one probe per pair of
     * profiles partition and commands partition thus reaches every instance that rates a command
     * partition and asks it about each profiles partition. Progress here is a probe answered by a profile
     * now known: the stall timeout counts from the last one.
     */
    private void awaitProfiles(Collection<RatingProfile> profiles, KafkaProducer<String, byte[]> producer,
            KafkaConsumer<String, byte[]> replies, Tally tally) throws Exception {
        List<RatingProfile> unknown = new ArrayList<>(profiles);
        tally.probing(unknown.size());
        int round = 0;
        while (!unknown.isEmpty()) {
            round++;
            Map<String, RatingProfile> probes = new HashMap<>();
            for (RatingProfile profile : unknown) {
                Command probe = probe(profile);
                probes.put(probe.requestId(), profile);
                // On the admin topic too: the same task rates it, and the loader needs no access to the client topic.
                producer.send(new ProducerRecord<>(Topics.ADMIN_COMMANDS, null, probe.acceptedAt().toEpochMilli(),
                        probe.key(), mapper.writeValueAsBytes(probe)));
            }
            producer.flush();
            unknown.clear();
            boolean answered = false;
            while (!probes.isEmpty()) {
                for (ConsumerRecord<String, byte[]> record : replies.poll(POLL)) {
                    RatingProfile profile = probes.remove(record.key());
                    if (profile != null) {
                        answered = true;
                        Reply reply = mapper.readValue(record.value(), Reply.class);
                        // Not found: this instance does not know the profile yet (a tariff gap at the
                        // activation instant would read the same; the stall timeout then says which profile).
                        if (reply.isError() && reply.errorKind() == ErrorKind.NOT_FOUND) {
                            unknown.add(profile);
                        } else {
                            tally.profileKnown();
                        }
                    }
                }
                tally.look(null);
                if (tally.stalled()) {
                    List<String> names = new ArrayList<>(probes.values().stream().map(RatingProfile::key).toList());
                    unknown.forEach(profile -> names.add(profile.key()));
                    throw new IllegalStateException(answered
                            ? "the streams app answers, but has not rated with the rating profiles " + sample(names)
                                    + " for " + tally.stallSeconds() + " s: did their records reach "
                                    + Topics.RATING_PROFILES + " of the same cluster?"
                            : tally.stallSentence() + " (the streams app did not answer the probes of the rating "
                                    + "profiles " + sample(names) + ")");
                }
            }
            if (!unknown.isEmpty()) {
                waitBeforeProbing(round, tally);
            }
        }
    }

    /** Waits a little longer each round (at most 1 s) before probing again, still reporting progress. */
    private static void waitBeforeProbing(int round, Tally tally) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofMillis(Math.min(1000, 50L * round)).toNanos();
        while (System.nanoTime() < until) {
            Thread.sleep(Math.max(1, Math.min(POLL.toMillis(), (until - System.nanoTime()) / 1_000_000)));
            tally.look(null);
        }
    }

    /**
     * A load's counters, progress lines and time limits. The loading thread sends, reads replies and looks;
     * the producer's thread counts acknowledgements.
     */
    private final class Tally {

        private final long records;
        private final long budgets;
        private final long started = System.nanoTime();
        private final AtomicLong acknowledged = new AtomicLong();
        private long sent;
        private long applied;
        private long firstApplied = -1;
        private long probes = -1;
        private long profilesKnown;
        /** The counters' sum at the last look, and when it last grew. */
        private long lastSum;
        private long lastProgress = started;
        private long lastLine = started;

        Tally(long records, long budgets) {
            this.records = records;
            this.budgets = budgets;
        }

        long sent() {
            return sent;
        }

        long applied() {
            return applied;
        }

        /** Counts one record sent; sometimes looks at the clock. */
        void sentOne(AtomicReference<Exception> failure) {
            sent++;
            if (sent % TICK_RECORDS == 0) {
                look(failure);
            }
        }

        /** A producer callback that counts an acknowledgement or records the failure. */
        Callback acknowledging(AtomicReference<Exception> failure) {
            return (metadata, e) -> {
                if (e == null) {
                    acknowledged.incrementAndGet();
                }
                failed(failure, e);
            };
        }

        void acknowledged() {
            acknowledged.incrementAndGet();
        }

        void appliedOne() {
            if (applied++ == 0) {
                firstApplied = System.nanoTime();
            }
        }

        void probing(int count) {
            probes = count;
        }

        void profileKnown() {
            profilesKnown++;
        }

        /**
         * Notes progress, prints a line when one is due, and fails on a record Kafka refused (when
         * {@code failure} is given) or once the overall timeout passed.
         */
        void look(AtomicReference<Exception> failure) {
            long now = System.nanoTime();
            long sum = acknowledged.get() + applied + profilesKnown;
            if (sum != lastSum) {
                lastSum = sum;
                lastProgress = now;
            }
            if (progress != null && now - lastLine >= progressInterval.toNanos()) {
                lastLine = now;
                progress.println("load: " + line(now));
            }
            if (failure != null && failure.get() != null) {
                throw new IllegalStateException("could not write to Kafka at " + bootstrapServers + ": "
                        + failure.get().getMessage(), failure.get());
            }
            if (timeout != null && now - started > timeout.toNanos()) {
                throw new IllegalStateException("the load took longer than its overall timeout of "
                        + timeout.toSeconds() + " s: " + line(now));
            }
        }

        /** Whether nothing progressed for the stall timeout, as of the last look. */
        boolean stalled() {
            return System.nanoTime() - lastProgress > stallTimeout.toNanos();
        }

        long stallSeconds() {
            return stallTimeout.toSeconds();
        }

        String stallSentence() {
            return "no record applied for " + stallSeconds() + " s: is the streams app running?";
        }

        void done() {
            if (progress != null) {
                progress.println("load: done in " + String.format("%.1f s", seconds(System.nanoTime() - started))
                        + ": " + counters(System.nanoTime()));
            }
        }

        private String line(long now) {
            String line = counters(now);
            String left = left(now);
            return left == null ? line : line + ", " + left;
        }

        private String counters(long now) {
            double elapsed = Math.max(seconds(now - started), 1e-3);
            String line = String.format("sent %d/%d records, acknowledged %d (%.0f/s)", sent, records,
                    acknowledged.get(), acknowledged.get() / elapsed);
            if (budgets > 0) {
                line += String.format(", applied %d/%d budgets (%.0f/s)", applied, budgets, appliedRate(now));
            }
            if (probes >= 0) {
                line += String.format(", rating profiles checked %d/%d", profilesKnown, probes);
            }
            return line;
        }

        /** Budgets applied per second since the first was. */
        private double appliedRate(long now) {
            return applied == 0 ? 0 : applied / Math.max(seconds(now - firstApplied), 1e-3);
        }

        /** The time left, from the rate of the budgets applied (else of the records acknowledged); null if unknown. */
        private String left(long now) {
            double remaining;
            double rate;
            if (budgets > 0) {
                remaining = budgets - applied;
                rate = appliedRate(now);
            } else {
                remaining = records - acknowledged.get();
                rate = acknowledged.get() / Math.max(seconds(now - started), 1e-3);
            }
            if (remaining <= 0 || rate <= 0) {
                return remaining <= 0 ? null : "time left unknown";
            }
            long secondsLeft = (long) Math.ceil(remaining / rate);
            return "about " + Duration.ofSeconds(secondsLeft).toString().substring(2).toLowerCase() + " left";
        }

        private static double seconds(long nanos) {
            return nanos / 1e9;
        }
    }

    private Command probe(RatingProfile profile) {
        OffsetDateTime at = profile.activationPeriods().isEmpty() ? OffsetDateTime.now(clock)
                : profile.activationPeriods().get(0).activationTime();
        CallDescriptor call = new CallDescriptor(0, profile.cstmId(), profile.subject(), profile.destinationPrefix(),
                at, at, null, null);
        return new Command("probe:" + UUID.randomUUID(), Method.GET_COST, call, clock.instant(), null, null);
    }

    private static String sample(List<String> names) {
        return names.size() <= SHOWN ? names.toString()
                : names.subList(0, SHOWN).toString().replace("]", ", ...]");
    }

    private Command setBudget(String tenant, UserBudget budget, String batch) throws Exception {
        String content = digest(mapper.writeValueAsString(budget));
        String id = "load:" + tenant + ":" + (batch == null ? content : batch + ":" + content);
        CallDescriptor descriptor = new CallDescriptor(0, tenant, budget.id(), null, null, null, null, null);
        return new Command(id, Method.SET_USER_BUDGET, descriptor, clock.instant(), null, budget);
    }

    private static String digest(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Batches and compresses: a million budgets and two million profiles are gigabytes of JSON. */
    private KafkaProducer<String, byte[]> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        props.putAll(kafkaProperties);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    private KafkaConsumer<String, byte[]> repliesFromNow() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.putAll(kafkaProperties);
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.REPLIES, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(Topics.REPLIES, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(p -> consumer.position(p, Duration.ofSeconds(30)));
        return consumer;
    }
}
