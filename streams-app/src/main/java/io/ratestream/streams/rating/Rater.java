package io.ratestream.streams.rating;

import io.ratestream.schemas.model.ActivationPeriod;
import io.ratestream.schemas.model.CallCost;
import io.ratestream.schemas.model.Interval;
import io.ratestream.schemas.model.MinuteBucket;
import io.ratestream.schemas.model.MinuteInfo;
import io.ratestream.schemas.model.RatingProfile;
import io.ratestream.schemas.model.TariffPlan;
import io.ratestream.schemas.model.Timespan;
import io.ratestream.schemas.model.UserBudget;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * GetCost (SPEC 2): profile lookup with prefix fallback, minute buckets first, then the rest of the call
 * split at activation times, interval boundaries and midnight, volume discount, connect fee.
 *
 * <p>Time runs on nanoseconds since the epoch; money on exact rationals. A span costs
 * {@code seconds x Price / BillingUnit}, which need not have a finite decimal expansion (59 s at 0.25
 * per 60 s), so nothing is divided before the end: spans priced per second add up as decimals, spans
 * priced per other units as fractions in an {@link ExactSum} (created only for calls that have such
 * spans), and the total is rounded once, half-up to 6 decimals, from its exact value. Each timespan's
 * {@code Cost} is its own exact value rounded the same way, for display only: the total is not the sum
 * of the displayed span costs.
 */
final class Rater {

