package io.ratestream.streams.rating;

import static io.ratestream.streams.rating.Given.amount;
import static io.ratestream.streams.rating.Given.budget;
import static io.ratestream.streams.rating.Given.bucket;
import static io.ratestream.streams.rating.Given.command;
import static org.assertj.core.api.Assertions.assertThat;

import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.event.BudgetEvent;
import io.ratestream.schemas.model.MinuteBucket;
import io.ratestream.schemas.model.TariffPlan;
import io.ratestream.schemas.model.UserBudget;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SPEC 3: DebitBalance, DebitSMS, DebitSeconds and the counters. Expected values worked out in comments. */
class BudgetOperationsTest {

    private final Engine engine = Given.demo().engine();
    private final UserBudget minutosu = budget("minutosu"); // credit 21; nationale 10 s at 0.01 (prio 10), retea 100 s free (prio 20)

    private Decision decide(UserBudget budget, Method method, String destination, String amount) {
        return engine.decide(budget, command(method, amount(budget == null ? "nobody" : budget.id(), destination, amount)));
    }

    private static void assertRefused(Decision decision, UserBudget before, String message) {
        assertThat(decision.reply().error()).contains(message);
        assertThat(decision.budget()).isSameAs(before);
        assertThat(decision.events()).isEmpty();
    }

    @Test
    void shouldDebitTheBalance() {
        Decision decision = decide(minutosu, Method.DEBIT_BALANCE, null, "5");

        // 21 - 5 = 16
        assertThat(decision.reply().value()).isEqualByComparingTo("16");
        assertThat(decision.budget().credit()).isEqualByComparingTo("16");
        BudgetEvent event = decision.events().get(0);
        assertThat(event.before()).isSameAs(minutosu);
        assertThat(event.after()).isEqualTo(decision.budget());
        assertThat(event.tenant()).isEqualTo("vdf");
        assertThat(event.method()).isEqualTo(Method.DEBIT_BALANCE);
    }

    @Test
    void shouldTopUpWithANegativeAmountAndLetTheCreditGoBelowZero() {
        assertThat(decide(minutosu, Method.DEBIT_BALANCE, null, "-10").budget().credit()).isEqualByComparingTo("31");
        assertThat(decide(minutosu, Method.DEBIT_BALANCE, null, "30").budget().credit()).isEqualByComparingTo("-9");
    }

    @Test
    void shouldDebitExactlyWhereDoublesWouldDrift() {
        // ten debits of 0.1 from 1: exactly 0 (in doubles, 1 - 10 x 0.1 leaves 1.3877787807814457E-16)
        UserBudget budget = budget("minutosu", "1", null);
        for (int i = 0; i < 10; i++) {
            budget = decide(budget, Method.DEBIT_BALANCE, null, "0.1").budget();
        }
        assertThat(budget.credit().signum()).isZero();
    }

    @Test
    void shouldRefuseEveryBudgetOperationWithoutABudget() {
        for (Method method : List.of(Method.DEBIT_BALANCE, Method.DEBIT_SMS, Method.DEBIT_SECONDS,
                Method.ADD_VOLUME_DISCOUNT_SECONDS, Method.RESET_VOLUME_DISCOUNT_SECONDS,
                Method.ADD_RECEIVED_CALL_SECONDS, Method.RESET_USER_BUDGET)) {
            Decision decision = decide(null, method, "0723", "1");
            assertThat(decision.reply().error()).as(method.wireName()).contains("no budget");
            assertThat(decision.budget()).isNull();
        }
    }

    @Test
    void shouldRefuseAMissingAmount() {
        assertRefused(engine.decide(minutosu, command(Method.DEBIT_BALANCE, amount("minutosu", null, "1")
                .withAmount(null))), minutosu, "Amount is required");
    }

    @Test
    void shouldRefuseAbsurdAmounts() {
        assertRefused(decide(minutosu, Method.DEBIT_BALANCE, null, "1e13"), minutosu, "out of range");
        assertRefused(decide(minutosu, Method.DEBIT_BALANCE, null, "0.0000000001"), minutosu, "decimals");
    }

    @Test
    void shouldDebitSms() {
        UserBudget budget = minutosu.withSmsCredit(new BigDecimal("100"));

        Decision decision = decide(budget, Method.DEBIT_SMS, null, "30");

        assertThat(decision.reply().value()).isEqualByComparingTo("70");
        assertThat(decision.budget().smsCredit()).isEqualByComparingTo("70");
    }

    @Test
    void shouldRefuseMoreSmsThanTheBudgetHolds() {
        UserBudget budget = minutosu.withSmsCredit(new BigDecimal("100"));

        assertRefused(decide(budget, Method.DEBIT_SMS, null, "101"), budget, "amount exceeds budget");
    }

