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
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * GetCost (SPEC 2): profile lookup with prefix fallback, minute buckets first, then the rest of the call
 * split at activation times, interval boundaries and midnight, volume discount, connect fee.
 *
 * <p>Time runs on nanoseconds since the epoch; money on exact decimals. A span costs
 * {@code seconds / BillingUnit x Price}: exact whenever the division terminates, otherwise carried to
 * 34 significant digits; only the total is rounded (half-up, 6 decimals).
 */
final class Rater {

    static final int COST_SCALE = 6;
    private static final MathContext DIVISION = MathContext.DECIMAL128;
    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);
    private static final int MIN_PREFIX = 2;

    private final ReferenceData reference;

    Rater(ReferenceData reference) {
        this.reference = reference;
    }

    /** The result of rating a call: exact figures, and the spans when asked for. */
    record Rating(RatingProfile profile, BigDecimal cost, BigDecimal connectFee, List<Timespan> spans) {
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
        BigDecimal total = BigDecimal.ZERO;
        if (budget != null && durationNanos > 0) {
            List<MinuteBucket> buckets = budget.minuteBuckets();
            int[] order = Buckets.ordered(buckets, number, reference, true);
            for (int k = 0; k < order.length && cursor < to; k++) {
                MinuteBucket bucket = buckets.get(order[k]);
                long take = Math.min(nanos(bucket.seconds()), to - cursor);
                BigDecimal quantity = BigDecimal.valueOf(take, 9);
                BigDecimal cost = quantity.multiply(bucket.price());
                total = total.add(cost);
                if (withSpans) {
                    spans.add(new Timespan(CivilTime.time(cursor, offset), CivilTime.time(cursor + take, offset),
                            display(cost), null, null,
                            new MinuteInfo(bucket.destinationId(), quantity.stripTrailingZeros(), bucket.price())));
                }
                cursor += take;
            }
        }

        BigDecimal connectFee = BigDecimal.ZERO;
        if (cursor < to || durationNanos == 0) {
            BigDecimal discount = discountFactor(budget);
            IntervalSplitter splitter = new IntervalSplitter(profile, offset, to);
            boolean first = cursor == from;
            do {
                splitter.advance(cursor);
                BigDecimal cost = spanCost(splitter.end - cursor, splitter.interval);
                if (discount != null) {
                    cost = cost.multiply(discount).movePointLeft(2);
                }
                total = total.add(cost);
                if (first) {
                    connectFee = splitter.interval.connectFee();
                    first = false;
                }
                if (withSpans) {
                    spans.add(new Timespan(CivilTime.time(cursor, offset), CivilTime.time(splitter.end, offset),
                            display(cost), splitter.interval, splitter.period.activationTime(), null));
                }
                cursor = splitter.end;
            } while (cursor < to);
        }
        BigDecimal cost = total.add(connectFee).setScale(COST_SCALE, RoundingMode.HALF_UP);
        return new Rating(profile, cost, connectFee, spans);
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

    /** {@code (100 - percent)} for the budget's volume discount, or null when there is none. */
    private BigDecimal discountFactor(UserBudget budget) {
        if (budget == null || !budget.hasTariffPlan()) {
            return null;
        }
        TariffPlan plan = reference.tariffPlan(budget.tariffPlanId());
        if (plan == null) {
            return null;
        }
        BigDecimal percent = plan.discountPercent(budget.volumeDiscountSeconds());
        return percent.signum() == 0 ? null : HUNDRED.subtract(percent);
    }

    private static BigDecimal spanCost(long nanos, Interval interval) {
        BigDecimal cost = BigDecimal.valueOf(nanos, 9).multiply(interval.price());
        BigDecimal unit = interval.billingUnit();
        if (unit.compareTo(BigDecimal.ONE) != 0) {
            cost = cost.divide(unit, DIVISION);
        }
        return cost;
    }

    private static BigDecimal display(BigDecimal cost) {
        return cost.scale() > COST_SCALE ? cost.setScale(COST_SCALE, RoundingMode.HALF_UP) : cost;
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
