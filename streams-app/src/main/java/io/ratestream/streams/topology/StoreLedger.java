package io.ratestream.streams.topology;

import io.ratestream.schemas.model.UserBudget;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A {@link Ledger} on the task's state stores. Processed request ids are indexed by accepted-at
 * (8 bytes, order-preserving) + request id, so the oldest can be forgotten by a short range scan.
 */
final class StoreLedger implements Ledger {

    private static final byte[] EMPTY = new byte[0];

    private final KeyValueStore<String, UserBudget> budgets;
    private final KeyValueStore<String, ProcessedReply> processed;
    private final KeyValueStore<Bytes, byte[]> index;
    /**
     * Where the next scan for entries to forget starts: a deployment older than twice the retention ran its
     * debits 30 times slower scanning from the start of the index over the tombstones of those forgotten.
     */
    private final ScanStart forgetFrom = new ScanStart();

    StoreLedger(KeyValueStore<String, UserBudget> budgets, KeyValueStore<String, ProcessedReply> processed,
            KeyValueStore<Bytes, byte[]> index) {
        this.budgets = budgets;
        this.processed = processed;
        this.index = index;
    }

    @Override
    public UserBudget budget(String key) {
        return budgets.get(key);
    }

    @Override
    public void putBudget(String key, UserBudget budget) {
        budgets.put(key, budget);
    }

    @Override
    public ProcessedReply processed(String requestId) {
        return processed.get(requestId);
    }

    @Override
    public void putProcessed(String requestId, ProcessedReply entry) {
        ProcessedReply previous = processed.get(requestId);
        if (previous != null) {
            index.delete(indexKey(previous.acceptedAt(), requestId));
        }
        processed.put(requestId, entry);
        Bytes key = indexKey(entry.acceptedAt(), requestId);
        index.put(key, EMPTY);
        forgetFrom.written(key);
    }

    /** Forgets where the scans for entries to forget had come to: the next one starts at the beginning. */
    void rescan() {
        forgetFrom.reset();
    }

    @Override
    public void forgetProcessedBefore(Instant cutoff, int max) {
        Bytes to = Bytes.wrap(timePrefix(cutoff));
        int forgotten = 0;
        if (forgetFrom.atOrAfter(to.get())) {
            return; // nothing before the cutoff is left (the cutoff came back: a watermark clamped)
        }
        try (KeyValueIterator<Bytes, byte[]> oldest = index.range(forgetFrom.key(), to)) {
            while (forgotten < max && oldest.hasNext()) {
                KeyValue<Bytes, byte[]> entry = oldest.next();
                byte[] key = entry.key.get();
                if (compare(key, to.get()) >= 0) {
                    break;
                }
                String processedKey = new String(key, Long.BYTES, key.length - Long.BYTES, StandardCharsets.UTF_8);
                index.delete(entry.key);
                processed.delete(processedKey);
                forgetFrom.moveTo(entry.key);
                forgotten++;
            }
        }
    }

    private static Bytes indexKey(Instant acceptedAt, String requestId) {
        byte[] id = requestId.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(Long.BYTES + id.length).put(timePrefix(acceptedAt)).put(id).array());
    }

    /** Milliseconds with the sign bit flipped: unsigned byte order is then time order, before 1970 too. */
    private static byte[] timePrefix(Instant time) {
        long millis;
        try {
            millis = time.toEpochMilli();
        } catch (ArithmeticException e) {
            millis = time.getEpochSecond() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return ByteBuffer.allocate(Long.BYTES).putLong(millis ^ Long.MIN_VALUE).array();
    }

    private static int compare(byte[] a, byte[] b) {
        return Bytes.BYTES_LEXICO_COMPARATOR.compare(a, b);
    }
}
