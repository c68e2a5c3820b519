package io.ratestream.streams.topology;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;
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
 * <p>Every value written is serialized with the store's serializer while it is staged, so that a value
 * the store could not take (one larger than a changelog record may be) fails here, before anything is
 * written, and the commit itself writes only values known to serialize. Deletes are written as
 * {@code put(key, null)}, which never reads the old value (an unreadable one must still be deletable).
 *
 * <p>Range scans merge the staged writes into the store's own order; that needs the key's natural order
 * to be the store's byte order, which holds for {@code Bytes} keys (unsigned lexicographic), and for
 * {@code String} keys only as far as they are ASCII: ranges are used here on {@code Bytes} keys only.
 * One instance per processor; not thread-safe, as a processor is not.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
final class StagedStore<K extends Comparable<K>, V> implements KeyValueStore<K, V> {

    private final KeyValueStore<K, V> store;
    private final Serializer<V> check;
    /** The writes of the current record: an empty value deletes. */
    private final NavigableMap<K, Optional<V>> staged = new TreeMap<>();
    /** What the current record has read from the store, so that reading it again costs nothing. */
    private final Map<K, Optional<V>> read = new HashMap<>();

    /**
     * @param store the task's store, which this never writes to before {@link #commit()}
     * @param check serializes a value as the store will (a size bound included), to fail early
     */
    StagedStore(KeyValueStore<K, V> store, Serializer<V> check) {
        this.store = store;
        this.check = check;
    }

    /** Writes the staged writes into the store and forgets them. */
    void commit() {
        for (Map.Entry<K, Optional<V>> write : staged.entrySet()) {
            store.put(write.getKey(), write.getValue().orElse(null));
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
        Optional<V> mine = staged.get(key);
        if (mine == null) {
            mine = read.get(key);
        }
        if (mine == null) {
            try {
                mine = Optional.ofNullable(store.get(key));
            } catch (SerializationException e) {
                throw new UnreadableStateException(store.name(), String.valueOf(key), e);
            }
            read.put(key, mine);
        }
        return mine.orElse(null);
    }

    @Override
    public void put(K key, V value) {
        if (value != null) {
            check.serialize(store.name(), value);
        }
        staged.put(key, Optional.ofNullable(value));
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
        staged.put(key, Optional.empty());
        return null;
    }

    @Override
    public KeyValueIterator<K, V> range(K from, K to) {
        NavigableMap<K, Optional<V>> mine = from == null && to == null ? staged
                : from != null && to != null && from.compareTo(to) > 0 ? new TreeMap<>()
                : from == null ? staged.headMap(to, true)
                : to == null ? staged.tailMap(from, true)
                : staged.subMap(from, true, to, true);
        return new Merged<>(store.range(from, to), mine);
    }

    @Override
    public KeyValueIterator<K, V> all() {
        return new Merged<>(store.all(), staged);
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

    /** The store's entries in order with the staged writes laid over them. */
    private static final class Merged<K extends Comparable<K>, V> implements KeyValueIterator<K, V> {

        private final KeyValueIterator<K, V> stored;
        private final List<Map.Entry<K, Optional<V>>> mine;
        private int next;
        private KeyValue<K, V> ahead;

        Merged(KeyValueIterator<K, V> stored, NavigableMap<K, Optional<V>> mine) {
            this.stored = stored;
            this.mine = new ArrayList<>(mine.entrySet());
        }

        @Override
        public boolean hasNext() {
            while (ahead == null) {
                boolean storedLeft = stored.hasNext();
                if (!storedLeft && next >= mine.size()) {
                    return false;
                }
                int order = !storedLeft ? 1 : next >= mine.size() ? -1
                        : stored.peekNextKey().compareTo(mine.get(next).getKey());
                if (order < 0) {
                    ahead = stored.next();
                } else {
                    if (order == 0) {
                        stored.next(); // overwritten or deleted by a staged write
                    }
                    Map.Entry<K, Optional<V>> write = mine.get(next++);
                    ahead = write.getValue().map(value -> KeyValue.pair(write.getKey(), value)).orElse(null);
                }
            }
            return true;
        }

        @Override
        public KeyValue<K, V> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            KeyValue<K, V> result = ahead;
            ahead = null;
            return result;
        }

        @Override
        public K peekNextKey() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return ahead.key;
        }

        @Override
        public void close() {
            stored.close();
        }
    }
}
