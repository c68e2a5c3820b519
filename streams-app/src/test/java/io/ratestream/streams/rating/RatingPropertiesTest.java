package io.ratestream.streams.rating;

import static io.ratestream.streams.rating.Given.budget;
import static io.ratestream.streams.rating.Given.bucket;
import static io.ratestream.streams.rating.Given.command;
import static org.assertj.core.api.Assertions.assertThat;

import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.model.ActivationPeriod;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.model.Interval;
import io.ratestream.schemas.model.RatingProfile;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.reply.Reply;
import java.math.BigDecimal;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** Properties of SPEC 2-3 that examples cannot cover. */
class RatingPropertiesTest {

    private static final OffsetDateTime ORIGIN = OffsetDateTime.parse("2012-01-20T00:00:00Z");
    private static final long FORTY_DAYS = 40L * 86_400;

    /**
     * Two periods (the second activating mid-day), weekday and weekend intervals, a month-day interval,
     * billing units that divide exactly: every span cost has at most 6 decimals, so rounding hides nothing.
     */
    private static final RatingProfile SPLITTY = new RatingProfile(0, "vdf", "prop", "0400", List.of(
            new ActivationPeriod(OffsetDateTime.parse("2012-01-01T00:00:00Z"), List.of(
                    new Interval(0, 0, List.of(1, 2, 3, 4, 5), LocalTime.of(8, 0), LocalTime.of(18, 0), 0, null,
                            new BigDecimal("0.25"), BigDecimal.ONE),
                    new Interval(0, 0, List.of(1, 2, 3, 4, 5), null, null, -1, null, new BigDecimal("0.1"),
                            new BigDecimal("0.5")),
                    new Interval(0, 0, List.of(6, 0), null, null, 0, null, new BigDecimal("0.04"),
                            new BigDecimal("4")))),
            new ActivationPeriod(OffsetDateTime.parse("2012-02-15T12:00:00Z"), List.of(
                    new Interval(0, 0, List.of(), null, null, 0, null, new BigDecimal("0.2"), BigDecimal.valueOf(2)),
                    new Interval(0, 1, List.of(), LocalTime.of(6, 0), LocalTime.of(7, 30), 1, null,
                            new BigDecimal("0.05"), BigDecimal.valueOf(5))))));

    private final Engine engine = Given.demo().profile(SPLITTY).engine();

    private BigDecimal cost(UserBudget budget, String subject, String number, OffsetDateTime start, OffsetDateTime end) {
        CallDescriptor call = new CallDescriptor(0, "vdf", subject, number, start, end, null, null);
        Reply reply = engine.decide(budget, command(Method.GET_COST, call)).reply();
        assertThat(reply.error()).isNull();
        return reply.callCost().cost();
    }

    @Provide
    Arbitrary<ZoneOffset> offsets() {
        return Arbitraries.of(ZoneOffset.UTC, ZoneOffset.ofHours(2), ZoneOffset.ofHoursMinutes(-5, -30));
    }

    @Property(tries = 300)
    void shouldCostTheSameWholeOrSplitAnywhere(@ForAll @LongRange(min = 0, max = FORTY_DAYS) long startSecond,
            @ForAll @LongRange(min = 0, max = 3 * 86_400) long length, @ForAll @IntRange(min = 0, max = 1000) int cut,
            @ForAll("offsets") ZoneOffset offset) {
        OffsetDateTime a = ORIGIN.plusSeconds(startSecond).withOffsetSameInstant(offset);
        OffsetDateTime c = a.plusSeconds(length);
        OffsetDateTime b = a.plusSeconds(length * cut / 1000);

        assertThat(cost(null, "prop", "0400", a, c))
                .isEqualByComparingTo(cost(null, "prop", "0400", a, b).add(cost(null, "prop", "0400", b, c)));
    }

    @Property(tries = 200)
    void shouldCostTheSameWholeOrSplitWithinRoundingWhenDivisionsDoNotTerminate(
            @ForAll @LongRange(min = 0, max = FORTY_DAYS) long startMillis, @ForAll @LongRange(min = 0, max = 86_400_000) long length,
            @ForAll @IntRange(min = 0, max = 1000) int cut) {
        // rif/0257: 1 per 60 s from 2012-02-08 (1/60 never terminates). Each side is rounded at 6 decimals once.
        OffsetDateTime a = ORIGIN.plusNanos(startMillis * 1_000_000L * 1000);
        OffsetDateTime c = a.plusNanos(length * 1_000_000L);
        OffsetDateTime b = a.plusNanos(length * cut / 1000 * 1_000_000L);

        BigDecimal whole = cost(null, "rif", "0257", a, c);
        BigDecimal parts = cost(null, "rif", "0257", a, b).add(cost(null, "rif", "0257", b, c));
        assertThat(whole.subtract(parts).abs()).isLessThanOrEqualTo(new BigDecimal("0.000001"));
    }

