package io.ratestream.streams.rating;

import static io.ratestream.streams.rating.Given.budget;
import static io.ratestream.streams.rating.Given.command;
import static org.assertj.core.api.Assertions.assertThat;

import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.event.RatedCall;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.model.Names;
import io.ratestream.schemas.model.OpenSession;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.reply.ErrorKind;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Prepaid sessions (docs/sessions.md) on the sample data. Subject rif to 0256 costs 0.2/s before 18:00 and
 * 0.1/s after it on weekdays, no connect fee; minutosu to 0723 has 100 free seconds (retea, priority 20), then
 * 10 s at 0.01/s (nationale), then 1 per 60 s. Expected values worked out in comments.
 */
class SessionRulesTest {

    private static final String AT_1758 = "2012-02-02T17:58:00Z"; // a Thursday
    private static final Instant LATER = Instant.parse("2012-02-02T18:10:00Z");

    private final Engine engine = Given.demo().engine();

    private static CallDescriptor session(String subject, String destination, String id, String start, String used,
            String amount) {
        return new CallDescriptor(0, "vdf", subject, destination, start == null ? null : OffsetDateTime.parse(start),
                null, amount == null ? null : new BigDecimal(amount), null, id, used == null ? null : new BigDecimal(used));
    }

    private Decision start(UserBudget budget, String id, String amount) {
        return engine.decide(budget, command(Method.SESSION_START, session(budget.id(), "0256", id, AT_1758, null, amount)));
    }

    private Decision update(UserBudget budget, String id, String used, String amount) {
        return engine.decide(budget, command(Method.SESSION_UPDATE, session(budget.id(), null, id, null, used, amount)));
    }

    private Decision end(UserBudget budget, String id, String used) {
        return engine.decide(budget, command(Method.SESSION_END, session(budget.id(), null, id, null, used, null),
                LATER));
    }

    private Decision exactMax(UserBudget budget, String amount) {
        return engine.decide(budget, command(Method.GET_EXACT_MAX_SESSION_TIME,
                session(budget.id(), "0256", null, AT_1758, null, amount)));
    }

    /** docs/sessions.md, "A call's life": every number of that page. */
    @Test
    void theWorkedExampleOfTheDocs() {
        UserBudget rif = budget("rif", "30", null);
        String number = "0256308200";
        Decision a = engine.decide(rif, command(Method.SESSION_START, session("rif", number, "call-a", AT_1758, null, "600")));
        assertThat(a.reply().value()).isEqualByComparingTo("180"); // 120 s x 0.2 + 60 s x 0.1 = 30
        assertThat(a.budget().credit()).isEqualByComparingTo("30");

        Decision b = engine.decide(a.budget(), command(Method.SESSION_START, session("rif", number, "call-b", AT_1758, null, "60")));
        assertThat(b.reply().errorKind()).isEqualTo(ErrorKind.INSUFFICIENT_FUNDS);
        assertThat(b.reply().error()).isEqualTo("no credit for a session to 0256308200: 0 left after what 1 open session(s) hold");
        assertThat(engine.decide(a.budget(), command(Method.GET_MAX_SESSION_TIME,
                session("rif", number, null, AT_1758, null, "60"))).reply().value()).isEqualByComparingTo("0");

        Decision update = engine.decide(a.budget(), command(Method.SESSION_UPDATE, session("rif", number, "call-a", null, "60", "300"),
                Instant.parse("2012-02-02T17:59:00Z")));
        assertThat(update.reply().value()).isEqualByComparingTo("120"); // 60 used + 120 = the same 180 s

        Decision end = engine.decide(update.budget(), command(Method.SESSION_END, session("rif", number, "call-a", null, "150", null),
                Instant.parse("2012-02-02T18:00:30Z")));
        assertThat(end.reply().value()).isEqualByComparingTo("27"); // 120 s x 0.2 + 30 s x 0.1
        assertThat(end.budget().credit()).isEqualByComparingTo("3");
        RatedCall call = end.events().get(0).ratedCall();
        assertThat(call.timespans()).extracting(t -> t.cost().stripTrailingZeros().toPlainString()).containsExactly("24", "3");
        assertThat(call.destinationPrefix()).isEqualTo("0256");
        assertThat(call.granted()).isEqualByComparingTo("180");

        Decision c = engine.decide(end.budget(), command(Method.SESSION_START,
                session("rif", number, "call-c", "2012-02-02T18:05:00Z", null, "60"), Instant.parse("2012-02-02T18:05:00Z")));
        assertThat(c.reply().value()).isEqualByComparingTo("30"); // 3 / 0.1
        Decision expired = engine.decide(c.budget(), command(Method.SESSION_EXPIRY, session("rif", null, "call-c", null, null, "1"),
                Instant.parse("2012-02-02T18:06:35Z")));
        assertThat(expired.reply().value()).isEqualByComparingTo("3");
        assertThat(expired.budget().credit()).isEqualByComparingTo("0");
        assertThat(expired.events().get(0).ratedCall().endedBy()).isEqualTo(RatedCall.EndedBy.EXPIRY);
    }

