package io.ratestream.streams.rating;

import java.math.BigDecimal;

/**
 * The search behind GetExactMaxSessionTime and the session grants: the longest call, in whole milliseconds,
 * whose cost does not exceed a credit, given that a call's cost never falls as it gets longer.
 *
 * <p>Plain bisection needs about 20-30 ratings of the call. A call's cost is piecewise linear in its length
 * (each span adds seconds x price; only the final rounding to 6 decimals makes tiny steps), so the search
 * guesses where the straight line between the bounds it knows crosses the credit (the secant), and tries
 * that millisecond and the next: on the last linear piece this finds the answer in two ratings. A guess that
 * did not halve the interval is followed by a bisection step, so the search never takes more than about
 * twice bisection's ratings. The guesses use doubles; the answer does not: every decision compares exact
 * costs, and the bounds keep their meaning (cost at {@code lo} fits, cost at {@code hi} does not), so the
 * answer is exactly bisection's (LongestCallTest compares them).
 */
final class LongestCall {

    /** The cost of a call of a number of milliseconds. */
    @FunctionalInterface
    interface Cost {
        BigDecimal of(long millis);
    }

    private LongestCall() {
    }

    /**
     * The largest m in {@code [lo, hi)} whose cost is at most {@code credit}.
     *
     * @param lo a length whose cost fits: {@code cost(lo) <= credit}
     * @param costLo {@code cost(lo)}
     * @param hi a longer length whose cost does not fit: {@code cost(hi) > credit}
     * @param costHi {@code cost(hi)}
     */
    static long search(Cost cost, BigDecimal credit, long lo, BigDecimal costLo, long hi, BigDecimal costHi) {
        double target = credit.doubleValue();
        double atLo = costLo.doubleValue();
        double atHi = costHi.doubleValue();
        boolean secant = true;
        while (hi - lo > 1) {
            long width = hi - lo;
            long guess = secant && atHi > atLo ? secantGuess(lo, atLo, hi, atHi, target) : lo + width / 2;
            BigDecimal at = cost.of(guess);
            if (at.compareTo(credit) <= 0) {
                lo = guess;
                atLo = at.doubleValue();
                if (secant && guess + 1 < hi) {
                    // On a linear piece the guess is the answer: the next millisecond no longer fits.
                    BigDecimal next = cost.of(guess + 1);
                    if (next.compareTo(credit) > 0) {
                        return guess;
                    }
                    lo = guess + 1;
                    atLo = next.doubleValue();
                }
            } else {
                hi = guess;
                atHi = at.doubleValue();
            }
            secant = hi - lo <= width / 2 || !secant;
        }
        return lo;
    }

    /** Where the line through (lo, atLo) and (hi, atHi) reaches the target, strictly inside (lo, hi). */
    private static long secantGuess(long lo, double atLo, long hi, double atHi, double target) {
        double fraction = (target - atLo) / (atHi - atLo);
        long guess = lo + (long) Math.floor(fraction * (hi - lo));
        return Math.max(lo + 1, Math.min(hi - 1, guess));
    }
}