    @Test
    void shouldDebitSecondsFromTheBucketsInOrderAndPayForPricedOnes() {
        // 0723: retea (free, prio 20) gives its 100, nationale (0.01) the other 5: credit 21 - 0.05 = 20.95.
        Decision decision = decide(minutosu, Method.DEBIT_SECONDS, "0723", "105");

        UserBudget after = decision.budget();
        assertThat(after.minuteBuckets()).extracting(MinuteBucket::seconds).map(BigDecimal::stripTrailingZeros)
                .map(BigDecimal::toPlainString).containsExactly("5", "0"); // nationale, retea: the file's order is kept
        assertThat(after.credit()).isEqualByComparingTo("20.95");
        // left: nationale's 5 s (20.95 pays for 2095)
        assertThat(decision.reply().value()).isEqualByComparingTo("5");
    }

    @Test
    void shouldOfferFromAPricedBucketOnlyWhatTheCreditPaysFor() {
        // 0256 is only nationale's: 10 s at 0.01 but the credit 0.05 pays for 5.
        UserBudget poor = minutosu.withCredit(new BigDecimal("0.05"));

        assertRefused(decide(poor, Method.DEBIT_SECONDS, "0256", "6"), poor, "5 available, 6 asked");

        Decision five = decide(poor, Method.DEBIT_SECONDS, "0256", "5");
        assertThat(five.budget().credit()).isEqualByComparingTo("0");
        assertThat(five.budget().minuteBuckets().get(0).seconds()).isEqualByComparingTo("5");
        assertThat(five.reply().value()).isEqualByComparingTo("0");
    }

    @Test
    void shouldCountTheCreditSpentByEarlierPricedBucketsAgainstLaterOnes() {
        // Credit 0.1: the first bucket (prio 2) offers 10 s for all of it; the second then offers nothing.
        UserBudget budget = budget("minutosu", "0.1", null,
                bucket("10", 1, "0.01", "nationale"), bucket("10", 2, "0.01", "mobil"));

        assertRefused(decide(budget, Method.DEBIT_SECONDS, "0723", "11"), budget, "10 available");
        Decision ten = decide(budget, Method.DEBIT_SECONDS, "0723", "10");
        assertThat(ten.budget().minuteBuckets()).extracting(MinuteBucket::seconds).map(BigDecimal::stripTrailingZeros)
                .map(BigDecimal::toPlainString).containsExactly("10", "0");
    }

    @Test
    void shouldOfferFractionsOfASecondOfAPricedBucket() {
        // credit 1 at 0.03 per second pays for 33.333333333 s (rounded down to the nanosecond).
        UserBudget budget = budget("minutosu", "1", null, bucket("100", 1, "0.03", "nationale"));

        Decision zero = decide(budget, Method.DEBIT_SECONDS, "0256", "0");

        assertThat(zero.reply().value()).isEqualTo(new BigDecimal("33.333333333"));
    }

    @Test
    void shouldGiveSecondsBackToTheFirstBucketWithANegativeAmount() {
        // 0723: retea is first; free, so no money moves.
        Decision free = decide(minutosu, Method.DEBIT_SECONDS, "0723", "-20");
        assertThat(free.budget().minuteBuckets().get(1).seconds()).isEqualByComparingTo("120");
        assertThat(free.budget().credit()).isEqualByComparingTo("21");
        // 0256: nationale is first; priced, so 20 x 0.01 goes back to the credit.
        Decision priced = decide(minutosu, Method.DEBIT_SECONDS, "0256", "-20");
        assertThat(priced.budget().minuteBuckets().get(0).seconds()).isEqualByComparingTo("30");
        assertThat(priced.budget().credit()).isEqualByComparingTo("21.2");
    }

    @Test
    void shouldRefuseToGiveBackSecondsWithNoBucketForTheNumber() {
        assertRefused(decide(minutosu, Method.DEBIT_SECONDS, "0999", "-20"), minutosu, "no minute bucket");
    }

    @Test
    void shouldAddAndResetVolumeDiscountSeconds() {
        Decision added = decide(minutosu, Method.ADD_VOLUME_DISCOUNT_SECONDS, null, "100.5");
        assertThat(added.reply().value()).isEqualByComparingTo("100.5");

        Decision reset = decide(added.budget(), Method.RESET_VOLUME_DISCOUNT_SECONDS, null, "0");
        assertThat(reset.reply().value()).isEqualByComparingTo("0");
        assertThat(reset.budget().volumeDiscountSeconds()).isEqualByComparingTo("0");
        assertThat(reset.events()).hasSize(1);
    }