    @Test
    void concurrentSessionsNeverHoldMoreThanTheCredit() {
        UserBudget rif = budget("rif", "30", null);

        Decision first = start(rif, "s1", "60"); // 60 s at 0.2 = 12: granted in full
        assertThat(first.reply().value()).isEqualByComparingTo("60");
        assertThat(first.budget().credit()).isEqualByComparingTo("30"); // a hold is not a debit
        OpenSession s1 = first.budget().session("s1");
        assertThat(s1.reserved()).isEqualByComparingTo("60");
        assertThat(s1.reservedCost()).isEqualByComparingTo("12");

        Decision second = start(first.budget(), "s2", "300"); // 30 - 12 = 18 left: 90 s at 0.2
        assertThat(second.reply().value()).isEqualByComparingTo("90");

        Decision third = start(second.budget(), "s3", "10"); // nothing left
        assertThat(third.reply().errorKind()).isEqualTo(ErrorKind.INSUFFICIENT_FUNDS);
        assertThat(third.reply().error()).contains("no credit for a session to 0256", "2 open session(s)");
        assertThat(third.budget()).isSameAs(second.budget());
        assertThat(third.events()).isEmpty();
    }

    @Test
    void aGrantStopsWhereTheCreditEndsAcrossATariffChange() {
        // From 17:58: 120 s at 0.2 = 24, then 6 more pay 60 s at 0.1: 180 s cost exactly 30.
        Decision started = start(budget("rif", "30", null), "s1", "600");

        assertThat(started.reply().value()).isEqualByComparingTo("180");
        assertThat(started.budget().session("s1").reservedCost()).isEqualByComparingTo("30");
    }

    @Test
    void anEndDebitsTheWholeCallAndReleasesTheHold() {
        UserBudget rif = budget("rif", "30", null);
        UserBudget open = start(start(rif, "s1", "60").budget(), "s2", "300").budget();

        Decision ended = end(open, "s1", "30"); // 30 s at 0.2 = 6

        assertThat(ended.reply().value()).isEqualByComparingTo("6");
        assertThat(ended.budget().credit()).isEqualByComparingTo("24");
        assertThat(ended.budget().sessions()).extracting(OpenSession::sessionId).containsExactly("s2");
        // s2 still holds 90 s = 18: 6 left, 30 s at 0.2
        assertThat(exactMax(ended.budget(), "300").reply().value()).isEqualByComparingTo("30");

        RatedCall call = ended.events().get(0).ratedCall();
        assertThat(call.sessionId()).isEqualTo("s1");
        assertThat(call.destination()).isEqualTo("0256");
        assertThat(call.destinationPrefix()).isEqualTo("0256");
        assertThat(call.used()).isEqualByComparingTo("30");
        assertThat(call.granted()).isEqualByComparingTo("60");
        assertThat(call.usedBeyondGrant()).isEqualByComparingTo("0");
        assertThat(call.cost()).isEqualByComparingTo("6");
        assertThat(call.timespans()).hasSize(1);
        assertThat(call.creditAfter()).isEqualByComparingTo("24");
        assertThat(call.endedBy()).isEqualTo(RatedCall.EndedBy.CLIENT);
        assertThat(call.endedAt()).isEqualTo(LATER);
    }

    @Test
    void usedBeyondTheGrantIsChargedAndMayTakeTheCreditBelowZero() {
        UserBudget open = start(budget("rif", "30", null), "s1", "600").budget(); // 180 s granted, cost 30

        Decision ended = end(open, "s1", "240"); // 120 s at 0.2 + 120 s at 0.1 = 36

        assertThat(ended.reply().value()).isEqualByComparingTo("36");
        assertThat(ended.budget().credit()).isEqualByComparingTo("-6");
        RatedCall call = ended.events().get(0).ratedCall();
        assertThat(call.usedBeyondGrant()).isEqualByComparingTo("60");
        assertThat(call.creditAfter()).isEqualByComparingTo("-6");
        assertThat(call.timespans()).hasSize(2);
    }

