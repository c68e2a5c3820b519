package io.ratestream.streams.rating;

import static io.ratestream.streams.rating.Given.budget;
import static io.ratestream.streams.rating.Given.bucket;
import static io.ratestream.streams.rating.Given.call;
import static io.ratestream.streams.rating.Given.command;
import static io.ratestream.streams.rating.Given.interval;
import static io.ratestream.streams.rating.Given.profile;
import static org.assertj.core.api.Assertions.assertThat;

import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.model.ActivationPeriod;
import io.ratestream.schemas.model.CallCost;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.model.Interval;
import io.ratestream.schemas.model.RatingProfile;
import io.ratestream.schemas.model.Timespan;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.reply.Reply;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SPEC 2, GetCost. Expected values are worked out by hand in the comments. */
class GetCostTest {

    private static CallCost cost(Engine engine, UserBudget budget, CallDescriptor call) {
        Reply reply = engine.decide(budget, command(Method.GET_COST, call)).reply();
        assertThat(reply.error()).as("error").isNull();
        return reply.callCost();
    }

    private static String error(Engine engine, UserBudget budget, CallDescriptor call) {
        Reply reply = engine.decide(budget, command(Method.GET_COST, call)).reply();
        assertThat(reply.callCost()).isNull();
        return reply.error();
    }

    @Test
    void shouldRateTheWorkedExampleAt540() {
        // 2012-02-02 is a Thursday. 17:30-18:00: 1800 s x 0.2 = 360; 18:00-18:30: 1800 s x 0.1 = 180.
        CallCost cost = cost(Given.demo().engine(), null,
                call("rif", "0256", "2012-02-02T17:30:00Z", "2012-02-02T18:30:00Z"));

        assertThat(cost.cost()).isEqualByComparingTo("540");
        assertThat(cost.destinationPrefix()).isEqualTo("0256");
        assertThat(cost.connectFee()).isEqualByComparingTo("0");
        assertThat(cost.timespans()).hasSize(2);
        Timespan first = cost.timespans().get(0);
        assertThat(first.timeStart()).isEqualTo(OffsetDateTime.parse("2012-02-02T17:30:00Z"));
        assertThat(first.timeEnd()).isEqualTo(OffsetDateTime.parse("2012-02-02T18:00:00Z"));
        assertThat(first.cost()).isEqualByComparingTo("360");
        assertThat(first.interval().price()).isEqualByComparingTo("0.2");
        assertThat(first.activationTime()).isEqualTo(OffsetDateTime.parse("2012-01-01T00:00:00Z"));
        assertThat(cost.timespans().get(1).cost()).isEqualByComparingTo("180");
        assertThat(cost.timespans().get(1).interval().price()).isEqualByComparingTo("0.1");
    }

    @Test
    void shouldFallBackToTheLongestPrefixThatHasAProfile() {
        // 0256308200 -> 025630820 -> ... -> 0256 has a profile: same price as the worked example.
        CallCost cost = cost(Given.demo().engine(), null,
                call("rif", "0256308200", "2012-02-02T17:30:00Z", "2012-02-02T18:30:00Z"));

        assertThat(cost.cost()).isEqualByComparingTo("540");
        assertThat(cost.destinationPrefix()).isEqualTo("0256");
    }

    @Test
    void shouldRefuseADestinationWithNoProfile() {
        String error = error(Given.demo().engine(), null,
                call("rif", "0999", "2012-02-02T17:30:00Z", "2012-02-02T18:30:00Z"));

        assertThat(error).contains("no rating profile").contains("0999");
    }

    @Test
    void shouldRefuseASubjectWithNoProfile() {
        assertThat(error(Given.demo().engine(), null,
                call("nobody", "0256", "2012-02-02T17:30:00Z", "2012-02-02T18:30:00Z"))).contains("no rating profile");
    }

