package io.ratestream.schemas.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.command.Validation;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.model.Interval;
import io.ratestream.schemas.model.UserBudget;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Decimals, times and texts from outside are bounded while they are read, before anything expands them. */
class BoundedInputTest {

    private final ObjectMapper mapper = Json.newMapper();

    @ParameterizedTest
    @ValueSource(strings = {"1e1000000000", "-1e1000000000", "1e-1000000000", "1E+31",
            "1234567890123456789012345678901", "0.0000000000000000000000000000001"})
    void shouldRefuseAHugeOrTinyDecimalInJsonQuicklyAndQuoteItShortly(String number) {
        String json = "{\"CstmId\":\"vdf\",\"Subject\":\"rif\",\"Amount\":" + number + "}";

        assertThatThrownBy(() -> mapper.readValue(json, CallDescriptor.class))
                .satisfies(e -> assertThat(Json.describe(e)).startsWith("Amount: '")
                        .hasSizeLessThan(200));
    }

    @Test
    void shouldRefuseAHugeDecimalFromATreeToo() throws Exception {
        JsonNode tree = mapper.readTree("{\"Amount\":1e1000000000}");

        assertThatThrownBy(() -> mapper.treeToValue(tree, CallDescriptor.class))
                .satisfies(e -> assertThat(Json.describe(e)).contains("out of range").hasSizeLessThan(200));
    }

    @ParameterizedTest
    @ValueSource(strings = {"100", "-100", "0.000000001", "123456789012345678901234567890", "0e-1000000000",
            "1.000000000000000000000000000000000000000000000000000000000000"})
    void shouldReadEveryDecimalWithinTheBound(String number) throws Exception {
        CallDescriptor d = mapper.readValue("{\"Amount\":" + number + "}", CallDescriptor.class);

        assertThat(d.amount()).isEqualByComparingTo(number);
    }

