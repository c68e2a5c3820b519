package io.ratestream.gateway.replies;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.ratestream.schemas.topics.Topics;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.zip.CRC32C;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads this gateway's partition(s) of ratestream.replies and completes the waiting requests. Either a
 * fixed partition, or partitions assigned through the {@code ratestream-gateways} consumer group, so
 * that several gateways share the reply topic, each reading only its own replies. Records for requests
 * nobody waits for are dropped by key, before their value is parsed.
 *
 * <p>It also notices a reply that differs from one already delivered for the same request id: with
 * replies read read_uncommitted this is the one case docs/design.md describes (a transaction aborted
 * and its command, re-run, saw changed reference data). It is logged at ERROR and counted.
 */
public final class ReplyListener implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReplyListener.class);
    /** Group of the gateways that share the replies topic. */
    public static final String GROUP = "ratestream-gateways";
    private static final int REMEMBERED = 100_000;

    private final KafkaConsumer<String, byte[]> consumer;
    private final PendingReplies pending;
    private final int fixedPartition;
    private final Set<Integer> assigned = new ConcurrentSkipListSet<>();
    private final Map<String, Long> delivered = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > REMEMBERED;
        }
    };
    private final Counter superseded;
    private final Counter unreadable;
    private final Counter mismatched;
    private final Thread thread;
    private volatile boolean running = true;

    public ReplyListener(String bootstrapServers, int fixedPartition, boolean readCommitted,
            Map<String, String> kafkaProperties, PendingReplies pending, MeterRegistry metrics) {
        this.pending = pending;
        this.fixedPartition = fixedPartition;
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
        if (fixedPartition < 0) {
            props.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
            props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
            props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
            props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "2000");
        }
        props.putAll(kafkaProperties);
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        this.superseded = Counter.builder("ratestream.replies.superseded")
                .description("replies that differ from one already delivered for the same request id")
                .register(metrics);
        this.unreadable = Counter.builder("ratestream.replies.unreadable").register(metrics);
        this.mismatched = Counter.builder("ratestream.replies.mismatched")
                .description("replies whose request id is waiting here but for another subscriber: ignored")
                .register(metrics);
        this.thread = new Thread(this::run, "ratestream-replies");
        this.thread.setDaemon(true);
    }

    /** Starts reading. */
    public void start() {
        if (fixedPartition >= 0) {
            TopicPartition partition = new TopicPartition(Topics.REPLIES, fixedPartition);
            consumer.assign(List.of(partition));
            consumer.seekToEnd(List.of(partition));
            consumer.position(partition, Duration.ofSeconds(30));
            assigned.add(fixedPartition);
        } else {
            consumer.subscribe(List.of(Topics.REPLIES), new Rebalance());
        }
        thread.start();
    }

    /** The partition replies to this gateway should go to, or -1 while it has none. */
    public int replyPartition() {
        return assigned.isEmpty() ? -1 : assigned.iterator().next();
    }

    /** The partitions this gateway reads now. */
    public Set<Integer> partitions() {
        return new TreeSet<>(assigned);
    }

    private void run() {
        try {
            while (running) {
                try {
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                        handle(record);
                    }
                } catch (WakeupException e) {
                    throw e;
                } catch (KafkaException e) {
                    LOG.warn("reading replies failed, retrying: {}", e.toString());
                    pause();
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void handle(ConsumerRecord<String, byte[]> record) {
        String requestId = record.key();
        if (requestId == null || record.value() == null) {
            return;
        }
        boolean waiting = pending.isWaiting(requestId);
        Long seen = delivered.get(requestId);
        if (!waiting && seen == null) {
            return;
        }
        long hash = hash(record.value());
        if (!waiting) {
            if (seen != hash) {
                superseded.increment();
                LOG.error("request {}: a reply different from the one delivered arrived (partition {} offset {}); "
                        + "the committed state is the one on ratestream.events", requestId, record.partition(),
                        record.offset());
            }
            return;
        }
        try {
            RawReply reply = RawReply.parse(record.value());
            if (pending.complete(reply)) {
                delivered.put(requestId, hash);
            } else if (pending.isWaiting(requestId)) {
                mismatched.increment();
                LOG.warn("request {}: ignored a reply for subscriber {} (partition {} offset {}): the waiting request "
                        + "is another subscriber's", requestId, reply.subscriber(), record.partition(), record.offset());
            }
        } catch (SerializationException e) {
            unreadable.increment();
            LOG.warn("unreadable reply for request {}: {}", requestId, e.getMessage());
        }
    }

    private static long hash(byte[] value) {
        CRC32C crc = new CRC32C();
        crc.update(value);
        return crc.getValue() << 32 | value.length;
    }

    private void pause() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            // Only new replies matter: start at the end of every newly assigned partition.
            consumer.seekToEnd(partitions);
            partitions.forEach(p -> consumer.position(p));
            partitions.forEach(p -> assigned.add(p.partition()));
            LOG.info("reading replies from partitions {}", assigned);
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            partitions.forEach(p -> assigned.remove(p.partition()));
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            onPartitionsRevoked(partitions);
        }
    }
}
