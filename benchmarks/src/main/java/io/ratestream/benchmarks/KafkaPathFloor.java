package io.ratestream.benchmarks;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The bare-Kafka floor of a ratestream call in an open loop: what the same broker costs for the same
 * shape of traffic with no ratestream code in it. A sender thread produces records at a fixed rate (each
 * carrying the time it was due, so a late send counts against the latency, as bench's open loop does) to
 * the first of a chain of topics; with {@code --hops 2}, a relay thread reads it and produces each record
 * to the second topic (as the streams app reads {@code ratestream.commands} and writes
 * {@code ratestream.replies}), in Kafka transactions committed every {@code --commit-ms} (0: none); a
 * receiver thread reads the last topic (read_uncommitted, as the gateway reads replies) and records the
 * time from each record's due time. Producers acks=all, linger 0, as ratestream's. With {@code --in-flight N}
 * the sender runs a closed loop instead, as a client with N calls in flight: it sends as soon as fewer than
 * N records are on their way, and a record is due when it is sent. {@code --requests-in-flight} is the
 * producers' {@code max.in.flight.requests.per.connection} (Kafka's default 5; ratestream's producers use
 * 1); {@code --value-bytes} the size of each record's value. Prints the rate reached, the latency
 * percentiles and this process's CPU per record over the measured window. Not a test.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar io.ratestream.benchmarks.KafkaPathFloor
 * [--bootstrap 127.0.0.1:9092] [--rate 300] [--seconds 30] [--warmup 5] [--hops 2] [--commit-ms 300]
 * [--partitions 4] [--in-flight 0] [--requests-in-flight 5] [--value-bytes 8]}
 */
public final class KafkaPathFloor {

    private KafkaPathFloor() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>(Map.of("--bootstrap", "127.0.0.1:9092", "--rate", "300",
                "--seconds", "30", "--warmup", "5", "--hops", "2", "--commit-ms", "300", "--partitions", "4",
                "--in-flight", "0", "--requests-in-flight", "5", "--value-bytes", "8"));
        for (int i = 0; i < args.length; i += 2) {
            if (!options.containsKey(args[i]) || i + 1 >= args.length) {
                throw new IllegalArgumentException("unknown option or missing value: " + args[i]
                        + "; options: " + options.keySet());
            }
            options.put(args[i], args[i + 1]);
        }
        String bootstrap = options.get("--bootstrap");
        int rate = Integer.parseInt(options.get("--rate"));
        int seconds = Integer.parseInt(options.get("--seconds"));
        int warmup = Integer.parseInt(options.get("--warmup"));
        int hops = Integer.parseInt(options.get("--hops"));
        long commitMs = Long.parseLong(options.get("--commit-ms"));
        int partitions = Integer.parseInt(options.get("--partitions"));
        int inFlight = Integer.parseInt(options.get("--in-flight"));
        int requestsInFlight = Integer.parseInt(options.get("--requests-in-flight"));
        int valueBytes = Integer.parseInt(options.get("--value-bytes"));
        if (rate < 1 || seconds < 1 || warmup < 0 || hops < 1 || hops > 2 || commitMs < 0 || partitions < 1
                || inFlight < 0 || requestsInFlight < 1 || valueBytes < Long.BYTES) {
            throw new IllegalArgumentException("want --rate >= 1, --seconds >= 1, --warmup >= 0, --hops 1 or 2, "
                    + "--commit-ms >= 0, --partitions >= 1, --in-flight >= 0, --requests-in-flight >= 1, --value-bytes >= 8");
        }
        Semaphore permits = inFlight > 0 ? new Semaphore(inFlight) : null;
        String run = Long.toString(System.currentTimeMillis(), 36); // fresh topics: nothing old is read
        List<String> topics = new ArrayList<>();
        for (int h = 0; h < hops; h++) {
            topics.add("ratestream.floor-" + run + "-" + h);
        }
        createTopics(bootstrap, topics, partitions);

