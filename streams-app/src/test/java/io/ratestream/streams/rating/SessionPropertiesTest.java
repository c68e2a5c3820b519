package io.ratestream.streams.rating;

import static io.ratestream.streams.rating.Given.bucket;
import static io.ratestream.streams.rating.Given.interval;
import static org.assertj.core.api.Assertions.assertThat;

import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.event.BudgetEvent;
import io.ratestream.schemas.event.RatedCall;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.model.CallCost;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.model.MinuteBucket;
import io.ratestream.schemas.model.OpenSession;
import io.ratestream.schemas.model.Timespan;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.reply.ErrorKind;
import io.ratestream.schemas.reply.Reply;
import io.ratestream.streams.state.BudgetCodec;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Properties of prepaid sessions (docs/sessions.md, {@link SessionRules}) over random interleavings of up to 8
 * sessions on one budget, each decision's budget fed into the next, accepted-at times moving forward from
 * 17:45 (UTC) on a Thursday across the 18:00 price change.
 *
 * <p><b>The data.</b> Subject {@code sess} of tenant vdf. {@code 0401}: 0.2 per second until 18:00, then 0.6 per
 * 60 s, connect fee 0.5. {@code 0402}: 1 per 3 s all day (a price that does not terminate in decimals), no fee.
 * {@code 0500}: 0.15 per second, fee 0.1, no bucket: its cost is also computed here with plain arithmetic. The
 * budget has a random credit (0 to 30) and three buckets of 0 to 60 s: {@code both} (0401 and 0402, free,
 * priority 20), {@code first} (0401, 0.05 per second, priority 10), {@code second} (0402, free, priority 5).
 * Sessions start with or without TimeStart (given: in UTC+2, where it is already evening).
 *
 * <p><b>The held budget, computed here.</b> {@link #held}: the stored budget without its sessions; then for each
 * open session in the order of the budget's list, GetCost of its call (TimeStart, Reserved seconds) on what is
 * left so far, its Cost taken from the credit and the seconds of its bucket spans from their buckets. Only
 * GetCost of the engine is used, not its session code.
 *
 * <p><b>The properties.</b>
 * <ol>
 * <li>No overspend ({@link #shouldNeverHoldMoreThanTheBudgetCanPayWhileClientsStayWithinTheirGrants}): when no
 *     positive DebitBalance happens and every Used of an update or end is at most the session's Reserved, after
 *     every command (and after every session still open is ended at its Reserved) the held credit is &ge; 0 and
 *     no bucket of the stored or the held budget is below 0; a GetExactMaxSessionTime answer d is what the held
 *     budget pays for: d &gt; 0 costs at most the held credit, and d below what was asked, one millisecond more
 *     costs more (unless d is 0 because a zero-length call's connect fee is more than the held credit).
 *     <b>This fails on the engine of commit 63f14d5</b> and is disabled until it is fixed: its three shrunk
 *     counter-examples are the disabled examples after it. The same property on a budget without buckets
 *     ({@link #shouldNeverHoldMoreThanTheCreditCanPayWhileClientsStayWithinTheirGrants}) holds.
 *     With positive debits and Used beyond grants mixed in
 *     ({@link #shouldLeaveTheHeldCreditAtOrAboveZeroAfterEveryGrant}): a SessionStart or SessionUpdate that
 *     grants more than 0 s leaves the held credit &ge; 0; a start refused for insufficient funds was right
 *     (one millisecond of the call costs more than the held credit).</li>
 * <li>Exact debits ({@link #shouldDebitEveryEndedSessionExactlyItsCost}): an accepted end or expiry takes from the
 *     stored credit exactly the cost it answers, which is its RatedCall's Cost and equals GetCost of the call
 *     (TimeStart, Used; an expiry: Reserved) on the budget the other open sessions hold; for 0500 also
 *     {@code 0.1 + 0.15 x Used} rounded half-up to 6 decimals; the record says Used, Granted (= Reserved),
 *     UsedBeyondGrant and CreditAfter right, and the other sessions stay open, in order. Starts, updates, reads
 *     and refusals leave the credit as it was; no stored bucket goes below 0. After every session still open is
 *     ended at its Reserved seconds: start credit + top-ups - debits - priced bucket seconds of DebitSeconds -
 *     the costs the ends answered = the final credit, exactly.</li>
 * <li>Replay ({@link #shouldReplayToTheSameBudget}): the same commands decided again from the start give equal
 *     budgets, replies and events; and with the budget encoded and decoded by the state store's
 *     {@link BudgetCodec} between every two commands, the same replies and an equal final budget.</li>
 * <li>Refusals change nothing ({@link #shouldChangeNothingWhenRefusing}): an error reply (and a read, or an
 *     expiry of a grant that is no longer the last) leaves the same budget instance, with no event.</li>
 * </ol>
 *
 * <p>Seeds are fixed ({@value #SEED}) for reproducible CI runs; a failure prints the shrunk command list.
 */
class SessionPropertiesTest {

    private static final String SEED = "20120202";
    private static final String SUBJECT = "sess";
    private static final String[] NUMBERS = {"0401", "0402", "0500"};
    private static final int SESSIONS = 8;
    private static final Instant FIRST = Instant.parse("2012-02-02T17:45:00Z"); // a Thursday
    private static final ZoneOffset PLUS_TWO = ZoneOffset.ofHours(2);
    private static final BigDecimal MILLISECOND = new BigDecimal("0.001");
    private static final AtomicLong IDS = new AtomicLong();

    private final Engine engine = Given.demo()
            .destination("both", "0401", "0402")
            .destination("first", "0401")
            .destination("second", "0402")
            .profile(Given.profile(SUBJECT, "0401", interval("", "18:00", "0.2", "1", "0.5", 0),
                    interval("18:00", "", "0.6", "60", "0.5", 0)))
            .profile(Given.profile(SUBJECT, "0402", interval("", "", "1", "3", "0", 0)))
            .profile(Given.profile(SUBJECT, "0500", interval("", "", "0.15", "1", "0.1", 0)))
            .engine();
    private final BudgetCodec codec = new BudgetCodec(Json.newMapper());

    enum Kind { START, UPDATE, END, EXPIRY, DEBIT_SECONDS, EXACT_MAX, TOP_UP, DEBIT, MALFORMED }

    /**
     * One command, resolved against the budget when it comes (see {@link #command}).
     *
     * @param session which session id, s0 to s7
     * @param size 0-1000: the seconds wanted by a start; where Used falls between Used and Reserved; a debit
     * @param variant 0-3: the number (0401, 0402, 0500 by variant % 3); Used within (0, 1), beyond (2) or
     *     before the last update's (3); an expiry of the last grant (0, 1) or a stale one (2, 3)
     * @param amount 0-1000: the seconds an update or GetExactMaxSessionTime asks (x 0.25); odd: a start gives
     *     TimeStart
     * @param pause seconds before the command is accepted
     */
    record Step(Kind kind, int session, int size, int variant, int amount, int pause) {
    }

    /** A budget (credit in cents, seconds of the buckets both, first, second) and the steps on it. */
    record Scenario(int creditCents, int both, int first, int second, List<Step> steps) {
        UserBudget budget() {
            return Given.budget(SUBJECT, BigDecimal.valueOf(creditCents, 2).toPlainString(), null,
                    bucket(String.valueOf(both), 20, "0", "both"),
                    bucket(String.valueOf(first), 10, "0.05", "first"),
                    bucket(String.valueOf(second), 5, "0", "second"));
        }
    }

    // ---------------------------------------------------------------------------------------------- generators

    private static Arbitrary<Step> steps(Arbitrary<Kind> kinds) {
        return Combinators.combine(kinds, Arbitraries.integers().between(0, SESSIONS - 1),
                Arbitraries.integers().between(0, 1000), Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, 1000), Arbitraries.integers().between(0, 120)).as(Step::new);
    }

    private static Arbitrary<Scenario> scenarios(Arbitrary<Kind> kinds) {
        return Combinators.combine(Arbitraries.integers().between(0, 3000), Arbitraries.integers().between(0, 60),
                Arbitraries.integers().between(0, 60), Arbitraries.integers().between(0, 60),
                steps(kinds).list().ofMinSize(1).ofMaxSize(40)).as(Scenario::new);
    }

    private static Arbitrary<Kind> kinds(boolean debits, boolean malformed) {
        List<Tuple.Tuple2<Integer, Kind>> weighted = new ArrayList<>(List.of(Tuple.of(4, Kind.START),
                Tuple.of(3, Kind.UPDATE), Tuple.of(3, Kind.END), Tuple.of(1, Kind.EXPIRY),
                Tuple.of(1, Kind.DEBIT_SECONDS), Tuple.of(1, Kind.EXACT_MAX), Tuple.of(1, Kind.TOP_UP)));
        if (debits) {
            weighted.add(Tuple.of(1, Kind.DEBIT));
        }
        if (malformed) {
            weighted.add(Tuple.of(1, Kind.MALFORMED));
        }
        return Arbitraries.frequency(weighted);
    }

    /** Clients within their grants, no positive DebitBalance. */
    @Provide
    Arbitrary<Scenario> withinGrants() {
        return scenarios(kinds(false, false));
    }

    /** As {@link #withinGrants}, on a budget without minute buckets. */
    @Provide
    Arbitrary<Scenario> withinGrantsWithoutBuckets() {
        return Combinators.combine(Arbitraries.integers().between(0, 3000),
                steps(kinds(false, false)).list().ofMinSize(1).ofMaxSize(40))
                .as((credit, steps) -> new Scenario(credit, 0, 0, 0, steps));
    }

    /** Everything: positive debits, Used beyond grants, malformed commands. */
    @Provide
    Arbitrary<Scenario> anything() {
        return scenarios(kinds(true, true));
    }

    /** The command a step is on this budget at this instant. */
    private static Command command(Step step, UserBudget budget, Instant at, boolean withinGrants) {
        String id = id(step, budget);
        OpenSession open = budget.session(id);
        String number = NUMBERS[step.variant() % 3];
        BigDecimal asked = BigDecimal.valueOf(step.amount() * 25L, 2);
        return switch (step.kind()) {
            case START -> command(Method.SESSION_START, session(number, id,
                    step.amount() % 2 == 1 ? at.atOffset(PLUS_TWO) : null, null,
                    BigDecimal.valueOf((step.size() + 1) * 25L, 2)), at);
            case UPDATE -> command(Method.SESSION_UPDATE, session(null, id, null, used(step, open, withinGrants),
                    asked), at);
            case END -> command(Method.SESSION_END, session(null, id, null, used(step, open, withinGrants), null), at);
            case EXPIRY -> {
                int grants = open == null ? 1 : open.grants();
                int named = step.variant() < 2 ? grants : step.variant() == 2 && grants > 1 ? grants - 1 : grants + 1;
                yield command(Method.SESSION_EXPIRY, session(null, id, null, null, BigDecimal.valueOf(named)), at);
            }
            case DEBIT_SECONDS -> command(Method.DEBIT_SECONDS, amount(number, BigDecimal.valueOf(step.size(), 1)), at);
            case EXACT_MAX -> command(Method.GET_EXACT_MAX_SESSION_TIME, amount(number, asked), at);
            case TOP_UP -> command(Method.DEBIT_BALANCE, amount(null, BigDecimal.valueOf(-2L * (step.size() + 1), 2)),
                    at);
            case DEBIT -> command(Method.DEBIT_BALANCE, amount(null, BigDecimal.valueOf(step.size() + 1L, 2)), at);
            case MALFORMED -> switch (step.variant()) {
                case 0 -> command(Method.SESSION_START, session(number, id, null, null, BigDecimal.ZERO), at);
                case 1 -> command(Method.SESSION_UPDATE, session(null, id, null, BigDecimal.ONE.negate(), asked), at);
                case 2 -> command(Method.SESSION_EXPIRY, session(null, id, null, null, new BigDecimal("1.5")), at);
                default -> command(Method.SESSION_END, session(null, id, null, null, null), at);
            };
        };
    }

    /**
     * The session id of a step: its own, but (unless {@code size} is a multiple of 4, to keep some of those
     * refusals) for a start that id is open, the next id that is not; for another session command that id is not
     * open, one that is.
     */
    private static String id(Step step, UserBudget budget) {
        String id = "s" + step.session();
        if (step.size() % 4 == 0 || step.kind() == Kind.MALFORMED) {
            return id;
        }
        List<OpenSession> sessions = budget.sessions();
        if (step.kind() == Kind.START) {
            for (int k = 0; k < SESSIONS && budget.session(id) != null; k++) {
                id = "s" + (step.session() + k) % SESSIONS;
            }
        } else if (budget.session(id) == null && !sessions.isEmpty()) {
            id = sessions.get(step.session() % sessions.size()).sessionId();
        }
        return id;
    }

    /** Used for an update or end: within the hold, beyond it, or before the last update's. */
    private static BigDecimal used(Step step, OpenSession open, boolean withinGrants) {
        if (open == null) {
            return BigDecimal.valueOf(step.size(), 1);
        }
        if (step.variant() == 2 && !withinGrants) {
            return open.reserved().add(BigDecimal.valueOf((step.size() + 1) * 5L, 2));
        }
        if (step.variant() == 3 && open.used().signum() > 0) {
            return open.used().subtract(open.used().min(BigDecimal.valueOf(step.size() + 1L, 3)));
        }
        BigDecimal left = open.reserved().subtract(open.used());
        return open.used().add(left.multiply(BigDecimal.valueOf(step.size())).divide(BigDecimal.valueOf(1000), 3,
                RoundingMode.DOWN));
    }

    private static CallDescriptor session(String number, String id, OffsetDateTime start, BigDecimal used,
            BigDecimal amount) {
        return new CallDescriptor(0, "vdf", SUBJECT, number, start, null, amount, null, id, used);
    }

    private static CallDescriptor amount(String number, BigDecimal amount) {
        return new CallDescriptor(0, "vdf", SUBJECT, number, null, null, amount, null);
    }

    private static Command command(Method method, CallDescriptor descriptor, Instant at) {
        return new Command("p-" + IDS.incrementAndGet(), method, descriptor, at, null, null);
    }

    // ---------------------------------------------------------------------------------------------- running

    /** What one command did. */
    record Outcome(Step step, UserBudget before, Command command, Decision decision) {
    }

    /** Decides the scenario's steps, each on the budget the one before left. */
    private List<Outcome> run(Scenario scenario, boolean withinGrants) {
        List<Outcome> outcomes = new ArrayList<>();
        UserBudget budget = scenario.budget();
        Instant at = FIRST;
        for (Step step : scenario.steps()) {
            at = at.plusSeconds(step.pause());
            Command command = command(step, budget, at, withinGrants);
            Decision decision = engine.decide(budget, command);
            outcomes.add(new Outcome(step, budget, command, decision));
            budget = decision.budget();
        }
        return outcomes;
    }

    /** Ends every session still open at its Reserved seconds (within its grants), one after the other. */
    private List<Outcome> endAll(UserBudget budget, Instant at) {
        List<Outcome> outcomes = new ArrayList<>();
        for (OpenSession open : budget.sessions()) {
            Command command = command(Method.SESSION_END, session(null, open.sessionId(), null, open.reserved(), null),
                    at);
            Decision decision = engine.decide(budget, command);
            outcomes.add(new Outcome(null, budget, command, decision));
            budget = decision.budget();
        }
        return outcomes;
    }

    private static UserBudget last(Scenario scenario, List<Outcome> outcomes) {
        return outcomes.isEmpty() ? scenario.budget() : outcomes.get(outcomes.size() - 1).decision().budget();
    }

    // ---------------------------------------------------------------------------------------------- the model

    /**
     * The budget as the open sessions other than {@code except} (null: none) leave it, computed with GetCost only:
     * each session's call rated on what the ones before it in the list left, its cost and bucket seconds taken.
     */
    private UserBudget held(UserBudget stored, String except) {
        UserBudget view = stored.withSessions(List.of());
        for (OpenSession open : stored.sessions()) {
            if (!open.sessionId().equals(except) && open.reserved().signum() > 0) { // no seconds hold nothing
                view = take(view, cost(view, open.destination(), open.timeStart(), open.reserved()));
            }
        }
        return view;
    }

    /**
     * What a session's hold was rated on, and its end is rated on: the budget as the open sessions that started
     * before it leave it (the list's order is the order they started).
     */
    private UserBudget heldBefore(UserBudget stored, String sessionId) {
        UserBudget view = stored.withSessions(List.of());
        for (OpenSession open : stored.sessions()) {
            if (open.sessionId().equals(sessionId)) {
                break;
            }
            if (open.reserved().signum() > 0) {
                view = take(view, cost(view, open.destination(), open.timeStart(), open.reserved()));
            }
        }
        return view;
    }

    /** The budget less a call's cost and the seconds its bucket spans used. */
    private static UserBudget take(UserBudget budget, CallCost cost) {
        List<MinuteBucket> buckets = new ArrayList<>(budget.minuteBuckets());
        for (Timespan span : cost.timespans()) {
            if (span.minuteInfo() != null) {
                int index = bucketOf(buckets, span.minuteInfo().destinationId(), span.minuteInfo().price());
                buckets.set(index, buckets.get(index).withSeconds(
                        buckets.get(index).seconds().subtract(span.minuteInfo().quantity())));
            }
        }
        return budget.withMinuteBuckets(buckets).withCredit(budget.credit().subtract(cost.cost()));
    }

    private static int bucketOf(List<MinuteBucket> buckets, String destination, BigDecimal price) {
        for (int i = 0; i < buckets.size(); i++) {
            if (buckets.get(i).destinationId().equals(destination) && buckets.get(i).price().compareTo(price) == 0) {
                return i;
            }
        }
        throw new AssertionError("no bucket " + destination + " at " + price);
    }

    /** GetCost of a call of {@code seconds} from {@code start} on a budget without sessions. */
    private CallCost cost(UserBudget budget, String number, OffsetDateTime start, BigDecimal seconds) {
        OffsetDateTime end = start.plusNanos(seconds.movePointRight(9).longValueExact());
        CallDescriptor call = new CallDescriptor(0, "vdf", SUBJECT, number, start, end, null, null);
        Reply reply = engine.decide(budget.withSessions(List.of()), command(Method.GET_COST, call, FIRST)).reply();
        assertThat(reply.error()).as("GetCost of %s s to %s from %s", seconds, number, start).isNull();
        return reply.callCost();
    }

    /** The start a session (or a GetExactMaxSessionTime) of this command rates from. */
    private static OffsetDateTime startOf(Command command) {
        return command.descriptor().timeStart() != null ? command.descriptor().timeStart()
                : command.acceptedAt().atOffset(ZoneOffset.UTC);
    }

    private static void assertNoBucketBelowZero(UserBudget budget, String what) {
        for (MinuteBucket bucket : budget.minuteBuckets()) {
            assertThat(bucket.seconds()).as("%s: bucket %s", what, bucket).isGreaterThanOrEqualTo(BigDecimal.ZERO);
        }
    }

    // ---------------------------------------------------------------------------------------------- properties

    /**
     * Property 1: while clients stay within their grants and nothing is debited, the held credit stays >= 0.
     *
     * <p>Fails on the engine of commit 63f14d5 (examples below, with the numbers): a session's hold is rated
     * again whenever the list changes, so a session that ends or is granted 0 can lose the bucket seconds its
     * grant was made on to sessions behind it, and a call ending at Used 0 pays the connect fee its free-bucket
     * grant never held.
     */
    @Property(tries = 300, seed = SEED)
    void shouldNeverHoldMoreThanTheBudgetCanPayWhileClientsStayWithinTheirGrants(
            @ForAll("withinGrants") Scenario scenario) {
        assertNoOverspend(scenario);
    }

    /** Property 1 without minute buckets: what a hold costs does not depend on what the others hold. */
    @Property(tries = 300, seed = SEED)
    void shouldNeverHoldMoreThanTheCreditCanPayWhileClientsStayWithinTheirGrants(
            @ForAll("withinGrantsWithoutBuckets") Scenario scenario) {
        assertNoOverspend(scenario);
    }

    private void assertNoOverspend(Scenario scenario) {
        List<Outcome> outcomes = run(scenario, true);
        outcomes.addAll(endAll(last(scenario, outcomes), FIRST.plusSeconds(86_400)));
        for (Outcome o : outcomes) {
            UserBudget after = o.decision().budget();
            UserBudget held = held(after, null);
            String what = "after " + o.command().method() + " " + o.command().descriptor();
            assertThat(held.credit()).as("held credit %s; budget %s", what, after)
                    .isGreaterThanOrEqualTo(BigDecimal.ZERO);
            assertNoBucketBelowZero(after, what);
            assertNoBucketBelowZero(held, what + " (held)");
            if (o.command().method() == Method.GET_EXACT_MAX_SESSION_TIME) {
                assertExactMaxFitsTheHeldBudget(o, held);
            }
        }
    }

    // Property 1's counter-examples, shrunk by jqwik and worked out by hand (credit and buckets of Scenario).

    /**
     * s1 is granted 0.75 s to 0401 free from {@code both}; s0 then 0.5 s to 0402: the 0.25 s {@code both} has
     * left and 0.25 s of {@code second}, free. s1 ends within its grant, but its call is rated after s0's hold
     * (which now takes 0.5 s of {@code both}): 0.5 s free and 0.25 s at 0.2 = 0.05, on a credit of 0.
     */
    @Example
    void anEndWithinTheGrantKeepsTheBucketSecondsItWasGrantedOn() {
        List<Outcome> outcomes = run(new Scenario(0, 1, 0, 1, List.of(
                new Step(Kind.START, 1, 2, 0, 0, 0), // s1 to 0401, 0.75 s
                new Step(Kind.START, 0, 1, 1, 0, 0), // s0 to 0402, 0.5 s
                new Step(Kind.END, 1, 1000, 0, 0, 0))), true); // s1 at Used 0.75
        assertThat(outcomes.get(0).decision().reply().value()).isEqualByComparingTo("0.75");
        assertThat(outcomes.get(1).decision().reply().value()).isEqualByComparingTo("0.5");
        assertThat(outcomes.get(2).decision().reply().value()).isEqualByComparingTo("0");
        assertThat(outcomes.get(2).decision().budget().credit()).isGreaterThanOrEqualTo(BigDecimal.ZERO);
    }

    /**
     * s0 is granted 0.25 s to 0401 from the free bucket {@code both}: no connect fee, held 0. It ends at Used 0
     * (within its grant) and a zero-length call pays the connect fee, 0.5, on a credit of 0.
     */
    @Example
    void anEndAtUsedZeroCostsNoMoreThanTheGrantHeld() {
        List<Outcome> outcomes = run(new Scenario(0, 1, 0, 0, List.of(
                new Step(Kind.START, 0, 0, 0, 0, 0), // s0 to 0401, 0.25 s
                new Step(Kind.END, 0, 0, 0, 0, 0))), true); // s0 at Used 0
        assertThat(outcomes.get(0).decision().reply().value()).isEqualByComparingTo("0.25");
        assertThat(outcomes.get(1).decision().budget().credit()).isGreaterThanOrEqualTo(BigDecimal.ZERO);
    }

    /**
     * s7 is granted 0.25 s to 0401 from {@code both} (free, no fee); s1 then 1 s: the 0.75 s left free and 0.25 s
     * at 0.2 = 0.05, all the credit. s7's update at Used 0.25 goes to the end of the list and is rated after s1,
     * which now takes 1 s of {@code both}: s7's 0.25 s cost the connect fee 0.5 + 0.05, and it is granted 0 but
     * still holds that: the held credit is 0.05 - 0 - 0.55 = -0.5.
     */
    @Example
    void anUpdateGrantedNothingKeepsTheBucketSecondsItWasGrantedOn() {
        List<Outcome> outcomes = run(new Scenario(5, 1, 0, 0, List.of(
                new Step(Kind.START, 7, 0, 0, 0, 0), // s7 to 0401, 0.25 s
                new Step(Kind.START, 1, 3, 0, 0, 0), // s1 to 0401, 1 s
                new Step(Kind.UPDATE, 7, 1000, 0, 1, 0))), true); // s7 at Used 0.25, 0.25 s more
        assertThat(outcomes.get(0).decision().reply().value()).isEqualByComparingTo("0.25");
        assertThat(outcomes.get(1).decision().reply().value()).isEqualByComparingTo("1");
        assertThat(outcomes.get(2).decision().reply().value()).isEqualByComparingTo("0");
        assertThat(held(outcomes.get(2).decision().budget(), null).credit()).isGreaterThanOrEqualTo(BigDecimal.ZERO);
    }

    private void assertExactMaxFitsTheHeldBudget(Outcome o, UserBudget held) {
        BigDecimal answer = o.decision().reply().value();
        BigDecimal asked = o.command().descriptor().amount();
        String number = o.command().descriptor().destinationPrefix();
        OffsetDateTime start = startOf(o.command());
        assertThat(answer).isBetween(BigDecimal.ZERO, asked);
        if (answer.signum() > 0) {
            assertThat(cost(held, number, start, answer).cost()).as("cost of the exact max %s", answer)
                    .isLessThanOrEqualTo(held.credit());
        }
        // GetExactMaxSessionTime's rule (SPEC 3): 0 when even a zero-length call (its connect fee) costs more than
        // the credit, although a bucket may cover the start of a longer call without the fee
        boolean feeTooHigh = answer.signum() == 0
                && cost(held, number, start, BigDecimal.ZERO).cost().compareTo(held.credit()) > 0;
        if (answer.compareTo(asked) < 0 && !feeTooHigh) {
            assertThat(cost(held, number, start, answer.add(MILLISECOND)).cost())
                    .as("cost of one millisecond more than the exact max %s", answer)
                    .isGreaterThan(held.credit());
        }
    }

    /** Property 1, weaker: with debits and Used beyond grants, every grant still fits in the held credit. */
    @Property(tries = 300, seed = SEED)
    void shouldLeaveTheHeldCreditAtOrAboveZeroAfterEveryGrant(@ForAll("anything") Scenario scenario) {
        for (Outcome o : run(scenario, false)) {
            Method method = o.command().method();
            Reply reply = o.decision().reply();
            boolean grant = (method == Method.SESSION_START || method == Method.SESSION_UPDATE) && !reply.isError()
                    && reply.value().signum() > 0;
            if (grant) {
                assertThat(held(o.decision().budget(), null).credit())
                        .as("held credit after %s granted %s; budget %s", method, reply.value(), o.decision().budget())
                        .isGreaterThanOrEqualTo(BigDecimal.ZERO);
            }
            if (method == Method.SESSION_START && reply.errorKind() == ErrorKind.INSUFFICIENT_FUNDS) {
                UserBudget held = held(o.before(), null);
                assertThat(cost(held, o.command().descriptor().destinationPrefix(), startOf(o.command()), MILLISECOND)
                        .cost()).as("one millisecond of a refused start; held %s", held).isGreaterThan(held.credit());
            }
            assertNoBucketBelowZero(o.decision().budget(), "after " + method);
        }
    }

    /** Property 2: every end debits exactly its cost; the ledger adds up. */
    @Property(tries = 300, seed = SEED)
    void shouldDebitEveryEndedSessionExactlyItsCost(@ForAll("anything") Scenario scenario) {
        List<Outcome> outcomes = run(scenario, false);
        outcomes.addAll(endAll(last(scenario, outcomes), FIRST.plusSeconds(86_400)));

        BigDecimal credit = scenario.budget().credit();
        for (Outcome o : outcomes) {
            UserBudget before = o.before();
            UserBudget after = o.decision().budget();
            Command command = o.command();
            Reply reply = o.decision().reply();
            String what = command.method() + " " + command.descriptor() + " on " + before;
            assertNoBucketBelowZero(after, what);
            boolean ended = (command.method() == Method.SESSION_END || command.method() == Method.SESSION_EXPIRY)
                    && o.decision().changed();
            if (ended) {
                assertExactEnd(o, what);
                credit = credit.subtract(reply.value());
            } else if (command.method() == Method.DEBIT_BALANCE && !reply.isError()) {
                credit = credit.subtract(command.descriptor().amount());
            } else if (command.method() == Method.DEBIT_SECONDS && !reply.isError()) {
                for (int i = 0; i < before.minuteBuckets().size(); i++) {
                    MinuteBucket b = before.minuteBuckets().get(i);
                    credit = credit.subtract(b.seconds().subtract(after.minuteBuckets().get(i).seconds())
                            .multiply(b.price()));
                }
            } else {
                assertThat(after.credit()).as("credit after %s", what).isEqualByComparingTo(before.credit());
            }
            assertThat(after.credit()).as("credit after %s", what).isEqualByComparingTo(credit);
        }
        UserBudget end = last(scenario, outcomes);
        assertThat(end.sessions()).isEmpty();
        assertThat(end.credit()).isEqualByComparingTo(credit);
    }

    private void assertExactEnd(Outcome o, String what) {
        UserBudget before = o.before();
        UserBudget after = o.decision().budget();
        OpenSession open = before.session(o.command().descriptor().sessionId());
        boolean expiry = o.command().method() == Method.SESSION_EXPIRY;
        BigDecimal used = expiry ? open.reserved() : o.command().descriptor().used();
        BigDecimal answered = o.decision().reply().value();

        assertThat(before.credit().subtract(after.credit())).as("debit of %s", what).isEqualByComparingTo(answered);
        CallCost independent = cost(heldBefore(before, open.sessionId()), open.destination(), open.timeStart(), used);
        BigDecimal expected = used.signum() == 0 ? BigDecimal.ZERO : independent.cost(); // no call, no connect fee
        assertThat(answered).as("cost of %s, GetCost on what the sessions before it hold: %s", what, independent)
                .isEqualByComparingTo(expected);
        if (open.destination().equals("0500") && used.signum() > 0) {
            assertThat(answered).as("cost of %s s to 0500", used).isEqualByComparingTo(
                    new BigDecimal("0.1").add(used.multiply(new BigDecimal("0.15"))).setScale(6, RoundingMode.HALF_UP));
        }
        List<BudgetEvent> events = o.decision().events();
        assertThat(events).hasSize(1);
        RatedCall call = events.get(0).ratedCall();
        assertThat(call.sessionId()).isEqualTo(open.sessionId());
        assertThat(call.destination()).isEqualTo(open.destination());
        assertThat(call.timeStart()).isEqualTo(open.timeStart());
        assertThat(call.cost()).isEqualByComparingTo(answered);
        assertThat(call.connectFee()).isEqualByComparingTo(used.signum() == 0 ? BigDecimal.ZERO : independent.connectFee());
        assertThat(call.used()).isEqualByComparingTo(used);
        assertThat(call.granted()).isEqualByComparingTo(open.reserved());
        assertThat(call.usedBeyondGrant()).isEqualByComparingTo(used.subtract(open.reserved()).max(BigDecimal.ZERO));
        assertThat(call.creditAfter()).isEqualByComparingTo(after.credit());
        assertThat(call.endedBy()).isEqualTo(expiry ? RatedCall.EndedBy.EXPIRY : RatedCall.EndedBy.CLIENT);
        List<OpenSession> others = new ArrayList<>(before.sessions());
        others.remove(open);
        assertThat(after.sessions()).as("sessions after %s", what).isEqualTo(others);
    }

    /** Property 3: deciding the same commands again, or through the state codec, gives the same budgets. */
    @Property(tries = 150, seed = SEED)
    void shouldReplayToTheSameBudget(@ForAll("anything") Scenario scenario) {
        List<Outcome> first = run(scenario, false);

        UserBudget again = scenario.budget();
        UserBudget stored = scenario.budget();
        for (Outcome o : first) {
            Decision replayed = engine.decide(again, o.command());
            assertThat(replayed).as("replay of %s", o.command()).isEqualTo(o.decision());
            again = replayed.budget();

            Decision decoded = engine.decide(stored, o.command());
            assertThat(decoded.reply()).as("%s on a decoded budget", o.command()).isEqualTo(o.decision().reply());
            stored = codec.decode(codec.encode(decoded.budget()));
        }
        assertThat(again).isEqualTo(last(scenario, first));
        assertThat(stored).isEqualTo(last(scenario, first));
    }

    /** Property 4: an error reply, a read or a stale expiry leaves the very same budget and no event. */
    @Property(tries = 300, seed = SEED)
    void shouldChangeNothingWhenRefusing(@ForAll("anything") Scenario scenario) {
        for (Outcome o : run(scenario, false)) {
            Decision decision = o.decision();
            Method method = o.command().method();
            OpenSession open = o.before().session(o.command().descriptor().sessionId());
            boolean stale = method == Method.SESSION_EXPIRY && (open == null
                    || BigDecimal.valueOf(open.grants()).compareTo(o.command().descriptor().amount()) != 0);
            if (decision.reply().isError() || stale || method == Method.GET_EXACT_MAX_SESSION_TIME) {
                assertThat(decision.budget()).as("%s answered %s", o.command(), decision.reply()).isSameAs(o.before());
                assertThat(decision.events()).as("%s answered %s", o.command(), decision.reply()).isEmpty();
            } else {
                assertThat(decision.events()).as("%s answered %s", o.command(), decision.reply()).hasSize(1);
            }
        }
    }
}
