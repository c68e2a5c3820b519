package io.ratestream.streams.rating;

import static io.ratestream.streams.rating.Given.amount;
import static io.ratestream.streams.rating.Given.budget;
import static io.ratestream.streams.rating.Given.command;
import static io.ratestream.streams.rating.Given.interval;
import static io.ratestream.streams.rating.Given.profile;
import static org.assertj.core.api.Assertions.assertThat;

import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.reply.Reply;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import org.junit.jupiter.api.Test;

/** SPEC 3: GetMaxSessionTime (documented 10% steps) and GetExactMaxSessionTime. */
class SessionTimeTest {

    private static final Instant THURSDAY_1700 = Instant.parse("2012-02-02T17:00:00Z");
    private static final Instant THURSDAY_1900 = Instant.parse("2012-02-02T19:00:00Z");

    private final Engine engine = Given.demo()
            .profile(profile("third", "0400", interval("", "", "0.3", "1")))
            .profile(profile("fee", "0400", interval("", "", "1", "1", "0.5", 0)))
            .engine();

    private BigDecimal ask(Method method, UserBudget budget, CallDescriptor call, Instant acceptedAt) {
        Reply reply = engine.decide(budget, command(method, call, acceptedAt)).reply();
        assertThat(reply.error()).as("error").isNull();
        return reply.value();
    }

    private BigDecimal max(UserBudget budget, String subject, String destination, String wanted, Instant at) {
        return ask(Method.GET_MAX_SESSION_TIME, budget, amount(subject, destination, wanted), at);
    }

    private BigDecimal exact(UserBudget budget, String subject, String destination, String wanted, Instant at) {
        return ask(Method.GET_EXACT_MAX_SESSION_TIME, budget, amount(subject, destination, wanted), at);
    }

    @Test
    void shouldAllowTheWholeAmountWithoutABudget() {
        assertThat(max(null, "rif", "0256", "3000", THURSDAY_1700)).isEqualByComparingTo("3000");
        assertThat(exact(null, "rif", "0256", "3000", THURSDAY_1700)).isEqualByComparingTo("3000");
    }

    @Test
    void shouldAllowOnlyFreeBucketSecondsWithZeroCredit() {
        // broker: credit 0, retea 100 s free covers 0723 (capped at the amount); 0256 has only priced nationale.
        UserBudget broker = budget("broker");

        assertThat(max(broker, "broker", "0723", "50", THURSDAY_1700)).isEqualByComparingTo("50");
        assertThat(max(broker, "broker", "0723", "200", THURSDAY_1700)).isEqualByComparingTo("100");
        assertThat(max(broker, "broker", "0256", "200", THURSDAY_1700)).isEqualByComparingTo("0");
    }

    @Test
    void shouldStepDownByTenPercentUntilTheCostIsBelowTheCredit() {
        // minutosu, credit 21, 0723: buckets 100 s free + 10 s x 0.01 = 0.1, then 1 per 60 s.
        // 3000: 0.1 + 2890/60 = 48.27 ... 1500: 0.1 + 1390/60 = 23.27 >= 21; 1200: 0.1 + 1090/60 = 18.27 < 21.
        assertThat(max(budget("minutosu"), "minutosu", "0723", "3000", THURSDAY_1700))
                .isEqualByComparingTo("1200");
    }

    @Test
    void shouldRequireTheCostToBeStrictlyBelowTheCredit() {
        // rif, credit 100, 0256 at 0.2/s: 500 s cost exactly 100, not below: 450 s (90) it is.
        assertThat(max(budget("rif", "100", null), "rif", "0256", "500", THURSDAY_1700)).isEqualByComparingTo("450");
    }

    @Test
    void shouldStartTheSessionAtTheAcceptedInstantWhenTimeStartIsAbsent() {
        // rif, credit 100, 0256, 1000 s wanted. From 17:00 (0.2/s): 400 s (80) is the first below 100.
        // From 19:00 (0.1/s): 900 s (90).
        UserBudget rif = budget("rif", "100", null);

        assertThat(max(rif, "rif", "0256", "1000", THURSDAY_1700)).isEqualByComparingTo("400");
        assertThat(max(rif, "rif", "0256", "1000", THURSDAY_1900)).isEqualByComparingTo("900");
    }

