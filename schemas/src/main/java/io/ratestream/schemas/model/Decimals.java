package io.ratestream.schemas.model;

import java.math.BigDecimal;
import java.util.List;

/** Small helpers the records share to normalise their components. */
final class Decimals {

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

    static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
