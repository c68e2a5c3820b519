package io.ratestream.streams.rating;

import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.event.RatedCall;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.model.MinuteBucket;
import io.ratestream.schemas.model.OpenSession;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.reply.ErrorKind;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Prepaid sessions (docs/sessions.md): what a session holds of a budget, and the grants of SessionStart and
 * SessionUpdate, the debit of SessionEnd and of an expiry.
 *
 * <p><b>The hold.</b> An open session holds a call: from its start, for its reserved seconds (used so far
 * plus the last grant), to its destination. The budget as everything else sees it, the <em>held</em> budget,
 * is the stored budget after each open session's call has been rated on it and taken from it, one after the
 * other in the order the sessions started (the budget's session list), as if the calls had ended: their
 * bucket seconds taken from the buckets, their cost from the credit. The order never changes while a
 * session is open, so the bucket seconds a session holds stay its own: a later session, an update of an
 * earlier one that stays within its hold, or an end cannot move them to another session.
 *
 * <p><b>The guarantee.</b> A grant is the longest call that keeps the held credit at least zero: for a start,
 * the new session is last and its call must fit in the held credit; for an update, the session's new call is
 * rated where it stands and every session after it is rated again after it (a longer call may take bucket
 * seconds they held, and they then pay money), and the whole must still fit. An end rates the call on the
 * budget less the holds of the sessions before it, which is what its hold was rated on: within its hold it
 * takes the same buckets and costs at most what it held, and the sessions after it, rated again, find at
 * least what they held. So while clients stay within their grants the held credit never goes below zero:
 * open sessions never promise more than the budget can pay.
 *
 * <p>Pure and deterministic, like {@link Engine}: the only "now" is the command's accepted-at instant.
 */
final class SessionRules {

    private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);

    private final Rater rater;

    SessionRules(Rater rater) {
        this.rater = rater;
    }

    /** What a call takes from a budget: its cost from the credit, nanoseconds from buckets (by index; null: none). */
    private record Take(BigDecimal cost, long[] taken) {
    }

    /**
     * The budget with the holds of all its open sessions taken: what the other operations may use, without
     * its session list (a view, never stored). The same instance when nothing is held.
     */
    UserBudget held(UserBudget budget, String tenant, String subject) {
        if (budget == null || budget.sessions().isEmpty()) {
            return budget;
        }
        return heldBefore(budget, tenant, subject, budget.sessions().size());
    }

    /** The budget, without its session list, less the holds of its first {@code count} open sessions. */
    private UserBudget heldBefore(UserBudget budget, String tenant, String subject, int count) {
        // The view carries no sessions: each step of the loop copies the budget record, and would copy them.
        UserBudget view = budget.withSessions(List.of());
        for (int i = 0; i < count; i++) {
            view = apply(view, holdOf(view, tenant, subject, budget.sessions().get(i)));
        }
        return view;
    }

    /**
     * A session's hold on what the sessions before it left. A call that cannot be rated any more (its rating
     * profile was removed) holds the money it was granted on, so that nothing else gets that money and every
     * other operation of the budget still works.
     */
    private Take holdOf(UserBudget view, String tenant, String subject, OpenSession session) {
        if (session.reserved().signum() == 0) {
            return new Take(BigDecimal.ZERO, null); // a call of no length costs nothing, connect fee included
        }
        try {
            Rater.Rating rating = rater.rate(tenant, subject, session.destination(), session.timeStart(),
                    Rater.nanos(session.reserved()), view, false);
            return new Take(rating.cost(), rating.taken());
        } catch (RatingException e) {
            return new Take(session.reservedCost(), null);
        }
    }

    /** SessionStart: the longest grant up to Amount on the held budget; no grant is insufficient funds. */
    Decision start(UserBudget budget, Command command) {
        CallDescriptor d = command.descriptor();
        if (budget.session(d.sessionId()) != null) {
            return Engine.refuse(budget, command, ErrorKind.BAD_REQUEST, "session " + d.sessionId()
                    + " is already open for " + d.subject() + ": update or end it, or start another SessionId");
        }
        if (budget.sessions().size() >= UserBudget.MAX_OPEN_SESSIONS) {
            return Engine.refuse(budget, command, ErrorKind.BAD_REQUEST, "subject " + d.subject() + " has "
                    + UserBudget.MAX_OPEN_SESSIONS + " sessions open, the most a budget may have: end one first");
        }
        OffsetDateTime start = d.timeStart() != null ? d.timeStart() : command.acceptedAt().atOffset(ZoneOffset.UTC);
        UserBudget view = held(budget, d.cstmId(), d.subject());
        BigDecimal grant = longest(seconds -> costOf(view, d.cstmId(), d.subject(), d.destinationPrefix(), start,
                seconds), view.credit(), BigDecimal.ZERO, d.amount());
        if (grant.signum() == 0) {
            return Engine.refuse(budget, command, ErrorKind.INSUFFICIENT_FUNDS, "no credit for a session to "
                    + d.destinationPrefix() + ": " + Engine.plain(view.credit()) + " left"
                    + (budget.sessions().isEmpty() ? "" : " after what " + budget.sessions().size()
                            + " open session(s) hold"));
        }
        BigDecimal cost = costOf(view, d.cstmId(), d.subject(), d.destinationPrefix(), start, grant);
        OpenSession session = new OpenSession(d.sessionId(), d.destinationPrefix(), d.tor(), start, BigDecimal.ZERO,
                grant, grant, command.acceptedAt(), 1, cost);
        List<OpenSession> sessions = new ArrayList<>(budget.sessions());
        sessions.add(session);
        return Engine.changed(budget, budget.withSessions(sessions), command, grant, null);
    }

    /** SessionUpdate: Used so far, and the longest further grant up to Amount on the budget the others hold. */
    Decision update(UserBudget budget, Command command) {
        CallDescriptor d = command.descriptor();
        OpenSession session = budget.session(d.sessionId());
        if (session == null) {
            return notOpen(budget, command);
        }
        if (d.used().compareTo(session.used()) < 0) {
            return Engine.refuse(budget, command, ErrorKind.BAD_REQUEST, "Used " + Engine.plain(d.used())
                    + " is less than the " + Engine.plain(session.used()) + " seconds an earlier update reported");
        }
        int index = budget.sessions().indexOf(session);
        UserBudget before = heldBefore(budget, d.cstmId(), d.subject(), index);
        List<OpenSession> after = budget.sessions().subList(index + 1, budget.sessions().size());
        // The call so far plus a further grant, and then the holds of the sessions after it, must all fit.
        BigDecimal grant = longest(seconds -> costWithFollowers(before, d.cstmId(), d.subject(), session, seconds,
                after), before.credit(), d.used(), d.amount());
        BigDecimal cost = costOf(before, d.cstmId(), d.subject(), session.destination(), session.timeStart(),
                d.used().add(grant));
        List<OpenSession> sessions = new ArrayList<>(budget.sessions());
        sessions.set(index, session.regranted(d.used(), grant, command.acceptedAt(), cost));
        return Engine.changed(budget, budget.withSessions(sessions), command, grant, null);
    }

    /** SessionEnd: the whole call rated on the budget the others hold, debited; the hold released. */
    Decision end(UserBudget budget, Command command) {
        OpenSession session = budget.session(command.descriptor().sessionId());
        if (session == null) {
            return notOpen(budget, command);
        }
        return debit(budget, command, session, command.descriptor().used(), RatedCall.EndedBy.CLIENT);
    }

    /**
     * SessionExpiry: the session ended as if every second of its hold was used, when it is still at the grant
     * the expiry names ({@code Amount}, and {@code TimeEnd} when that grant ran out, if given); otherwise
     * (ended, granted again since, or another session that reuses the id) nothing happens and the answer is 0.
     */
    Decision expire(UserBudget budget, Command command) {
        CallDescriptor d = command.descriptor();
        OpenSession session = budget.session(d.sessionId());
        if (session == null || BigDecimal.valueOf(session.grants()).compareTo(d.amount()) != 0
                || d.timeEnd() != null && !session.grantRunsOut().equals(d.timeEnd().toInstant())) {
            return Engine.value(budget, command, BigDecimal.ZERO);
        }
        return debit(budget, command, session, session.reserved(), RatedCall.EndedBy.EXPIRY);
    }

    private Decision debit(UserBudget budget, Command command, OpenSession session, BigDecimal used,
            RatedCall.EndedBy endedBy) {
        CallDescriptor d = command.descriptor();
        // Rated on what its hold was rated on: the budget less the holds of the sessions that started before it.
        UserBudget view = heldBefore(budget, d.cstmId(), d.subject(), budget.sessions().indexOf(session));
        Rater.Rating rating = used.signum() == 0
                // A call that never lasted (never answered) costs nothing: not even the connect fee that GetCost
                // shows for a zero-length call, which a hold that began on a free bucket did not count.
                ? new Rater.Rating(rater.findProfile(d.cstmId(), d.subject(), session.destination()), BigDecimal.ZERO,
                        BigDecimal.ZERO, List.of(), null)
                : rater.rate(d.cstmId(), d.subject(), session.destination(), session.timeStart(), Rater.nanos(used),
                        view, true);
        // Taken from the stored budget: the buckets hold at least what the held view offered the call.
        UserBudget after = apply(budget, new Take(rating.cost(), rating.taken())).withSessions(without(budget, session));
        RatedCall call = new RatedCall(session.sessionId(), d.cstmId(), d.subject(), session.destination(),
                rating.profile().destinationPrefix(), session.tor(), session.timeStart(), command.acceptedAt(), used,
                session.reserved(), used.subtract(session.reserved()).max(BigDecimal.ZERO), rating.cost(),
                rating.connectFee(), rating.spans(), after.credit(), endedBy);
        return Engine.changed(budget, after, command, rating.cost(), call);
    }

    private static Decision notOpen(UserBudget budget, Command command) {
        CallDescriptor d = command.descriptor();
        return Engine.refuse(budget, command, ErrorKind.NOT_FOUND, "no open session " + d.sessionId() + " for "
                + d.subject() + ": it has ended, expired or never started");
    }

    /** The cost to fit in a credit of a call (and what comes with it) of a number of seconds. */
    @FunctionalInterface
    private interface CostOfSeconds {
        BigDecimal of(BigDecimal seconds);
    }

    /**
     * The longest grant g, to the millisecond and at most {@code wanted}, such that the cost of {@code used + g}
     * seconds is at most {@code credit}; 0 when not even a millisecond more fits. A call's cost never falls as
     * it gets longer (from its first millisecond on: a zero-length call pays the connect fee that a call
     * beginning on a minute bucket does not), nor does what the sessions after it must pay once it takes more
     * of the buckets, so {@link LongestCall} can search it.
     */
    private static BigDecimal longest(CostOfSeconds cost, BigDecimal credit, BigDecimal used, BigDecimal wanted) {
        if (wanted.signum() == 0) {
            return BigDecimal.ZERO;
        }
        BigDecimal costWanted = cost.of(used.add(wanted));
        if (costWanted.compareTo(credit) <= 0) {
            return wanted;
        }
        long unaffordable = wanted.multiply(THOUSAND).setScale(0, RoundingMode.CEILING).longValueExact();
        BigDecimal costOne = unaffordable <= 1 ? null : cost.of(used.add(BigDecimal.valueOf(1, 3)));
        if (costOne == null || costOne.compareTo(credit) > 0) {
            return BigDecimal.ZERO;
        }
        long affordable = LongestCall.search(millis -> cost.of(used.add(BigDecimal.valueOf(millis, 3))), credit, 1,
                costOne, unaffordable, costWanted);
        return BigDecimal.valueOf(affordable, 3);
    }

    /**
     * What a session's call of {@code seconds} costs on {@code before}, plus what the holds of the sessions
     * after it cost once it has taken its part.
     */
    private BigDecimal costWithFollowers(UserBudget before, String tenant, String subject, OpenSession session,
            BigDecimal seconds, List<OpenSession> followers) {
        Rater.Rating rating = rater.rate(tenant, subject, session.destination(), session.timeStart(),
                Rater.nanos(seconds), before, false);
        BigDecimal total = rating.cost();
        UserBudget view = apply(before, new Take(rating.cost(), rating.taken()));
        for (OpenSession follower : followers) {
            Take hold = holdOf(view, tenant, subject, follower);
            total = total.add(hold.cost());
            view = apply(view, hold);
        }
        return total;
    }

    /** What a call of {@code seconds} costs on the view; nothing for no seconds (see {@link #holdOf}). */
    private BigDecimal costOf(UserBudget view, String tenant, String subject, String number, OffsetDateTime start,
            BigDecimal seconds) {
        if (seconds.signum() == 0) {
            return BigDecimal.ZERO;
        }
        return rater.rate(tenant, subject, number, start, Rater.nanos(seconds), view, false).cost();
    }

    /** The budget less a call's cost and bucket seconds. */
    private static UserBudget apply(UserBudget budget, Take take) {
        UserBudget after = budget.withCredit(budget.credit().subtract(take.cost()));
        if (take.taken() == null) {
            return after;
        }
        List<MinuteBucket> buckets = new ArrayList<>(budget.minuteBuckets());
        for (int i = 0; i < buckets.size(); i++) {
            if (take.taken()[i] != 0) {
                MinuteBucket bucket = buckets.get(i);
                buckets.set(i, bucket.withSeconds(bucket.seconds().subtract(seconds(take.taken()[i]))));
            }
        }
        return after.withMinuteBuckets(buckets);
    }

    /** Nanoseconds as seconds, without trailing zeros (and never in exponent form). */
    private static BigDecimal seconds(long nanos) {
        BigDecimal seconds = BigDecimal.valueOf(nanos, 9).stripTrailingZeros();
        return seconds.scale() < 0 ? seconds.setScale(0) : seconds;
    }

    private static List<OpenSession> without(UserBudget budget, OpenSession session) {
        List<OpenSession> sessions = new ArrayList<>(budget.sessions().size());
        for (OpenSession other : budget.sessions()) {
            if (other != session) {
                sessions.add(other);
            }
        }
        return sessions;
    }
}
