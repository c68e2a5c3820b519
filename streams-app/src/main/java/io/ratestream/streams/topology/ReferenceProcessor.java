package io.ratestream.streams.topology;

import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds one kind of reference data from its compacted topic into its global store (raw bytes, for
 * inspection) and into the {@link ReferenceBook} (parsed, for rating). A null value deletes. A record
 * that cannot be applied, for any reason of its own (it does not parse, it has no key, its key does not
 * match its content, reading it fails in any other way), is logged and skipped, and the previous value
 * for its key stays: a global processor cannot write to the dead-letter topic, and one record must never
 * stop the global thread, which cannot be replaced and whose death stops the whole client. Keys are
 * read as lenient UTF-8 (bytes that are not UTF-8 become U+FFFD), so no key fails to deserialize; such a
 * key matches no content and its record is skipped. The {@link ProcessingErrors} handler, enabled for
 * the global thread, is the net under this.
 *
 * @param <T> the reference record type
 */
final class ReferenceProcessor<T> implements Processor<String, byte[], Void, Void> {

    private static final Logger LOG = LoggerFactory.getLogger(ReferenceProcessor.class);

    private final String storeName;
    private final Deserializer<T> deserializer;
    private final Function<T, String> keyOf;
    private final Map<String, T> book;
    private ProcessorContext<Void, Void> context;
    private KeyValueStore<String, byte[]> store;

    ReferenceProcessor(String storeName, Deserializer<T> deserializer, Function<T, String> keyOf, Map<String, T> book) {
        this.storeName = storeName;
        this.deserializer = deserializer;
        this.keyOf = keyOf;
        this.book = book;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String problem = apply(book, deserializer, keyOf, record.key(), record.value());
        if (problem != null) {
            skip(record, problem);
        } else if (record.value() == null) {
            store.delete(record.key());
        } else {
            store.put(record.key(), record.value());
        }
    }

    /**
     * Applies one reference record to a book: a null value deletes, a valid one replaces.
     *
     * @return why the record was skipped, or null when it was applied
     */
    static <T> String apply(Map<String, T> book, Deserializer<T> deserializer, Function<T, String> keyOf, String key,
            byte[] value) {
        if (key == null) {
            return "it has no key";
        }
        if (value == null) {
            book.remove(key);
            return null;
        }
        T parsed;
        String expected;
        try {
            parsed = deserializer.deserialize("reference", value);
            if (parsed == null) {
                return "its value is JSON null: delete with a tombstone (a record without a value) instead";
            }
            expected = keyOf.apply(parsed);
        } catch (SerializationException e) {
            return e.getMessage();
        } catch (RuntimeException e) {
            if (CommandProcessor.isKafkas(e)) {
                throw e;
            }
            return e.toString();
        }
        if (!key.equals(expected)) {
            return "its key '" + DeadLetters.cut(key) + "' does not match its content, which is keyed '"
                    + DeadLetters.cut(expected) + "'";
        }
        book.put(key, parsed);
        return null;
    }

    private void skip(Record<String, byte[]> record, String reason) {
        String where = context.recordMetadata()
                .map(m -> m.topic() + "-" + m.partition() + "@" + m.offset())
                .orElse(storeName);
        LOG.warn("skipped reference record {} key {}: {}", where, DeadLetters.cut(record.key()), DeadLetters.cut(reason));
    }
}