    @Test
    void shouldPayTheReceivedCallBonusEachTimeTheLimitIsReached() {
        // seara: limit 100, bonus credit 100. 50: below. 50 + 60 = 110: one bonus, 10 left, credit 121.
        Decision fifty = decide(minutosu, Method.ADD_RECEIVED_CALL_SECONDS, null, "50");
        assertThat(fifty.reply().value()).isEqualByComparingTo("50");
        assertThat(fifty.budget().credit()).isEqualByComparingTo("21");

        Decision more = decide(fifty.budget(), Method.ADD_RECEIVED_CALL_SECONDS, null, "60");
        assertThat(more.reply().value()).isEqualByComparingTo("10");
        assertThat(more.budget().credit()).isEqualByComparingTo("121");

        // exactly the limit counts as reaching it; 250 at once is two bonuses with 50 left
        assertThat(decide(minutosu, Method.ADD_RECEIVED_CALL_SECONDS, null, "100").budget().credit())
                .isEqualByComparingTo("121");
        Decision twice = decide(minutosu, Method.ADD_RECEIVED_CALL_SECONDS, null, "250");
        assertThat(twice.budget().receivedCallSeconds()).isEqualByComparingTo("50");
        assertThat(twice.budget().credit()).isEqualByComparingTo("221");
    }

    @Test
    void shouldAddTheBonusSecondsToEveryBucketOfTheBonusDestination() {
        String plan = """
                {"Id":"bonus","ReceivedCallsSecondsLimit":60,
                 "RecivedCallBonus":{"SmsCredit":5,"Traffic":2,"MinuteBucket":{"Seconds":30,"DestinationId":"retea"}}}""";
        Engine withPlan = Given.demo().plan(Given.json(plan, TariffPlan.class)).engine();
        UserBudget budget = budget("minutosu", "0", "bonus", bucket("100", 1, "0", "retea"),
                bucket("10", 1, "0.01", "nationale"), bucket("5", 2, "0", "retea"));

        Decision decision = withPlan.decide(budget, command(Method.ADD_RECEIVED_CALL_SECONDS,
                amount("minutosu", null, "60")));

        assertThat(decision.budget().minuteBuckets()).extracting(MinuteBucket::seconds)
                .map(BigDecimal::stripTrailingZeros).map(BigDecimal::toPlainString).containsExactly("130", "10", "35");
        assertThat(decision.budget().smsCredit()).isEqualByComparingTo("5");
        assertThat(decision.budget().traffic()).isEqualByComparingTo("2");
        assertThat(decision.budget().receivedCallSeconds()).isEqualByComparingTo("0");
    }

    @Test
    void shouldRefuseReceivedCallSecondsForAnUnknownPlan() {
        UserBudget lost = budget("minutosu", "0", "nosuchplan");

        assertRefused(decide(lost, Method.ADD_RECEIVED_CALL_SECONDS, null, "10"), lost, "unknown tariff plan");
    }

    @Test
    void shouldJustCountReceivedCallSecondsWithoutAPlan() {
        assertThat(decide(budget("minutosu", "0", null), Method.ADD_RECEIVED_CALL_SECONDS, null, "1000")
                .budget().receivedCallSeconds()).isEqualByComparingTo("1000");
    }

    @Test
    void shouldResetTheBudgetToThePlanKeepingCreditAndCounters() {
        UserBudget used = decide(minutosu, Method.DEBIT_SECONDS, "0723", "105").budget()
                .withVolumeDiscountSeconds(new BigDecimal("600"));

        Decision decision = decide(used, Method.RESET_USER_BUDGET, null, "0");

        UserBudget after = decision.budget();
        assertThat(decision.reply().value()).isEqualByComparingTo("0");
        assertThat(after.smsCredit()).isEqualByComparingTo("100"); // seara's SmsCredit
        assertThat(after.minuteBuckets()).isEqualTo(Given.DEMO.tariffPlans().get(0).minuteBuckets());
        assertThat(after.credit()).isEqualByComparingTo("20.95");
        assertThat(after.volumeDiscountSeconds()).isEqualByComparingTo("600");
    }

    @Test
    void shouldRefuseToResetWithoutAKnownPlan() {
        UserBudget none = budget("minutosu", "0", null);
        assertRefused(decide(none, Method.RESET_USER_BUDGET, null, "0"), none, "no tariff plan");
        UserBudget unknown = budget("minutosu", "0", "nosuchplan");
        assertRefused(decide(unknown, Method.RESET_USER_BUDGET, null, "0"), unknown, "unknown tariff plan");
    }
}
