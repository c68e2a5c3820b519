package io.ratestream.streams.rating;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Arrays;

/**
 * An exact sum of decimals and of quotients {@code amount / unit}, rounded once (SPEC 2.6: results are
 * exact, only the final {@code Cost} is rounded).
 *
 * <p>A quotient such as 59 x 0.25 / 60 has no finite decimal expansion, so nothing is divided while
 * summing: the sum keeps one running numerator per distinct unit (units compare by value, so 60 and 60.0
 * are one unit, and unit 1 joins the whole part) and is the rational number
 * {@code whole + sum(numerator_i / unit_i)}. {@link #rounded} brings it over one denominator, the
 * product of the distinct units, and makes one division that {@link BigDecimal#divide(BigDecimal, int,
 * RoundingMode)} rounds from the true quotient. A call is usually priced in one unit besides 1: then
 * the sum holds one numerator and rounding costs a multiplication, an addition and a division.
 *
 * <p>Not thread-safe; one per rating.
 */
final class ExactSum {

    private static final BigDecimal[] NONE = {};

    private BigDecimal whole = BigDecimal.ZERO;
    private BigDecimal[] units = NONE;
    private BigDecimal[] numerators = NONE;
    private int count;

    /** Adds an exact decimal. */
    void add(BigDecimal amount) {
        if (amount.signum() != 0) {
            whole = whole.add(amount);
        }
    }

    /** Adds {@code amount / unit} to {@code sum}, or to a new sum when it is null; returns the sum. */
    static ExactSum plus(ExactSum sum, BigDecimal amount, BigDecimal unit) {
        ExactSum result = sum == null ? new ExactSum() : sum;
        result.add(amount, unit);
        return result;
    }

    /** Adds {@code amount / unit}, exactly; {@code unit} is positive. */
    void add(BigDecimal amount, BigDecimal unit) {
        if (unit.compareTo(BigDecimal.ONE) == 0) {
            whole = whole.add(amount);
            return;
        }
        for (int i = 0; i < count; i++) {
            if (units[i].compareTo(unit) == 0) {
                numerators[i] = numerators[i].add(amount);
                return;
            }
        }
        if (count == units.length) {
            int size = Math.max(2, count * 2);
            units = Arrays.copyOf(units, size);
            numerators = Arrays.copyOf(numerators, size);
        }
        units[count] = unit;
        numerators[count] = amount;
        count++;
    }

    /** Multiplies the whole sum by {@code factor}, exactly. */
    void multiply(BigDecimal factor) {
        whole = whole.multiply(factor);
        for (int i = 0; i < count; i++) {
            numerators[i] = numerators[i].multiply(factor);
        }
    }

    /** The sum rounded half-up to {@code scale} decimals: exactly one rounding, of the exact value. */
    BigDecimal rounded(int scale) {
        if (count == 0) {
            return whole.setScale(scale, RoundingMode.HALF_UP);
        }
        if (count == 1) {
            BigDecimal unit = units[0];
            return whole.multiply(unit).add(numerators[0]).divide(unit, scale, RoundingMode.HALF_UP);
        }
        // whole + sum(n_i / u_i) = (whole x U + sum(n_i x U / u_i)) / U with U the product of the units.
        BigDecimal denominator = BigDecimal.ONE;
        for (int i = 0; i < count; i++) {
            denominator = denominator.multiply(units[i]);
        }
        BigDecimal numerator = whole.multiply(denominator);
        for (int i = 0; i < count; i++) {
            BigDecimal others = BigDecimal.ONE;
            for (int j = 0; j < count; j++) {
                if (j != i) {
                    others = others.multiply(units[j]);
                }
            }
            numerator = numerator.add(numerators[i].multiply(others));
        }
        return numerator.divide(denominator, scale, RoundingMode.HALF_UP);
    }

    /** {@code amount / unit} rounded half-up to {@code scale} decimals, from the exact quotient. */
    static BigDecimal quotient(BigDecimal amount, BigDecimal unit, int scale) {
        return unit.compareTo(BigDecimal.ONE) == 0
                ? amount.setScale(scale, RoundingMode.HALF_UP)
                : amount.divide(unit, scale, RoundingMode.HALF_UP);
    }
}
