package io.ratestream.app.cdrs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.ratestream.schemas.event.BudgetEvent;
import io.ratestream.schemas.event.RatedCall;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.json.Texts;
import io.ratestream.schemas.topics.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the rated-call records of one tenant from {@code ratestream.events} ({@code ratestream cdrs};
 * docs/cdrs.md). Every session end, by the client or by the service's expiry, publishes a {@link BudgetEvent}
 * whose {@link BudgetEvent#ratedCall()} is the record; events without one are skipped.
 *
 * <p><b>What it reads.</b> A consumer with no group ({@code assign}), {@code read_committed}, takes the end
 * offsets of every partition when it starts and reads each partition in turn, in partition order and then in
 * offset order, up to that end: records written after the start are not exported, and the export ends. A
 * partition is read from the first record whose timestamp is at least {@code from} minus the seek margin. An
 * event's timestamp is when its end was accepted, which is after the call started, so that skips only calls
 * that started before {@code from}; the margin covers a {@code TimeStart} that a client's clock put after the
 * end was accepted. Without {@code from}, or with no margin ({@code null}), every partition is read from its
 * beginning (what retention kept).
 *
 * <p><b>What it exports.</b> The records of events keyed {@code tenant:...} whose {@code CstmId} is the
 * tenant and whose {@code TimeStart} is in {@code [from, to)} (either bound may be absent). A tenant never
 * contains {@code ':'}, so the key tells the tenant and other tenants' events are not parsed. A record of the
 * tenant that cannot be read as a BudgetEvent is reported on the report stream, counted, and skipped.
 *
 * <p>Memory does not grow with the topic: each record is written to the {@link CallSink} as it is read.
 * Not thread-safe: one export at a time per instance.
 */
public final class CdrExport {

    /** How far before {@code from} the export starts reading, by record timestamp, by default, in seconds: 1 hour. */
    public static final long DEFAULT_SEEK_MARGIN_SECONDS = 3600;

    /** {@link #DEFAULT_SEEK_MARGIN_SECONDS} as a duration. */
    public static final Duration DEFAULT_SEEK_MARGIN = Duration.ofSeconds(DEFAULT_SEEK_MARGIN_SECONDS);

    /**
     * How long the export waits for Kafka (metadata, offsets, a record below a partition's end offset) before
     * it fails, by default, in seconds: 60.
     */
    public static final int DEFAULT_STALL_TIMEOUT_SECONDS = 60;

    /** {@link #DEFAULT_STALL_TIMEOUT_SECONDS} as a duration. */
    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(DEFAULT_STALL_TIMEOUT_SECONDS);

    /** How often a progress line is printed, at most, by default: 5 s (the first one after 5 s). */
    public static final Duration DEFAULT_PROGRESS_INTERVAL = Duration.ofSeconds(5);

    private static final Duration POLL = Duration.ofMillis(200);

    private final String bootstrapServers;
    private final Map<String, String> kafkaProperties;
    private final Settings settings;
    private final PrintStream report;
    private final ObjectReader events;

    /**
     * How an export reads.
     *
     * @param seekMargin how far before {@code from} to start reading, by record timestamp; null to read every
     *     partition from its beginning
     * @param stallTimeout the longest to wait for Kafka: metadata, offsets, and a record below an end offset
     * @param progressInterval the least time between two progress lines; zero prints one after every poll
     */
    public record Settings(Duration seekMargin, Duration stallTimeout, Duration progressInterval) {
        public Settings {
            Objects.requireNonNull(stallTimeout, "stallTimeout");
            Objects.requireNonNull(progressInterval, "progressInterval");
            if (seekMargin != null && seekMargin.isNegative()) {
                throw new IllegalArgumentException("the seek margin must not be negative: " + seekMargin);
            }
            if (stallTimeout.isNegative() || stallTimeout.isZero() || progressInterval.isNegative()) {
                throw new IllegalArgumentException("the stall timeout must be positive and the progress interval "
                        + "not negative: " + stallTimeout + ", " + progressInterval);
            }
        }

        /** The defaults: {@link #DEFAULT_SEEK_MARGIN}, {@link #DEFAULT_STALL_TIMEOUT}, {@link #DEFAULT_PROGRESS_INTERVAL}. */
        public static Settings defaults() {
            return new Settings(DEFAULT_SEEK_MARGIN, DEFAULT_STALL_TIMEOUT, DEFAULT_PROGRESS_INTERVAL);
        }
    }

    /**
     * Which calls to export.
     *
     * @param tenant the tenant; never null
     * @param from the earliest call start exported (inclusive); null for no bound
     * @param to the call starts exported are before it (exclusive); null for no bound
     */
    public record Range(String tenant, Instant from, Instant to) {
        public Range {
            Objects.requireNonNull(tenant, "tenant");
            if (from != null && to != null && !from.isBefore(to)) {
                throw new IllegalArgumentException("from " + from + " is not before to " + to + ": the range is empty");
            }
        }

        /** Whether a call that started at {@code start} is in the range. */
        public boolean contains(Instant start) {
            return (from == null || !start.isBefore(from)) && (to == null || start.isBefore(to));
        }
    }

    /** Where the exported records go, one at a time, in the order they are read. */
    @FunctionalInterface
    public interface CallSink {
        void accept(RatedCall call) throws IOException;
    }

    /**
     * What an export did.
     *
     * @param records records read from the topic, every tenant's
     * @param calls rated calls exported
     * @param unreadable records of the tenant that could not be read, skipped
     * @param partitions partitions read
     * @param endOffsets the offsets read up to, by partition ({@code ratestream.events-0}, ...)
     */
    public record Summary(long records, long calls, long unreadable, int partitions, Map<String, Long> endOffsets) {
    }

    /**
     * An export against a cluster.
     *
     * @param kafkaProperties client properties applied after the export's own (security: SASL, TLS); never null
     * @param report where unreadable records and progress lines are printed (the command line: standard error)
     */
    public CdrExport(String bootstrapServers, Map<String, String> kafkaProperties, Settings settings, PrintStream report) {
        this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        this.kafkaProperties = Map.copyOf(kafkaProperties);
        this.settings = Objects.requireNonNull(settings, "settings");
        this.report = Objects.requireNonNull(report, "report");
        ObjectMapper mapper = Json.newMapper();
        this.events = mapper.readerFor(BudgetEvent.class);
    }

    /**
     * Exports the calls of {@code range} to {@code sink}.
     *
     * @throws IllegalStateException when the topic does not exist or Kafka does not answer within the stall
     *     timeout
     * @throws IOException when the sink fails
     */
    public Summary export(Range range, CallSink sink) throws IOException {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = partitions(consumer);
            Map<TopicPartition, Long> ends = offsets(() -> consumer.endOffsets(partitions, settings.stallTimeout()),
                    "the end offsets");
            Map<TopicPartition, Long> starts = starts(consumer, partitions, range.from(), ends);
            Map<String, Long> endOffsets = new LinkedHashMap<>();
            partitions.forEach(partition -> endOffsets.put(partition.toString(), ends.get(partition)));
            Progress progress = new Progress(partitions.size());
            byte[] keyPrefix = (range.tenant() + ":").getBytes(StandardCharsets.UTF_8);
            for (TopicPartition partition : partitions) {
                progress.partition++;
                read(consumer, partition, starts.get(partition), ends.get(partition), progress, record -> {
                    if (!startsWith(record.key(), keyPrefix)) {
                        return;
                    }
                    RatedCall call = ratedCall(record, progress);
                    if (call != null && call.cstmId().equals(range.tenant())
                            && range.contains(call.timeStart().toInstant())) {
                        sink.accept(call);
                        progress.calls++;
                    }
                });
            }
            progress.done();
            return new Summary(progress.records, progress.calls, progress.unreadable, partitions.size(), endOffsets);
        }
    }

    /** The record's rated call; null for an event without one, and for a record that is no event (reported). */
    private RatedCall ratedCall(ConsumerRecord<byte[], byte[]> record, Progress progress) {
        try {
            if (record.value() == null) {
                throw new IllegalArgumentException("the record has no value");
            }
            BudgetEvent event = events.readValue(record.value());
            return event.ratedCall();
        } catch (IOException | RuntimeException e) {
            progress.unreadable++;
            report.println("cdrs: skipped " + record.topic() + "-" + record.partition() + " offset " + record.offset()
                    + " (key " + Texts.cut(new String(record.key(), StandardCharsets.UTF_8), 200)
                    + "): not a BudgetEvent: " + Json.describe(e));
            return null;
        }
    }

    private List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer) {
        List<PartitionInfo> infos;
        try {
            infos = consumer.partitionsFor(Topics.EVENTS, settings.stallTimeout());
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw unreachable("the partitions of " + Topics.EVENTS, e);
        }
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("the topic " + Topics.EVENTS + " does not exist on " + bootstrapServers
                    + ": is --bootstrap the cluster ratestream runs on? (the streams app creates it)");
        }
        List<TopicPartition> partitions = new ArrayList<>();
        infos.forEach(info -> partitions.add(new TopicPartition(info.topic(), info.partition())));
        partitions.sort(Comparator.comparingInt(TopicPartition::partition));
        return partitions;
    }

    /**
     * Where each partition is read from: the first record at or after {@code from} minus the margin (the end
     * when there is none), or its beginning.
     */
    private Map<TopicPartition, Long> starts(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions,
            Instant from, Map<TopicPartition, Long> ends) {
        Map<TopicPartition, Long> beginnings = offsets(() -> consumer.beginningOffsets(partitions,
                settings.stallTimeout()), "the beginning offsets");
        if (from == null || settings.seekMargin() == null) {
            return beginnings;
        }
        long timestamp = Math.max(0, from.minus(settings.seekMargin()).toEpochMilli());
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(partition -> query.put(partition, timestamp));
        Map<TopicPartition, OffsetAndTimestamp> found = offsets(() -> consumer.offsetsForTimes(query,
                settings.stallTimeout()), "the offsets for " + Instant.ofEpochMilli(timestamp));
        Map<TopicPartition, Long> starts = new HashMap<>();
        for (TopicPartition partition : partitions) {
            OffsetAndTimestamp at = found.get(partition);
            long start = at == null ? ends.get(partition) : at.offset();
            starts.put(partition, Math.max(start, beginnings.get(partition)));
        }
        return starts;
    }

    /** Reads one partition from {@code start} up to {@code end}; fails when no record comes for the stall timeout. */
    private void read(KafkaConsumer<byte[], byte[]> consumer, TopicPartition partition, long start, long end,
            Progress progress, RecordHandler each) throws IOException {
        if (start >= end) {
            return;
        }
        List<TopicPartition> one = List.of(partition);
        consumer.assign(one);
        consumer.seek(partition, start);
        long deadline = System.nanoTime() + settings.stallTimeout().toNanos();
        long position = start;
        while (position < end) {
            List<ConsumerRecord<byte[], byte[]>> records = consumer.poll(POLL).records(partition);
            for (ConsumerRecord<byte[], byte[]> record : records) {
                if (record.offset() < end) {
                    progress.records++;
                    each.accept(record);
                }
            }
            long now = System.nanoTime();
            long next = consumer.position(partition, settings.stallTimeout());
            if (next > position) {
                position = next;
                deadline = now + settings.stallTimeout().toNanos();
            } else if (now > deadline) {
                throw new IllegalStateException("reading " + partition + " stopped at offset " + position + " of "
                        + end + ": no record for " + settings.stallTimeout().toSeconds() + " s (is the cluster "
                        + "reachable? --stall-timeout-seconds waits longer)");
            }
            progress.look(partition, position, end);
        }
        consumer.unsubscribe();
    }

    @FunctionalInterface
    private interface RecordHandler {
        void accept(ConsumerRecord<byte[], byte[]> record) throws IOException;
    }

    private <T> T offsets(java.util.function.Supplier<T> ask, String what) {
        try {
            return ask.get();
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw unreachable(what, e);
        }
    }

    private IllegalStateException unreachable(String what, Exception e) {
        return new IllegalStateException("could not read " + what + " from Kafka at " + bootstrapServers + " within "
                + settings.stallTimeout().toSeconds() + " s: is --bootstrap right and the cluster up? ("
                + e.getMessage() + ")", e);
    }

    /** "1 call", "3 calls". */
    public static String calls(long count) {
        return count + (count == 1 ? " call" : " calls");
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        if (key == null || key.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (key[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "ratestream-cdrs");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                IsolationLevel.READ_COMMITTED.toString().toLowerCase(Locale.ROOT));
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.putAll(kafkaProperties);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** The counters of one export and its progress lines. */
    private final class Progress {
        private final int partitions;
        private final long started = System.nanoTime();
        private long lastLine = started;
        int partition;
        long records;
        long calls;
        long unreadable;

        Progress(int partitions) {
            this.partitions = partitions;
        }

        void look(TopicPartition at, long position, long end) {
            long now = System.nanoTime();
            if (now - lastLine >= settings.progressInterval().toNanos()) {
                lastLine = now;
                report.println("cdrs: " + counters(now) + "; partition " + partition + " of " + partitions
                        + " (" + at + ") at offset " + position + " of " + end);
            }
        }

        void done() {
            long now = System.nanoTime();
            report.println(String.format(Locale.ROOT, "cdrs: done in %.1f s: %s", (now - started) / 1e9,
                    counters(now)));
        }

        private String counters(long now) {
            double seconds = Math.max((now - started) / 1e9, 1e-3);
            return String.format(Locale.ROOT, "read %d records (%.0f/s), exported %s", records, records / seconds,
                    calls(calls)) + (unreadable == 0 ? "" : ", skipped " + unreadable + " unreadable");
        }
    }
}