    @Test
    void shouldNotFallBackBelowTwoCharacters() {
        // A profile for the one-character prefix "0" is never reached: fallback stops at "02".
        Engine engine = Given.demo().profile(profile("short", "0", interval("", "", "1", "1"))).engine();

        assertThat(error(engine, null, call("short", "0256", "2012-02-02T17:30:00Z", "2012-02-02T17:31:00Z")))
                .contains("no rating profile");
    }

    @Test
    void shouldSplitAtMidnightWhereTheDayChangesThePrice() {
        // Friday 23:59 to Saturday 00:01: 60 s x 1 (weekdays) + 60 s x 2 (weekend) = 180.
        Interval weekdays = new Interval(0, 0, List.of(1, 2, 3, 4, 5), null, null, 0, null, BigDecimal.ONE, null);
        Interval weekend = new Interval(0, 0, List.of(6, 0), null, null, 0, null, BigDecimal.valueOf(2), null);
        Engine engine = Given.demo().profile(profile("night", "0300", weekdays, weekend)).engine();

        CallCost cost = cost(engine, null, call("night", "0300", "2012-02-03T23:59:00Z", "2012-02-04T00:01:00Z"));

        assertThat(cost.cost()).isEqualByComparingTo("180");
        assertThat(cost.timespans()).extracting(Timespan::timeEnd).first()
                .isEqualTo(OffsetDateTime.parse("2012-02-04T00:00:00Z"));
    }

    @Test
    void shouldSplitAtMidnightEvenWhenThePriceStaysTheSame() {
        // Saturday 23:30 to Sunday 00:30 on 0256: the weekend interval both sides; 3600 s x 0.1 = 360.
        CallCost cost = cost(Given.demo().engine(), null,
                call("rif", "0256", "2012-02-04T23:30:00Z", "2012-02-05T00:30:00Z"));

        assertThat(cost.cost()).isEqualByComparingTo("360");
        assertThat(cost.timespans()).extracting(Timespan::cost).map(c -> c.stripTrailingZeros().toPlainString())
                .containsExactly("180", "180");
    }

    @Test
    void shouldSwitchPeriodAtTheActivationTime() {
        // 0257, Tuesday 2012-02-07 23:30 to Wednesday 00:30. First period until 2012-02-08T00:00:
        // 1800 s x 0.1 = 180. Second period: 1800 s / 60 x 10 = 300. Total 480.
        CallCost cost = cost(Given.demo().engine(), null,
                call("rif", "0257", "2012-02-07T23:30:00Z", "2012-02-08T00:30:00Z"));

        assertThat(cost.cost()).isEqualByComparingTo("480");
        assertThat(cost.timespans()).extracting(Timespan::activationTime).containsExactly(
                OffsetDateTime.parse("2012-01-01T00:00:00Z"), OffsetDateTime.parse("2012-02-08T00:00:00Z"));
    }

    @Test
    void shouldSwitchPeriodAtAnActivationTimeInTheMiddleOfTheDay() {
        // Price 1 until 12:00, 2 after: 60 s x 1 + 60 s x 2 = 180.
        RatingProfile twoPeriods = new RatingProfile(0, "vdf", "noon", "0300", List.of(
                new ActivationPeriod(OffsetDateTime.parse("2012-02-02T12:00:00Z"),
                        List.of(interval("", "", "2", "1"))),
                new ActivationPeriod(OffsetDateTime.parse("2012-01-01T00:00:00Z"),
                        List.of(interval("", "", "1", "1")))));
        Engine engine = Given.demo().profile(twoPeriods).engine();

        CallCost cost = cost(engine, null, call("noon", "0300", "2012-02-02T11:59:00Z", "2012-02-02T12:01:00Z"));

        assertThat(cost.cost()).isEqualByComparingTo("180");
        assertThat(cost.timespans()).hasSize(2);
    }

