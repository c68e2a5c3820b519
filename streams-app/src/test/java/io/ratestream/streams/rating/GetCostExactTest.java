package io.ratestream.streams.rating;

import static io.ratestream.streams.rating.Given.budget;
import static io.ratestream.streams.rating.Given.call;
import static io.ratestream.streams.rating.Given.command;
import static io.ratestream.streams.rating.Given.interval;
import static io.ratestream.streams.rating.Given.profile;
import static org.assertj.core.api.Assertions.assertThat;

import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.model.CallCost;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.model.TariffPlan;
import io.ratestream.schemas.model.Timespan;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.model.VolumeDiscount;
import io.ratestream.schemas.reply.Reply;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SPEC 2.6: results are exact, only the final Cost is rounded (half-up, 6 decimals). Span costs such as
 * 59 s x 0.25 / 60 have no finite decimal expansion; rounding them, or any partial sum, before the total
 * can move the total by 0.000001. Expected values are worked out in fractions in the comments.
 */
class GetCostExactTest {

    /** 2.5 % off from the first placed second. */
    private static final TariffPlan TWO_AND_A_HALF = new TariffPlan("twoandahalf", null, null, null, null, List.of(),
            List.of(new VolumeDiscount(BigDecimal.ZERO, new BigDecimal("2.5"))));

    private final Engine engine = Given.demo()
            .profile(profile("exact", "0400", interval("", "", "0.25", "60", "0.5", 0)))
            .profile(profile("exact", "0500", interval("", "18:00:00", "0.25", "60", "0.5", 0),
                    interval("18:00:00", "", "0.1", "7")))
            .plan(TWO_AND_A_HALF)
            .engine();

    private final UserBudget discounted = budget("exact", "10", TWO_AND_A_HALF.id());

    private CallCost cost(UserBudget budget, CallDescriptor call) {
        Reply reply = engine.decide(budget, command(Method.GET_COST, call)).reply();
        assertThat(reply.error()).as("error").isNull();
        return reply.callCost();
    }

    @Test
    void shouldRoundTheExactTotalNotARoundedQuotient() {
        // given 0.25 per 60 s, 2.5 % off, connect fee 0.5
        CallDescriptor call = call("exact", "0400", "2012-02-02T17:30:00Z", "2012-02-02T17:30:59Z");

        // when
        CallCost cost = cost(discounted, call);

        // then 59 / 60 x 0.25 = 0.24583333... (1475/6000); x 0.975 = 0.2396875 exactly; + 0.5 = 0.7396875,
        // which rounds half-up to 0.739688 (dividing first, to 34 digits, gave 0.23968749...99 and 0.739687).
        assertThat(cost.cost()).isEqualTo(new BigDecimal("0.739688"));
        assertThat(cost.connectFee()).isEqualByComparingTo("0.5");
        assertThat(cost.timespans()).extracting(Timespan::cost).containsExactly(new BigDecimal("0.239688"));
    }

    @Test
    void shouldAddSpansOfDifferentBillingUnitsExactly() {
        // given 17:59:30 to 18:00:29 on 0500: 30 s at 0.25 per 60 s, then 29 s at 0.1 per 7 s, 2.5 % off, fee 0.5
        CallDescriptor call = call("exact", "0500", "2012-02-02T17:59:30Z", "2012-02-02T18:00:29Z");

        // when
        CallCost cost = cost(discounted, call);

        // then 30 x 0.25 / 60 = 1/8; 29 x 0.1 / 7 = 29/70. (1/8 + 29/70) x 39/40 = 151/280 x 39/40 = 5889/11200
        // = 0.525803571...; + 0.5 = 1.025803571... -> 1.025804. Each span alone, for display: 0.121875 and
        // 29/70 x 0.975 = 0.403928571... -> 0.403929.
        assertThat(cost.cost()).isEqualTo(new BigDecimal("1.025804"));
        assertThat(cost.timespans()).extracting(Timespan::cost)
                .containsExactly(new BigDecimal("0.121875"), new BigDecimal("0.403929"));
        assertThat(cost.timespans().get(1).timeStart()).isEqualTo(OffsetDateTime.parse("2012-02-02T18:00:00Z"));
    }

    @Test
    void shouldRoundTheTotalOnceNotAddTheRoundedSpans() {
        // given 17:59:59.5 to 18:00:02 on 0500, no budget: 0.5 s at 0.25 per 60 s, then 2 s at 0.1 per 7 s, fee 0.5
        CallDescriptor call = call("exact", "0500", "2012-02-02T17:59:59.500Z", "2012-02-02T18:00:02Z");

        // when
        CallCost cost = cost(null, call);

        // then 0.5 x 0.25 / 60 = 1/480 and 2 x 0.1 / 7 = 1/35: 1/480 + 1/35 = 7/3360 + 96/3360 = 103/3360
        // = 0.030654761...; + 0.5 -> 0.530655. The spans, rounded for display, are 0.002083 and 0.028571:
        // adding those would give 0.530654.
        assertThat(cost.cost()).isEqualTo(new BigDecimal("0.530655"));
        assertThat(cost.timespans()).extracting(Timespan::cost)
                .containsExactly(new BigDecimal("0.002083"), new BigDecimal("0.028571"));
    }

    @Test
    void shouldCompareTheExactCostWithTheCreditForTheLongestSession() {
        // given a credit of 0.739687: 59 s costs 0.739688 (above), 58.999 s costs 0.7396834... -> 0.739683
        UserBudget justShort = discounted.withCredit(new BigDecimal("0.739687"));
        CallDescriptor ask = new CallDescriptor(0, "vdf", "exact", "0400",
                OffsetDateTime.parse("2012-02-02T17:30:00Z"), null, new BigDecimal("59"), null);

        // when
        BigDecimal longest = engine.decide(justShort, command(Method.GET_EXACT_MAX_SESSION_TIME, ask)).reply().value();
        BigDecimal affordable = engine.decide(discounted.withCredit(new BigDecimal("0.739688")),
                command(Method.GET_EXACT_MAX_SESSION_TIME, ask)).reply().value();

        // then the cost as GetCost computes it decides: 59 s is just out of reach of 0.739687, within 0.739688
        assertThat(longest).isEqualByComparingTo("58.999");
        assertThat(affordable).isEqualByComparingTo("59");
    }

    @Test
    void shouldStopTheTenPercentStepsAtTheExactCost() {
        // given 59 s wanted, credit 0.739689: the whole call (0.739688) is below it; 0.739688 is not
        CallDescriptor ask = new CallDescriptor(0, "vdf", "exact", "0400",
                OffsetDateTime.parse("2012-02-02T17:30:00Z"), null, new BigDecimal("59"), null);

        // when
        BigDecimal above = engine.decide(discounted.withCredit(new BigDecimal("0.739689")),
                command(Method.GET_MAX_SESSION_TIME, ask)).reply().value();
        BigDecimal equal = engine.decide(discounted.withCredit(new BigDecimal("0.739688")),
                command(Method.GET_MAX_SESSION_TIME, ask)).reply().value();

        // then (cost must be below the credit) 59; and with the credit equal to the cost the next step, 53.1
        assertThat(above).isEqualByComparingTo("59");
        assertThat(equal).isEqualByComparingTo("53.1");
    }
}
