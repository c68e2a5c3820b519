package io.ratestream.streams.rating;

import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.model.Keys;
import io.ratestream.schemas.model.Names;
import io.ratestream.schemas.model.UserBudget;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;

/**
 * The monthly refill (SPEC 3): on {@code ResetDayOfTheMonth} (UTC; in a shorter month, its last day) a
 * budget is reset to its plan's allowances and its volume-discount seconds are zeroed, once a month.
 * The budget records the month of its last refill; a refill command is a no-op when that month is
 * already refilled, so the punctuator that notices due budgets may write the same command any number
 * of times, and replaying the log gives the same result.
 */
public final class MonthlyRefill {

    private MonthlyRefill() {
    }

    /**
     * The month whose refill is due for the budget at {@code at}, or null when none is: the budget has
     * a reset day, the latest reset date at or before {@code at} has come, and the budget was last
     * refilled before that date's month.
     */
    public static YearMonth due(UserBudget budget, Instant at) {
        if (budget == null || budget.resetDayOfTheMonth() == 0) {
            return null;
        }
        YearMonth latest = latestResetMonth(budget.resetDayOfTheMonth(), at);
        YearMonth last = budget.lastRefill();
        return last == null || last.isBefore(latest) ? latest : null;
    }

    /** The month of the latest reset date on {@code day} at or before {@code at} (UTC). */
    public static YearMonth latestResetMonth(int day, Instant at) {
        LocalDate today = LocalDate.ofInstant(at, ZoneOffset.UTC);
        YearMonth month = YearMonth.from(today);
        LocalDate resetDate = month.atDay(Math.min(day, month.lengthOfMonth()));
        return today.isBefore(resetDate) ? month.minusMonths(1) : month;
    }

    /**
     * The refill command for a budget and month: an ordinary command of the log with a request id that
     * is the same for the same budget and month, so that repeats are also caught as duplicates.
     */
    public static Command command(String tenant, String subject, YearMonth month, Instant acceptedAt) {
        CallDescriptor descriptor = new CallDescriptor(0, tenant, subject, null, null, null, null, null);
        String key = Keys.budget(tenant, subject);
        String id = "refill:" + month + ":" + key;
        if (id.length() > Names.MAX_REQUEST_ID) {
            id = "refill:" + month + ":" + Keys.digest(key);
        }
        return new Command(id, Method.MONTHLY_REFILL, descriptor, acceptedAt, null, null);
    }

}