    @Test
    void shouldSplitAtTheEndOfAMonth() {
        // January's price is 1, February's 2: Jan 31 23:59 to Feb 1 00:01 = 60 x 1 + 60 x 2 = 180.
        Interval january = new Interval(1, 0, List.of(), null, null, 0, null, BigDecimal.ONE, null);
        Interval february = new Interval(2, 0, List.of(), null, null, 0, null, BigDecimal.valueOf(2), null);
        Engine engine = Given.demo().profile(profile("months", "0300", january, february)).engine();

        CallCost cost = cost(engine, null, call("months", "0300", "2012-01-31T23:59:00Z", "2012-02-01T00:01:00Z"));

        assertThat(cost.cost()).isEqualByComparingTo("180");
    }

    @Test
    void shouldApplyAMonthDayInterval() {
        // The 2nd of the month is free (Ponder 1 beats the everyday price 1): 60 s on the 2nd cost 0.
        Interval everyDay = interval("", "", "1", "1");
        Interval secondOfMonth = new Interval(0, 2, List.of(), null, null, 1, null, BigDecimal.ZERO, null);
        Engine engine = Given.demo().profile(profile("md", "0300", everyDay, secondOfMonth)).engine();

        assertThat(cost(engine, null, call("md", "0300", "2012-02-02T10:00:00Z", "2012-02-02T10:01:00Z")).cost())
                .isEqualByComparingTo("0");
        assertThat(cost(engine, null, call("md", "0300", "2012-02-03T10:00:00Z", "2012-02-03T10:01:00Z")).cost())
                .isEqualByComparingTo("60");
    }

    @Test
    void shouldReadIntervalTimesInTheOffsetOfTimeStart() {
        // 19:30-20:30 at +02:00 is after 18:00 local: 3600 s x 0.1 = 360 (in UTC, 17:30-18:30, it would be 540).
        CallCost cost = cost(Given.demo().engine(), null,
                call("rif", "0256", "2012-02-02T19:30:00+02:00", "2012-02-02T20:30:00+02:00"));

        assertThat(cost.cost()).isEqualByComparingTo("360");
        assertThat(cost.timespans().get(0).timeStart()).isEqualTo(OffsetDateTime.parse("2012-02-02T19:30:00+02:00"));
        assertThat(cost.timespans().get(0).timeStart().getOffset().getTotalSeconds()).isEqualTo(7200);
    }

    @Test
    void shouldChargeOnlyTheConnectFeeForAZeroLengthCall() {
        Engine engine = Given.demo().profile(profile("fee", "0400", interval("", "", "1", "1", "0.5", 0))).engine();

        CallCost cost = cost(engine, null, call("fee", "0400", "2012-02-02T17:30:00Z", "2012-02-02T17:30:00Z"));

        assertThat(cost.cost()).isEqualByComparingTo("0.5");
        assertThat(cost.connectFee()).isEqualByComparingTo("0.5");
        assertThat(cost.timespans()).hasSize(1);
        assertThat(cost.timespans().get(0).cost()).isEqualByComparingTo("0");
    }

    @Test
    void shouldPriceProportionallyWithABillingUnitBelowOneSecond() {
        // 10 s is 20 units of 0.5 s at 0.1 each: 2.
        Engine engine = Given.demo().profile(profile("half", "0400", interval("", "", "0.1", "0.5"))).engine();

        assertThat(cost(engine, null, call("half", "0400", "2012-02-02T17:30:00Z", "2012-02-02T17:30:10Z")).cost())
                .isEqualByComparingTo("2");
    }

    @Test
    void shouldPriceProportionallyWithoutRoundingUpToTheBillingUnit() {
        // 0723 costs 1 per 60 s: 61 s = 61/60 = 1.01666... -> 1.016667 (not 2 units).
        CallCost cost = cost(Given.demo().engine(), null,
                call("rif", "0723", "2012-02-02T17:30:00Z", "2012-02-02T17:31:01Z"));

        assertThat(cost.cost()).isEqualTo(new BigDecimal("1.016667"));
    }