    @Test
    void anUpdateResizesTheHoldToTheCallSoFarPlusTheNewGrant() {
        UserBudget open = start(start(budget("rif", "30", null), "s1", "60").budget(), "s2", "60").budget();
        // s1 holds 12, s2 holds 12: 6 free

        Decision updated = update(open, "s1", "20", "300"); // s1 may use 30 - 12 (s2) = 18: 90 s at 0.2 in all

        assertThat(updated.reply().value()).isEqualByComparingTo("70"); // 90 - 20 used
        OpenSession s1 = updated.budget().session("s1");
        assertThat(s1.used()).isEqualByComparingTo("20");
        assertThat(s1.reserved()).isEqualByComparingTo("90");
        assertThat(s1.granted()).isEqualByComparingTo("70");
        assertThat(s1.grants()).isEqualTo(2);
        assertThat(s1.grantedAt()).isEqualTo(Given.ACCEPTED);
        // the order the sessions started in stays
        assertThat(updated.budget().sessions()).extracting(OpenSession::sessionId).containsExactly("s1", "s2");
        assertThat(exactMax(updated.budget(), "60").reply().value()).isEqualByComparingTo("0");

        Decision shrunk = update(updated.budget(), "s1", "30", "10"); // holds 40 s now: 8
        assertThat(shrunk.reply().value()).isEqualByComparingTo("10");
        assertThat(exactMax(shrunk.budget(), "300").reply().value()).isEqualByComparingTo("50"); // 30 - 12 - 8 = 10
    }

    /**
     * Two calls share 100 free seconds of one bucket: s1 to 0301 at 0.2/s started first and holds them, s2 to
     * 0302 at 0.1/s pays its 100 s, 10, all the credit. If the end of s1 or an update of it rated s2 first, s2
     * would take the free seconds and s1 would pay 0.2/s for its 100 seconds: 10 more than the budget has.
     */
    @Test
    void theBucketSecondsASessionHoldsStayItsOwn() {
        Engine shared = Given.demo().destination("shared", "0301", "0302")
                .profile(Given.profile("tst", "0301", Given.interval("", "", "0.2", "1")))
                .profile(Given.profile("tst", "0302", Given.interval("", "", "0.1", "1"))).engine();
        UserBudget tst = budget("tst", "10", null, Given.bucket("100", 10, "0", "shared"));
        Decision s1 = shared.decide(tst, command(Method.SESSION_START, session("tst", "0301", "s1", AT_1758, null, "100")));
        assertThat(s1.reply().value()).isEqualByComparingTo("100"); // all free
        Decision s2 = shared.decide(s1.budget(), command(Method.SESSION_START, session("tst", "0302", "s2", AT_1758, null, "200")));
        assertThat(s2.reply().value()).isEqualByComparingTo("100"); // 10 / 0.1

        Decision update = shared.decide(s2.budget(), command(Method.SESSION_UPDATE, session("tst", null, "s1", null, "100", "10")));
        assertThat(update.reply().value()).isEqualByComparingTo("0"); // s2 would have to pay more than the credit

        Decision ended = shared.decide(update.budget(), command(Method.SESSION_END, session("tst", null, "s1", null, "100", null)));
        assertThat(ended.reply().value()).isEqualByComparingTo("0");
        assertThat(ended.budget().credit()).isEqualByComparingTo("10");
        Decision last = shared.decide(ended.budget(), command(Method.SESSION_END, session("tst", null, "s2", null, "100", null)));
        assertThat(last.reply().value()).isEqualByComparingTo("10");
        assertThat(last.budget().credit()).isEqualByComparingTo("0");
    }

    @Test
    void anUpdateThatCannotBeGrantedAnythingAnswersZeroAndKeepsTheCallHeld() {
        UserBudget open = start(budget("rif", "12", null), "s1", "60").budget(); // all 12 held

        Decision updated = update(open, "s1", "60", "60");

        assertThat(updated.reply().value()).isEqualByComparingTo("0");
        assertThat(updated.budget().session("s1").reserved()).isEqualByComparingTo("60");
    }

    @Test
    void aSecondEndOrAnUnknownSessionIsNotFoundAndChangesNothing() {
        UserBudget ended = end(start(budget("rif", "30", null), "s1", "60").budget(), "s1", "10").budget();

        Decision again = end(ended, "s1", "10");
        assertThat(again.reply().errorKind()).isEqualTo(ErrorKind.NOT_FOUND);
        assertThat(again.reply().error()).contains("no open session s1");
        assertThat(again.budget()).isSameAs(ended);
        assertThat(update(ended, "nope", "1", "1").reply().errorKind()).isEqualTo(ErrorKind.NOT_FOUND);
    }

