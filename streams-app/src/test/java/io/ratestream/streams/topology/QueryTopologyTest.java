package io.ratestream.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.reply.ErrorKind;
import io.ratestream.schemas.reply.Reply;
import io.ratestream.schemas.topics.DeadLetter;
import io.ratestream.schemas.topics.Topics;
import io.ratestream.streams.ops.StreamsMeters;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ratestream.queries in the TopologyTestDriver: a query there is answered from the budget the
 * subscriber's earlier commands left, and leaves nothing behind (no processed entry, no index entry, no
 * event, no store write); a budget-changing command there is refused and changes nothing.
 */
class QueryTopologyTest {

    private static final Instant T0 = Instant.parse("2012-02-02T17:00:00Z");

    @TempDir
    Path stateDir;

    private final StreamsMeters meters = new StreamsMeters();
    private Pipeline pipeline;

    @BeforeEach
    void start() {
        pipeline = new Pipeline(stateDir, T0, Map.of(), meters);
        pipeline.send(pipeline.setBudget(Pipeline.demoBudget("minutosu"), T0));
        pipeline.events.readValuesToList();
        pipeline.commandsOut.readRecordsToList();
    }

    @AfterEach
    void stop() {
        pipeline.close();
        meters.close();
    }

    /** Every entry of a store, as raw bytes (what its changelog would hold). */
    private List<KeyValue<Bytes, byte[]>> entries(String store) {
        List<KeyValue<Bytes, byte[]>> all = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = pipeline.rawStore(store).all()) {
            it.forEachRemaining(all::add);
        }
        return all;
    }

    private record Stores(List<String> processed, List<String> index, List<String> budgets, List<String> admitted) {
    }

    private Stores stores() {
        return new Stores(keysAndValues(RatestreamTopology.PROCESSED_STORE),
                keysAndValues(RatestreamTopology.PROCESSED_INDEX_STORE), keysAndValues(RatestreamTopology.BUDGETS_STORE),
                keysAndValues(RatestreamTopology.ADMITTED_STORE));
    }

    private List<String> keysAndValues(String store) {
        return entries(store).stream().map(e -> e.key + "=" + java.util.Arrays.toString(e.value)).toList();
    }

    private double commands(String method, String outcome) {
        var counter = meters.registry().find("ratestream.streams.commands").tags("method", method, "outcome", outcome)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private Reply query(Command command) {
        return pipeline.sendOn(pipeline.queries, command);
    }

    @Test
    void shouldAnswerAQueryAndWriteNoStoreNoEventNoProcessedEntry() {
        Stores before = stores();
        assertThat(before.processed()).as("the budget's own entry").hasSize(1);

        Reply cost = query(pipeline.command(Method.GET_COST, Pipeline.workedExample(), T0));
        Reply max = query(pipeline.command("q-max", Method.GET_MAX_SESSION_TIME, "minutosu", "0723", "100", T0, null));
        Reply exact = query(pipeline.command("q-exact", Method.GET_EXACT_MAX_SESSION_TIME, "minutosu", "0723", "10", T0,
                null));

        assertThat(cost.error()).isNull();
        assertThat(cost.callCost().cost()).isEqualByComparingTo("540");
        assertThat(cost.subscriber()).isEqualTo("vdf:rif");
        assertThat(max.value()).isEqualByComparingTo("100");
        assertThat(exact.value()).isEqualByComparingTo("10");
        assertThat(stores()).as("no store changed").isEqualTo(before);
        assertThat(pipeline.events.isEmpty()).isTrue();
        assertThat(pipeline.deadLetters.isEmpty()).isTrue();
        assertThat(commands("GetCost", CommandMetrics.OK)).isEqualTo(1);
        assertThat(commands("GetMaxSessionTime", CommandMetrics.OK)).isEqualTo(1);
    }

    @Test
    void shouldNeitherLookUpNorRememberAQueryRequestId() {
        Reply first = query(pipeline.command("same", Method.GET_MAX_SESSION_TIME, "minutosu", "0723", "10000", T0,
                null));
        Reply debit = pipeline.send(pipeline.command("same", Method.DEBIT_BALANCE, "minutosu", null, "20", T0, null));
        Reply second = query(pipeline.command("same", Method.GET_MAX_SESSION_TIME, "minutosu", "0723", "10000", T0,
                null));

        assertThat(first.error()).isNull();
        assertThat(debit.error()).as("the query left no entry for the debit to meet").isNull();
        assertThat(debit.value()).isEqualByComparingTo("1");
        assertThat(second.errorKind()).as("not a request id conflict: the query does not look").isNull();
        assertThat(second.value()).as("answered afresh, after the debit").isLessThan(first.value());
        assertThat(commands("DebitBalance", CommandMetrics.OK)).isEqualTo(1);
    }

    @Test
    void shouldAnswerAQueryFromTheBudgetTheSubscribersEarlierCommandsLeft() {
        Reply before = query(pipeline.command("q1", Method.GET_EXACT_MAX_SESSION_TIME, "minutosu", "0723", "10000", T0,
                null));
        pipeline.send(pipeline.command("d1", Method.DEBIT_BALANCE, "minutosu", null, "11", T0, null));
        Reply after = query(pipeline.command("q2", Method.GET_EXACT_MAX_SESSION_TIME, "minutosu", "0723", "10000", T0,
                null));

        assertThat(pipeline.budgets().get("vdf:minutosu").credit()).isEqualByComparingTo("10");
        assertThat(before.error()).isNull();
        assertThat(after.error()).isNull();
        assertThat(after.value()).isLessThan(before.value());
    }

    @Test
    void shouldRefuseABudgetChangingCommandOnTheQueriesTopicChangingNothing() {
        Stores before = stores();
        UserBudget budget = pipeline.budgets().get("vdf:minutosu");

        List<Reply> replies = new ArrayList<>();
        for (Method method : List.of(Method.DEBIT_BALANCE, Method.DEBIT_SECONDS, Method.RESET_USER_BUDGET)) {
            replies.add(query(pipeline.command("raw-" + method.wireName(), method, "minutosu", "0723",
                    method == Method.RESET_USER_BUDGET ? null : "5", T0, null)));
        }
        UserBudget rich = budget.withCredit(new java.math.BigDecimal("1000000"));
        replies.add(query(pipeline.setBudget(rich, T0)));

        assertThat(replies).allSatisfy(reply -> {
            assertThat(reply.errorKind()).isEqualTo(ErrorKind.BAD_REQUEST);
            assertThat(reply.error()).startsWith("bad command: ").contains("changes a budget")
                    .contains(Topics.QUERIES + " takes only queries").contains("nothing was changed");
            assertThat(reply.subscriber()).isEqualTo("vdf:minutosu");
        });
        List<DeadLetter> letters = pipeline.deadLetters.readValuesToList();
        assertThat(letters).hasSize(4).allSatisfy(letter -> {
            assertThat(letter.topic()).isEqualTo(Topics.QUERIES);
            assertThat(letter.reason()).contains("changes a budget");
        });
        assertThat(pipeline.budgets().get("vdf:minutosu")).isEqualTo(budget);
        assertThat(stores()).as("no store changed").isEqualTo(before);
        assertThat(pipeline.events.isEmpty()).isTrue();
        assertThat(meters.registry().get("ratestream.streams.dead.letters")
                .tags("reason", DeadLetterReason.NOT_A_QUERY.wireName()).counter().count()).isEqualTo(4);
        assertThat(commands("DebitBalance", "not_a_query")).isEqualTo(1);
    }

    @Test
    void shouldDeadLetterAnUnusableRecordOnTheQueriesTopic() {
        Command misKeyed = pipeline.command(Method.GET_COST, Pipeline.workedExample(), T0);
        pipeline.queries.pipeInput("vdf:someone-else", misKeyed, T0);

        Reply reply = pipeline.replies.readValue();
        DeadLetter letter = pipeline.deadLetters.readValue();
        assertThat(reply.errorKind()).isEqualTo(ErrorKind.BAD_REQUEST);
        assertThat(letter.topic()).isEqualTo(Topics.QUERIES);
        assertThat(letter.reason()).contains("must be the command's CstmId:Subject");
    }
}