    @Test
    void shouldParseTextWithTheSameBoundAndAShortMessage() {
        assertThat(BoundedDecimal.parse(" 1.5 ", "amount")).isEqualByComparingTo("1.5");
        assertThatThrownBy(() -> BoundedDecimal.parse("1e1000000000", "amount"))
                .hasMessage("amount '1e1000000000' is out of range: at most 30 digits before the decimal point");
        assertThatThrownBy(() -> BoundedDecimal.parse("x".repeat(10_000), "amount"))
                .hasMessageStartingWith("amount 'xxxx").satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(100));
        assertThatThrownBy(() -> BoundedDecimal.parse("NaN", "amount")).hasMessageContaining("is not a number");
    }

    @Test
    void shouldNeverFormatAnAmountOutOfRangeInValidation() {
        CallDescriptor d = new CallDescriptor(0, "vdf", "rif", null, null, null, new BigDecimal("1e1000000000"), null);

        assertThat(Validation.problem(Method.DEBIT_BALANCE, d))
                .isEqualTo("Amount is out of range (at most 1000000000000 in absolute value)");
        assertThat(Validation.problem(Method.DEBIT_BALANCE, d.withAmount(new BigDecimal("1e-1000000000"))))
                .isEqualTo("Amount has more than 9 decimals");
    }

    @Test
    void shouldReadGoZeroTimeAsAbsent() throws Exception {
        CallDescriptor d = mapper.readValue("{\"TimeStart\":\"0001-01-01T00:00:00Z\",\"TimeEnd\":\"0001-01-01T00:00:00Z\"}",
                CallDescriptor.class);

        assertThat(d.timeStart()).isNull();
        assertThat(d.timeEnd()).isNull();
        assertThat(Rfc3339.parseOrAbsent("0001-01-01T00:00:00Z")).isNull();
        assertThat(Rfc3339.parseOrAbsent("0001-01-01T00:00:01Z")).isNotNull();
        assertThat(Rfc3339.parseOrAbsent("2012-02-02T17:30:00Z")).isEqualTo(OffsetDateTime.parse("2012-02-02T17:30:00Z"));
    }

    @Test
    void shouldRateAGetCostWithoutTimesAsAZeroLengthCallButNotAnEndWithoutAStart() {
        CallDescriptor none = new CallDescriptor(0, "vdf", "rif", "0256", null, null, null, null);

        assertThat(Validation.problem(Method.GET_COST, none)).isNull();
        assertThat(Validation.problem(Method.GET_COST, none.withTimes(OffsetDateTime.parse("2012-02-02T17:30:00Z"),
                null))).isNull();
        assertThat(Validation.problem(Method.GET_COST, none.withTimes(null, OffsetDateTime.parse("2012-02-02T17:30:00Z"))))
                .contains("TimeStart is required");
    }

    @Test
    void shouldBoundTheDecimalsOfReferenceDataAndOfABudgetAClientSends() {
        assertThatThrownBy(() -> new Interval(0, 0, List.of(), null, null, 0, null, new BigDecimal("0.0000000000001"),
                null)).hasMessage("Price has more than 12 decimals");
        assertThatThrownBy(() -> new Interval(0, 0, List.of(), null, null, 0, new BigDecimal("1e13"), BigDecimal.ONE,
                null)).hasMessageContaining("ConnectFee is out of range");
        UserBudget budget = new UserBudget("rif", new BigDecimal("1e15"), null, null, null, null, 0, null, null, null);
        Command set = new Command("r", Method.SET_USER_BUDGET, new CallDescriptor(0, "vdf", "rif", null, null, null,
                null, null), Instant.parse("2026-01-01T00:00:00Z"), null, budget);

        assertThat(Validation.problem(set)).isEqualTo("Budget.Credit is out of range (at most 1000000000000 in "
                + "absolute value)");
    }

    @Test
    void shouldFingerprintWhatARequestAsksButNotItsIdOrArrival() {
        CallDescriptor d = new CallDescriptor(0, "vdf", "rif", "0256", null, null, new BigDecimal("1.50"), null);
        Command one = new Command("r", Method.DEBIT_BALANCE, d, Instant.parse("2026-01-01T00:00:00Z"), null, null);
        Command retry = new Command("r", Method.DEBIT_BALANCE, d.withAmount(new BigDecimal("1.5")),
                Instant.parse("2026-01-01T00:00:09Z"), null, null);

        assertThat(retry.fingerprint()).isEqualTo(one.fingerprint());
        assertThat(new Command("r", Method.DEBIT_BALANCE, d.withAmount(BigDecimal.TEN), one.acceptedAt(), null, null)
                .fingerprint()).isNotEqualTo(one.fingerprint());
        assertThat(new Command("r", Method.DEBIT_SMS, d, one.acceptedAt(), null, null).fingerprint())
                .isNotEqualTo(one.fingerprint());
    }

    @Test
    void shouldRefuseANameWithHalfASurrogatePairAndKeepWholePairs() {
        CallDescriptor lone = new CallDescriptor(0, "\ud800", "rif", null, null, null, BigDecimal.ONE, null);
        CallDescriptor pair = new CallDescriptor(0, "vdf", "\ud83d\ude00", null, null, null, BigDecimal.ONE, null);

        assertThat(Validation.problem(Method.DEBIT_BALANCE, lone)).isEqualTo(
                "CstmId must be valid Unicode (it holds half of a surrogate pair)");
        assertThat(Validation.problem(Method.DEBIT_BALANCE, pair)).isNull();
        assertThat(Validation.problem(Method.DEBIT_BALANCE, new CallDescriptor(0, "vdf", "a\udc00", null, null,
                null, BigDecimal.ONE, null))).contains("Subject must be valid Unicode");
    }

    @Test
    void shouldCutLongTexts() {
        assertThat(Texts.cut("abcdef", 10)).isEqualTo("abcdef");
        assertThat(Texts.cut("abcdefghijkl", 10)).isEqualTo("abcdefg...");
        assertThat(Texts.cut(null, 10)).isNull();
    }
}
