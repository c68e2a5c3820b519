package io.ratestream.streams.rating;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link LongestCall} finds exactly what bisection finds, on random non-decreasing costs shaped like calls'
 * (linear pieces with different prices, a fee at the start, rounded to 6 decimals, flat stretches of free
 * seconds), and needs few ratings on a linear piece.
 */
class LongestCallTest {

    /** A random call cost: pieces of random length and price (some free), rounded half-up to 6 decimals. */
    private record PiecewiseCost(long[] ends, BigDecimal[] pricesPerMilli, BigDecimal fee) implements LongestCall.Cost {
        @Override
        public BigDecimal of(long millis) {
            BigDecimal total = fee;
            long from = 0;
            for (int i = 0; i < ends.length && from < millis; i++) {
                long to = Math.min(ends[i], millis);
                total = total.add(pricesPerMilli[i].multiply(BigDecimal.valueOf(to - from)));
                from = to;
            }
            return total.setScale(6, RoundingMode.HALF_UP);
        }

        static PiecewiseCost random(Random random, long length) {
            int pieces = 1 + random.nextInt(5);
            long[] ends = new long[pieces];
            for (int i = 0; i < pieces - 1; i++) {
                ends[i] = 1 + (long) (random.nextDouble() * length);
            }
            ends[pieces - 1] = Long.MAX_VALUE;
            Arrays.sort(ends);
            BigDecimal[] prices = new BigDecimal[pieces];
            for (int i = 0; i < pieces; i++) {
                // 0 (a free bucket) or up to 1 per second, with up to 9 decimals per millisecond
                prices[i] = random.nextInt(5) == 0 ? BigDecimal.ZERO
                        : BigDecimal.valueOf(random.nextInt(1_000_000) + 1, 9);
            }
            return new PiecewiseCost(ends, prices, BigDecimal.valueOf(random.nextInt(100), 2));
        }
    }

    private static long bisect(LongestCall.Cost cost, BigDecimal credit, long lo, long hi) {
        while (hi - lo > 1) {
            long middle = (lo + hi) >>> 1;
            if (cost.of(middle).compareTo(credit) <= 0) {
                lo = middle;
            } else {
                hi = middle;
            }
        }
        return lo;
    }

    @Test
    void findsWhatBisectionFindsOnRandomCallCosts() {
        Random random = new Random(20261202);
        int cases = 0;
        while (cases < 20_000) {
            long length = 1 + random.nextInt(3_600_000);
            PiecewiseCost cost = PiecewiseCost.random(random, length);
            long lo = random.nextBoolean() ? 0 : 1;
            BigDecimal atLo = cost.of(lo);
            BigDecimal atHi = cost.of(length);
            if (atHi.compareTo(atLo) <= 0) {
                continue; // nothing between them to search
            }
            // a credit between the two costs, in whole cents or with many decimals
            BigDecimal span = atHi.subtract(atLo);
            BigDecimal credit = atLo.add(span.multiply(BigDecimal.valueOf(random.nextInt(1_000_000), 6)));
            if (random.nextBoolean()) {
                credit = credit.setScale(2, RoundingMode.DOWN).max(atLo);
            }
            if (credit.compareTo(atHi) >= 0) {
                continue;
            }
            long expected = bisect(cost, credit, lo, length);
            long found = LongestCall.search(cost, credit, lo, atLo, length, atHi);
            assertThat(found).as("case %d: %s, credit %s, between %d and %d", cases, cost, credit, lo, length)
                    .isEqualTo(expected);
            cases++;
        }
    }

    @Test
    void takesTwoRatingsOnOneLinearPieceAndAtMostAboutTwiceBisectionOtherwise() {
        // 0.2 per second, no fee: the credit 18 pays exactly 90,000 ms
        PiecewiseCost linear = new PiecewiseCost(new long[] {Long.MAX_VALUE},
                new BigDecimal[] {new BigDecimal("0.0002")}, BigDecimal.ZERO);
        AtomicInteger ratings = new AtomicInteger();
        LongestCall.Cost counted = millis -> {
            ratings.incrementAndGet();
            return linear.of(millis);
        };
        long found = LongestCall.search(counted, new BigDecimal("18"), 1, linear.of(1), 600_000, linear.of(600_000));
        assertThat(found).isEqualTo(90_000);
        assertThat(ratings.get()).isEqualTo(2);

        Random random = new Random(7);
        for (int i = 0; i < 2_000; i++) {
            PiecewiseCost cost = PiecewiseCost.random(random, 3_600_000);
            BigDecimal atHi = cost.of(3_600_000);
            BigDecimal credit = cost.fee().add(atHi.subtract(cost.fee()).divide(BigDecimal.valueOf(3), 6,
                    RoundingMode.DOWN));
            if (atHi.compareTo(credit) <= 0 || cost.of(0).compareTo(credit) > 0) {
                continue;
            }
            ratings.set(0);
            LongestCall.search(millis -> {
                ratings.incrementAndGet();
                return cost.of(millis);
            }, credit, 0, cost.of(0), 3_600_000, atHi);
            assertThat(ratings.get()).as("case %d", i).isLessThanOrEqualTo(2 * 22 + 2); // bisection: 22
        }
    }
}
