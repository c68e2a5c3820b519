package io.ratestream.streams.rating;

import static io.ratestream.streams.rating.Given.budget;
import static io.ratestream.streams.rating.Given.command;
import static io.ratestream.streams.rating.Given.setBudget;
import static org.assertj.core.api.Assertions.assertThat;

import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.model.Names;
import io.ratestream.schemas.model.UserBudget;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import org.junit.jupiter.api.Test;

/** SetUserBudget (the loader's command) and the monthly refill (SPEC 3). */
class BudgetLifecycleTest {

    private final Engine engine = Given.demo().engine();

    @Test
    void shouldCreateABudgetAndRecordThatItsAllowancesAreThisMonths() {
        // Loaded on 2 February with reset day 10: the last reset date was 10 January.
        Decision decision = engine.decide(null, setBudget(budget("minutosu"), Instant.parse("2012-02-02T10:00:00Z")));

        assertThat(decision.reply().error()).isNull();
        assertThat(decision.budget().credit()).isEqualByComparingTo("21");
        assertThat(decision.budget().lastRefill()).isEqualTo(YearMonth.of(2012, 1));
        assertThat(decision.events()).singleElement().satisfies(event -> {
            assertThat(event.before()).isNull();
            assertThat(event.after()).isEqualTo(decision.budget());
        });
    }

    @Test
    void shouldReplaceAnExistingBudget() {
        UserBudget old = budget("minutosu").withCredit(BigDecimal.ONE);

        Decision decision = engine.decide(old, setBudget(budget("minutosu"), Instant.parse("2012-02-12T10:00:00Z")));

        assertThat(decision.budget().credit()).isEqualByComparingTo("21");
        assertThat(decision.budget().lastRefill()).isEqualTo(YearMonth.of(2012, 2));
        assertThat(decision.events().get(0).before()).isSameAs(old);
    }

    @Test
    void shouldRefuseABudgetForAnotherSubject() {
        CallDescriptor otherSubject = new CallDescriptor(0, "vdf", "rif", null, null, null, null, null);
        Command command = new Command("x1", Method.SET_USER_BUDGET, otherSubject, Given.ACCEPTED, null,
                budget("minutosu"));

        Decision decision = engine.decide(null, command);

        assertThat(decision.reply().error()).contains("must equal Subject");
        assertThat(decision.budget()).isNull();
    }

    @Test
    void shouldRefuseSetUserBudgetWithoutABudget() {
        Command command = command(Method.SET_USER_BUDGET, Given.amount("minutosu", null, "0"));

        assertThat(engine.decide(null, command).reply().error()).contains("Budget is required");
    }

    @Test
    void shouldFindTheRefillDueOnTheResetDay() {
        UserBudget january = budget("minutosu").withLastRefill(YearMonth.of(2012, 1)); // reset day 10

        assertThat(MonthlyRefill.due(january, Instant.parse("2012-02-09T23:59:59Z"))).isNull();
        assertThat(MonthlyRefill.due(january, Instant.parse("2012-02-10T00:00:00Z"))).isEqualTo(YearMonth.of(2012, 2));
        assertThat(MonthlyRefill.due(january, Instant.parse("2012-03-01T00:00:00Z"))).isEqualTo(YearMonth.of(2012, 2));
        assertThat(MonthlyRefill.due(january.withLastRefill(YearMonth.of(2012, 2)),
                Instant.parse("2012-02-20T00:00:00Z"))).isNull();
    }

    @Test
    void shouldRefillOnTheLastDayOfAShortMonth() {
        UserBudget day31 = new UserBudget("x", null, null, null, null, null, 31, null, null, YearMonth.of(2012, 1));

        // 2012 is a leap year: February's last day is the 29th.
        assertThat(MonthlyRefill.due(day31, Instant.parse("2012-02-28T12:00:00Z"))).isNull();
        assertThat(MonthlyRefill.due(day31, Instant.parse("2012-02-29T00:00:00Z"))).isEqualTo(YearMonth.of(2012, 2));
    }

    @Test
    void shouldNeverRefillABudgetWithoutAResetDay() {
        UserBudget never = new UserBudget("x", null, null, null, null, null, 0, null, null, null);

        assertThat(MonthlyRefill.due(never, Instant.parse("2012-02-29T00:00:00Z"))).isNull();
    }

    @Test
    void shouldRefillOnceAMonth() {
        UserBudget used = budget("minutosu").withMinuteBuckets(java.util.List.of())
                .withVolumeDiscountSeconds(new BigDecimal("600")).withLastRefill(YearMonth.of(2012, 1));
        Instant tenth = Instant.parse("2012-02-10T01:00:00Z");

        Decision refill = engine.decide(used, MonthlyRefill.command("vdf", "minutosu", YearMonth.of(2012, 2), tenth));

        UserBudget after = refill.budget();
        assertThat(after.minuteBuckets()).isEqualTo(Given.DEMO.tariffPlans().get(0).minuteBuckets());
        assertThat(after.smsCredit()).isEqualByComparingTo("100");
        assertThat(after.volumeDiscountSeconds()).isEqualByComparingTo("0");
        assertThat(after.credit()).isEqualByComparingTo("21");
        assertThat(after.lastRefill()).isEqualTo(YearMonth.of(2012, 2));
        assertThat(refill.events()).hasSize(1);

        Decision again = engine.decide(after, MonthlyRefill.command("vdf", "minutosu", YearMonth.of(2012, 2),
                tenth.plusSeconds(60)));
        assertThat(again.budget()).isSameAs(after);
        assertThat(again.events()).isEmpty();
        assertThat(again.reply().error()).isNull();
    }

    @Test
    void shouldGiveTheSameRefillTheSameRequestIdOfLegalLength() {
        Instant at = Instant.parse("2012-02-10T01:00:00Z");
        assertThat(MonthlyRefill.command("vdf", "rif", YearMonth.of(2012, 2), at).requestId())
                .isEqualTo(MonthlyRefill.command("vdf", "rif", YearMonth.of(2012, 2), at.plusSeconds(5)).requestId())
                .isNotEqualTo(MonthlyRefill.command("vdf", "rif", YearMonth.of(2012, 3), at).requestId());

        String longSubject = "s".repeat(Names.MAX_NAME);
        assertThat(MonthlyRefill.command("vdf", longSubject, YearMonth.of(2012, 2), at).requestId())
                .hasSizeLessThanOrEqualTo(Names.MAX_REQUEST_ID);
    }
}