    @Test
    void shouldRoundTheTotalHalfUpAtSixDecimals() {
        // 1 s x 0.0000005 = 0.0000005: half-up gives 0.000001 (half-even would give 0).
        Engine engine = Given.demo().profile(profile("tiny", "0400", interval("", "", "0.0000005", "1")))
                .profile(profile("tiny", "0500", interval("", "", "0.0000004999", "1"))).engine();

        assertThat(cost(engine, null, call("tiny", "0400", "2012-02-02T17:30:00Z", "2012-02-02T17:30:01Z")).cost())
                .isEqualTo(new BigDecimal("0.000001"));
        assertThat(cost(engine, null, call("tiny", "0500", "2012-02-02T17:30:00Z", "2012-02-02T17:30:01Z")).cost())
                .isEqualByComparingTo("0");
    }

    @Test
    void shouldAddWhatBinaryFloatingPointGetsWrong() {
        // 1 s at 0.1 then 1 s at 0.2: exactly 0.3 (0.1 + 0.2 in doubles is 0.30000000000000004).
        Engine engine = Given.demo().profile(profile("sum", "0400",
                interval("", "18:00:00", "0.1", "1"), interval("18:00:00", "", "0.2", "1"))).engine();

        CallCost cost = cost(engine, null, call("sum", "0400", "2012-02-02T17:59:59Z", "2012-02-02T18:00:01Z"));

        assertThat(cost.cost()).isEqualTo(new BigDecimal("0.300000"));
    }

    @Test
    void shouldRefuseACallThatAGapInTheIntervalsLeavesUnpriced() {
        Engine engine = Given.demo().profile(profile("day", "0400", interval("08:00:00", "18:00:00", "1", "1")))
                .engine();

        assertThat(error(engine, null, call("day", "0400", "2012-02-02T19:00:00Z", "2012-02-02T19:01:00Z")))
                .contains("no interval");
        // partly covered is refused too, not charged for the covered part
        assertThat(error(engine, null, call("day", "0400", "2012-02-02T17:00:00Z", "2012-02-02T19:00:00Z")))
                .contains("no interval").contains("18:00");
    }

    @Test
    void shouldRefuseACallBeforeTheFirstActivation() {
        assertThat(error(Given.demo().engine(), null,
                call("rif", "0256", "2011-12-31T23:00:00Z", "2012-01-01T00:30:00Z")))
                .contains("no activation period is in effect");
    }

    @Test
    void shouldPreferTheHighestPonderThenTheLowestPrice() {
        // Ponder 1 at 0.5 beats Ponder 0 at 0.1: 10 s x 0.5 = 5. On equal Ponder, 0.1 beats 0.5: 1.
        Engine engine = Given.demo()
                .profile(profile("p", "0400", interval("", "", "0.1", "1", "0", 0), interval("", "", "0.5", "1", "0", 1)))
                .profile(profile("p", "0500", interval("", "", "0.5", "1", "0", 3), interval("", "", "0.1", "1", "0", 3)))
                .engine();

        assertThat(cost(engine, null, call("p", "0400", "2012-02-02T17:30:00Z", "2012-02-02T17:30:10Z")).cost())
                .isEqualByComparingTo("5");
        assertThat(cost(engine, null, call("p", "0500", "2012-02-02T17:30:00Z", "2012-02-02T17:30:10Z")).cost())
                .isEqualByComparingTo("1");
    }

    @Test
    void shouldCoverTheStartOfTheCallWithMinuteBuckets() {
        // minutosu on 0723: retea (priority 20) 100 s free, then nationale (priority 10) 10 s at 0.01 = 0.1.
        CallCost cost = cost(Given.demo().engine(), budget("minutosu"),
                call("minutosu", "0723", "2012-02-02T17:30:00Z", "2012-02-02T17:31:50Z"));

        assertThat(cost.cost()).isEqualByComparingTo("0.1");
        assertThat(cost.timespans()).extracting(span -> span.minuteInfo().destinationId())
                .containsExactly("retea", "nationale");
        assertThat(cost.timespans().get(0).minuteInfo().quantity()).isEqualByComparingTo("100");
        assertThat(cost.timespans().get(1).timeStart()).isEqualTo(OffsetDateTime.parse("2012-02-02T17:31:40Z"));
    }