    @Test
    void aStartOfAnOpenSessionIdAndAnUpdateThatGoesBackInTimeAreRefused() {
        UserBudget open = start(budget("rif", "30", null), "s1", "60").budget();

        assertThat(start(open, "s1", "60").reply().error()).contains("already open");
        UserBudget updated = update(open, "s1", "20", "10").budget();
        Decision back = update(updated, "s1", "10", "10");
        assertThat(back.reply().errorKind()).isEqualTo(ErrorKind.BAD_REQUEST);
        assertThat(back.reply().error()).contains("Used 10 is less than the 20 seconds");
    }

    @Test
    void sessionsNeedABudgetAndTheirFields() {
        Decision noBudget = engine.decide(null, command(Method.SESSION_START, session("rif", "0256", "s1", AT_1758, null, "60")));
        assertThat(noBudget.reply().errorKind()).isEqualTo(ErrorKind.NOT_FOUND);

        UserBudget rif = budget("rif", "30", null);
        assertThat(engine.decide(rif, command(Method.SESSION_START, session("rif", "0256", null, AT_1758, null, "60")))
                .reply().error()).isEqualTo("SessionId is required");
        assertThat(engine.decide(rif, command(Method.SESSION_END, session("rif", null, "s1", null, null, null)))
                .reply().error()).isEqualTo("Used is required for SessionEnd");
        assertThat(start(rif, "s1", "0").reply().error()).contains("must be more than 0");
        assertThat(engine.decide(rif, command(Method.SESSION_UPDATE, session("rif", null, "s1", null, "-1", "1")))
                .reply().error()).contains("must not be negative");
    }

    @Test
    void aSessionIdLongerThanTheLimitIsRefusedAndOpensNothing() {
        UserBudget rif = budget("rif", "30", null);
        String longest = "s".repeat(Names.MAX_SESSION_ID);

        assertThat(start(rif, longest, "60").reply().value()).isEqualByComparingTo("60");
        Decision tooLong = start(rif, longest + "s", "60");
        assertThat(tooLong.reply().errorKind()).isEqualTo(ErrorKind.BAD_REQUEST);
        assertThat(tooLong.reply().error()).isEqualTo("SessionId is longer than 128 characters");
        assertThat(tooLong.budget()).isSameAs(rif);
    }

    @Test
    void debitBalanceStillAppliesAndAnswersTheStoredCredit() {
        UserBudget open = start(budget("rif", "30", null), "s1", "60").budget(); // holds 12

        Decision debit = engine.decide(open, command(Method.DEBIT_BALANCE, Given.amount("rif", null, "25")));

        assertThat(debit.reply().value()).isEqualByComparingTo("5");
        assertThat(debit.budget().session("s1")).isNotNull();
        assertThat(exactMax(debit.budget(), "60").reply().value()).isEqualByComparingTo("0"); // 5 - 12 < 0
    }

    @Test
    void aSessionHoldsBucketSecondsThatDebitSecondsCannotTake() {
        UserBudget minutosu = budget("minutosu"); // 0723: 100 s free, then 10 s at 0.01; credit 21
        Decision started = engine.decide(minutosu, command(Method.SESSION_START,
                session("minutosu", "0723", "s1", AT_1758, null, "105")));
        assertThat(started.reply().value()).isEqualByComparingTo("105");
        assertThat(started.budget().session("s1").reservedCost()).isEqualByComparingTo("0.05"); // 5 s at 0.01

        // Left for a debit: 5 priced seconds of nationale (retea's 100 are held)
        Decision tooMany = engine.decide(started.budget(), command(Method.DEBIT_SECONDS, Given.amount("minutosu", "0723", "6")));
        assertThat(tooMany.reply().error()).contains("5 available");
        Decision debited = engine.decide(started.budget(), command(Method.DEBIT_SECONDS, Given.amount("minutosu", "0723", "5")));
        assertThat(debited.reply().value()).isEqualByComparingTo("0");
        assertThat(debited.budget().minuteBuckets().get(0).seconds()).isEqualByComparingTo("5"); // nationale
        assertThat(debited.budget().minuteBuckets().get(1).seconds()).isEqualByComparingTo("100"); // retea, held

        // The end takes the held free seconds: 100 free + 5 at 0.01 (nationale has 5 left) = 0.05
        Decision ended = engine.decide(debited.budget(), command(Method.SESSION_END,
                session("minutosu", null, "s1", null, "105", null)));
        assertThat(ended.reply().value()).isEqualByComparingTo("0.05");
        assertThat(ended.budget().minuteBuckets().get(0).seconds()).isEqualByComparingTo("0");
        assertThat(ended.budget().minuteBuckets().get(1).seconds()).isEqualByComparingTo("0");
        assertThat(ended.budget().credit()).isEqualByComparingTo("20.9"); // 21 - 0.05 (debit) - 0.05 (call)
        assertThat(ended.budget().minuteBuckets().get(1).seconds().toPlainString()).isEqualTo("0");
    }

