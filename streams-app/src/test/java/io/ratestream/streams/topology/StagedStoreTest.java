package io.ratestream.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.json.JsonSerde;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.reply.Reply;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * The staged view the command processor decides on: the stores see nothing of a record's writes before
 * they are committed, and nothing at all when the record fails half-way.
 */
class StagedStoreTest {

    private static final JsonSerde<UserBudget> BUDGETS = new JsonSerde<>(Json.newMapper(), UserBudget.class);
    private static final JsonSerde<ProcessedReply> PROCESSED = new JsonSerde<>(Json.newMapper(), ProcessedReply.class);
    private static final Instant T0 = Instant.parse("2012-02-02T17:00:00Z");

    private final MockProcessorContext<Object, Object> context = new MockProcessorContext<>();

    private <K, V> KeyValueStore<K, V> store(String name, Serde<K> keys, Serde<V> values) {
        KeyValueStore<K, V> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), keys, values)
                .withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        return store;
    }

    private static UserBudget budget(String credit) {
        return Pipeline.demoBudget("minutosu").withCredit(new BigDecimal(credit));
    }

    @Test
    void shouldShowARecordItsOwnWritesAndTheStoreNoneUntilCommitted() {
        KeyValueStore<String, UserBudget> budgets = store("budgets", Serdes.String(), BUDGETS);
        budgets.put("vdf:a", budget("1"));
        StagedStore<String, UserBudget> staged = new StagedStore<>(budgets, BUDGETS);

        staged.put("vdf:a", budget("2"));
        staged.put("vdf:b", budget("3"));
        staged.delete("vdf:a");
        staged.put("vdf:c", budget("4"));

        assertThat(staged.get("vdf:a")).isNull();
        assertThat(staged.get("vdf:b").credit()).isEqualByComparingTo("3");
        assertThat(budgets.get("vdf:a").credit()).isEqualByComparingTo("1");
        assertThat(budgets.get("vdf:b")).isNull();

        staged.commit();

        assertThat(budgets.get("vdf:a")).isNull();
        assertThat(budgets.get("vdf:b").credit()).isEqualByComparingTo("3");
        assertThat(budgets.get("vdf:c").credit()).isEqualByComparingTo("4");
    }

    @Test
    void shouldLeaveEveryStoreAsItWasWhenTheRecordFailsAfterItsFirstWrite() {
        KeyValueStore<String, UserBudget> budgets = store("budgets", Serdes.String(), BUDGETS);
        KeyValueStore<String, ProcessedReply> processed = store("processed", Serdes.String(), PROCESSED);
        KeyValueStore<Bytes, byte[]> index = store("index", Serdes.Bytes(), Serdes.ByteArray());
        budgets.put("vdf:a", budget("21"));
        // processed replies larger than 200 bytes cannot be stored: the second write of the record fails
        StagedStore<String, UserBudget> stagedBudgets = new StagedStore<>(budgets, BUDGETS);
        StagedStore<String, ProcessedReply> stagedProcessed = new StagedStore<>(processed,
                RecordLimits.bounded(PROCESSED, 200));
        StagedStore<Bytes, byte[]> stagedIndex = new StagedStore<>(index, Serdes.ByteArray().serializer());
        StoreLedger ledger = new StoreLedger(stagedBudgets, stagedProcessed, stagedIndex);

        ledger.putBudget("vdf:a", budget("20"));
        assertThat(ledger.budget("vdf:a").credit()).isEqualByComparingTo("20");
        Reply large = Reply.error("r1", Method.DEBIT_BALANCE, "x".repeat(300));
        assertThatThrownBy(() -> ledger.putProcessed("vdf:a\u001fr1", new ProcessedReply(large, T0)))
                .isInstanceOf(RecordLimits.OversizeException.class)
                .hasMessageContaining("more than the 200");
        List.of(stagedBudgets, stagedProcessed, stagedIndex).forEach(StagedStore::discard);
        List.of(stagedBudgets, stagedProcessed, stagedIndex).forEach(StagedStore::commit);

        assertThat(budgets.get("vdf:a").credit()).isEqualByComparingTo("21");
        assertThat(processed.approximateNumEntries()).isZero();
        assertThat(index.approximateNumEntries()).isZero();
    }

    @Test
    void shouldTurnUnreadableStoredBytesIntoAnErrorThatNamesTheStoreAndKey() {
        KeyValueStore<String, UserBudget> budgets = store("budgets", Serdes.String(), BUDGETS);
        KeyValueStore<Bytes, byte[]> raw = Pipeline.bytesUnder(budgets);
        Bytes broken = Bytes.wrap("vdf:broken".getBytes(StandardCharsets.UTF_8));
        raw.put(broken, "{\"Credit\":".getBytes(StandardCharsets.UTF_8));
        StagedStore<String, UserBudget> staged = new StagedStore<>(budgets, BUDGETS);

        assertThatThrownBy(() -> staged.get("vdf:broken"))
                .isInstanceOf(StagedStore.UnreadableStateException.class)
                .hasMessageContaining("the stored budgets entry for 'vdf:broken' cannot be read");
        staged.delete("vdf:broken"); // deletable without reading it
        staged.commit();
        assertThat(raw.get(broken)).isNull();
    }

    @Test
    void shouldMergeStagedWritesIntoARangeInTheStoresOrder() {
        KeyValueStore<Bytes, byte[]> index = store("index", Serdes.Bytes(), Serdes.ByteArray());
        index.put(key(1), value(1));
        index.put(key(3), value(3));
        index.put(key(5), value(5));
        index.put(key(7), value(7));
        StagedStore<Bytes, byte[]> staged = new StagedStore<>(index, Serdes.ByteArray().serializer());

        staged.put(key(0), value(0));
        staged.delete(key(3));
        staged.put(key(5), value(50));
        staged.put(key(6), value(6));
        staged.put(key(9), value(9));

        assertThat(read(staged.range(null, key(6)))).containsExactly("0=0", "1=1", "5=50", "6=6");
        assertThat(read(staged.range(key(2), key(8)))).containsExactly("5=50", "6=6", "7=7");
        assertThat(read(staged.all())).containsExactly("0=0", "1=1", "5=50", "6=6", "7=7", "9=9");
        assertThat(read(index.all())).containsExactly("1=1", "3=3", "5=5", "7=7");
    }

    private static Bytes key(int n) {
        return Bytes.wrap(new byte[] {(byte) 0x80, (byte) n});
    }

    private static byte[] value(int n) {
        return new byte[] {(byte) n};
    }

    private static List<String> read(KeyValueIterator<Bytes, byte[]> iterator) {
        List<String> entries = new ArrayList<>();
        try (iterator) {
            while (iterator.hasNext()) {
                KeyValue<Bytes, byte[]> entry = iterator.next();
                entries.add((entry.key.get()[1] & 0xff) + "=" + (entry.value[0] & 0xff));
            }
        }
        return entries;
    }
}
