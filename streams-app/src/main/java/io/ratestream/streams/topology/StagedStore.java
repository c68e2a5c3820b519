package io.ratestream.streams.topology;

import io.ratestream.streams.state.StateCodec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A task's state store as the record being processed sees it: reads see that record's own writes, the
 * store sees none of them until {@link #commit()}; {@link #discard()} forgets them. What the record has
 * read is kept until then too, so reading a key twice reads the store once. This is how the
 * command processor decides first and writes after: a record that fails half-way (state it cannot
 * read, a value too large to write, a bug) leaves every store as it was.
 *
 * <p>The store holds bytes; this view holds a {@link StateCodec} and works in values. Every value
 * written is encoded once, when it is staged, and its size checked on those bytes (at most
 * {@code maxValueBytes}, as a changelog record may be: {@link RecordLimits.OversizeException}), so that
 * a value the store could not take fails here, before anything is written; the commit writes those
 * same bytes. A stored value is decoded once per record that reads it. Deletes are written as
 * {@code put(key, null)}, which never reads the old value (an unreadable one must still be deletable).
 *
 * <p>Range scans merge the staged writes into the store's own order; that needs the key's natural order
 * to be the store's byte order, which holds for {@code Bytes} keys (unsigned lexicographic), and for
 * {@code String} keys only as far as they are ASCII: ranges are used here on {@code Bytes} keys only. A
 * scan decodes a stored value in {@code next()}, so a caller can skip one that cannot be read and go on.
 * One instance per processor; not thread-safe, as a processor is not.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
final class StagedStore<K extends Comparable<K>, V> implements KeyValueStore<K, V> {

    private final KeyValueStore<K, byte[]> store;
    private final StateCodec<V> codec;
    private final int maxValueBytes;
    /** The writes of the current record: a null {@link Write#bytes} deletes. */
    private final NavigableMap<K, Write<V>> staged = new TreeMap<>();
    /** What the current record has read from the store, so that reading it again costs nothing. */
    private final Map<K, Optional<V>> read = new HashMap<>();

    /** A staged write: the value and its bytes, both null for a delete. */
    private record Write<V>(V value, byte[] bytes) {
    }

    /**
     * @param store the task's store, which this never writes to before {@link #commit()}
     * @param codec the store's value format
     * @param maxValueBytes the most bytes a value may have ({@link RecordLimits#maxValueBytes})
     */
    StagedStore(KeyValueStore<K, byte[]> store, StateCodec<V> codec, int maxValueBytes) {
        this.store = store;
        this.codec = codec;
        this.maxValueBytes = maxValueBytes;
    }

    /** Writes the staged writes into the store and forgets them. */
    void commit() {
        for (Map.Entry<K, Write<V>> write : staged.entrySet()) {
            store.put(write.getKey(), write.getValue().bytes());
        }
        staged.clear();
        read.clear();
    }

    /** Forgets the staged writes: the store stays as it was. */
    void discard() {
        staged.clear();
        read.clear();
    }

    @Override
    public V get(K key) {
        Write<V> mine = staged.get(key);
        if (mine != null) {
            return mine.value();
        }
        Optional<V> seen = read.get(key);
        if (seen == null) {
            seen = Optional.ofNullable(decode(key, store.get(key)));
            read.put(key, seen);
        }
        return seen.orElse(null);
    }

    private V decode(K key, byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return codec.decode(bytes);
        } catch (SerializationException e) {
            throw new UnreadableStateException(store.name(), String.valueOf(key), e);
        }
    }

    @Override
    public void put(K key, V value) {
        if (value == null) {
            staged.put(key, new Write<>(null, null));
            return;
        }
        byte[] bytes = codec.encode(value);
        if (bytes.length > maxValueBytes) {
            throw new RecordLimits.OversizeException(store.name(), bytes.length, maxValueBytes);
        }
        staged.put(key, new Write<>(value, bytes));
    }

    @Override
    public V putIfAbsent(K key, V value) {
        V current = get(key);
        if (current == null) {
            put(key, value);
        }
        return current;
    }

    @Override
    public void putAll(List<KeyValue<K, V>> entries) {
        for (KeyValue<K, V> entry : entries) {
            put(entry.key, entry.value);
        }
    }

    /** Stages a delete. Returns null, not the old value: reading it could fail, and no caller here needs it. */
    @Override
    public V delete(K key) {
        put(key, null);
        return null;
    }

    @Override
    public KeyValueIterator<K, V> range(K from, K to) {
        NavigableMap<K, Write<V>> mine = from == null && to == null ? staged
                : from != null && to != null && from.compareTo(to) > 0 ? new TreeMap<>()
                : from == null ? staged.headMap(to, true)
                : to == null ? staged.tailMap(from, true)
                : staged.subMap(from, true, to, true);
        return new Merged(store.range(from, to), mine);
    }

    @Override
    public KeyValueIterator<K, V> all() {
        return new Merged(store.all(), staged);
    }

    @Override
    public long approximateNumEntries() {
        return store.approximateNumEntries();
    }

    @Override
    public String name() {
        return store.name();
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        throw new UnsupportedOperationException("a staged view is not a store of the topology");
    }

    @Override
    public void close() {
        // the task closes the store itself
    }

    @Override
    public boolean persistent() {
        return store.persistent();
    }

    @Override
    public boolean isOpen() {
        return store.isOpen();
    }

    /**
     * A stored value that cannot be deserialized: the record that needed it cannot be processed, and
     * nothing else is wrong (other keys, and writes that replace this one, still work).
     */
    static final class UnreadableStateException extends RuntimeException {
        UnreadableStateException(String store, String key, SerializationException cause) {
            super("the stored " + store + " entry for '" + DeadLetters.cut(key) + "' cannot be read ("
                    + cause.getMessage() + ")", cause);
        }
    }

    /**
     * The store's entries in order with the staged writes laid over them; a stored value is decoded in
     * {@link #next()}, so an unreadable one fails there and the scan can go on past it.
     */
    private final class Merged implements KeyValueIterator<K, V> {

        private final KeyValueIterator<K, byte[]> stored;
        private final List<Map.Entry<K, Write<V>>> mine;
        private int next;
        /** The next entry: stored bytes, or a staged write. */
        private KeyValue<K, byte[]> aheadStored;
        private Map.Entry<K, Write<V>> aheadMine;

        Merged(KeyValueIterator<K, byte[]> stored, NavigableMap<K, Write<V>> mine) {
            this.stored = stored;
            this.mine = new ArrayList<>(mine.entrySet());
        }

        @Override
        public boolean hasNext() {
            while (aheadStored == null && aheadMine == null) {
                boolean storedLeft = stored.hasNext();
                if (!storedLeft && next >= mine.size()) {
                    return false;
                }
                int order = !storedLeft ? 1 : next >= mine.size() ? -1
                        : stored.peekNextKey().compareTo(mine.get(next).getKey());
                if (order < 0) {
                    aheadStored = stored.next();
                } else {
                    if (order == 0) {
                        stored.next(); // overwritten or deleted by a staged write
                    }
                    Map.Entry<K, Write<V>> write = mine.get(next++);
                    aheadMine = write.getValue().bytes() == null ? null : write;
                }
            }
            return true;
        }

        @Override
        public KeyValue<K, V> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            KeyValue<K, byte[]> fromStore = aheadStored;
            Map.Entry<K, Write<V>> fromMine = aheadMine;
            aheadStored = null;
            aheadMine = null;
            return fromStore != null ? KeyValue.pair(fromStore.key, decode(fromStore.key, fromStore.value))
                    : KeyValue.pair(fromMine.getKey(), fromMine.getValue().value());
        }

        @Override
        public K peekNextKey() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return aheadStored != null ? aheadStored.key : aheadMine.getKey();
        }

        @Override
        public void close() {
            stored.close();
        }
    }
}
