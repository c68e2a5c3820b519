package io.ratestream.app.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.app.fuzz.TopicInputs.Item;
import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.topics.Topics;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the topics of a running system ({@code ratestream dev} in a child JVM, see {@link ChildStack})
 * with a real KafkaProducer: mutated commands, random bytes, tombstones and wrong keys on
 * ratestream.commands; mutated reference records on the three reference topics; SetUserBudget commands
 * with broken budgets; numbers far out of range; oversized poison records. Between them, a ledger client
 * debits one budget with request ids (and retries some), and computes its credit exactly.
 *
 * <p>After each batch: every ledger debit and a probe on every partition is answered (the pipeline keeps
 * answering); each ledger reply carries exactly the credit the client computed (retries the original
 * one); every error reply to fuzz input is small and is not an "internal error"; every unusable command
 * record is dead-lettered with its partition and offset; {@code replay --verify} finds the live budgets
 * equal to the replay of the log; the process neither ran out of memory nor lost a stream thread.
 * Violations of a batch are reported together, with the records that came before.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TopicFuzzIT {

    /** How long answers may take after a batch is written before the pipeline counts as stalled. */
    static final Duration ANSWERS = Duration.ofSeconds(60);
    /** No reply to these small commands comes near this; an error must not echo a large input. */
    static final int MAX_REPLY_BYTES = 4096;
    static final String LEDGER = "ledger";
    static final String LEDGER_KEY = "vdf:" + LEDGER;
    static final BigDecimal OPENING_CREDIT = new BigDecimal("1000");
    /** The application id of {@code ratestream dev}'s streams app. */
    static final String APPLICATION_ID = "ratestream";
    /** The topics the streams app reads commands from. */
    static final List<String> COMMAND_TOPICS = List.of(Topics.COMMANDS, Topics.ADMIN_COMMANDS);

    private final ObjectMapper mapper = Json.newMapper();
    private final Serde<Command> commands = new Topics(mapper).commands().valueSerde();
    private final Map<String, String> deadLetters = new ConcurrentHashMap<>(); // "partition/offset" -> reason
    private ChildStack stack;
    private KafkaProducer<byte[], byte[]> producer;
    private TopicWatch replies;
    private TopicWatch deadLetterWatch;
    private int partitions;
    private BigDecimal credit = OPENING_CREDIT;
    private final List<String[]> debitsSent = new ArrayList<>(); // request id, value text
    private final Map<String, BigDecimal> ledgerExpected = new ConcurrentHashMap<>();
    private int ledgerSeq;
    private int probeSeq;
    private int fuzzSeq;
    /** The batch after which the system stopped answering: later batches cannot tell anything. */
    private String stalledBy;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        stack = ChildStack.start(dir.resolve("data"), Path.of("target", "fuzz", "topics-dev.log"), "2g");
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrap());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        // Not idempotent, one request at a time, no retries: a record the broker refuses must not put the
        // producer's sequence out of order for the records after it (it would, idempotent), and the order
        // of garbage and debits on a partition is the order they were sent in. Every send is checked.
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        props.put(ProducerConfig.RETRIES_CONFIG, "0");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(1 << 20));
        producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        partitions = producer.partitionsFor(Topics.COMMANDS).size();
        replies = new TopicWatch(stack.bootstrap(), Topics.REPLIES, null);
        deadLetterWatch = new TopicWatch(stack.bootstrap(), Topics.DEAD_LETTERS, (key, record) -> {
            try {
                JsonNode letter = mapper.readTree(record.value());
                if (COMMAND_TOPICS.contains(letter.path("Topic").asText())) {
                    deadLetters.put(letter.path("Topic").asText() + "/" + letter.path("Partition").asInt() + "/"
                            + letter.path("Offset").asLong(),
                            letter.path("Reason").asText());
                }
            } catch (Exception e) {
                deadLetters.put("unreadable/" + record.offset(), e.toString());
            }
        });
        String setup = TopicInputs.command("ledger-open", "SetUserBudget", TopicInputs.descriptor(LEDGER, null),
                Instant.now(), "\"Budget\":" + TopicInputs.budget(LEDGER, OPENING_CREDIT.toPlainString()));
        producer.send(new ProducerRecord<>(Topics.ADMIN_COMMANDS, bytes(LEDGER_KEY), bytes(setup)))
                .get(30, TimeUnit.SECONDS);
        JsonNode opened = awaitReply("ledger-open", Duration.ofSeconds(60));
        if (opened == null || opened.path("Value").decimalValue().compareTo(OPENING_CREDIT) != 0) {
            throw new AssertionError("the ledger budget was not set: " + opened);
        }
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] {replies, deadLetterWatch, producer, stack}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    @Test
    @Order(1)
    void shouldKeepAnsweringWithAnExactLedgerAmidGarbageCommands() throws Exception {
        Random random = new Random(3001);
        Batch batch = new Batch("garbage commands");
        for (int i = 0; i < 600; i++) {
            batch.fuzz(Topics.COMMANDS, TopicInputs.garbageCommand(random, ++fuzzSeq, LEDGER_KEY, Instant.now()));
            if (i % 5 == 0) {
                debit(batch, random);
            }
        }
        finish(batch);
        fail(batch, List.of());
    }

    @Test
    @Order(3)
    void shouldSkipMutatedReferenceRecordsAndKeepRating() throws Exception {
        Random random = new Random(3002);
        Batch batch = new Batch("reference records");
        // budgets whose answers show when the sentinel destination and plan below have been applied
        sendAdmin(LEDGER_KEY.replace(LEDGER, "fzsentineld"), TopicInputs.command("fzsentineld", "SetUserBudget",
                TopicInputs.descriptor("fzsentineld", null), Instant.now(), "\"Budget\":{\"Id\":\"fzsentineld\","
                        + "\"MinuteBuckets\":[{\"Seconds\":1000,\"Priority\":1,\"Price\":0,\"DestinationId\":"
                        + "\"fz-sentinel-dest\"}]}"));
        sendAdmin(LEDGER_KEY.replace(LEDGER, "fzsentinelp"), TopicInputs.command("fzsentinelp", "SetUserBudget",
                TopicInputs.descriptor("fzsentinelp", null), Instant.now(),
                "\"Budget\":{\"Id\":\"fzsentinelp\",\"TariffPlanId\":\"fz-sentinel-plan\"}"));
        String[] topics = {Topics.RATING_PROFILES, Topics.DESTINATIONS, Topics.TARIFF_PLANS};
        for (int i = 0; i < 450; i++) {
            batch.fuzz(topics[i % 3], TopicInputs.garbageReference(random, ++fuzzSeq, topics[i % 3]));
            if (i % 15 == 0) {
                debit(batch, random);
            }
        }
        // one valid record per reference topic (each has one partition), written after the garbage: once the
        // global thread has applied all three, it has read past every garbage record
        batch.fuzz(Topics.RATING_PROFILES, Item.of("vdf:fzprobe:0256", TopicInputs.ratingProfile("vdf", "fzprobe", "0256"),
                "a valid rating profile after the garbage"));
        batch.fuzz(Topics.DESTINATIONS, Item.of("fz-sentinel-dest", "{\"Id\":\"fz-sentinel-dest\",\"Prefixes\":"
                + "[\"0999888\"]}", "a valid destination after the garbage"));
        batch.fuzz(Topics.TARIFF_PLANS, Item.of("fz-sentinel-plan", TopicInputs.tariffPlan("fz-sentinel-plan"),
                "a valid tariff plan after the garbage"));
        finish(batch);
        String cost = "/getcost?cstmid=vdf&subj=%s&dest=0256&ts=2012-02-02T17:30:00Z&te=2012-02-02T18:30:00Z";
        List<String> violations = new ArrayList<>();
        if (stalledBy == null) { // else nothing answers any more: the batch has already failed
            long deadline = System.nanoTime() + ANSWERS.toNanos();
            awaitApplied(String.format(cost, "fzprobe"), "the rating profile", deadline, violations);
            awaitApplied("/debitseconds?cstmid=vdf&subj=fzsentineld&dest=0999888&amount=1", "the destination", deadline,
                    violations);
            awaitApplied("/resetuserbudget?cstmid=vdf&subj=fzsentinelp", "the tariff plan", deadline, violations);
            // the demo data still prices the SPEC's example at 540, the profile written last at 720.5
            expectCost(String.format(cost, "rif"), "540", violations);
            expectCost(String.format(cost, "fzprobe"), "720.5", violations);
        }
        fail(batch, violations);
    }

    /** Waits until a call that needs a reference record written after the garbage is answered 200. */
    private void awaitApplied(String target, String what, long deadline, List<String> violations) throws Exception {
        RawHttp.Answer answer;
        do {
            answer = RawHttp.exchange(stack.httpPort(), RawHttp.get(target), Duration.ofSeconds(30));
            if (answer.status() == 200) {
                return;
            }
            Thread.sleep(250);
        } while (System.nanoTime() < deadline);
        violations.add(what + " written after the garbage was not applied within " + ANSWERS.toSeconds() + " s: "
                + target + " answers " + answer.status() + " " + Fuzz.cut(answer.text()));
    }

    private void send(String key, String value) throws Exception {
        producer.send(new ProducerRecord<>(Topics.COMMANDS, bytes(key), bytes(value))).get(30, TimeUnit.SECONDS);
    }

    /** Sends a budget-setting command where the streams app takes it from. */
    private void sendAdmin(String key, String value) throws Exception {
        producer.send(new ProducerRecord<>(Topics.ADMIN_COMMANDS, bytes(key), bytes(value))).get(30, TimeUnit.SECONDS);
    }

    @Test
    @Order(2)
    void shouldRefuseBrokenBudgetsAndKeepAnswering() throws Exception {
        Random random = new Random(3003);
        Batch batch = new Batch("broken budgets");
        for (int i = 0; i < 200; i++) {
            int n = ++fuzzSeq;
            // where the loader writes them: on ratestream.commands they are refused whatever they hold
            batch.fuzz(Topics.ADMIN_COMMANDS, TopicInputs.brokenBudget(random, n, Instant.now()));
            for (int k = 0; k < 2; k++) {
                batch.fuzz(Topics.COMMANDS, TopicInputs.budgetFollowUp(random, n, k, Instant.now()));
            }
            if (i % 5 == 0) {
                debit(batch, random);
            }
        }
        finish(batch);
        fail(batch, List.of());
    }

    @Test
    @Order(4)
    void shouldRefuseNumbersOutOfRangeAndKeepAnswering() throws Exception {
        Random random = new Random(3004);
        Batch batch = new Batch("numbers out of range");
        for (int i = 0; i < 60; i++) {
            batch.fuzz(Topics.COMMANDS, TopicInputs.hugeCommand(random, ++fuzzSeq, Instant.now()));
            if (i % 3 == 0) {
                debit(batch, random);
            }
        }
        finish(batch);
        fail(batch, List.of());
    }

    @Test
    @Order(5)
    void shouldSkipOversizedPoisonRecordsAndKeepAnswering() throws Exception {
        Random random = new Random(3005);
        Batch batch = new Batch("oversized records");
        debit(batch, random);
        batch.fuzz(Topics.COMMANDS, new Item(bytes(LEDGER_KEY), bytes(TopicInputs.randomBytes(random, 600_000)),
                "600 KB of random bytes under the ledger's key"));
        debit(batch, random);
        batch.fuzz(Topics.COMMANDS, new Item(bytes("vdf:fzbig"), bytes(TopicInputs.command("r".repeat(900_000),
                "DebitBalance", TopicInputs.descriptor("fzbig", "1"), Instant.now(), null)),
                "a command with a 900 KB RequestId"));
        batch.fuzz(Topics.COMMANDS, new Item(bytes("vdf:fzbig2"), bytes(TopicInputs.command("fz-big2", "DebitBalance",
                TopicInputs.descriptor("s".repeat(700_000), "1"), Instant.now(), null)),
                "a command with a 700 KB Subject under a short key"));
        batch.fuzz(Topics.COMMANDS, new Item(bytes("vdf:fzbig3"), bytes("[".repeat(400_000) + "]".repeat(400_000)),
                "800 KB of nested arrays"));
        debit(batch, random);
        finish(batch);
        fail(batch, List.of());
    }

    // --- a batch and its checks ---

    /** The records of one batch, as sent, and what went wrong with them. */
    private final class Batch {
        final String name;
        final List<Sent> fuzz = new ArrayList<>();
        final List<String> ledgerIds = new ArrayList<>();
        final List<Future<RecordMetadata>> ledgerSends = new ArrayList<>();
        final List<String> violations = new ArrayList<>();

        Batch(String name) {
            this.name = name;
            if (stalledBy != null) {
                throw new AssertionError(name + ": not run, the system stopped answering or broke during the batch \""
                        + stalledBy + "\"; run this property alone (-Dit.test=TopicFuzzIT#<method>) for its own result");
            }
        }

        void fuzz(String topic, Item item) {
            fuzz.add(new Sent(topic, item, producer.send(new ProducerRecord<>(topic, item.key(), item.value()))));
        }
    }

    private record Sent(String topic, Item item, Future<RecordMetadata> metadata) {
    }

    /** A ledger debit with a fresh request id, or (one time in ten) a retry of an earlier one. */
    private void debit(Batch batch, Random random) {
        String id;
        String value;
        if (!debitsSent.isEmpty() && random.nextInt(10) == 0) {
            String[] earlier = debitsSent.get(random.nextInt(debitsSent.size()));
            id = earlier[0];
            value = earlier[1];
        } else {
            BigDecimal amount = BigDecimal.valueOf(random.nextInt(40_000_001) - 20_000_000L, random.nextInt(7));
            id = "L-" + ++ledgerSeq;
            value = TopicInputs.command(id, random.nextBoolean() ? "DebitBalance" : "DebitCents",
                    TopicInputs.descriptor(LEDGER, amount.toPlainString()), Instant.now(), null);
            credit = credit.subtract(amount);
            ledgerExpected.put(id, credit);
            debitsSent.add(new String[] {id, value});
        }
        batch.ledgerSends.add(producer.send(new ProducerRecord<>(Topics.COMMANDS, bytes(LEDGER_KEY), bytes(value))));
        batch.ledgerIds.add(id);
    }

    private void finish(Batch batch) throws Exception {
        producer.flush();
        List<Sent> written = new ArrayList<>();
        for (Sent sent : batch.fuzz) {
            try {
                sent.metadata().get(30, TimeUnit.SECONDS);
                written.add(sent);
            } catch (java.util.concurrent.ExecutionException e) {
                if (sent.item().kind().startsWith("a valid")) {
                    throw new IllegalStateException("the suite could not write " + sent.item().show(), e);
                }
                System.out.println("not written (" + e.getCause() + "): " + sent.item().show());
            }
        }
        for (Future<RecordMetadata> send : batch.ledgerSends) {
            try {
                send.get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("the suite could not write a ledger debit: " + e.getCause(), e);
            }
        }
        // a probe on every partition, then the final balance on the ledger's
        List<String> probes = new ArrayList<>();
        for (int partition = 0; partition < partitions; partition++) {
            String subject = probeSubject(partition);
            String id = "probe-" + ++probeSeq;
            send("vdf:" + subject, TopicInputs.command(id, "DebitBalance", TopicInputs.descriptor(subject, "1"),
                    Instant.now(), null));
            probes.add(id);
        }
        String balance = "L-" + ++ledgerSeq;
        ledgerExpected.put(balance, credit);
        send(LEDGER_KEY, TopicInputs.command(balance, "DebitBalance", TopicInputs.descriptor(LEDGER, "0"), Instant.now(),
                null));
        batch.ledgerIds.add(balance);
        producer.flush();

        long deadline = System.nanoTime() + ANSWERS.toNanos();
        List<String> awaited = new ArrayList<>(batch.ledgerIds);
        awaited.addAll(probes);
        List<String> missing = new ArrayList<>();
        for (String id : awaited) {
            if (awaitReply(id, Duration.ofNanos(Math.max(0, deadline - System.nanoTime()))) == null) {
                missing.add(id);
            }
        }
        boolean answered = missing.isEmpty();
        if (!answered) {
            stalledBy = batch.name;
            batch.violations.add("the pipeline stopped answering: no reply within " + ANSWERS.toSeconds()
                    + " s for " + missing + " (probes " + probes + " are on partitions 0.." + (partitions - 1)
                    + "; the ledger is on partition " + partitionOf(LEDGER_KEY) + ")");
        }
        checkLedger(batch);
        checkFuzzReplies(batch, written);
        if (answered) { // else the records after the stall were never processed: nothing to wait for
            checkDeadLetters(batch, written);
        }
        checkReplay(batch, answered);
    }

    private void checkLedger(Batch batch) {
        for (String id : batch.ledgerIds) {
            JsonNode reply = reply(id);
            if (reply == null) {
                continue;
            }
            BigDecimal expected = ledgerExpected.get(id);
            BigDecimal actual = reply.path("Value").isNumber() ? reply.get("Value").decimalValue() : null;
            if (actual == null || actual.compareTo(expected) != 0) {
                batch.violations.add("ledger reply " + id + " is " + reply + ", expected the credit " + expected);
            }
        }
    }

    /** Every reply to a fuzz record is short, and an error says what is wrong (never "internal error"). */
    private void checkFuzzReplies(Batch batch, List<Sent> written) {
        int shown = 0;
        for (Sent sent : written) {
            String id = requestId(sent.item().value());
            byte[] raw = id == null || !COMMAND_TOPICS.contains(sent.topic()) ? null : replies.last(id);
            if (raw == null) {
                continue;
            }
            JsonNode reply;
            try {
                reply = HttpFuzzIT.READER.readTree(raw);
            } catch (Exception e) {
                batch.violations.add("an unreadable reply (" + e.getMessage() + ") to " + sent.item().show());
                continue;
            }
            String error = reply.path("Error").asText(null);
            if ((raw.length > MAX_REPLY_BYTES || error != null && error.startsWith("internal error")) && shown++ < 10) {
                batch.violations.add("the reply to " + sent.item().show() + " is " + (error == null ? "a result" : "an error")
                        + " of " + raw.length + " bytes: " + Fuzz.show(raw));
            }
        }
    }

    /** Every command record that cannot be used is dead-lettered, naming its partition and offset. */
    private void checkDeadLetters(Batch batch, List<Sent> written) throws Exception {
        List<String> expected = new ArrayList<>();
        Map<String, Sent> byPlace = new LinkedHashMap<>();
        for (Sent sent : written) {
            if (COMMAND_TOPICS.contains(sent.topic()) && !usable(sent)) {
                RecordMetadata where = sent.metadata().get();
                String place = sent.topic() + "/" + where.partition() + "/" + where.offset();
                expected.add(place);
                byPlace.put(place, sent);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!deadLetters.keySet().containsAll(expected) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        List<String> absent = expected.stream().filter(place -> !deadLetters.containsKey(place)).toList();
        if (!absent.isEmpty()) {
            batch.violations.add(absent.size() + " of " + expected.size() + " unusable command records have no dead "
                    + "letter, e.g. at " + absent.get(0) + ": " + byPlace.get(absent.get(0)).item().show());
        }
    }

    /**
     * Whether the streams app can use a command record: it parses, its key is its CstmId:Subject, and a
     * budget-setting one came on the admin topic.
     */
    private boolean usable(Sent sent) {
        Item item = sent.item();
        if (item.value() == null) {
            return false;
        }
        try {
            Command command = commands.deserializer().deserialize(Topics.COMMANDS, item.value());
            return command != null && item.key() != null
                    && command.key().equals(new String(item.key(), StandardCharsets.UTF_8))
                    && (!command.method().adminOnly() || Topics.ADMIN_COMMANDS.equals(sent.topic()));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * {@code ratestream replay --verify}, run as an operator runs it (in a JVM of its own: replaying a
     * hostile log must not cost the test JVM its heap), once the live app has committed every command
     * (when the batch was answered at all): it exits 0 when every live budget equals its replay.
     */
    private void checkReplay(Batch batch, boolean answered) throws Exception {
        if (answered && !awaitCommitted(Duration.ofSeconds(60))) {
            batch.violations.add("the live app did not commit the whole command log within 60 s");
        }
        ChildStack.Run replay = ChildStack.run(Duration.ofMinutes(3), "replay", "--verify", "--bootstrap",
                stack.bootstrap(), "--application-id", APPLICATION_ID);
        if (replay.exitCode() != 0) {
            batch.violations.add("replay --verify exited " + replay.exitCode() + (answered ? "" : " (the live app is "
                    + "behind the log, so differences may be lag)") + ":\n    "
                    + String.join("\n    ", replay.lines().stream().filter(line -> !line.startsWith("\t")
                            && !line.contains(" INFO ") && !line.contains(" WARN ")).limit(12)
                            .map(Fuzz::cut).toList()));
        }
    }

    /** Waits until the live app's committed offsets on the two command topics are their end offsets. */
    private boolean awaitCommitted(Duration timeout) throws Exception {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrap());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(props);
                KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = COMMAND_TOPICS.stream().flatMap(topic -> consumer.partitionsFor(topic)
                    .stream().map(info -> new TopicPartition(topic, info.partition()))).toList();
            while (System.nanoTime() < deadline) {
                Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(APPLICATION_ID)
                        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
                boolean caughtUp = ends.entrySet().stream().allMatch(end -> {
                    OffsetAndMetadata offset = committed.get(end.getKey());
                    return end.getValue() == 0 || offset != null && offset.offset() >= end.getValue();
                });
                if (caughtUp) {
                    return true;
                }
                Thread.sleep(200);
            }
            return false;
        }
    }

    /**
     * The process is alive, did not run out of memory, and never had to replace a stream thread. When it
     * did, later batches cannot tell anything: they are not run.
     */
    private void checkProcess(Batch batch) throws Exception {
        int before = batch.violations.size();
        checkProcessOnce(batch);
        if (batch.violations.size() > before && stalledBy == null) {
            stalledBy = batch.name;
        }
    }

    private void checkProcessOnce(Batch batch) throws Exception {
        if (!stack.alive()) {
            batch.violations.add("ratestream dev is no longer running (see " + stack.log() + ")");
        }
        List<String> memory = stack.logLines("OutOfMemoryError");
        if (!memory.isEmpty()) {
            batch.violations.add("ratestream dev ran out of memory: " + Fuzz.cut(memory.get(0)));
        }
        List<String> threads = new ArrayList<>(stack.logLines("stream thread failed"));
        threads.addAll(stack.logLines("Global thread has died"));
        if (!threads.isEmpty()) {
            batch.violations.add("a stream thread died " + threads.size() + " times so far, the first: "
                    + Fuzz.cut(threads.get(0)));
        }
    }

    private void expectCost(String target, String cost, List<String> violations) throws Exception {
        RawHttp.Answer answer = RawHttp.exchange(stack.httpPort(), RawHttp.get(target), Duration.ofSeconds(30));
        try {
            if (answer.status() != 200 || mapper.readTree(answer.body()).path("Cost").decimalValue()
                    .compareTo(new BigDecimal(cost)) != 0) {
                violations.add(target + " answered " + answer.status() + " " + answer.text() + ", expected Cost " + cost);
            }
        } catch (Exception e) {
            violations.add(target + " answered " + answer.status() + " " + Fuzz.show(answer.body()));
        }
    }

    private void fail(Batch batch, List<String> more) throws Exception {
        checkProcess(batch);
        List<String> all = new ArrayList<>(batch.violations);
        all.addAll(more);
        System.out.printf("fuzz topics %s: %d records, %d ledger commands, %d violations%n", batch.name,
                batch.fuzz.size(), batch.ledgerIds.size(), all.size());
        if (!all.isEmpty()) {
            Map<String, Integer> kinds = new TreeMap<>();
            batch.fuzz.forEach(sent -> kinds.merge(sent.item().kind(), 1, Integer::sum));
            String message = batch.name + ": " + String.join("\n", all) + "\n(records in this batch: " + kinds + ")";
            System.out.println(message);
            batch.violations.clear();
            throw new AssertionError(message);
        }
    }

    // --- small helpers ---

    private JsonNode awaitReply(String requestId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (JsonNode reply = reply(requestId); ; reply = reply(requestId)) {
            if (reply != null) {
                return reply;
            }
            if (System.nanoTime() > deadline) {
                return null;
            }
            Thread.sleep(50);
        }
    }

    private JsonNode reply(String requestId) {
        byte[] raw = replies.last(requestId);
        try {
            return raw == null ? null : HttpFuzzIT.READER.readTree(raw);
        } catch (Exception e) {
            throw new AssertionError("an unreadable reply for " + requestId + ": " + Fuzz.show(raw));
        }
    }

    private String requestId(byte[] value) {
        try {
            JsonNode node = value == null ? null : mapper.readTree(value);
            return node != null && node.path("RequestId").isTextual() ? node.get("RequestId").asText() : null;
        } catch (Exception e) {
            return null;
        }
    }

    private int partitionOf(String key) {
        return Utils.toPositive(Utils.murmur2(bytes(key))) % partitions;
    }

    /** A subject without a budget whose key lands on {@code partition}: its debit is answered "no budget". */
    private String probeSubject(int partition) {
        for (int i = 0; ; i++) {
            if (partitionOf("vdf:probe" + i) == partition) {
                return "probe" + i;
            }
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }
}
