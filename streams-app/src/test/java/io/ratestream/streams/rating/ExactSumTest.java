package io.ratestream.streams.rating;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** The exact sum behind GetCost's total: quotients kept as fractions, one rounding at the end. */
class ExactSumTest {

    private static BigDecimal d(String value) {
        return new BigDecimal(value);
    }

    @Test
    void shouldRoundADecimalSumHalfUp() {
        ExactSum sum = new ExactSum();
        sum.add(d("0.0000002"));
        sum.add(d("0.0000003"), BigDecimal.ONE);

        assertThat(sum.rounded(6)).isEqualTo(d("0.000001"));
    }

    @Test
    void shouldRoundAQuotientThatIsExactlyHalfway() {
        // 14.75 / 60 x 0.975 + 0.5 = 0.7396875 exactly: half-up 0.739688
        ExactSum sum = new ExactSum();
        sum.add(d("14.75"), d("60"));
        sum.multiply(d("0.975"));
        sum.add(d("0.5"));

        assertThat(sum.rounded(6)).isEqualTo(d("0.739688"));
    }

    @Test
    void shouldKeepUnitsThatAreEqualInValueTogether() {
        // 1/60 + 2/60.0 = 0.05; plus 1/7 + 1/0.5 + 2: 0.05 + 0.142857142... + 2 + 2 = 4.192857142... -> 4.192857
        ExactSum sum = new ExactSum();
        sum.add(d("1"), d("60"));
        sum.add(d("1"), d("7"));
        sum.add(d("2"), d("60.0"));
        sum.add(d("1"), d("0.5"));
        sum.add(d("2"));

        assertThat(sum.rounded(6)).isEqualTo(d("4.192857"));
    }

    @Test
    void shouldNotLetRoundedPartsAddUpAcrossUnits() {
        // 1/3 + 1/6 = 0.5 exactly (each alone has no finite decimal expansion) and 0.0000005 on top rounds up
        ExactSum sum = new ExactSum();
        sum.add(d("1"), d("3"));
        sum.add(d("1"), d("6"));
        sum.add(d("0.0000005"));

        assertThat(sum.rounded(6)).isEqualTo(d("0.500001"));
    }

    @Test
    void shouldStartASumForTheFirstFraction() {
        ExactSum sum = ExactSum.plus(null, d("1"), d("3"));
        ExactSum same = ExactSum.plus(sum, d("2"), d("3"));

        assertThat(same).isSameAs(sum);
        assertThat(sum.rounded(6)).isEqualTo(d("1.000000"));
    }

    @Test
    void shouldRoundAQuotientForDisplayFromItsExactValue() {
        assertThat(ExactSum.quotient(d("14.378125"), d("60"), 6)).isEqualTo(d("0.239635"));
        assertThat(ExactSum.quotient(d("0.0000005"), BigDecimal.ONE, 6)).isEqualTo(d("0.000001"));
        assertThat(ExactSum.quotient(d("2"), d("3"), 6)).isEqualTo(d("0.666667"));
    }
}