    static final int COST_SCALE = 6;
    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);
    private static final int MIN_PREFIX = 2;

    private final ReferenceData reference;

    Rater(ReferenceData reference) {
        this.reference = reference;
    }

    /**
     * The result of rating a call: exact figures, and the spans when asked for.
     *
     * @param taken the nanoseconds the call takes from each of the budget's minute buckets, by the bucket's
     *     index in {@link UserBudget#minuteBuckets}; null when it takes none
     */
    record Rating(RatingProfile profile, BigDecimal cost, BigDecimal connectFee, List<Timespan> spans, long[] taken) {
        CallCost toCallCost(int tor) {
            return new CallCost(tor, profile.cstmId(), profile.subject(), profile.destinationPrefix(), cost,
                    connectFee, spans);
        }
    }

    /**
     * Rates a call of {@code durationNanos} from {@code start} to {@code number}.
     *
     * @param budget the subscriber's budget for buckets and volume discount; null for none
     * @param withSpans whether to build the timespans (the session-time searches only need the cost)
     * @throws RatingException when no profile, period or interval prices the call
     */
    Rating rate(String tenant, String subject, String number, OffsetDateTime start, long durationNanos,
            UserBudget budget, boolean withSpans) {
        RatingProfile profile = findProfile(tenant, subject, number);
        ZoneOffset offset = start.getOffset();
        long from = CivilTime.epochNanos(start);
        long to = Math.addExact(from, durationNanos);
        List<Timespan> spans = withSpans ? new ArrayList<>(4) : null;

        long cursor = from;
        BigDecimal bucketTotal = BigDecimal.ZERO;
        long[] taken = null;
        if (budget != null && durationNanos > 0) {
            List<MinuteBucket> buckets = budget.minuteBuckets();
            int[] order = Buckets.ordered(buckets, number, reference, true);
            for (int k = 0; k < order.length && cursor < to; k++) {
                MinuteBucket bucket = buckets.get(order[k]);
                long take = Math.min(nanos(bucket.seconds()), to - cursor);
                if (taken == null) {
                    taken = new long[buckets.size()];
                }
                taken[order[k]] = take;
                BigDecimal quantity = BigDecimal.valueOf(take, 9);
                BigDecimal cost = quantity.multiply(bucket.price());
                bucketTotal = bucketTotal.add(cost);
                if (withSpans) {
                    spans.add(bucketSpan(cursor, cursor + take, offset, quantity, cost, bucket));
                }
                cursor += take;
            }
        }

        BigDecimal connectFee = BigDecimal.ZERO;
        BigDecimal cost;
        if (cursor < to || durationNanos == 0) {
            BigDecimal discount = discountFactor(budget);
            // The interval-priced spans, undiscounted (the discount multiplies their exact sum once): those
            // priced per second as a decimal, the others as fractions, created only when a call has them.
            BigDecimal perSecond = BigDecimal.ZERO;
            ExactSum perUnit = null;
            IntervalSplitter splitter = new IntervalSplitter(profile, offset, to);
            boolean first = cursor == from;
            do {
                splitter.advance(cursor);
                Interval interval = splitter.interval;
                BigDecimal amount = BigDecimal.valueOf(splitter.end - cursor, 9).multiply(interval.price());
                if (interval.billingUnit().compareTo(BigDecimal.ONE) == 0) {
                    perSecond = perSecond.add(amount);
                } else {
                    perUnit = ExactSum.plus(perUnit, amount, interval.billingUnit());
                }
                if (first) {
                    connectFee = interval.connectFee();
                    first = false;
                }
                if (withSpans) {
                    spans.add(intervalSpan(cursor, splitter, offset, amount, discount));
                }
                cursor = splitter.end;
            } while (cursor < to);
            cost = total(perSecond, perUnit, discount,
                    bucketTotal.signum() == 0 ? connectFee : bucketTotal.add(connectFee));
        } else {
            cost = bucketTotal.setScale(COST_SCALE, RoundingMode.HALF_UP);
        }
        return new Rating(profile, cost, connectFee, spans, taken);
    }

    /**
     * SPEC 2.4-2.6: {@code (perSecond + perUnit) x discount + rest}, rounded once, half-up, from its exact
     * value.
     *
     * @param perUnit interval spans priced per other billing units, as fractions; null for none
     * @param discount the volume discount factor; null for none
     * @param rest bucket spans and the connect fee, not discounted
     */
    private static BigDecimal total(BigDecimal perSecond, ExactSum perUnit, BigDecimal discount, BigDecimal rest) {
        if (perUnit == null) {
            BigDecimal sum = discount == null ? perSecond : perSecond.multiply(discount);
            return (rest.signum() == 0 ? sum : sum.add(rest)).setScale(COST_SCALE, RoundingMode.HALF_UP);
        }
        perUnit.add(perSecond);
        if (discount != null) {
            perUnit.multiply(discount);
        }
        perUnit.add(rest);
        return perUnit.rounded(COST_SCALE);
    }

    /** An interval span from {@code start} to the splitter's end; its cost rounded from its exact value. */
    private static Timespan intervalSpan(long start, IntervalSplitter splitter, ZoneOffset offset, BigDecimal amount,
            BigDecimal discount) {
        BigDecimal discounted = discount == null ? amount : amount.multiply(discount);
        return new Timespan(CivilTime.time(start, offset), CivilTime.time(splitter.end, offset),
                ExactSum.quotient(discounted, splitter.interval.billingUnit(), COST_SCALE), splitter.interval,
                splitter.period.activationTime(), null);
    }

    private static Timespan bucketSpan(long start, long end, ZoneOffset offset, BigDecimal quantity, BigDecimal cost,
            MinuteBucket bucket) {
        return new Timespan(CivilTime.time(start, offset), CivilTime.time(end, offset),
                cost.setScale(COST_SCALE, RoundingMode.HALF_UP), null, null,
                new MinuteInfo(bucket.destinationId(), quantity.stripTrailingZeros(), bucket.price()));
    }

    /** SPEC 2.1: exact prefix first, then one digit shorter, down to two characters. */
    RatingProfile findProfile(String tenant, String subject, String number) {
        for (int length = number.length(); length >= MIN_PREFIX; length--) {
            RatingProfile profile = reference.ratingProfile(tenant, subject, number.substring(0, length));
            if (profile != null) {
                return profile;
            }
        }
        throw new RatingException("no rating profile for tenant " + tenant + ", subject " + subject
                + " and destination " + number + " (nor any prefix of it down to " + MIN_PREFIX
                + " digits): load one");
    }

    /** {@code (100 - percent) / 100} for the budget's volume discount, exactly, or null when there is none. */
    private BigDecimal discountFactor(UserBudget budget) {
        if (budget == null || !budget.hasTariffPlan()) {
            return null;
        }
        TariffPlan plan = reference.tariffPlan(budget.tariffPlanId());
        if (plan == null) {
            return null;
        }
        BigDecimal percent = plan.discountPercent(budget.volumeDiscountSeconds());
        return percent.signum() == 0 ? null : HUNDRED.subtract(percent).movePointLeft(2);
    }

    /** Seconds as nanoseconds, truncated below the nanosecond, saturating far beyond any call. */
    static long nanos(BigDecimal seconds) {
        if (seconds.signum() <= 0) {
            return 0;
        }
        if (seconds.compareTo(BigDecimal.valueOf(Long.MAX_VALUE / CivilTime.NANOS_PER_SECOND)) >= 0) {
            return Long.MAX_VALUE / 2;
        }
        return seconds.movePointRight(9).setScale(0, RoundingMode.DOWN).longValueExact();
    }

    /**
     * Walks a call through a profile's periods and intervals: {@link #advance} finds, for an instant,
     * the period in effect, the interval that prices it and where the next span must start.
     */
    private static final class IntervalSplitter {
        private final List<ActivationPeriod> periods;
        private final long offsetNanos;
        private final long callEnd;
        private final ZoneOffset offset;
        ActivationPeriod period;
        Interval interval;
        long end;

        IntervalSplitter(RatingProfile profile, ZoneOffset offset, long callEnd) {
            this.periods = profile.activationPeriods();
            this.offset = offset;
            this.offsetNanos = offset.getTotalSeconds() * CivilTime.NANOS_PER_SECOND;
            this.callEnd = callEnd;
        }

        void advance(long at) {
            long nextActivation = selectPeriod(at);
            long local = at + offsetNanos;
            long day = Math.floorDiv(local, CivilTime.NANOS_PER_DAY);
            long timeOfDay = local - day * CivilTime.NANOS_PER_DAY;
            int monthAndDay = CivilTime.monthAndDay(day);
            int month = monthAndDay >> 5;
            int dayOfMonth = monthAndDay & 31;
            int dayOfWeek = CivilTime.dayOfWeek(day);

            Interval best = null;
            long boundary = CivilTime.NANOS_PER_DAY;
            List<Interval> intervals = period.intervals();
            for (int i = 0, n = intervals.size(); i < n; i++) {
                Interval candidate = intervals.get(i);
                if (!candidate.appliesOn(month, dayOfMonth, dayOfWeek)) {
                    continue;
                }
                long start = candidate.startNanoOfDay();
                long stop = candidate.endNanoOfDay();
                if (start > timeOfDay) {
                    boundary = Math.min(boundary, start);
                } else if (stop > timeOfDay) {
                    boundary = Math.min(boundary, stop);
                    if (best == null || wins(candidate, best)) {
                        best = candidate;
                    }
                }
            }
            if (best == null) {
                throw new RatingException("no interval of the period activated at "
                        + period.activationTime() + " covers " + CivilTime.time(at, offset));
            }
            interval = best;
            end = Math.min(Math.min(callEnd, nextActivation), at + (boundary - timeOfDay));
        }

        /** Selects the period in effect at {@code at}; returns when the next one activates. */
        private long selectPeriod(long at) {
            int chosen = -1;
            for (int i = 0, n = periods.size(); i < n; i++) {
                if (CivilTime.epochNanos(periods.get(i).activationTime()) <= at) {
                    chosen = i;
                } else {
                    break;
                }
            }
            if (chosen < 0) {
                throw new RatingException(periods.isEmpty()
                        ? "the rating profile has no activation period"
                        : "no activation period is in effect at " + CivilTime.time(at, offset)
                                + " (the first activates at " + periods.get(0).activationTime() + ")");
            }
            period = periods.get(chosen);
            return chosen + 1 < periods.size()
                    ? CivilTime.epochNanos(periods.get(chosen + 1).activationTime())
                    : Long.MAX_VALUE;
        }

        /** SPEC 2.3: the highest Ponder wins; on equal Ponder the lowest Price; then the first listed. */
        private static boolean wins(Interval candidate, Interval best) {
            if (candidate.ponder() != best.ponder()) {
                return candidate.ponder() > best.ponder();
            }
            return candidate.price().compareTo(best.price()) < 0;
        }
    }
}