    @Property(tries = 300)
    void shouldNeverCostLessForALongerCall(@ForAll @LongRange(min = 0, max = FORTY_DAYS) long startSecond,
            @ForAll @LongRange(min = 0, max = 7_200_000) long shorterMillis,
            @ForAll @LongRange(min = 0, max = 7_200_000) long extraMillis,
            @ForAll @IntRange(min = 0, max = 2000) int volume) {
        // buckets, a connect fee (prop has none, minutosu's 0723 none; "fee" below has one) and a discount
        UserBudget minutosu = budget("minutosu").withVolumeDiscountSeconds(BigDecimal.valueOf(volume));
        OffsetDateTime start = ORIGIN.plusSeconds(startSecond);

        for (String subject : List.of("minutosu", "rif")) {
            BigDecimal shorter = cost(minutosu, subject, "0723", start, start.plusNanos(shorterMillis * 1_000_000));
            BigDecimal longer = cost(minutosu, subject, "0723", start,
                    start.plusNanos((shorterMillis + extraMillis) * 1_000_000));
            assertThat(longer).isGreaterThanOrEqualTo(shorter);
        }
    }

    @Property(tries = 150)
    void shouldFindTheLongestAffordableSessionToTheMillisecond(
            @ForAll @LongRange(min = 0, max = FORTY_DAYS) long startSecond,
            @ForAll @IntRange(min = 0, max = 5000) int creditCents, @ForAll @IntRange(min = 1, max = 7200) int wanted,
            @ForAll @IntRange(min = 0, max = 1) int who) {
        String subject = who == 0 ? "minutosu" : "rif";
        String number = who == 0 ? "0723" : "0257";
        UserBudget budget = budget("minutosu").withCredit(BigDecimal.valueOf(creditCents, 2));
        OffsetDateTime start = ORIGIN.plusSeconds(startSecond);
        CallDescriptor ask = new CallDescriptor(0, "vdf", subject, number, start, null, BigDecimal.valueOf(wanted), null);

        BigDecimal d = engine.decide(budget, command(Method.GET_EXACT_MAX_SESSION_TIME, ask)).reply().value();

        assertThat(d).isBetween(BigDecimal.ZERO, BigDecimal.valueOf(wanted));
        assertThat(cost(budget, subject, number, start, plus(start, d))).isLessThanOrEqualTo(budget.credit());
        if (d.compareTo(BigDecimal.valueOf(wanted)) < 0) {
            BigDecimal oneMoreMillisecond = d.add(new BigDecimal("0.001"));
            assertThat(cost(budget, subject, number, start, plus(start, oneMoreMillisecond)))
                    .isGreaterThan(budget.credit());
        }
    }

    @Property(tries = 300)
    void shouldLeaveTheBudgetAsItWasWhenADebitFails(@ForAll @IntRange(min = 0, max = 1000) int sms,
            @ForAll @IntRange(min = 0, max = 100_000) int creditMillis, @ForAll @IntRange(min = 1, max = 500) int more,
            @ForAll @IntRange(min = 0, max = 200) int freeSeconds, @ForAll @IntRange(min = 0, max = 200) int pricedSeconds) {
        UserBudget budget = budget("minutosu", BigDecimal.valueOf(creditMillis, 3).toPlainString(), "seara",
                bucket(String.valueOf(pricedSeconds), 10, "0.01", "nationale"),
                bucket(String.valueOf(freeSeconds), 20, "0", "retea"))
                .withSmsCredit(BigDecimal.valueOf(sms));
        UserBudget copy = new UserBudget(budget.id(), budget.credit(), budget.smsCredit(), budget.traffic(),
                budget.volumeDiscountSeconds(), budget.receivedCallSeconds(), budget.resetDayOfTheMonth(),
                budget.tariffPlanId(), budget.minuteBuckets(), budget.lastRefill());

        Decision sms1 = engine.decide(budget, command(Method.DEBIT_SMS,
                Given.amount("minutosu", null, String.valueOf(sms + more))));
        BigDecimal available = engine.decide(budget, command(Method.DEBIT_SECONDS,
                Given.amount("minutosu", "0723", "0"))).reply().value();
        Decision seconds = engine.decide(budget, command(Method.DEBIT_SECONDS,
                Given.amount("minutosu", "0723", available.add(BigDecimal.valueOf(more)).toPlainString())));

        for (Decision failed : List.of(sms1, seconds)) {
            assertThat(failed.reply().isError()).isTrue();
            assertThat(failed.budget()).isSameAs(budget).isEqualTo(copy);
            assertThat(failed.events()).isEmpty();
        }
    }

    private static OffsetDateTime plus(OffsetDateTime start, BigDecimal seconds) {
        return start.plusNanos(seconds.movePointRight(9).longValueExact());
    }
}
