package io.ratestream.schemas.model;

import java.math.BigDecimal;
import java.util.List;

/** Small helpers the records share to normalise and bound their components. */
final class Decimals {

    /** Largest absolute value of a price, fee, allowance or threshold in reference data and budgets. */
    static final BigDecimal MAX_VALUE = new BigDecimal("1000000000000");
    /** Most decimals of a price, fee, allowance or threshold (trailing zeros do not count). */
    static final int MAX_SCALE = 12;

    private Decimals() {
    }

    static BigDecimal orZero(BigDecimal value) {
        return value == null ? BigDecimal.ZERO : value;
    }

    static <T> List<T> copy(List<T> list, String field) {
        if (list == null) {
            return List.of();
        }
        for (T element : list) {
            if (element == null) {
                throw new IllegalArgumentException(field + " must not contain null");
            }
        }
        return List.copyOf(list);
    }

    /**
     * The problem with a reference-data or budget decimal, or null: at most {@link #MAX_VALUE} in
     * absolute value and {@link #MAX_SCALE} decimals, so that what the engine computes from them (a credit
     * less seconds x price) stays well inside what every reader accepts.
     */
    static String rangeProblem(BigDecimal value, String field) {
        if (value.abs().compareTo(MAX_VALUE) > 0) {
            return field + " is out of range (at most " + MAX_VALUE.toPlainString() + " in absolute value)";
        }
        if (value.scale() > MAX_SCALE && value.stripTrailingZeros().scale() > MAX_SCALE) {
            return field + " has more than " + MAX_SCALE + " decimals";
        }
        return null;
    }

    /** Throws {@link IllegalArgumentException} with {@link #rangeProblem} when there is one. */
    static BigDecimal requireInRange(BigDecimal value, String field) {
        String problem = rangeProblem(value, field);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return value;
    }

    static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