    @Test
    void shouldRateTheRestOfTheCallAfterTheBuckets() {
        // 170 s: 100 s free + 10 s x 0.01 = 0.1, then 60 s at 1 per 60 s = 1. Total 1.1.
        CallCost cost = cost(Given.demo().engine(), budget("minutosu"),
                call("minutosu", "0723", "2012-02-02T17:30:00Z", "2012-02-02T17:32:50Z"));

        assertThat(cost.cost()).isEqualByComparingTo("1.1");
        assertThat(cost.timespans()).hasSize(3);
        assertThat(cost.timespans().get(2).isIntervalPriced()).isTrue();
    }

    @Test
    void shouldSkipEmptyBuckets() {
        UserBudget emptyFree = budget("minutosu").withMinuteBuckets(
                List.of(bucket("0", 20, "0", "retea"), bucket("10", 10, "0.01", "nationale")));

        CallCost cost = cost(Given.demo().engine(), emptyFree,
                call("minutosu", "0723", "2012-02-02T17:30:00Z", "2012-02-02T17:30:10Z"));

        assertThat(cost.timespans()).extracting(span -> span.minuteInfo().destinationId()).containsExactly("nationale");
    }

    @Test
    void shouldOrderBucketsByPriorityThenPrecisionThenPrice() {
        // Same priority: radu (10-digit match) before mobil (4 digits) although it is dearer;
        // nationale and mobil both match 4 digits: the cheaper mobil first.
        UserBudget buckets = budget("minutosu", "100", null,
                bucket("1", 5, "0.03", "nationale"), bucket("1", 5, "0.01", "mobil"), bucket("1", 5, "0.02", "radu"),
                bucket("1", 6, "0.05", "retea"));

        CallCost cost = cost(Given.demo().engine(), buckets,
                call("minutosu", "0723045326", "2012-02-02T17:30:00Z", "2012-02-02T17:30:04Z"));

        assertThat(cost.timespans()).extracting(span -> span.minuteInfo().destinationId())
                .containsExactly("retea", "radu", "mobil", "nationale");
        // 0.05 + 0.02 + 0.01 + 0.03
        assertThat(cost.cost()).isEqualByComparingTo("0.11");
    }

    @Test
    void shouldNotUseBucketsOfOtherDestinations() {
        // 0256 is nationale but not retea: only the 10 s at 0.01, then the interval price 0.2 for 20 s.
        CallCost cost = cost(Given.demo().engine(), budget("minutosu", "0", null,
                        bucket("100", 20, "0", "retea"), bucket("10", 10, "0.01", "nationale")),
                call("rif", "0256", "2012-02-02T17:30:00Z", "2012-02-02T17:30:30Z"));

        // 10 x 0.01 + 20 x 0.2 = 4.1
        assertThat(cost.cost()).isEqualByComparingTo("4.1");
    }

    @Test
    void shouldApplyTheVolumeDiscountToIntervalSpansOnly() {
        // seara: 100 -> 10%, 500 -> 15%, 1000 -> 20%. 600 placed seconds: 15% off 540 = 459.
        Engine engine = Given.demo().engine();
        CallDescriptor workedExample = call("rif", "0256", "2012-02-02T17:30:00Z", "2012-02-02T18:30:00Z");

        assertThat(cost(engine, withVolume("rif", "600"), workedExample).cost()).isEqualByComparingTo("459");
        assertThat(cost(engine, withVolume("rif", "99"), workedExample).cost()).isEqualByComparingTo("540");
        assertThat(cost(engine, withVolume("rif", "1000"), workedExample).cost()).isEqualByComparingTo("432");
        // Buckets: 100 s free + 10 s x 0.01 undiscounted = 0.1; 60 s interval: 1 x 0.85 = 0.85. Total 0.95.
        UserBudget minutosu = budget("minutosu").withVolumeDiscountSeconds(new BigDecimal("600"));
        assertThat(cost(engine, minutosu, call("minutosu", "0723", "2012-02-02T17:30:00Z", "2012-02-02T17:32:50Z"))
                .cost()).isEqualByComparingTo("0.95");
    }