    @Test
    void anExpiryEndsTheSessionAtItsHoldUnlessItWasGrantedAgain() {
        UserBudget open = start(budget("rif", "30", null), "s1", "60").budget();
        CallDescriptor expiry = session("rif", null, "s1", null, null, "1");

        Decision expired = engine.decide(open, command(Method.SESSION_EXPIRY, expiry, LATER));
        assertThat(expired.reply().value()).isEqualByComparingTo("12"); // 60 s at 0.2
        assertThat(expired.budget().credit()).isEqualByComparingTo("18");
        assertThat(expired.budget().sessions()).isEmpty();
        assertThat(expired.events().get(0).ratedCall().endedBy()).isEqualTo(RatedCall.EndedBy.EXPIRY);
        assertThat(expired.events().get(0).ratedCall().used()).isEqualByComparingTo("60");

        // Another session that reuses the id, at grant 1 too: an expiry of the first one's grant leaves it open.
        CallDescriptor ranOutAt1800 = new CallDescriptor(0, "vdf", "rif", null, null,
                OffsetDateTime.parse("2012-02-02T18:00:00Z"), BigDecimal.ONE, null, "s1", null);
        assertThat(engine.decide(open, command(Method.SESSION_EXPIRY, ranOutAt1800, LATER)).budget()).isSameAs(open);
        CallDescriptor ranOutAt1701 = new CallDescriptor(0, "vdf", "rif", null, null,
                OffsetDateTime.parse("2012-02-02T17:01:00Z"), BigDecimal.ONE, null, "s1", null); // 17:00 + 60 s
        assertThat(engine.decide(open, command(Method.SESSION_EXPIRY, ranOutAt1701, LATER)).reply().value())
                .isEqualByComparingTo("12");
        // Accepted with nanoseconds, granted 60.0004 s: runs out at the next whole millisecond, as the check keys it.
        UserBudget odd = engine.decide(budget("rif", "30", null), command(Method.SESSION_START,
                session("rif", "0256", "s9", AT_1758, null, "60.0004"), Instant.parse("2012-02-02T17:00:00.000000123Z")))
                .budget();
        assertThat(odd.session("s9").grantRunsOut()).isEqualTo(Instant.parse("2012-02-02T17:01:00.001Z"));

        UserBudget renewed = update(open, "s1", "50", "60").budget(); // grant 2
        Decision stale = engine.decide(renewed, command(Method.SESSION_EXPIRY, expiry, LATER));
        assertThat(stale.reply().value()).isEqualByComparingTo("0");
        assertThat(stale.budget()).isSameAs(renewed);
        assertThat(stale.events()).isEmpty();
    }

    @Test
    void setUserBudgetKeepsTheOpenSessionsAndRefusesSessionsOfItsOwn() {
        UserBudget open = start(budget("rif", "30", null), "s1", "60").budget();

        Decision set = engine.decide(open, Given.setBudget(budget("rif", "100", null), Given.ACCEPTED));
        assertThat(set.budget().credit()).isEqualByComparingTo("100");
        assertThat(set.budget().sessions()).extracting(OpenSession::sessionId).containsExactly("s1");

        Decision refused = engine.decide(null, Given.setBudget(open, Given.ACCEPTED));
        assertThat(refused.reply().error()).contains("Budget.Sessions must be empty");
    }

    @Test
    void aSessionWithoutTimeStartStartsWhenItWasAccepted() {
        Decision started = engine.decide(budget("rif", "30", null), command(Method.SESSION_START,
                session("rif", "0256", "s1", null, null, "60")));

        assertThat(started.budget().session("s1").timeStart()).isEqualTo(OffsetDateTime.parse("2012-02-02T17:00:00Z"));
        assertThat(started.reply().value()).isEqualByComparingTo("60");
        assertThat(List.of(started.budget().session("s1").reservedCost())).containsExactly(new BigDecimal("12.000000"));
    }
}