    @Test
    void shouldUseTimeStartWhenGiven() {
        // Same as above, but the descriptor says 19:00 while the command was accepted at 17:00.
        CallDescriptor at1900 = amount("rif", "0256", "1000").withTimes(OffsetDateTime.parse("2012-02-02T19:00:00Z"), null);

        assertThat(ask(Method.GET_MAX_SESSION_TIME, budget("rif", "100", null), at1900, THURSDAY_1700))
                .isEqualByComparingTo("900");
    }

    @Test
    void shouldAllowNothingWhenEvenTenPercentIsTooDear() {
        // credit 1; 10% of 1000 s = 100 s x 0.2 = 20.
        assertThat(max(budget("rif", "1", null), "rif", "0256", "1000", THURSDAY_1700)).isEqualByComparingTo("0");
    }

    @Test
    void shouldRefuseADestinationWithNoProfile() {
        Reply reply = engine.decide(budget("rif", "100", null),
                command(Method.GET_MAX_SESSION_TIME, amount("rif", "0999", "100"))).reply();

        assertThat(reply.error()).contains("no rating profile");
    }

    @Test
    void shouldRefuseANegativeOrHugeWantedSession() {
        UserBudget rif = budget("rif", "100", null);
        assertThat(engine.decide(rif, command(Method.GET_MAX_SESSION_TIME, amount("rif", "0256", "-1"))).reply()
                .error()).contains("must not be negative");
        assertThat(engine.decide(rif, command(Method.GET_EXACT_MAX_SESSION_TIME, amount("rif", "0256", "99999999")))
                .reply().error()).contains("at most");
    }

    @Test
    void shouldFindTheExactLongestSessionAcrossAPriceChange() {
        // From 17:55: 300 s x 0.2 = 60; the other 40 buy 400 s at 0.1. 700 s exactly.
        CallDescriptor from1755 = amount("rif", "0256", "3600")
                .withTimes(OffsetDateTime.parse("2012-02-02T17:55:00Z"), null);

        assertThat(ask(Method.GET_EXACT_MAX_SESSION_TIME, budget("rif", "100", null), from1755, THURSDAY_1700))
                .isEqualByComparingTo("700");
    }

    @Test
    void shouldFindTheExactSessionToTheMillisecond() {
        // credit 1 at 0.3/s: 3.333 s cost 0.9999; 3.334 s would cost 1.0002.
        assertThat(exact(budget("third", "1", null), "third", "0400", "10", THURSDAY_1700)).isEqualTo(new BigDecimal("3.333"));
    }

    @Test
    void shouldIncludeBucketsInTheExactSession() {
        // minutosu, 21: 110 bucket seconds cost 0.1; 20.9 buy 20.9 x 60 = 1254 s at 1 per 60 s: 1364 s.
        assertThat(exact(budget("minutosu"), "minutosu", "0723", "3000", THURSDAY_1700)).isEqualByComparingTo("1364");
    }

    @Test
    void shouldAllowTheWholeAmountWhenItIsAffordable() {
        // 3600 s x 0.3 = 1080: exactly the credit, which is allowed (cost <= credit).
        assertThat(exact(budget("third", "1080", null), "third", "0400", "3600", THURSDAY_1700))
                .isEqualByComparingTo("3600");
    }

    @Test
    void shouldAllowNothingWhenTheConnectFeeExceedsTheCredit() {
        assertThat(exact(budget("fee", "0.4", null), "fee", "0400", "100", THURSDAY_1700)).isEqualByComparingTo("0");
        // 0.5 fee + 0.5 s at 1 = 1
        assertThat(exact(budget("fee", "1", null), "fee", "0400", "100", THURSDAY_1700)).isEqualByComparingTo("0.5");
    }

    @Test
    void shouldChangeNothing() {
        UserBudget minutosu = budget("minutosu");

        Decision decision = engine.decide(minutosu, command(Method.GET_EXACT_MAX_SESSION_TIME,
                amount("minutosu", "0723", "3000")));

        assertThat(decision.budget()).isSameAs(minutosu);
        assertThat(decision.events()).isEmpty();
    }
}