        Histogram histogram = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        AtomicLong received = new AtomicLong();
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
        long measureFrom = start + TimeUnit.SECONDS.toNanos(warmup);
        long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);

        Receiver receiver = new Receiver(bootstrap, topics.get(hops - 1), histogram, received, measureFrom, end,
                permits);
        Relay relay = hops == 2
                ? new Relay(bootstrap, topics.get(0), topics.get(1), commitMs, run, requestsInFlight) : null;
        List<Thread> threads = new ArrayList<>(List.of(new Thread(receiver, "floor-receiver")));
        if (relay != null) {
            threads.add(new Thread(relay, "floor-relay"));
        }
        threads.forEach(Thread::start);
        receiver.awaitAssigned();
        if (relay != null) {
            relay.awaitAssigned();
        }

        Sent sent = send(producerProps(bootstrap, requestsInFlight), topics.get(0), partitions, rate, permits,
                valueBytes, start, measureFrom, end);
        Thread.sleep(2_000); // the last records' way back
        receiver.stop();
        if (relay != null) {
            relay.stop();
        }
        for (Thread thread : threads) {
            thread.join(10_000);
        }
        long measured = histogram.getTotalCount();
        double elapsed = (sent.cpuAtEnd() - sent.cpuAtWindow()) / 1e9;
        long inWindow = sent.total() - sent.beforeWindow();
        System.out.printf(Locale.US, "floor: %d hop(s), commit %s, %d partitions, %s, %d requests in flight, %d-byte "
                + "values, %d sent, %d received, %d measured (%.0f records/s)%n", hops,
                hops == 2 && commitMs > 0 ? commitMs + " ms" : "none", partitions,
                inFlight > 0 ? "closed loop, " + inFlight + " in flight" : rate + " records/s due", requestsInFlight,
                valueBytes,
                sent.total(), received.get(), measured, (double) inWindow / seconds);
        System.out.printf(Locale.US, "latency ms: p50 %.2f p90 %.2f p99 %.2f p99.9 %.2f max %.2f%n",
                histogram.getValueAtPercentile(50) / 1000.0, histogram.getValueAtPercentile(90) / 1000.0,
                histogram.getValueAtPercentile(99) / 1000.0, histogram.getValueAtPercentile(99.9) / 1000.0,
                histogram.getMaxValue() / 1000.0);
        System.out.printf(Locale.US, "cpu: this process %.2f s over the measured window, %.0f us per record%n",
                elapsed, inWindow > 0 ? elapsed * 1e6 / inWindow : 0.0);
    }

    /** What the sender sent, and this process's CPU time when the measured window began and ended. */
    private record Sent(long total, long beforeWindow, long cpuAtWindow, long cpuAtEnd) {
    }

    /**
     * Produces records from start to end: one every 1/rate s in the open loop ({@code permits} null), else
     * each as soon as a permit is free (the receiver gives one back per record it reads).
     */
    private static Sent send(Properties props, String topic, int partitions, int rate, Semaphore permits,
            int valueBytes, long start, long measureFrom, long end) throws InterruptedException {
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long sent = 0;
        long beforeWindow = -1;
        long cpuAtWindow = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            for (long due = start; due < end; ) {
                if (permits == null) {
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                } else {
                    boolean free = permits.tryAcquire(100, TimeUnit.MILLISECONDS);
                    due = System.nanoTime(); // sent now, or (no permit yet) the loop checks the end again
                    if (!free) {
                        continue;
                    }
                }
                if (beforeWindow < 0 && due >= measureFrom) {
                    beforeWindow = sent;
                    cpuAtWindow = processCpuNanos();
                }
                byte[] value = ByteBuffer.allocate(valueBytes).putLong(due).array();
                byte[] key = Long.toString(sent).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                producer.send(new ProducerRecord<>(topic, (int) (sent % partitions), key, value));
                sent++;
                if (permits == null) {
                    due += interval;
                }
            }
            long cpuAtEnd = processCpuNanos();
            return new Sent(sent, Math.max(0, beforeWindow), cpuAtWindow, cpuAtEnd);
        }
    }

    /** This process's CPU time (all threads, user and system), in nanoseconds. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static void createTopics(String bootstrap, List<String> topics, int partitions) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(props)) {
            admin.createTopics(topics.stream().map(t -> new NewTopic(t, partitions, (short) 1)).toList()).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }

    private static Properties producerProps(String bootstrap, int requestsInFlight) {
        Properties props = new Properties();
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, Integer.toString(requestsInFlight));
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return props;
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, String topic, String group) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic));
        return consumer;
    }

    /** A consumer loop on its own thread; {@link #awaitAssigned()} returns once its partitions are assigned. */
    private abstract static class Loop implements Runnable {
        final KafkaConsumer<byte[], byte[]> consumer;
        private volatile boolean assigned;
        private volatile boolean stopping;

        Loop(KafkaConsumer<byte[], byte[]> consumer) {
            this.consumer = consumer;
        }

        @Override
        public final void run() {
            try (consumer) {
                while (!stopping) {
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                    assigned = assigned || !consumer.assignment().isEmpty();
                    handle(records);
                }
            } catch (WakeupException e) {
                // stopped
            } finally {
                close();
            }
        }

        abstract void handle(ConsumerRecords<byte[], byte[]> records);

        void close() {
        }

        void awaitAssigned() throws InterruptedException {
            for (int i = 0; i < 600 && !assigned; i++) {
                Thread.sleep(100);
            }
            if (!assigned) {
                throw new IllegalStateException("no partitions assigned within 60 s");
            }
        }

        void stop() {
            stopping = true;
            consumer.wakeup();
        }
    }

    /** Reads the last topic and records each record's time from its due time. */
    private static final class Receiver extends Loop {
        private final Histogram histogram;
        private final AtomicLong received;
        private final long measureFrom;
        private final long end;
        private final Semaphore permits;

        Receiver(String bootstrap, String topic, Histogram histogram, AtomicLong received, long measureFrom,
                long end, Semaphore permits) {
            super(consumer(bootstrap, topic, topic + "-receiver"));
            this.histogram = histogram;
            this.received = received;
            this.measureFrom = measureFrom;
            this.end = end;
            this.permits = permits;
        }

        @Override
        void handle(ConsumerRecords<byte[], byte[]> records) {
            long now = System.nanoTime();
            for (ConsumerRecord<byte[], byte[]> record : records) {
                long due = ByteBuffer.wrap(record.value()).getLong();
                received.incrementAndGet();
                if (due >= measureFrom && due < end) {
                    histogram.recordValue(Math.max(0, now - due) / 1000);
                }
            }
            if (permits != null && !records.isEmpty()) {
                permits.release(records.count());
            }
        }
    }

    /** Reads one topic and writes each record to the next, in transactions committed every commitMs. */
    private static final class Relay extends Loop {
        private final KafkaProducer<byte[], byte[]> producer;
        private final String to;
        private final long commitNanos;
        private final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        private long lastCommit = System.nanoTime();

        Relay(String bootstrap, String from, String to, long commitMs, String run, int requestsInFlight) {
            super(consumer(bootstrap, from, from + "-relay"));
            Properties props = producerProps(bootstrap, requestsInFlight);
            if (commitMs > 0) {
                props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "ratestream.floor-" + run);
            }
            this.producer = new KafkaProducer<>(props);
            this.to = to;
            this.commitNanos = TimeUnit.MILLISECONDS.toNanos(commitMs);
            if (commitMs > 0) {
                producer.initTransactions();
                producer.beginTransaction();
            }
        }

        @Override
        void handle(ConsumerRecords<byte[], byte[]> records) {
            for (ConsumerRecord<byte[], byte[]> record : records) {
                producer.send(new ProducerRecord<>(to, record.partition(), record.key(), record.value()));
                offsets.put(new TopicPartition(record.topic(), record.partition()),
                        new OffsetAndMetadata(record.offset() + 1));
            }
            if (commitNanos > 0 && System.nanoTime() - lastCommit >= commitNanos) {
                if (!offsets.isEmpty()) {
                    producer.sendOffsetsToTransaction(Map.copyOf(offsets), consumer.groupMetadata());
                    offsets.clear();
                }
                producer.commitTransaction();
                producer.beginTransaction();
                lastCommit = System.nanoTime();
            }
        }

        @Override
        void close() {
            producer.close(Duration.ofSeconds(5));
        }
    }
}
