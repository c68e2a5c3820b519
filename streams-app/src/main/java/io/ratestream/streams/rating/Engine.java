package io.ratestream.streams.rating;

import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.command.Validation;
import io.ratestream.schemas.event.BudgetEvent;
import io.ratestream.schemas.event.RatedCall;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.model.MinuteBucket;
import io.ratestream.schemas.model.TariffPlan;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.reply.ErrorKind;
import io.ratestream.schemas.reply.Reply;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The rating engine: one pure function per command, {@link #decide}. Budget in, reference data and the
 * command (with its accepted-at instant, the only "now" there is) in; new budget, reply and events out.
 * No clock, no randomness, no I/O: the same inputs give the same outputs, so replaying the command log
 * rebuilds the same budgets. Business refusals are error replies and leave the budget as it was.
 *
 * <p>Thread-safe when the reference data is.
 */
public final class Engine {

    private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);
    private static final BigDecimal TEN = BigDecimal.TEN;

    private final ReferenceData reference;
    private final Rater rater;
    private final SessionRules sessions;

    /** An engine rating with this reference data. */
    public Engine(ReferenceData reference) {
        this.reference = reference;
        this.rater = new Rater(reference);
        this.sessions = new SessionRules(rater);
    }

    /**
     * Decides one command.
     *
     * @param budget the budget of the command's tenant and subject; null when there is none
     * @param command the command; never null
     * @return the decision; never null
     */
    public Decision decide(UserBudget budget, Command command) {
        String problem = Validation.problem(command);
        if (problem != null) {
            return refuse(budget, command, ErrorKind.BAD_REQUEST, problem);
        }
        try {
            return switch (command.method()) {
                case GET_COST -> answer(budget, command, getCost(budget, command));
                case GET_MAX_SESSION_TIME -> value(budget, command, maxSessionTime(held(budget, command), command));
                case GET_EXACT_MAX_SESSION_TIME -> value(budget, command,
                        exactMaxSessionTime(held(budget, command), command));
                case SET_USER_BUDGET -> setUserBudget(budget, command);
                default -> change(budget, command);
            };
        } catch (RatingException e) {
            return refuse(budget, command, e.kind(), e.getMessage());
        }
    }

    /** The budget less what its open sessions hold (docs/sessions.md); the budget itself when none is open. */
    private UserBudget held(UserBudget budget, Command command) {
        return sessions.held(budget, command.descriptor().cstmId(), command.descriptor().subject());
    }

    private Reply getCost(UserBudget budget, Command command) {
        CallDescriptor d = command.descriptor();
        // No TimeStart: the call starts when the request was accepted, to the second (the original API's
        // example); no TimeEnd: a zero-length call, which shows the matched prefix and the connect fee.
        OffsetDateTime start = d.timeStart() != null ? d.timeStart()
                : command.acceptedAt().truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.UTC);
        long duration = d.timeEnd() == null ? 0 : CivilTime.epochNanos(d.timeEnd()) - CivilTime.epochNanos(start);
        Rater.Rating rating = rater.rate(d.cstmId(), d.subject(), d.destinationPrefix(), start, duration,
                budget, true);
        return Reply.of(command.requestId(), command.method(), rating.toCallCost(d.tor()));
    }

    /**
     * SPEC 3, GetMaxSessionTime: the documented approximation in ten steps of 10%.
     *
     * @param budget the budget less what its open sessions hold
     */
    private BigDecimal maxSessionTime(UserBudget budget, Command command) {
        BigDecimal wanted = command.descriptor().amount();
        if (budget == null) {
            return wanted;
        }
        if (budget.credit().signum() <= 0) {
            return freeSeconds(budget, command.descriptor().destinationPrefix()).min(wanted);
        }
        for (int step = 10; step >= 1; step--) {
            BigDecimal seconds = wanted.multiply(BigDecimal.valueOf(step)).divide(TEN);
            if (costOf(budget, command, seconds).compareTo(budget.credit()) < 0) {
                return seconds;
            }
        }
        return BigDecimal.ZERO;
    }

    /**
     * Extension: the longest session, to the millisecond, whose cost does not exceed the credit.
     *
     * @param budget the budget less what its open sessions hold
     */
    private BigDecimal exactMaxSessionTime(UserBudget budget, Command command) {
        BigDecimal wanted = command.descriptor().amount();
        if (budget == null) {
            return wanted;
        }
        BigDecimal credit = budget.credit();
        BigDecimal costWanted = costOf(budget, command, wanted);
        if (costWanted.compareTo(credit) <= 0) {
            return wanted;
        }
        BigDecimal costNone = costOf(budget, command, BigDecimal.ZERO);
        if (costNone.compareTo(credit) > 0) {
            return BigDecimal.ZERO;
        }
        // Cost never decreases with duration (prices are not negative): search the milliseconds.
        long unaffordable = wanted.multiply(THOUSAND).setScale(0, RoundingMode.CEILING).longValueExact();
        long affordable = LongestCall.search(millis -> costOf(budget, command, BigDecimal.valueOf(millis, 3)), credit,
                0, costNone, unaffordable, costWanted);
        return BigDecimal.valueOf(affordable, 3);
    }

    /** The cost GetCost gives a call of {@code seconds} from the command's start (or accepted-at). */
    private BigDecimal costOf(UserBudget budget, Command command, BigDecimal seconds) {
        CallDescriptor d = command.descriptor();
        OffsetDateTime start = d.timeStart() != null ? d.timeStart() : command.acceptedAt().atOffset(ZoneOffset.UTC);
        return rater.rate(d.cstmId(), d.subject(), d.destinationPrefix(), start, Rater.nanos(seconds), budget, false)
                .cost();
    }

    private BigDecimal freeSeconds(UserBudget budget, String number) {
        List<MinuteBucket> buckets = budget.minuteBuckets();
        BigDecimal free = BigDecimal.ZERO;
        for (int index : Buckets.ordered(buckets, number, reference, true)) {
            if (buckets.get(index).isFree()) {
                free = free.add(buckets.get(index).seconds());
            }
        }
        return free;
    }

    private Decision setUserBudget(UserBudget before, Command command) {
        // A budget set anew keeps the sessions open on the one it replaces: their holds and debits go on.
        UserBudget after = command.budget().withSessions(before == null ? List.of() : before.sessions());
        if (after.lastRefill() == null && after.resetDayOfTheMonth() > 0) {
            // A budget loaded now holds this month's allowances: its next refill is the next reset day.
            after = after.withLastRefill(MonthlyRefill.latestResetMonth(after.resetDayOfTheMonth(),
                    command.acceptedAt()));
        }
        return changed(before, after, command, after.credit());
    }

    /** The operations that need an existing budget and may change it. */
    private Decision change(UserBudget budget, Command command) {
        if (budget == null) {
            CallDescriptor d = command.descriptor();
            return refuse(null, command, ErrorKind.NOT_FOUND,
                    "no budget for tenant " + d.cstmId() + " and subject " + d.subject()
                    + ": load one first");
        }
        BigDecimal amount = command.descriptor().amount();
        return switch (command.method()) {
            case DEBIT_BALANCE -> {
                UserBudget after = budget.withCredit(budget.credit().subtract(amount));
                yield changed(budget, after, command, after.credit());
            }
            case DEBIT_SMS -> debitSms(budget, command, amount);
            case DEBIT_SECONDS -> debitSeconds(budget, command, amount);
            case ADD_VOLUME_DISCOUNT_SECONDS -> {
                UserBudget after = budget.withVolumeDiscountSeconds(budget.volumeDiscountSeconds().add(amount));
                yield changed(budget, after, command, after.volumeDiscountSeconds());
            }
            case RESET_VOLUME_DISCOUNT_SECONDS -> changed(budget,
                    budget.withVolumeDiscountSeconds(BigDecimal.ZERO), command, BigDecimal.ZERO);
            case ADD_RECEIVED_CALL_SECONDS -> addReceivedCallSeconds(budget, command, amount);
            case RESET_USER_BUDGET -> changed(budget, budget.withAllowancesOf(planOf(budget)), command,
                    BigDecimal.ZERO);
            case MONTHLY_REFILL -> monthlyRefill(budget, command);
            case SESSION_START -> sessions.start(budget, command);
            case SESSION_UPDATE -> sessions.update(budget, command);
            case SESSION_END -> sessions.end(budget, command);
            case SESSION_EXPIRY -> sessions.expire(budget, command);
            default -> throw new IllegalStateException("not a budget operation: " + command.method());
        };
    }

    private Decision debitSms(UserBudget budget, Command command, BigDecimal amount) {
        if (budget.smsCredit().compareTo(amount) < 0) {
            return refuse(budget, command, ErrorKind.INSUFFICIENT_FUNDS,
                    "amount exceeds budget: " + plain(budget.smsCredit())
                    + " SMS left, " + plain(amount) + " asked");
        }
        UserBudget after = budget.withSmsCredit(budget.smsCredit().subtract(amount));
        return changed(budget, after, command, after.smsCredit());
    }

    /**
     * SPEC 3, DebitSeconds: all or nothing, from the buckets in order, paying for priced ones. The seconds and
     * credit on offer are those the open sessions do not hold; what is taken is taken from the stored budget.
     */
    private Decision debitSeconds(UserBudget budget, Command command, BigDecimal amount) {
        String number = command.descriptor().destinationPrefix();
        UserBudget view = held(budget, command);
        List<MinuteBucket> buckets = view.minuteBuckets();
        int[] order = Buckets.ordered(buckets, number, reference, false);
        BigDecimal[] offers = Buckets.offers(buckets, order, view.credit());
        BigDecimal available = Buckets.sum(offers);
        if (amount.compareTo(available) > 0) {
            return refuse(budget, command, ErrorKind.INSUFFICIENT_FUNDS,
                    "not enough seconds for " + number + ": " + plain(available)
                    + " available, " + plain(amount) + " asked");
        }
        if (amount.signum() < 0 && order.length == 0) {
            return refuse(budget, command, ErrorKind.NOT_FOUND,
                    "no minute bucket applies to " + number + " to give seconds back to");
        }
        // The change per bucket index and to the credit, applied to both the stored and the held budget.
        BigDecimal[] change = new BigDecimal[buckets.size()];
        BigDecimal creditChange = BigDecimal.ZERO;
        if (amount.signum() < 0) {
            change[order[0]] = amount;
            creditChange = amount.multiply(buckets.get(order[0]).price());
        } else {
            BigDecimal remaining = amount;
            for (int k = 0; k < order.length && remaining.signum() > 0; k++) {
                BigDecimal take = remaining.min(offers[k]);
                if (take.signum() > 0) {
                    change[order[k]] = take;
                    creditChange = creditChange.add(take.multiply(buckets.get(order[k]).price()));
                    remaining = remaining.subtract(take);
                }
            }
        }
        UserBudget after = minus(budget, change, creditChange);
        UserBudget heldAfter = view == budget ? after : minus(view, change, creditChange);
        BigDecimal left = Buckets.sum(Buckets.offers(heldAfter.minuteBuckets(), order, heldAfter.credit()));
        return changed(budget, after, command, left);
    }

    /** The budget less {@code seconds[i]} from bucket i (null: none) and less {@code credit}. */
    private static UserBudget minus(UserBudget budget, BigDecimal[] seconds, BigDecimal credit) {
        List<MinuteBucket> next = new ArrayList<>(budget.minuteBuckets());
        for (int i = 0; i < seconds.length; i++) {
            if (seconds[i] != null) {
                next.set(i, next.get(i).withSeconds(next.get(i).seconds().subtract(seconds[i])));
            }
        }
        return budget.withMinuteBuckets(next).withCredit(budget.credit().subtract(credit));
    }

    /** SPEC 3: add; each time the total reaches the plan's limit, take the limit off and pay the bonus. */
    private Decision addReceivedCallSeconds(UserBudget budget, Command command, BigDecimal amount) {
        BigDecimal seconds = budget.receivedCallSeconds().add(amount);
        UserBudget after = budget;
        if (budget.hasTariffPlan()) {
            TariffPlan plan = planOf(budget);
            BigDecimal limit = plan.receivedCallSecondsLimit();
            if (limit.signum() > 0 && seconds.compareTo(limit) >= 0) {
                BigDecimal times = seconds.divideToIntegralValue(limit);
                seconds = seconds.subtract(limit.multiply(times));
                after = withBonus(after, plan, times);
            }
        }
        after = after.withReceivedCallSeconds(seconds);
        return changed(budget, after, command, seconds);
    }

    private static UserBudget withBonus(UserBudget budget, TariffPlan plan, BigDecimal times) {
        var bonus = plan.receivedCallBonus();
        UserBudget after = budget.plus(bonus.credit().multiply(times), bonus.smsCredit().multiply(times),
                bonus.traffic().multiply(times));
        MinuteBucket bonusBucket = bonus.minuteBucket();
        if (bonusBucket == null) {
            return after;
        }
        BigDecimal extra = bonusBucket.seconds().multiply(times);
        List<MinuteBucket> buckets = new ArrayList<>(after.minuteBuckets());
        for (int i = 0; i < buckets.size(); i++) {
            MinuteBucket bucket = buckets.get(i);
            if (bucket.destinationId().equals(bonusBucket.destinationId())) {
                buckets.set(i, bucket.withSeconds(bucket.seconds().add(extra)));
            }
        }
        return after.withMinuteBuckets(buckets);
    }

    private Decision monthlyRefill(UserBudget budget, Command command) {
        YearMonth month = MonthlyRefill.due(budget, command.acceptedAt());
        if (month == null) {
            return answer(budget, command, Reply.of(command.requestId(), command.method(), BigDecimal.ZERO));
        }
        UserBudget after = budget.hasTariffPlan() ? budget.withAllowancesOf(planOf(budget)) : budget;
        after = after.withVolumeDiscountSeconds(BigDecimal.ZERO).withLastRefill(month);
        return changed(budget, after, command, BigDecimal.ZERO);
    }

    private TariffPlan planOf(UserBudget budget) {
        if (!budget.hasTariffPlan()) {
            throw new RatingException("budget " + budget.id() + " has no tariff plan to reset to");
        }
        TariffPlan plan = reference.tariffPlan(budget.tariffPlanId());
        if (plan == null) {
            throw new RatingException("unknown tariff plan " + budget.tariffPlanId() + ": load it first");
        }
        return plan;
    }

    private static Decision changed(UserBudget before, UserBudget after, Command command, BigDecimal value) {
        return changed(before, after, command, value, null);
    }

    /** A change, with the rated call of an ended session (null for none) on its event. */
    static Decision changed(UserBudget before, UserBudget after, Command command, BigDecimal value,
            RatedCall ratedCall) {
        CallDescriptor d = command.descriptor();
        BudgetEvent event = new BudgetEvent(command.requestId(), command.method(), d.cstmId(), d.subject(),
                command.acceptedAt(), before, after, ratedCall);
        return new Decision(after, Reply.of(command.requestId(), command.method(), value), List.of(event));
    }

    static Decision value(UserBudget budget, Command command, BigDecimal value) {
        return answer(budget, command, Reply.of(command.requestId(), command.method(), value));
    }

    private static Decision answer(UserBudget budget, Command command, Reply reply) {
        return new Decision(budget, reply, List.of());
    }

    static Decision refuse(UserBudget budget, Command command, ErrorKind kind, String problem) {
        return new Decision(budget, Reply.error(command.requestId(), command.method(), kind, problem), List.of());
    }

    static String plain(BigDecimal value) {
        return value.stripTrailingZeros().toPlainString();
    }
}
