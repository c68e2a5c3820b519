package io.ratestream.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.reply.Reply;
import io.ratestream.streams.state.BudgetCodec;
import io.ratestream.streams.state.ProcessedReplyCodec;
import io.ratestream.streams.state.StateCodec;
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

    private static final BudgetCodec BUDGETS = new BudgetCodec(Json.newMapper());
    private static final ProcessedReplyCodec PROCESSED = new ProcessedReplyCodec(Json.newMapper());
    private static final int MAX = RecordLimits.MAX_RECORD_BYTES;
    private static final Instant T0 = Instant.parse("2012-02-02T17:00:00Z");

    private final MockProcessorContext<Object, Object> context = new MockProcessorContext<>();

    private <K> KeyValueStore<K, byte[]> store(String name, Serde<K> keys) {
        KeyValueStore<K, byte[]> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), keys,
                Serdes.ByteArray()).withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        return store;
    }

    private static UserBudget budget(String credit) {
        return Pipeline.demoBudget("minutosu").withCredit(new BigDecimal(credit));
    }

    @Test
    void shouldShowARecordItsOwnWritesAndTheStoreNoneUntilCommitted() {
        KeyValueStore<String, byte[]> budgets = store("budgets", Serdes.String());
        budgets.put("vdf:a", BUDGETS.encode(budget("1")));
        StagedStore<String, UserBudget> staged = new StagedStore<>(budgets, BUDGETS, MAX);

        staged.put("vdf:a", budget("2"));
        staged.put("vdf:b", budget("3"));
        staged.delete("vdf:a");
        staged.put("vdf:c", budget("4"));

        assertThat(staged.get("vdf:a")).isNull();
        assertThat(staged.get("vdf:b").credit()).isEqualByComparingTo("3");
        assertThat(BUDGETS.decode(budgets.get("vdf:a")).credit()).isEqualByComparingTo("1");
        assertThat(budgets.get("vdf:b")).isNull();

        staged.commit();

        assertThat(budgets.get("vdf:a")).isNull();
        assertThat(BUDGETS.decode(budgets.get("vdf:b")).credit()).isEqualByComparingTo("3");
        assertThat(BUDGETS.decode(budgets.get("vdf:c")).credit()).isEqualByComparingTo("4");
    }

    @Test
    void shouldLeaveEveryStoreAsItWasWhenTheRecordFailsAfterItsFirstWrite() {
        KeyValueStore<String, byte[]> budgets = store("budgets", Serdes.String());
        KeyValueStore<String, byte[]> processed = store("processed", Serdes.String());
        KeyValueStore<Bytes, byte[]> index = store("index", Serdes.Bytes());
        budgets.put("vdf:a", BUDGETS.encode(budget("21")));
        // processed replies larger than 200 bytes cannot be stored: the second write of the record fails
        StagedStore<String, UserBudget> stagedBudgets = new StagedStore<>(budgets, BUDGETS, MAX);
        StagedStore<String, ProcessedReply> stagedProcessed = new StagedStore<>(processed, PROCESSED, 200);
        StagedStore<Bytes, byte[]> stagedIndex = new StagedStore<>(index, StateCodec.bytes(), MAX);
        StoreLedger ledger = new StoreLedger(stagedBudgets, stagedProcessed, stagedIndex);

        ledger.putBudget("vdf:a", budget("20"));
        assertThat(ledger.budget("vdf:a").credit()).isEqualByComparingTo("20");
        Reply large = Reply.error("r1", Method.DEBIT_BALANCE, "x".repeat(300));
        assertThatThrownBy(() -> ledger.putProcessed("vdf:a\u001fr1", new ProcessedReply(large, T0, null)))
                .isInstanceOf(RecordLimits.OversizeException.class)
                .hasMessageContaining("more than the 200");
        List.of(stagedBudgets, stagedProcessed, stagedIndex).forEach(StagedStore::discard);
        List.of(stagedBudgets, stagedProcessed, stagedIndex).forEach(StagedStore::commit);

        assertThat(BUDGETS.decode(budgets.get("vdf:a")).credit()).isEqualByComparingTo("21");
        assertThat(processed.approximateNumEntries()).isZero();
        assertThat(index.approximateNumEntries()).isZero();
    }

    @Test
    void shouldTurnUnreadableStoredBytesIntoAnErrorThatNamesTheStoreAndKey() {
        KeyValueStore<String, byte[]> budgets = store("budgets", Serdes.String());
        KeyValueStore<Bytes, byte[]> raw = Pipeline.bytesUnder(budgets);
        Bytes broken = Bytes.wrap("vdf:broken".getBytes(StandardCharsets.UTF_8));
        raw.put(broken, "{\"Credit\":".getBytes(StandardCharsets.UTF_8));
        StagedStore<String, UserBudget> staged = new StagedStore<>(budgets, BUDGETS, MAX);

        assertThatThrownBy(() -> staged.get("vdf:broken"))
                .isInstanceOf(StagedStore.UnreadableStateException.class)
                .hasMessageContaining("the stored budgets entry for 'vdf:broken' cannot be read");
        staged.delete("vdf:broken"); // deletable without reading it
        staged.commit();
        assertThat(raw.get(broken)).isNull();
    }

    /** Counts the codec's calls, and remembers the bytes it encoded last. */
    private static final class Counting implements StateCodec<UserBudget> {
        int encoded;
        int decoded;
        byte[] last;

        @Override
        public byte[] encode(UserBudget value) {
            encoded++;
            last = BUDGETS.encode(value);
            return last;
        }

        @Override
        public UserBudget decode(byte[] bytes) {
            decoded++;
            return BUDGETS.decode(bytes);
        }
    }

    @Test
    void shouldEncodeAValueOnceAndCommitThoseBytesAndDecodeAStoredValueOncePerRecord() {
        KeyValueStore<String, byte[]> budgets = store("budgets", Serdes.String());
        budgets.put("vdf:a", BUDGETS.encode(budget("1")));
        Counting codec = new Counting();
        StagedStore<String, UserBudget> staged = new StagedStore<>(budgets, codec, MAX);

        staged.get("vdf:a");
        staged.get("vdf:a");
        assertThat(codec.decoded).as("read once, then from the record's cache").isEqualTo(1);
        staged.put("vdf:a", budget("2"));
        byte[] written = codec.last;
        assertThat(staged.get("vdf:a").credit()).isEqualByComparingTo("2");
        staged.commit();

        assertThat(codec.encoded).as("encoded when staged, not again at commit").isEqualTo(1);
        assertThat(codec.decoded).isEqualTo(1);
        assertThat(budgets.get("vdf:a")).isSameAs(written);
        assertThat(written[0]).as("the binary format's version").isEqualTo((byte) 1);

        staged.get("vdf:a");
        assertThat(codec.decoded).as("a new record reads the store again").isEqualTo(2);
    }

    @Test
    void shouldRefuseAValueWhoseBytesAreLargerThanTheLimitBeforeStagingIt() {
        KeyValueStore<String, byte[]> budgets = store("budgets", Serdes.String());
        int size = BUDGETS.encode(budget("1")).length;
        StagedStore<String, UserBudget> staged = new StagedStore<>(budgets, BUDGETS, size - 1);

        assertThatThrownBy(() -> staged.put("vdf:a", budget("1")))
                .isInstanceOf(RecordLimits.OversizeException.class)
                .hasMessageContaining("a value for budgets would be " + size + " bytes, more than the " + (size - 1));
        assertThat(staged.get("vdf:a")).isNull();
        new StagedStore<>(budgets, BUDGETS, size).put("vdf:a", budget("1")); // exactly the limit fits
    }

    @Test
    void shouldDecodeAScannedValueInNextSoThatAScanCanGoPastOneThatCannotBeRead() {
        KeyValueStore<String, byte[]> budgets = store("budgets", Serdes.String());
        budgets.put("vdf:a", new byte[] {'['});
        budgets.put("vdf:b", BUDGETS.encode(budget("2")));
        StagedStore<String, UserBudget> staged = new StagedStore<>(budgets, BUDGETS, MAX);

        List<String> seen = new ArrayList<>();
        try (KeyValueIterator<String, UserBudget> all = staged.all()) {
            while (all.hasNext()) {
                try {
                    seen.add(all.next().value.credit().toPlainString());
                } catch (StagedStore.UnreadableStateException e) {
                    seen.add("unreadable " + e.getMessage());
                }
            }
        }
        assertThat(seen).hasSize(2);
        assertThat(seen.get(0)).startsWith("unreadable the stored budgets entry for 'vdf:a' cannot be read");
        assertThat(seen.get(1)).isEqualTo("2");
    }

    @Test
    void shouldMergeStagedWritesIntoARangeInTheStoresOrder() {
        KeyValueStore<Bytes, byte[]> index = store("index", Serdes.Bytes());
        index.put(key(1), value(1));
        index.put(key(3), value(3));
        index.put(key(5), value(5));
        index.put(key(7), value(7));
        StagedStore<Bytes, byte[]> staged = new StagedStore<>(index, StateCodec.bytes(), MAX);

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
