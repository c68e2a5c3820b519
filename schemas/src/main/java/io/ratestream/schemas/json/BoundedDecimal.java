package io.ratestream.schemas.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import java.io.IOException;
import java.math.BigDecimal;

/**
 * The bound every decimal ratestream reads must fit, checked while parsing and before anything formats
 * or expands the value: {@code 1e1000000000} is twelve characters of text but a billion digits once
 * written out in full. A number may have at most {@value #MAX_TEXT} characters, at most
 * {@value #MAX_INTEGER_DIGITS} digits before the decimal point and at most {@value #MAX_FRACTION_DIGITS}
 * after it (trailing zeros do not count). This is a safety bound for every entry (JSON-RPC, HTTP, every
 * topic, the loader's files, the stores); the business rules (an amount at most 1e12 with 9 decimals,
 * prices with at most 12 decimals) are narrower and live in {@code Validation} and the records.
 */
public final class BoundedDecimal {

    /** Longest text of a number, in characters. */
    public static final int MAX_TEXT = 64;
    /** Most digits before the decimal point. */
    public static final int MAX_INTEGER_DIGITS = 30;
    /** Most digits after the decimal point, trailing zeros left out. */
    public static final int MAX_FRACTION_DIGITS = 30;
    /** How much of a bad input an error message quotes. */
    public static final int QUOTED = 32;

    private BoundedDecimal() {
    }

    /**
     * Parses a decimal from text (a query parameter, a console argument).
     *
     * @throws IllegalArgumentException naming {@code field} and quoting at most {@value #QUOTED}
     *     characters of the text, when it is not a number or is out of bounds
     */
    public static BigDecimal parse(String text, String field) {
        String trimmed = text == null ? "" : text.trim();
        if (trimmed.length() > MAX_TEXT) {
            throw new IllegalArgumentException(field + " '" + quote(trimmed) + "' is longer than " + MAX_TEXT
                    + " characters");
        }
        BigDecimal value;
        try {
            value = new BigDecimal(trimmed);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(field + " '" + quote(trimmed) + "' is not a number");
        }
        String problem = problem(value);
        if (problem != null) {
            throw new IllegalArgumentException(field + " '" + quote(trimmed) + "' " + problem);
        }
        return value;
    }

    /**
     * What is wrong with a decimal's size, or null. Cheap whatever the value: it looks at the precision
     * and scale only.
     */
    public static String problem(BigDecimal value) {
        if (value.signum() == 0) {
            return null;
        }
        // precision - scale = digits before the point (<= 0 for |x| < 1); both are ints, so use long.
        long integerDigits = (long) value.precision() - value.scale();
        if (integerDigits > MAX_INTEGER_DIGITS) {
            return "is out of range: at most " + MAX_INTEGER_DIGITS + " digits before the decimal point";
        }
        // The scale after dropping trailing zeros, without building the stripped value when it is small.
        if (value.scale() > MAX_FRACTION_DIGITS && value.stripTrailingZeros().scale() > MAX_FRACTION_DIGITS) {
            return "has too many decimals: at most " + MAX_FRACTION_DIGITS;
        }
        return null;
    }

    /** At most {@value #QUOTED} characters of a text, with "..." when cut. */
    public static String quote(String text) {
        return Texts.cut(text, QUOTED);
    }

    /** Reads JSON numbers as bounded decimals; anything else is left to Jackson's usual errors. */
    static final class Deserializer extends StdDeserializer<BigDecimal> {

        Deserializer() {
            super(BigDecimal.class);
        }

        @Override
        public BigDecimal deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            JsonToken token = p.currentToken();
            if (token != JsonToken.VALUE_NUMBER_INT && token != JsonToken.VALUE_NUMBER_FLOAT) {
                return (BigDecimal) ctx.handleUnexpectedToken(BigDecimal.class, p);
            }
            BigDecimal value = p.getDecimalValue();
            String problem = problem(value);
            if (problem != null) {
                // getText() is the source text, or for a tree the value's toString(), which never expands
                // an exponent: safe to quote.
                throw InvalidFormatException.from(p, "'" + quote(p.getText()) + "' " + problem, null,
                        BigDecimal.class);
            }
            return value;
        }
    }
}
