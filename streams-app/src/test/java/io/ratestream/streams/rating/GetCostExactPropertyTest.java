package io.ratestream.streams.rating;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.model.ActivationPeriod;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.model.Destination;
import io.ratestream.schemas.model.Interval;
import io.ratestream.schemas.model.MinuteBucket;
import io.ratestream.schemas.model.RatingProfile;
import io.ratestream.schemas.model.TariffPlan;
import io.ratestream.schemas.model.Timespan;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.model.VolumeDiscount;
import io.ratestream.schemas.reply.Reply;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * A differential test of GetCost (SPEC 2) against exact rational arithmetic: random tariffs (several
 * activation periods, intervals restricted to months, days of the month, week days and times of day,
 * prices with up to 6 decimals, billing units 1, 60, 7, 0.5, ... and connect fees), random volume
 * discounts (percents with 2 decimals), random minute buckets, random calls (to the second, the
 * millisecond or the nanosecond, in several UTC offsets), each rated by the engine and by a reference
 * computation written here, independently of the engine: it cuts the call at every activation time,
 * midnight and interval start and end (finer than needed: a price holds on each piece), finds each
 * piece's price from scratch with {@code java.time}, and adds everything as {@link Fraction}s of
 * {@link BigInteger}s; the final Cost is that fraction rounded half-up to 6 decimals. Each timespan's
 * displayed Cost is checked to be its exact cost rounded the same way, and the session-time searches to
 * compare the exact cost with the credit.
 *
 * <p>The seed is fixed ({@value #DEFAULT_SEED}); every failure prints the seed of its case, which
 * {@code -Dratestream.exact.seed=<seed> -Dratestream.exact.cases=1} replays alone.
 */
class GetCostExactPropertyTest {

    private static final long DEFAULT_SEED = 20_120_202L;
    private static final long SEED = Long.getLong("ratestream.exact.seed", DEFAULT_SEED);
    /** Priced calls compared per run (calls that both sides refuse come on top). */
    private static final int CASES = Integer.getInteger("ratestream.exact.cases", 10_000);
    private static final int SESSION_CASES = Math.max(1, CASES / 10);

    private static final long NANOS = 1_000_000_000L;
    private static final String SUBJECT = "prop";
    private static final String PREFIX = "0400";
    private static final String PLAN = "plan";
    /** Percents that cancel the 3 of a unit of 60 or the 7 of a unit of 7 (97.5 = 3 x 32.5, 65 = 5 x 13...). */
    private static final String[] PERCENTS = {"2.5", "5", "10", "12.5", "25", "30", "40", "55", "70", "85", "1.75",
        "16", "44", "35"};
    private static final String[] UNITS = {"1", "60", "7", "0.5", "60.0", "30", "1.5", "0.1", "3600", "13", "0"};
    private static final ZoneOffset[] OFFSETS = {ZoneOffset.UTC, ZoneOffset.ofHours(2),
        ZoneOffset.ofHoursMinutes(-5, -30), ZoneOffset.ofHoursMinutes(5, 45), ZoneOffset.ofHours(-11)};
    private static final List<Destination> DESTINATIONS = List.of(
            new Destination("here", List.of(PREFIX)),
            new Destination("wide", List.of("04", "0600")),
            new Destination("narrow", List.of("04001", "04002")),
            new Destination("elsewhere", List.of("0500")));
    private static final OffsetDateTime EARLIEST = OffsetDateTime.parse("2012-01-01T00:00:00Z");

    @Test
    void shouldCostWhatExactArithmeticGivesRoundedOnce() {
        List<String> failures = new ArrayList<>();
        int priced = 0;
        int refused = 0;
        long seed = SEED;
        while (priced < CASES && priced + refused < 3 * CASES) {
            Case c = Case.random(seed);
            Expected expected = Reference.rate(c, c.durationNanos);
            Reply reply = c.engine().decide(c.budget, c.getCost()).reply();
            String problem = compare(c, expected, reply);
            if (problem != null) {
                failures.add(problem);
            }
            if (expected.cost == null) {
                refused++;
            } else {
                priced++;
            }
            seed++;
        }
        assertThat(failures).as("%d of %d calls (seeds %d to %d) differ from exact arithmetic; the first:%n%s",
                failures.size(), priced + refused, SEED, seed - 1,
                String.join("\n", failures.subList(0, Math.min(5, failures.size())))).isEmpty();
        assertThat(priced).as("priced calls compared").isGreaterThanOrEqualTo(CASES);
    }

    @Test
    void shouldCompareTheExactCostWithTheCreditInTheSessionTimeSearches() {
        List<String> failures = new ArrayList<>();
        int compared = 0;
        long seed = SEED + 1_000_000_007L;
        while (compared < SESSION_CASES && seed < SEED + 1_000_000_007L + 10L * SESSION_CASES) {
            Case c = Case.random(seed);
            String problem = checkSessionTimes(c);
            if (problem != null && !problem.isEmpty()) {
                failures.add(problem);
            }
            if (problem == null || !problem.isEmpty()) {
                compared++;
            }
            seed++;
        }
        assertThat(failures).as("%d session-time searches differ from exact arithmetic; the first:%n%s",
                failures.size(), String.join("\n", failures.subList(0, Math.min(5, failures.size())))).isEmpty();
        assertThat(compared).as("session-time searches compared").isGreaterThanOrEqualTo(SESSION_CASES);
    }

    /** Null when the engine agrees; otherwise what differs, with the case. */
    private static String compare(Case c, Expected expected, Reply reply) {
        if (expected.cost == null) {
            return reply.isError() ? null
                    : c.describe("the reference refuses (" + expected.refusal + ") but the engine answers "
                            + reply.callCost().cost());
        }
        if (reply.isError()) {
            return c.describe("the engine refuses: " + reply.error() + "; exact cost " + expected.cost);
        }
        BigDecimal cost = reply.callCost().cost();
        if (cost.compareTo(expected.cost) != 0) {
            return c.describe("cost " + cost.toPlainString() + ", exact " + expected.exact + " = "
                    + expected.cost.toPlainString());
        }
        if (reply.callCost().connectFee().compareTo(expected.connectFee) != 0) {
            return c.describe("connect fee " + reply.callCost().connectFee() + ", expected " + expected.connectFee);
        }
        for (Timespan span : reply.callCost().timespans()) {
            long nanos = epochNanos(span.timeEnd()) - epochNanos(span.timeStart());
            Fraction exact;
            if (span.isIntervalPriced()) {
                exact = Fraction.of(span.interval().price()).times(Fraction.of(nanos, NANOS))
                        .divide(Fraction.of(span.interval().billingUnit())).times(expected.discountFactor);
            } else {
                exact = Fraction.of(span.minuteInfo().price()).times(Fraction.of(nanos, NANOS));
            }
            if (span.cost().compareTo(exact.roundHalfUp(6)) != 0) {
                return c.describe("span " + span + " shows cost " + span.cost() + ", exact " + exact + " = "
                        + exact.roundHalfUp(6));
            }
        }
        return null;
    }

    /**
     * Asks both session-time searches of a call and checks their answers with exact costs: null when
     * right, "" when the case does not apply (the call is refused), otherwise what differs.
     */
    private static String checkSessionTimes(Case c) {
        SplittableRandom random = new SplittableRandom(c.seed ^ 0x5DEECE66DL);
        long wantedMillis = Math.max(1, c.durationNanos / 1_000_000);
        Expected whole = Reference.rate(c, wantedMillis * 1_000_000);
        // (A zero-length call uses no bucket: it needs an interval at the start even when a longer one does not.)
        if (whole.cost == null || c.budget == null || Reference.rate(c, 0).cost == null) {
            return "";
        }
        // A credit at, just below or just above the exact cost of a shorter call: where rounding decides.
        Expected part = Reference.rate(c, random.nextLong(wantedMillis + 1) * 1_000_000);
        BigDecimal credit = part.cost.add(BigDecimal.valueOf(random.nextInt(3) - 1, 6));
        if (credit.signum() <= 0) {
            return "";
        }
        UserBudget budget = c.budget.withCredit(credit);
        BigDecimal wanted = BigDecimal.valueOf(wantedMillis, 3);
        CallDescriptor ask = new CallDescriptor(0, "vdf", SUBJECT, c.number, c.start, null, wanted, null);
        Engine engine = c.engine();

        BigDecimal exactMax = engine.decide(budget, command(Method.GET_EXACT_MAX_SESSION_TIME, ask)).reply().value();
        if (exactMax == null) {
            return c.describe("GetExactMaxSessionTime refused with a credit of " + credit);
        }
        long millis = exactMax.movePointRight(3).longValueExact();
        BigDecimal atAnswer = Reference.rate(c, millis * 1_000_000).cost;
        boolean right;
        if (whole.cost.compareTo(credit) <= 0) {
            right = millis == wantedMillis;
        } else if (Reference.rate(c, 0).cost.compareTo(credit) > 0) {
            // the engine's rule: nothing when even a zero-length call (its connect fee) costs more than the
            // credit, although free buckets may cover the start of a longer call without any fee
            right = millis == 0;
        } else {
            right = millis < wantedMillis && atAnswer.compareTo(credit) <= 0
                    && Reference.rate(c, (millis + 1) * 1_000_000).cost.compareTo(credit) > 0;
        }
        if (!right) {
            return c.describe("GetExactMaxSessionTime " + exactMax + " s with a credit of " + credit
                    + ": that costs " + atAnswer + ", one millisecond more "
                    + Reference.rate(c, Math.min(millis + 1, wantedMillis) * 1_000_000).cost + ", all "
                    + whole.cost);
        }

        BigDecimal stepped = engine.decide(budget, command(Method.GET_MAX_SESSION_TIME, ask)).reply().value();
        for (int step = 10; step >= 1; step--) {
            BigDecimal seconds = wanted.multiply(BigDecimal.valueOf(step)).divide(BigDecimal.TEN);
            BigDecimal cost = Reference.rate(c, Rater.nanos(seconds)).cost;
            if (cost.compareTo(credit) < 0) {
                return stepped.compareTo(seconds) == 0 ? null
                        : c.describe("GetMaxSessionTime " + stepped + " s with a credit of " + credit + ", expected "
                                + seconds + " (costs " + cost + ")");
            }
        }
        return stepped.signum() == 0 ? null
                : c.describe("GetMaxSessionTime " + stepped + " s with a credit of " + credit + ", expected 0");
    }

    private static Command command(Method method, CallDescriptor descriptor) {
        return Given.command(method, descriptor);
    }

    private static long epochNanos(OffsetDateTime time) {
        Instant instant = time.toInstant();
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), NANOS), instant.getNano());
    }

    private static OffsetDateTime at(long epochNanos, ZoneOffset offset) {
        return Instant.ofEpochSecond(Math.floorDiv(epochNanos, NANOS), Math.floorMod(epochNanos, NANOS))
                .atOffset(offset);
    }

    /** One random tariff, budget and call. */
    private record Case(long seed, RatingProfile profile, TariffPlan plan, UserBudget budget, String number,
            OffsetDateTime start, long durationNanos) {

        static Case random(long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            if (random.nextInt(5) < 2) {
                return plain(seed, random);
            }
            ZoneOffset offset = OFFSETS[random.nextInt(OFFSETS.length)];
            long startNanos = epochNanos(EARLIEST) + random.nextLong(730L * 86_400) * NANOS
                    + (random.nextInt(3) == 0 ? random.nextLong(NANOS) : 0);
            OffsetDateTime start = at(startNanos, offset);
            long duration = duration(random);

            int periods = 1 + random.nextInt(3);
            List<ActivationPeriod> list = new ArrayList<>();
            TreeSet<Long> activations = new TreeSet<>();
            // The first period is mostly in effect before the call; 1 in 30 calls starts before any.
            activations.add(startNanos - (random.nextInt(30) == 0 ? -random.nextLong(1, 86_400) * NANOS
                    : random.nextLong(0, 40L * 86_400) * NANOS));
            while (activations.size() < periods) {
                long at = startNanos + random.nextLong(-86_400, Math.max(1, duration / NANOS) + 86_400) * NANOS
                        + (random.nextBoolean() ? random.nextLong(NANOS) : 0);
                activations.add(at);
            }
            for (long at : activations) {
                list.add(new ActivationPeriod(at(at, OFFSETS[random.nextInt(OFFSETS.length)]),
                        intervals(random, start)));
            }
            RatingProfile profile = new RatingProfile(0, "vdf", SUBJECT, PREFIX, list);

            List<VolumeDiscount> thresholds = new ArrayList<>();
            for (int i = random.nextInt(4); i > 0; i--) {
                BigDecimal percent = random.nextBoolean() ? new BigDecimal(PERCENTS[random.nextInt(PERCENTS.length)])
                        : BigDecimal.valueOf(random.nextInt(10_001), 2);
                thresholds.add(new VolumeDiscount(BigDecimal.valueOf(random.nextInt(1500)), percent));
            }
            TariffPlan plan = new TariffPlan(PLAN, null, null, null, null, List.of(), thresholds);

            String number = PREFIX + digits(random, random.nextInt(5));
            return new Case(seed, profile, plan, budget(random), number, start, duration);
        }

        /**
         * A plain tariff where exact results land on a half at the 7th decimal often: one period, whole
         * seconds, prices and fees with up to 2 decimals, a billing unit of 60, 7, 13 or 3600, a discount
         * whose factor cancels the unit's 3, 7 or 13 (such as 97.5 %, 59 s x 0.25 / 60 x 0.975 = 0.2396875).
         */
        private static Case plain(long seed, SplittableRandom random) {
            ZoneOffset offset = OFFSETS[random.nextInt(OFFSETS.length)];
            OffsetDateTime start = EARLIEST.plusSeconds(random.nextLong(730L * 86_400)).withOffsetSameInstant(offset);
            long duration = random.nextInt(10) == 0 ? 0 : random.nextLong(1, 601) * NANOS;
            String[] units = {"60", "7", "13", "3600", "60", "1"};
            List<Interval> intervals = new ArrayList<>();
            for (int i = 1 + random.nextInt(2); i > 0; i--) {
                LocalTime from = i == 1 ? null : LocalTime.of(random.nextInt(24), 0);
                intervals.add(new Interval(0, 0, List.of(), from, null, i, BigDecimal.valueOf(random.nextInt(100), 2),
                        BigDecimal.valueOf(random.nextLong(1, 100_000), random.nextInt(3)),
                        new BigDecimal(units[random.nextInt(units.length)])));
            }
            RatingProfile profile = new RatingProfile(0, "vdf", SUBJECT, PREFIX, List.of(
                    new ActivationPeriod(EARLIEST.minusDays(1), intervals)));
            TariffPlan plan = new TariffPlan(PLAN, null, null, null, null, List.of(), List.of(new VolumeDiscount(
                    BigDecimal.ZERO, new BigDecimal(PERCENTS[random.nextInt(PERCENTS.length)]))));
            List<MinuteBucket> buckets = random.nextInt(4) == 0
                    ? List.of(new MinuteBucket(BigDecimal.valueOf(random.nextInt(60)), 0,
                            BigDecimal.valueOf(random.nextInt(100), 2), "here"))
                    : List.of();
            UserBudget budget = new UserBudget(SUBJECT, BigDecimal.TEN, null, null, null, null, 0, PLAN, buckets, null);
            return new Case(seed, profile, plan, budget, PREFIX, start, duration);
        }

        private static long duration(SplittableRandom random) {
            int kind = random.nextInt(20);
            if (kind == 0) {
                return 0;
            } else if (kind < 8) {
                return random.nextLong(1, 181) * NANOS;
            } else if (kind < 12) {
                return random.nextLong(1, 181 * NANOS);
            } else if (kind < 16) {
                return random.nextLong(1, 7_200_000) * 1_000_000;
            } else if (kind < 19) {
                return random.nextLong(1, 3 * 86_400) * NANOS;
            }
            return random.nextLong(1, 10 * 86_400 * NANOS);
        }

        private static List<Interval> intervals(SplittableRandom random, OffsetDateTime start) {
            List<Interval> intervals = new ArrayList<>();
            for (int i = 1 + random.nextInt(4); i > 0; i--) {
                int month = random.nextInt(7) == 0 ? (random.nextBoolean() ? start.getMonthValue() : 1 + random.nextInt(12))
                        : 0;
                int monthDay = random.nextInt(7) == 0 ? (random.nextBoolean() ? start.getDayOfMonth() : 1 + random.nextInt(31))
                        : 0;
                List<Integer> weekDays = new ArrayList<>();
                if (random.nextInt(3) == 0) {
                    for (int day = 0; day < 7; day++) {
                        if (random.nextBoolean()) {
                            weekDays.add(day);
                        }
                    }
                }
                LocalTime from = null;
                LocalTime to = null;
                if (random.nextInt(5) > 1) {
                    long a = timeOfDay(random);
                    long b = timeOfDay(random);
                    from = a == 0 || random.nextInt(5) == 0 ? null : LocalTime.ofNanoOfDay(Math.min(a, b));
                    to = a == b || random.nextInt(5) == 0 ? null : LocalTime.ofNanoOfDay(Math.max(a, b));
                }
                intervals.add(new Interval(month, monthDay, weekDays, from, to, random.nextInt(3), fee(random),
                        price(random), unit(random)));
            }
            if (random.nextInt(5) != 0) {
                // a catch-all below the others, so that most calls are priced everywhere
                intervals.add(random.nextInt(intervals.size() + 1), new Interval(0, 0, List.of(), null, null, -1,
                        fee(random), price(random), unit(random)));
            }
            return intervals;
        }

        private static long timeOfDay(SplittableRandom random) {
            long second = random.nextLong(86_400) * NANOS;
            return switch (random.nextInt(4)) {
                case 0 -> second / (3600 * NANOS) * 3600 * NANOS;
                case 1 -> second + random.nextLong(1000) * 1_000_000;
                default -> second;
            };
        }

        private static UserBudget budget(SplittableRandom random) {
            if (random.nextInt(10) < 3) {
                return null;
            }
            String plan = switch (random.nextInt(10)) {
                case 0 -> "missing";
                case 1, 2, 3 -> null;
                default -> PLAN;
            };
            List<MinuteBucket> buckets = new ArrayList<>();
            if (random.nextInt(5) > 1) {
                for (int i = 1 + random.nextInt(3); i > 0; i--) {
                    BigDecimal seconds = BigDecimal.valueOf(random.nextLong(0, 300_000), random.nextInt(4));
                    BigDecimal price = random.nextInt(3) == 0 ? BigDecimal.ZERO : price(random);
                    String destination = DESTINATIONS.get(random.nextInt(DESTINATIONS.size())).id();
                    buckets.add(new MinuteBucket(seconds, random.nextInt(3), price, destination));
                }
            }
            return new UserBudget(SUBJECT, BigDecimal.TEN, null, null, BigDecimal.valueOf(random.nextInt(2000)), null,
                    0, plan, buckets, null);
        }

        private static BigDecimal price(SplittableRandom random) {
            if (random.nextInt(10) == 0) {
                return BigDecimal.ZERO;
            }
            // mostly few decimals, where exact results land on a half at the 7th decimal most often
            int scale = random.nextInt(3) == 0 ? random.nextInt(7) : random.nextInt(4);
            return BigDecimal.valueOf(random.nextLong(1, 5_000_000), scale);
        }

        private static BigDecimal fee(SplittableRandom random) {
            return random.nextInt(5) < 3 ? BigDecimal.ZERO : BigDecimal.valueOf(random.nextLong(1, 20_000), 4);
        }

        private static BigDecimal unit(SplittableRandom random) {
            return new BigDecimal(UNITS[random.nextInt(UNITS.length)]);
        }

        private static String digits(SplittableRandom random, int count) {
            StringBuilder digits = new StringBuilder();
            for (int i = 0; i < count; i++) {
                digits.append((char) ('0' + random.nextInt(10)));
            }
            return digits.toString();
        }

        Engine engine() {
            return new Engine(new InMemoryReferenceData(List.of(profile), DESTINATIONS, List.of(plan)));
        }

        Command getCost() {
            OffsetDateTime end = start.plusNanos(durationNanos);
            return command(Method.GET_COST, new CallDescriptor(0, "vdf", SUBJECT, number, start, end, null, null));
        }

        String describe(String problem) {
            return "seed " + seed + ": " + problem + "\n  call " + number + " from " + start + " for "
                    + BigDecimal.valueOf(durationNanos, 9).toPlainString() + " s\n  profile " + profile
                    + "\n  budget " + budget + "\n  plan " + plan;
        }
    }

    /** The reference's answer: the cost (null when the call cannot be priced) and what it is made of. */
    private record Expected(BigDecimal cost, Fraction exact, BigDecimal connectFee, Fraction discountFactor,
            String refusal) {

        static Expected refused(String why) {
            return new Expected(null, null, null, null, why);
        }
    }

    /** SPEC 2, written out plainly, in fractions, without the engine's code. */
    private static final class Reference {

        static Expected rate(Case c, long durationNanos) {
            long from = epochNanos(c.start);
            long to = from + durationNanos;
            ZoneOffset offset = c.start.getOffset();
            UserBudget budget = c.budget;

            // 2.2 minute buckets: applicable, with seconds, by priority, precision, price; stable
            Fraction total = Fraction.ZERO;
            long cursor = from;
            if (budget != null && durationNanos > 0) {
                List<MinuteBucket> usable = new ArrayList<>();
                for (MinuteBucket bucket : budget.minuteBuckets()) {
                    if (bucket.seconds().signum() > 0 && precision(bucket.destinationId(), c.number) > 0) {
                        usable.add(bucket);
                    }
                }
                usable.sort(Comparator.comparingInt(MinuteBucket::priority).reversed()
                        .thenComparing(Comparator.<MinuteBucket>comparingInt(
                                bucket -> precision(bucket.destinationId(), c.number)).reversed())
                        .thenComparing(MinuteBucket::price));
                for (MinuteBucket bucket : usable) {
                    if (cursor == to) {
                        break;
                    }
                    long take = Math.min(bucket.seconds().movePointRight(9).longValueExact(), to - cursor);
                    total = total.plus(Fraction.of(bucket.price()).times(Fraction.of(take, NANOS)));
                    cursor += take;
                }
            }

            // 2.4 the discount: the threshold with the highest volume not above the placed seconds
            Fraction factor = Fraction.ONE;
            if (budget != null && PLAN.equals(budget.tariffPlanId())) {
                VolumeDiscount best = null;
                for (VolumeDiscount threshold : c.plan.volumeDiscountThresholds()) {
                    if (threshold.volume().compareTo(budget.volumeDiscountSeconds()) <= 0
                            && (best == null || threshold.volume().compareTo(best.volume()) > 0)) {
                        best = threshold;
                    }
                }
                if (best != null) {
                    factor = Fraction.of(BigDecimal.valueOf(100).subtract(best.discount())).divide(Fraction.of(100, 1));
                }
            }

            // 2.3 the rest, cut at every activation time, midnight and interval boundary
            BigDecimal connectFee = BigDecimal.ZERO;
            if (cursor < to || durationNanos == 0) {
                List<Long> cuts = new ArrayList<>();
                cuts.add(cursor);
                cuts.addAll(boundaries(c.profile, offset, cursor, to));
                cuts.add(to);
                Fraction intervals = Fraction.ZERO;
                for (int i = 0; i + 1 < cuts.size(); i++) {
                    long a = cuts.get(i);
                    Object priced = price(c.profile, a, offset);
                    if (priced instanceof String refusal) {
                        return Expected.refused(refusal);
                    }
                    Interval interval = (Interval) priced;
                    if (i == 0 && cursor == from) {
                        connectFee = interval.connectFee();
                    }
                    intervals = intervals.plus(Fraction.of(interval.price()).times(Fraction.of(cuts.get(i + 1) - a, NANOS))
                            .divide(Fraction.of(interval.billingUnit())));
                }
                total = total.plus(intervals.times(factor)).plus(Fraction.of(connectFee));
            }
            return new Expected(total.roundHalfUp(6), total, connectFee, factor, null);
        }

        /** Instants strictly between {@code from} and {@code to} where a price may change, in order. */
        private static TreeSet<Long> boundaries(RatingProfile profile, ZoneOffset offset, long from, long to) {
            TreeSet<Long> cuts = new TreeSet<>();
            for (ActivationPeriod period : profile.activationPeriods()) {
                cuts.add(epochNanos(period.activationTime()));
            }
            LocalDate last = at(to, offset).toLocalDate();
            for (LocalDate day = at(from, offset).toLocalDate(); !day.isAfter(last); day = day.plusDays(1)) {
                long midnight = day.atStartOfDay().toEpochSecond(offset) * NANOS;
                cuts.add(midnight);
                for (ActivationPeriod period : profile.activationPeriods()) {
                    for (Interval interval : period.intervals()) {
                        cuts.add(midnight + interval.startNanoOfDay());
                        cuts.add(midnight + interval.endNanoOfDay());
                    }
                }
            }
            return new TreeSet<>(cuts.subSet(from, false, to, false));
        }

        /** The interval that prices the instant {@code at}, or why none does. */
        private static Object price(RatingProfile profile, long at, ZoneOffset offset) {
            ActivationPeriod period = null;
            long latest = Long.MIN_VALUE;
            for (ActivationPeriod candidate : profile.activationPeriods()) {
                long activation = epochNanos(candidate.activationTime());
                if (activation <= at && activation >= latest) {
                    period = candidate;
                    latest = activation;
                }
            }
            if (period == null) {
                return "no period in effect at " + at(at, offset);
            }
            OffsetDateTime local = at(at, offset);
            int dayOfWeek = local.getDayOfWeek().getValue() % 7;
            long timeOfDay = local.toLocalTime().toNanoOfDay();
            Interval best = null;
            for (Interval interval : period.intervals()) {
                boolean applies = (interval.month() == 0 || interval.month() == local.getMonthValue())
                        && (interval.monthDay() == 0 || interval.monthDay() == local.getDayOfMonth())
                        && (interval.weekDays().isEmpty() || interval.weekDays().contains(dayOfWeek))
                        && interval.startNanoOfDay() <= timeOfDay && timeOfDay < interval.endNanoOfDay();
                if (applies && (best == null || interval.ponder() > best.ponder()
                        || interval.ponder() == best.ponder() && interval.price().compareTo(best.price()) < 0)) {
                    best = interval;
                }
            }
            return best != null ? best : "no interval at " + local;
        }

        private static int precision(String destinationId, String number) {
            int best = 0;
            for (Destination destination : DESTINATIONS) {
                if (destination.id().equals(destinationId)) {
                    for (String prefix : destination.prefixes()) {
                        if (number.startsWith(prefix)) {
                            best = Math.max(best, prefix.length());
                        }
                    }
                }
            }
            return best >= 2 ? best : 0;
        }
    }

    /** A non-negative rational number, numerator over denominator, in lowest terms. */
    private record Fraction(BigInteger numerator, BigInteger denominator) {

        static final Fraction ZERO = new Fraction(BigInteger.ZERO, BigInteger.ONE);
        static final Fraction ONE = new Fraction(BigInteger.ONE, BigInteger.ONE);

        static Fraction of(long numerator, long denominator) {
            return reduced(BigInteger.valueOf(numerator), BigInteger.valueOf(denominator));
        }

        static Fraction of(BigDecimal value) {
            return value.scale() >= 0
                    ? reduced(value.unscaledValue(), BigInteger.TEN.pow(value.scale()))
                    : reduced(value.unscaledValue().multiply(BigInteger.TEN.pow(-value.scale())), BigInteger.ONE);
        }

        private static Fraction reduced(BigInteger numerator, BigInteger denominator) {
            BigInteger gcd = numerator.gcd(denominator);
            return gcd.signum() == 0 || gcd.equals(BigInteger.ONE) ? new Fraction(numerator, denominator)
                    : new Fraction(numerator.divide(gcd), denominator.divide(gcd));
        }

        Fraction plus(Fraction other) {
            return reduced(numerator.multiply(other.denominator).add(other.numerator.multiply(denominator)),
                    denominator.multiply(other.denominator));
        }

        Fraction times(Fraction other) {
            return reduced(numerator.multiply(other.numerator), denominator.multiply(other.denominator));
        }

        Fraction divide(Fraction other) {
            return reduced(numerator.multiply(other.denominator), denominator.multiply(other.numerator));
        }

        /** Rounded half-up to {@code scale} decimals: floor(x x 10^scale + 1/2), for x >= 0. */
        BigDecimal roundHalfUp(int scale) {
            BigInteger twice = numerator.multiply(BigInteger.TEN.pow(scale)).shiftLeft(1).add(denominator);
            return new BigDecimal(twice.divide(denominator.shiftLeft(1)), scale);
        }

        @Override
        public String toString() {
            return numerator + "/" + denominator;
        }
    }
}