    @Test
    void shouldNotDiscountTheConnectFee() {
        // 10 s x 1 x 0.85 = 8.5, plus the 0.5 fee undiscounted = 9.
        Engine engine = Given.demo().profile(profile("fee", "0400", interval("", "", "1", "1", "0.5", 0))).engine();

        CallCost cost = cost(engine, withVolume("fee", "600"),
                call("fee", "0400", "2012-02-02T17:30:00Z", "2012-02-02T17:30:10Z"));

        assertThat(cost.cost()).isEqualByComparingTo("9");
        assertThat(cost.connectFee()).isEqualByComparingTo("0.5");
    }

    @Test
    void shouldChargeTheConnectFeeOnlyWhenTheFirstSpanIsIntervalPriced() {
        // A 10 s bucket covers the start: no fee; 10 s + 5 s at 1 = 0.1 + 5.
        Engine engine = Given.demo().profile(profile("fee", "0400", interval("", "", "1", "1", "0.5", 0)))
                .destination("fours", "0400").engine();
        UserBudget budget = budget("fee", "10", null, bucket("10", 1, "0.01", "fours"));

        CallCost cost = cost(engine, budget, call("fee", "0400", "2012-02-02T17:30:00Z", "2012-02-02T17:30:15Z"));

        assertThat(cost.connectFee()).isEqualByComparingTo("0");
        assertThat(cost.cost()).isEqualByComparingTo("5.1");
    }

    @Test
    void shouldChangeNothing() {
        UserBudget minutosu = budget("minutosu");

        Decision decision = Given.demo().engine().decide(minutosu, command(Method.GET_COST,
                call("minutosu", "0723", "2012-02-02T17:30:00Z", "2012-02-02T17:32:50Z")));

        assertThat(decision.budget()).isSameAs(minutosu);
        assertThat(decision.events()).isEmpty();
    }

    @Test
    void shouldRefuseAnEndWithoutAStartOrBeforeIt() {
        Engine engine = Given.demo().engine();

        assertThat(error(engine, null, call("rif", "0256", null, "2012-02-02T17:30:00Z"))).contains("TimeStart");
        assertThat(error(engine, null, call("rif", "0256", "2012-02-02T18:30:00Z", "2012-02-02T17:30:00Z")))
                .contains("before");
    }

    @Test
    void shouldRateAZeroLengthCallWithoutAnEndFromTheStartOrWhenTheRequestWasAccepted() {
        Engine engine = Given.demo().engine();

        CallCost noEnd = engine.decide(null, command(Method.GET_COST, call("rif", "0256", "2012-02-02T18:30:00Z", null)))
                .reply().callCost();
        CallCost noTimes = engine.decide(null, command(Method.GET_COST, call("rif", "0256", null, null),
                Instant.parse("2012-02-02T17:10:09.750Z"))).reply().callCost();

        assertThat(noEnd.cost()).isEqualByComparingTo("0");
        assertThat(noEnd.timespans()).singleElement().satisfies(span -> {
            assertThat(span.timeStart()).isEqualTo(span.timeEnd()).isEqualTo(OffsetDateTime.parse("2012-02-02T18:30:00Z"));
            assertThat(span.interval().price()).isEqualByComparingTo("0.1");
        });
        assertThat(noTimes.timespans()).singleElement().satisfies(span -> {
            assertThat(span.timeStart()).as("accepted-at, to the second").isEqualTo(span.timeEnd())
                    .isEqualTo(OffsetDateTime.parse("2012-02-02T17:10:09Z"));
            assertThat(span.interval().price()).isEqualByComparingTo("0.2");
        });
    }

    private static UserBudget withVolume(String subject, String seconds) {
        return budget(subject, "0", "seara").withVolumeDiscountSeconds(new BigDecimal(seconds));
    }
}
