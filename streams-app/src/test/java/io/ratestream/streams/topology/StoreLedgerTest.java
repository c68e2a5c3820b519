package io.ratestream.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.reply.Reply;
import io.ratestream.streams.state.BudgetCodec;
import io.ratestream.streams.state.ProcessedReplyCodec;
import io.ratestream.streams.state.StateCodec;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Forgetting processed request ids on the task's stores: every entry accepted before the cutoff goes, oldest
 * first, and none after it, whatever order they came in; the scans resume where the last one stopped.
 */
class StoreLedgerTest {

    private static final Instant T0 = Instant.parse("2012-02-02T17:00:00Z");
    private static final int MAX = RecordLimits.MAX_RECORD_BYTES;

    private final MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
    private KeyValueStore<String, byte[]> processed;
    private List<StagedStore<?, ?>> staged;
    private StoreLedger ledger;

    private <K> KeyValueStore<K, byte[]> store(String name, Serde<K> keys) {
        KeyValueStore<K, byte[]> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), keys,
                Serdes.ByteArray()).withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        return store;
    }

    @BeforeEach
    void start() {
        processed = store("processed", Serdes.String());
        StagedStore<String, UserBudget> budgets = new StagedStore<>(
                store("budgets", Serdes.String()), new BudgetCodec(Json.newMapper()), MAX);
        StagedStore<String, ProcessedReply> stagedProcessed = new StagedStore<>(processed,
                new ProcessedReplyCodec(Json.newMapper()), MAX);
        StagedStore<Bytes, byte[]> index = new StagedStore<>(store("index", Serdes.Bytes()), StateCodec.bytes(), MAX);
        staged = List.of(budgets, stagedProcessed, index);
        ledger = new StoreLedger(budgets, stagedProcessed, index);
    }

    /** What one command does: its entry, then its forgetting, committed together. */
    private void command(String id, Instant acceptedAt, Instant cutoff, int max) {
        if (id != null) {
            ledger.putProcessed("vdf:a\u001f" + id, new ProcessedReply(
                    Reply.of(id, Method.DEBIT_BALANCE, BigDecimal.ONE), acceptedAt, null));
        }
        ledger.forgetProcessedBefore(cutoff, max);
        staged.forEach(StagedStore::commit);
    }

    private List<String> kept() {
        List<String> ids = new ArrayList<>();
        try (var all = processed.all()) {
            all.forEachRemaining(entry -> ids.add(entry.key.substring(entry.key.indexOf('\u001f') + 1)));
        }
        return ids.stream().sorted().toList();
    }

    private static Instant minute(int n) {
        return T0.plus(Duration.ofMinutes(n));
    }

    @Test
    void shouldForgetEveryEntryBeforeTheCutoffAcrossCommandsAndNoneAfterIt() {
        for (int i = 0; i < 10; i++) {
            command("e" + i, minute(i), T0.minus(Duration.ofDays(1)), 2);
        }

        for (int i = 0; i < 3; i++) {
            command(null, null, minute(5), 2);
        }

        assertThat(kept()).containsExactly("e5", "e6", "e7", "e8", "e9");
    }

    @Test
    void shouldStillForgetAnEntryAcceptedBeforeThoseAlreadyForgotten() {
        IntStream.range(0, 6).forEach(i -> command("e" + i, minute(i), T0.minus(Duration.ofDays(1)), 2));
        command(null, null, minute(3), 2);
        command(null, null, minute(3), 2); // e0 e1 e2 gone: the next scan starts after them

        command("late", minute(-60), minute(3), 0);
        command(null, null, minute(3), 2);

        assertThat(kept()).containsExactly("e3", "e4", "e5");
    }

    @Test
    void shouldForgetNothingWhenTheCutoffComesBackBelowWhatWasForgotten() {
        IntStream.range(0, 6).forEach(i -> command("e" + i, minute(i), T0.minus(Duration.ofDays(1)), 2));
        command(null, null, minute(2), 2);

        command(null, null, minute(1), 2);
        command(null, null, minute(4), 1);

        assertThat(kept()).containsExactly("e3", "e4", "e5");
    }

    @Test
    void shouldScanFromTheStartAgainAfterARecordsWritesWereDiscarded() {
        IntStream.range(0, 4).forEach(i -> command("e" + i, minute(i), T0.minus(Duration.ofDays(1)), 2));
        ledger.forgetProcessedBefore(minute(2), 2);
        staged.forEach(StagedStore::discard); // the record failed: e0 and e1 are still there
        ledger.rescan();

        command(null, null, minute(2), 2);

        assertThat(kept()).containsExactly("e2", "e3");
    }
}
