package io.ratestream.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.app.CliTest.Run;
import io.ratestream.app.cdrs.CdrExport;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.event.BudgetEvent;
import io.ratestream.schemas.event.RatedCall;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.model.Interval;
import io.ratestream.schemas.model.MinuteInfo;
import io.ratestream.schemas.model.Timespan;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.topics.Topics;
import io.ratestream.streams.TopicSetup;
import io.ratestream.testkit.junit.KafkaBroker;
import io.ratestream.testkit.junit.KafkaBrokerExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ratestream cdrs} against the real broker: BudgetEvents with and without a RatedCall, for two tenants,
 * inside and outside the range, and a record that is no event, on ratestream.events; the command run in this
 * JVM, its CSV and JSON lines compared character for character, and its usage errors. The topic is shared with
 * the other tests of the JVM, so the tenants are this run's own and the days are relative to today (a record's
 * timestamp must be within the broker's retention and not in its future).
 */
@ExtendWith(KafkaBrokerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CdrsCommandTest {

    private static final String HEADER = "CstmId,Subject,Destination,DestinationPrefix,SessionId,TOR,TimeStart,EndedAt,"
            + "Used,Granted,UsedBeyondGrant,Cost,ConnectFee,Spans,CreditAfter,EndedBy";

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String tenant = "cdr" + run;
    private final String other = "oth" + run;
    private final String future = "fut" + run;
    private final ObjectMapper mapper = Json.newMapper();
    /** Yesterday (UTC): the day of the calls. */
    private final LocalDate day = LocalDate.now(ZoneOffset.UTC).minusDays(1);
    private final String from = day + "T10:00:00Z";
    private final String to = day.plusDays(1) + "T00:00:00Z";
    private String bootstrap;
    /** The calls the export must give, with where they are on the topic. */
    private final List<Written> expected = new ArrayList<>();
    private Written garbage;

    private record Written(RatedCall call, int partition, long offset) {
    }

    @BeforeAll
    void writeEvents(KafkaBroker broker) throws Exception {
        bootstrap = broker.bootstrapServers();
        TopicSetup.ensure(bootstrap, 4, (short) 1);
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            // In the range: at --from exactly (inclusive), decimals with trailing zeros that are written without.
            RatedCall first = call(tenant, "alice", "s-1", at("10:00:00Z"), instant("10:01:30Z"), "90", "120", "0",
                    "18.00", "0.50", 1, "12.000", RatedCall.EndedBy.CLIENT);
            expected.add(write(producer, event(first, Method.SESSION_END)));
            // A subject that CSV must quote, a start at +02:00 with a fraction, a cost that must not get an exponent.
            RatedCall quoted = call(tenant, "o'neil, \"jr\"", "s-2", OffsetDateTime.parse(day + "T12:30:00.25+02:00"),
                    instant("10:33:00.5Z"), "120", "120", "0", "0.0000001", "0", 2, "-0.25", RatedCall.EndedBy.EXPIRY);
            expected.add(write(producer, event(quoted, Method.SESSION_EXPIRY)));
            // No rated call: a debit in the same hours.
            write(producer, new BudgetEvent("d-" + run, Method.DEBIT_BALANCE, tenant, "alice", instant("10:05:00Z"),
                    budget("alice", "20"), budget("alice", "18.5")));
            // Just before --from, and at --to (exclusive): not exported.
            write(producer, event(call(tenant, "alice", "s-3", OffsetDateTime.parse(day + "T09:59:59.999Z"),
                    instant("10:02:00Z"), "30", "60", "0", "1", "0", 1, "11", RatedCall.EndedBy.CLIENT),
                    Method.SESSION_END));
            write(producer, event(call(tenant, "alice", "s-4", OffsetDateTime.parse(to), instant("23:59:00Z").plus(
                    Duration.ofMinutes(2)), "30", "60", "0", "1", "0", 1, "10", RatedCall.EndedBy.CLIENT),
                    Method.SESSION_END));
            // Another tenant, in the range: not exported.
            write(producer, event(call(other, "alice", "s-5", at("11:00:00Z"), instant("11:01:00Z"), "60", "60", "0",
                    "6", "0", 1, "4", RatedCall.EndedBy.CLIENT), Method.SESSION_END));
            // Not an event at all, keyed for the tenant: reported and skipped.
            garbage = writeRaw(producer, tenant + ":alice", instant("11:30:00Z"),
                    "{\"RequestId\":\"x\",\"Method\":".getBytes(StandardCharsets.UTF_8));
            // Used beyond the grant, started just before --to, ended after it; a cost stored as 1E+2.
            RatedCall beyond = call(tenant, "bob", "s-6", at("23:59:59Z"), instant("23:59:59Z").plusSeconds(400), "400",
                    "300", "100", "1E+2", "0", 3, "-3.5", RatedCall.EndedBy.CLIENT);
            expected.add(write(producer, event(beyond, Method.SESSION_END)));
            producer.flush();
        }
        expected.sort(Comparator.comparingInt(Written::partition).thenComparingLong(Written::offset));
        awaitCommittedEnd();
    }

    @Test
    void shouldExportTheTenantsCallsOfTheRangeAsCsvInTopicOrder() {
        Run csv = CliTest.cli("cdrs", "--bootstrap", bootstrap, "--tenant", tenant, "--from", from, "--to", to);

        assertThat(csv.code()).as(csv.err()).isZero();
        String d = day.toString();
        String alice = tenant + ",alice,0256308200,0256,s-1,0," + d + "T10:00:00Z," + d + "T10:01:30Z,90,120,0,18,0.5,1,12,"
                + "client";
        String oneil = tenant + ",\"o'neil, \"\"jr\"\"\",0256308200,0256,s-2,0," + d + "T12:30:00.25+02:00," + d
                + "T10:33:00.500Z,120,120,0,0.0000001,0,2,-0.25,expiry";
        String bob = tenant + ",bob,0256308200,0256,s-6,0," + d + "T23:59:59Z," + day.plusDays(1) + "T00:06:39Z,400,300,"
                + "100,100,0,3,-3.5,client";
        Map<String, String> lines = Map.of("s-1", alice, "s-2", oneil, "s-6", bob);
        StringBuilder want = new StringBuilder(HEADER).append("\r\n");
        expected.forEach(written -> want.append(lines.get(written.call().sessionId())).append("\r\n"));
        assertThat(csv.out()).isEqualTo(want.toString());
        assertThat(csv.err()).contains("cdrs: skipped " + Topics.EVENTS + "-" + garbage.partition() + " offset "
                + garbage.offset() + " (key " + tenant + ":alice): not a BudgetEvent: ")
                .containsPattern("cdrs: done in [0-9.]+ s: read \\d+ records \\(\\d+/s\\), exported 3 calls, "
                        + "skipped 1 unreadable");
    }

    @Test
    void shouldExportTheSameCallsAsJsonLinesAsRatestreamWritesThem() throws Exception {
        Run jsonl = CliTest.cli("cdrs", "--bootstrap", bootstrap, "--tenant", tenant, "--from", from, "--to", to,
                "--format", "jsonl");

        assertThat(jsonl.code()).as(jsonl.err()).isZero();
        StringBuilder want = new StringBuilder();
        for (Written written : expected) {
            want.append(mapper.writeValueAsString(written.call())).append('\n');
        }
        assertThat(jsonl.out()).isEqualTo(want.toString());
        assertThat(jsonl.out()).contains("\"CstmId\":\"" + tenant + "\",\"Subject\":\"o'neil, \\\"jr\\\"\"")
                .contains("\"Cost\":0.0000001,").contains("\"Cost\":100,").contains("\"EndedBy\":\"expiry\"}");
    }

    @Test
    void shouldExportEveryCallWithoutBoundsAndWriteAFileOnlyWhenComplete(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("calls.csv");
        Files.writeString(file, "an older export");

        Run all = CliTest.cli("cdrs", "--bootstrap", bootstrap, "--tenant", tenant, "--output", file.toString());

        assertThat(all.code()).as(all.err()).isZero();
        assertThat(all.out()).isEqualTo("wrote 5 calls of tenant " + tenant + " to " + file + "\n");
        String written = Files.readString(file);
        assertThat(written).startsWith(HEADER + "\r\n").contains(",s-1,").contains(",s-2,").contains(",s-3,")
                .contains(",s-4,").contains(",s-6,").doesNotContain(",s-5,").doesNotContain("older");
        assertThat(written.split("\r\n", -1)).hasSize(7); // the header, 5 calls, and after the last CRLF nothing
        assertThat(Files.getPosixFilePermissions(file)).containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE);
        try (var files = Files.list(dir)) {
            assertThat(files.map(Path::getFileName).map(Path::toString)).containsExactly("calls.csv");
        }
    }

    @Test
    void shouldMissACallThatStartedLongerThanTheSeekMarginAfterItsEndUnlessAskedToReadEverything() throws Exception {
        // A client's TimeStart two days after the service accepted the end: the record's timestamp is now.
        OffsetDateTime start = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).plusDays(2);
        RatedCall late = call(future, "zoe", "s-9", start, Instant.now().truncatedTo(ChronoUnit.SECONDS), "60", "60",
                "0", "6", "0", 1, "4", RatedCall.EndedBy.CLIENT);
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            write(producer, event(late, Method.SESSION_END));
        }
        awaitCommittedEnd();
        String[] range = {"cdrs", "--bootstrap", bootstrap, "--tenant", future, "--format", "jsonl", "--from",
            start.minusDays(1).toString(), "--to", start.plusDays(1).toString()};

        Run margin = CliTest.cli(range);
        Run everything = CliTest.cli(concat(range, "--seek-margin-seconds", "-1"));
        Run wider = CliTest.cli(concat(range, "--seek-margin-seconds", "" + Duration.ofDays(2).toSeconds()));

        assertThat(margin.code()).as(margin.err()).isZero();
        assertThat(margin.out()).isEmpty();
        assertThat(margin.err()).contains("exported 0 calls");
        String line = mapper.writeValueAsString(late) + "\n";
        assertThat(everything.out()).isEqualTo(line);
        assertThat(wider.out()).isEqualTo(line);
    }

    @Test
    void shouldPrintProgressLinesOnItsReportStreamAndNothingElse() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream report = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        CdrExport export = new CdrExport(bootstrap, Map.of(), new CdrExport.Settings(null,
                CdrExport.DEFAULT_STALL_TIMEOUT, Duration.ZERO), report);
        List<String> sessions = new ArrayList<>();

        CdrExport.Summary summary = export.export(new CdrExport.Range(tenant, null, null),
                call -> sessions.add(call.sessionId()));

        assertThat(sessions).containsExactlyInAnyOrder("s-1", "s-2", "s-3", "s-4", "s-6");
        assertThat(summary.calls()).isEqualTo(5);
        assertThat(summary.unreadable()).isEqualTo(1);
        assertThat(summary.partitions()).isEqualTo(summary.endOffsets().size()).isPositive();
        assertThat(summary.records()).isGreaterThanOrEqualTo(8);
        Pattern progress = Pattern.compile("cdrs: read \\d+ records \\(\\d+/s\\), exported \\d+ calls?(, skipped 1 "
                + "unreadable)?; partition \\d+ of \\d+ \\(" + Pattern.quote(Topics.EVENTS) + "-\\d+\\) at offset \\d+ "
                + "of \\d+");
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).anyMatch(l -> progress.matcher(l).matches());
        assertThat(lines).allMatch(l -> progress.matcher(l).matches() || l.startsWith("cdrs: skipped ")
                || l.startsWith("cdrs: done in "));
    }

    @Test
    void shouldRefuseBadUsageWithExitCodeTwo() {
        Run noTenant = CliTest.cli("cdrs", "--bootstrap", bootstrap, "--from", from);
        Run badTenant = CliTest.cli("cdrs", "--bootstrap", bootstrap, "--tenant", "a:b");
        Run format = CliTest.cli("cdrs", "--bootstrap", bootstrap, "--tenant", tenant, "--format", "xml");
        Run reversed = CliTest.cli("cdrs", "--bootstrap", bootstrap, "--tenant", tenant, "--from", to, "--to", from);
        Run empty = CliTest.cli("cdrs", "--bootstrap", bootstrap, "--tenant", tenant, "--from", from, "--to", from);
        Run time = CliTest.cli("cdrs", "--bootstrap", bootstrap, "--tenant", tenant, "--from", "yesterday");
        Run margin = CliTest.cli("cdrs", "--bootstrap", bootstrap, "--tenant", tenant, "--seek-margin-seconds", "-2");

        for (Run usage : List.of(noTenant, badTenant, format, reversed, empty, time, margin)) {
            assertThat(usage.code()).as(usage.err()).isEqualTo(2);
            assertThat(usage.out()).isEmpty();
        }
        assertThat(noTenant.err()).startsWith("--tenant is required");
        assertThat(badTenant.err()).contains("--tenant must not contain ':'");
        assertThat(format.err()).contains("unknown format 'xml': give csv or jsonl");
        assertThat(reversed.err()).startsWith("--from " + to + " is not before --to " + from);
        assertThat(empty.err()).startsWith("--from " + from + " is not before --to " + from);
        assertThat(time.err()).contains("'yesterday' is not an RFC 3339 time");
        assertThat(margin.err()).startsWith("--seek-margin-seconds must be -1");
    }

    @Test
    void shouldFailWithinTheStallTimeoutWhenKafkaDoesNotAnswer() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        Run unreachable = CliTest.cli("cdrs", "--bootstrap", "127.0.0.1:" + closed, "--tenant", tenant,
                "--stall-timeout-seconds", "1");

        assertThat(unreachable.code()).isEqualTo(1);
        assertThat(unreachable.out()).isEmpty();
        assertThat(unreachable.err()).contains("ratestream cdrs: could not read the partitions of ratestream.events "
                + "from Kafka at 127.0.0.1:" + closed + " within 1 s");
    }

    private static String[] concat(String[] args, String... more) {
        String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }

    private OffsetDateTime at(String time) {
        return OffsetDateTime.parse(day + "T" + time);
    }

    private Instant instant(String time) {
        return Instant.parse(day + "T" + time);
    }

    private static RatedCall call(String tenant, String subject, String session, OffsetDateTime start, Instant ended,
            String used, String granted, String beyond, String cost, String connectFee, int spans, String creditAfter,
            RatedCall.EndedBy by) {
        List<Timespan> timespans = new ArrayList<>();
        Interval interval = new Interval(0, 0, List.of(), null, null, 0, new BigDecimal("0.5"), new BigDecimal("0.2"),
                BigDecimal.ONE);
        for (int i = 0; i < spans; i++) {
            OffsetDateTime spanStart = start.plusSeconds(i);
            timespans.add(i == 0
                    ? new Timespan(spanStart, spanStart.plusSeconds(1), new BigDecimal("0.2"), interval,
                            OffsetDateTime.parse("2012-01-01T00:00:00Z"), null)
                    : new Timespan(spanStart, spanStart.plusSeconds(1), BigDecimal.ZERO, null, null,
                            new MinuteInfo("nationale", BigDecimal.ONE, BigDecimal.ZERO)));
        }
        return new RatedCall(session, tenant, subject, "0256308200", "0256", 0, start, ended, new BigDecimal(used),
                new BigDecimal(granted), new BigDecimal(beyond), new BigDecimal(cost), new BigDecimal(connectFee),
                timespans, new BigDecimal(creditAfter), by);
    }

    private static UserBudget budget(String subject, String credit) {
        return new UserBudget(subject, new BigDecimal(credit), BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO,
                BigDecimal.ZERO, 10, "seara", List.of(), null);
    }

    private BudgetEvent event(RatedCall call, Method method) {
        return new BudgetEvent(call.sessionId() + "-" + run, method, call.cstmId(), call.subject(), call.endedAt(),
                budget(call.subject(), "30"), budget(call.subject(), call.creditAfter().toPlainString()), call);
    }

    /** Writes an event as the streams app does: keyed tenant:subject, its timestamp the end's accepted-at. */
    private Written write(KafkaProducer<byte[], byte[]> producer, BudgetEvent event) throws Exception {
        Written place = writeRaw(producer, event.tenant() + ":" + event.subject(), event.acceptedAt(),
                mapper.writeValueAsBytes(event));
        return new Written(event.ratedCall(), place.partition(), place.offset());
    }

    private Written writeRaw(KafkaProducer<byte[], byte[]> producer, String key, Instant timestamp, byte[] value)
            throws Exception {
        RecordMetadata metadata = producer.send(new ProducerRecord<>(Topics.EVENTS, null, timestamp.toEpochMilli(),
                key.getBytes(StandardCharsets.UTF_8), value)).get(30, TimeUnit.SECONDS);
        return new Written(null, metadata.partition(), metadata.offset());
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * Waits until a read_committed consumer's end offsets are the log's: another test's open transaction on the
     * topic would otherwise hide the records just written.
     */
    private void awaitCommittedEnd() throws InterruptedException {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaConsumer<byte[], byte[]> uncommitted = consumer(props, "read_uncommitted");
                KafkaConsumer<byte[], byte[]> committed = consumer(props, "read_committed")) {
            List<TopicPartition> partitions = uncommitted.partitionsFor(Topics.EVENTS).stream()
                    .map(info -> new TopicPartition(Topics.EVENTS, info.partition())).toList();
            Map<TopicPartition, Long> written = uncommitted.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (committed.endOffsets(partitions).entrySet().stream()
                    .anyMatch(end -> end.getValue() < written.get(end.getKey()))) {
                assertThat(System.nanoTime()).as("ratestream.events committed up to " + written).isLessThan(deadline);
                Thread.sleep(100);
            }
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(Properties base, String isolation) {
        Properties props = new Properties();
        props.putAll(base);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
