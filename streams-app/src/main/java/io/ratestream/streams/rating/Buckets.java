package io.ratestream.streams.rating;

import io.ratestream.schemas.model.Destination;
import io.ratestream.schemas.model.MinuteBucket;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Arrays;
import java.util.List;

/**
 * Which of a budget's minute buckets apply to a number, and in which order (SPEC 2.2): priority
 * descending, then match precision descending, then price ascending; equal buckets keep their order in
 * the budget. Works on index arrays: budgets hold a handful of buckets and this runs on every call.
 */
final class Buckets {

    private static final int[] NONE = new int[0];

    private Buckets() {
    }

    /**
     * Indexes into {@code buckets} of those whose destination contains {@code number}, in order of use.
     *
     * @param withSecondsOnly leave out buckets with no seconds left
     */
    static int[] ordered(List<MinuteBucket> buckets, String number, ReferenceData reference,
            boolean withSecondsOnly) {
        int n = buckets.size();
        if (n == 0) {
            return NONE;
        }
        int[] index = new int[n];
        int[] precision = new int[n];
        int count = 0;
        for (int i = 0; i < n; i++) {
            MinuteBucket bucket = buckets.get(i);
            if (withSecondsOnly && bucket.seconds().signum() <= 0) {
                continue;
            }
            Destination destination = reference.destination(bucket.destinationId());
            int match = destination == null ? 0 : destination.precision(number);
            if (match > 0) {
                index[count] = i;
                precision[count] = match;
                count++;
            }
        }
        // Insertion sort: stable, allocation-free, and the fastest for a handful of elements.
        for (int i = 1; i < count; i++) {
            int movingIndex = index[i];
            int movingPrecision = precision[i];
            int j = i - 1;
            while (j >= 0 && before(buckets.get(movingIndex), movingPrecision, buckets.get(index[j]), precision[j])) {
                index[j + 1] = index[j];
                precision[j + 1] = precision[j];
                j--;
            }
            index[j + 1] = movingIndex;
            precision[j + 1] = movingPrecision;
        }
        return count == n ? index : Arrays.copyOf(index, count);
    }

    private static boolean before(MinuteBucket a, int precisionA, MinuteBucket b, int precisionB) {
        if (a.priority() != b.priority()) {
            return a.priority() > b.priority();
        }
        if (precisionA != precisionB) {
            return precisionA > precisionB;
        }
        return a.price().compareTo(b.price()) < 0;
    }

    /**
     * The seconds each ordered bucket offers to a debit (SPEC 3, DebitSeconds): a free bucket all its
     * seconds, a priced one as many as the credit left after the buckets before it pays for, to the
     * nanosecond, rounded down so that it never costs more than that credit.
     */
    static BigDecimal[] offers(List<MinuteBucket> buckets, int[] order, BigDecimal credit) {
        BigDecimal[] offers = new BigDecimal[order.length];
        BigDecimal creditLeft = credit;
        for (int k = 0; k < order.length; k++) {
            MinuteBucket bucket = buckets.get(order[k]);
            BigDecimal seconds = bucket.seconds().max(BigDecimal.ZERO);
            if (bucket.isFree()) {
                offers[k] = seconds;
            } else if (creditLeft.signum() <= 0) {
                offers[k] = BigDecimal.ZERO;
            } else {
                BigDecimal affordable = creditLeft.divide(bucket.price(), 9, RoundingMode.DOWN);
                offers[k] = seconds.min(affordable);
                creditLeft = creditLeft.subtract(offers[k].multiply(bucket.price()));
            }
        }
        return offers;
    }

    /** The sum of the offers. */
    static BigDecimal sum(BigDecimal[] offers) {
        BigDecimal total = BigDecimal.ZERO;
        for (BigDecimal offer : offers) {
            total = total.add(offer);
        }
        return total;
    }
}
