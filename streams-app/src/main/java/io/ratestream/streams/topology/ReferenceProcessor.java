package io.ratestream.streams.topology;

import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds one kind of reference data from its compacted topic into its persistent global store and tells
 * the {@link ReferenceBook} (a {@link ReferenceBook.Shelf}) what changed. The store keeps each record's
 * value exactly as it came from the topic (the JSON of the topic's schema), once it has parsed and its
 * key matched; a null value deletes. (A later compact form would begin with a version byte below 0x20,
 * which no JSON text begins with.)
 *
 * <p>A record that cannot be applied, for any reason of its own (it does not parse, it has no key, its
 * key does not match its content, reading it fails in any other way), is logged and skipped, and the
 * previous value for its key stays: a global processor cannot write to the dead-letter topic, and one
 * record must never stop the global thread, which cannot be replaced and whose death stops the whole
 * client. Keys are read as lenient UTF-8 (bytes that are not UTF-8 become U+FFFD), so no key fails to
 * deserialize; such a key matches no content and its record is skipped. The {@link ProcessingErrors}
 * handler, enabled for the global thread, is the net under this.
 *
 * <p><b>Restarts.</b> Kafka Streams restores a global store added with a processor by running a new
 * instance of that processor over the topic from the store's checkpointed offset (from the beginning
 * when there is none), before the stream threads start; this processor then stores exactly what it
 * stores in normal processing. The first instance of a book's processor for a store (the restoring one)
 * reads what the store already holds into the book, once, when it is initialized.
 *
 * @param <T> the reference record type
 */
final class ReferenceProcessor<T> implements Processor<String, byte[], Void, Void> {

    private static final Logger LOG = LoggerFactory.getLogger(ReferenceProcessor.class);

    private final String storeName;
    private final Deserializer<T> deserializer;
    private final Function<T, String> keyOf;
    private final ReferenceBook book;
    private final ReferenceBook.Shelf<T> shelf;
    private ProcessorContext<Void, Void> context;
    private KeyValueStore<String, byte[]> store;

    ReferenceProcessor(String storeName, Deserializer<T> deserializer, Function<T, String> keyOf, ReferenceBook book,
            ReferenceBook.Shelf<T> shelf) {
        this.storeName = storeName;
        this.deserializer = deserializer;
        this.keyOf = keyOf;
        this.book = book;
        this.shelf = shelf;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
        if (book.claimStoreRead(storeName)) {
            readStore();
        }
    }

    /** Tells the book what the store holds already: what the state dir kept from the last run. */
    private void readStore() {
        long started = System.nanoTime();
        long count = 0;
        try (KeyValueIterator<String, byte[]> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<String, byte[]> entry = all.next();
                try {
                    shelf.restored(entry.key, entry.value, deserializer);
                    count++;
                } catch (RuntimeException e) {
                    if (CommandProcessor.isKafkas(e)) {
                        throw e;
                    }
                    LOG.warn("skipped entry {} of the local store {}: {}", DeadLetters.cut(entry.key), storeName,
                            DeadLetters.cut(e.toString()));
                }
            }
        }
        shelf.restoreDone();
        LOG.info("read {} entries of the local store {} in {} ms", count, storeName,
                (System.nanoTime() - started) / 1_000_000);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        book.countTopicRecord();
        Parsed<T> parsed = parse(deserializer, keyOf, record.key(), record.value());
        if (parsed.problem() != null) {
            skip(record, parsed.problem());
        } else if (record.value() == null) {
            boolean existed = store.delete(record.key()) != null;
            shelf.deleted(record.key(), existed);
        } else {
            boolean existed = store.get(record.key()) != null;
            shelf.beforePut(record.key(), parsed.value());
            store.put(record.key(), record.value());
            shelf.put(record.key(), parsed.value(), existed);
        }
    }

    /** A reference record read: its value (null for a tombstone) or why it must be skipped. */
    record Parsed<T>(T value, String problem) {
    }

    /** Reads one reference record: a null value is a tombstone; a value must parse and match its key. */
    static <T> Parsed<T> parse(Deserializer<T> deserializer, Function<T, String> keyOf, String key, byte[] value) {
        if (key == null) {
            return new Parsed<>(null, "it has no key");
        }
        if (value == null) {
            return new Parsed<>(null, null);
        }
        T parsed;
        String expected;
        try {
            parsed = deserializer.deserialize("reference", value);
            if (parsed == null) {
                return new Parsed<>(null,
                        "its value is JSON null: delete with a tombstone (a record without a value) instead");
            }
            expected = keyOf.apply(parsed);
        } catch (SerializationException e) {
            return new Parsed<>(null, e.getMessage());
        } catch (RuntimeException e) {
            if (CommandProcessor.isKafkas(e)) {
                throw e;
            }
            return new Parsed<>(null, e.toString());
        }
        if (!key.equals(expected)) {
            return new Parsed<>(null, "its key '" + DeadLetters.cut(key) + "' does not match its content, which is keyed '"
                    + DeadLetters.cut(expected) + "'");
        }
        return new Parsed<>(parsed, null);
    }

    /**
     * Applies one reference record to a map (the offline {@link Replay}): a null value deletes, a valid one
     * replaces.
     *
     * @return why the record was skipped, or null when it was applied
     */
    static <T> String apply(Map<String, T> book, Deserializer<T> deserializer, Function<T, String> keyOf, String key,
            byte[] value) {
        Parsed<T> parsed = parse(deserializer, keyOf, key, value);
        if (parsed.problem() == null) {
            if (value == null) {
                book.remove(key);
            } else {
                book.put(key, parsed.value());
            }
        }
        return parsed.problem();
    }

    private void skip(Record<String, byte[]> record, String reason) {
        String where = context.recordMetadata()
                .map(m -> m.topic() + "-" + m.partition() + "@" + m.offset())
                .orElse(storeName);
        LOG.warn("skipped reference record {} key {}: {}", where, DeadLetters.cut(record.key()), DeadLetters.cut(reason));
    }
}
