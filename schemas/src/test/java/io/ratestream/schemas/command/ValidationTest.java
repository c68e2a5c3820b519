package io.ratestream.schemas.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratestream.schemas.model.CallDescriptor;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import org.junit.jupiter.api.Test;

class ValidationTest {

    private static CallDescriptor call(String dest, String start, String end, String amount) {
        return new CallDescriptor(0, "vdf", "rif", dest, start == null ? null : OffsetDateTime.parse(start),
                end == null ? null : OffsetDateTime.parse(end), amount == null ? null : new BigDecimal(amount), null);
    }

    @Test
    void shouldAcceptWellFormedRequests() {
        assertThat(Validation.problem(Method.GET_COST, call("0256", "2012-02-02T17:30:00Z", "2012-02-02T18:30:00Z", null)))
                .isNull();
        assertThat(Validation.problem(Method.DEBIT_BALANCE, call(null, null, null, "-5.25"))).isNull();
        assertThat(Validation.problem(Method.RESET_USER_BUDGET, call(null, null, null, null))).isNull();
        assertThat(Validation.problem(Method.GET_MAX_SESSION_TIME, call("0256", null, null, "3600"))).isNull();
    }

    @Test
    void shouldNameWhatIsWrong() {
        assertThat(Validation.problem(Method.GET_COST, call(null, "2012-02-02T17:30:00Z", "2012-02-02T18:30:00Z", null)))
                .contains("DestinationPrefix is required");
        assertThat(Validation.problem(Method.GET_COST, call("0256", null, "2012-02-02T18:30:00Z", null)))
                .contains("TimeStart is required");
        assertThat(Validation.problem(Method.GET_COST, call("0256", "2012-02-02T18:30:00Z", "2012-02-02T17:30:00Z", null)))
                .contains("is before TimeStart");
        assertThat(Validation.problem(Method.GET_COST, call("0256", "2012-02-02T17:30:00Z", "2012-04-02T17:30:00Z", null)))
                .contains("longer than 31 days");
        assertThat(Validation.problem(Method.GET_COST, call("0256", "1800-02-02T17:30:00Z", "1800-02-02T17:30:00Z", null)))
                .contains("TimeStart must be between the years");
        assertThat(Validation.problem(Method.DEBIT_SMS, call(null, null, null, null))).contains("Amount is required");
        assertThat(Validation.problem(Method.DEBIT_SMS, call(null, null, null, "-1000000000001"))).contains("out of range");
        assertThat(Validation.problem(Method.DEBIT_SMS, call(null, null, null, "1.0000000001"))).contains("decimals");
        assertThat(Validation.problem(Method.DEBIT_SECONDS, call("02:56", null, null, "1"))).contains("':'");
        assertThat(Validation.problem(Method.GET_EXACT_MAX_SESSION_TIME, call("0256", null, null, "-1")))
                .contains("must not be negative");
    }

    @Test
    void shouldAcceptTrailingZerosBeyondTheDecimalLimit() {
        assertThat(Validation.problem(Method.DEBIT_SMS, call(null, null, null, "1.000000000000"))).isNull();
    }
}
