package io.ratestream.schemas.command;

import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.model.Names;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.OffsetDateTime;

/**
 * The checks a descriptor must pass for a method, shared by the gateway (which refuses a bad request
 * before it reaches Kafka) and the engine (which refuses a bad command that another producer wrote).
 * Each check returns the problem as a sentence naming the field, or null when there is none.
 */
public final class Validation {

    /** Largest amount accepted, in absolute value: far above any real debit, far below overflow. */
    public static final BigDecimal MAX_AMOUNT = new BigDecimal("1000000000000");
    /** Most decimals accepted in an amount (nanosecond precision for seconds). */
    public static final int MAX_AMOUNT_SCALE = 9;
    /** Longest call that GetCost rates and longest session the session-time methods consider. */
    public static final Duration MAX_CALL = Duration.ofDays(31);
    /** Earliest year of a call time. */
    public static final int MIN_YEAR = 1900;
    /** Latest year of a call time. */
    public static final int MAX_YEAR = 2200;

    private Validation() {
    }

    /** The problem with a command's descriptor (and budget) for its method, or null. */
    public static String problem(Command command) {
        if (command.method() == Method.SET_USER_BUDGET) {
            if (command.budget() == null) {
                return "Budget is required for SetUserBudget";
            }
            if (!command.budget().id().equals(command.descriptor().subject())) {
                return "Budget.Id '" + command.budget().id() + "' must equal Subject '"
                        + command.descriptor().subject() + "'";
            }
            if (!command.budget().sessions().isEmpty()) {
                return "Budget.Sessions must be empty: sessions are opened by SessionStart, not set";
            }
            String problem = command.budget().rangeProblem();
            if (problem != null) {
                return "Budget." + problem;
            }
        }
        return problem(command.method(), command.descriptor());
    }

    /** The problem with a descriptor for a method, or null. */
    public static String problem(Method method, CallDescriptor d) {
        String problem = Names.tenantProblem(d.cstmId(), "CstmId");
        if (problem == null) {
            problem = Names.subjectProblem(d.subject(), "Subject");
        }
        if (problem == null && d.requestId() != null) {
            problem = Names.requestIdProblem(d.requestId(), "RequestId");
        }
        if (problem == null && needsDestination(method)) {
            problem = Names.prefixProblem(d.destinationPrefix(), "DestinationPrefix");
        }
        if (problem == null) {
            problem = timesProblem(method, d);
        }
        if (problem == null && needsAmount(method)) {
            problem = amountProblem(method, d.amount());
        }
        if (problem == null && isSession(method)) {
            problem = sessionProblem(method, d);
        }
        return problem;
    }

    private static boolean isSession(Method method) {
        return switch (method) {
            case SESSION_START, SESSION_UPDATE, SESSION_END, SESSION_EXPIRY -> true;
            default -> false;
        };
    }

    /** SessionId always; Used for an update and an end; Amount as {@link #amountProblem} left it. */
    private static String sessionProblem(Method method, CallDescriptor d) {
        String problem = Names.sessionIdProblem(d.sessionId(), "SessionId");
        if (problem != null) {
            return problem;
        }
        if (method == Method.SESSION_UPDATE || method == Method.SESSION_END) {
            problem = secondsProblem(d.used(), "Used", method);
        }
        if (problem == null && method == Method.SESSION_START && d.amount().signum() == 0) {
            problem = "Amount (the seconds wanted) must be more than 0 for SessionStart";
        }
        if (problem == null && method == Method.SESSION_EXPIRY
                && (d.amount().signum() <= 0 || d.amount().stripTrailingZeros().scale() > 0)) {
            problem = "Amount (the grant a SessionExpiry expires) must be a whole number from 1";
        }
        return problem;
    }

    private static String secondsProblem(BigDecimal seconds, String field, Method method) {
        if (seconds == null) {
            return field + " is required for " + method.wireName();
        }
        if (seconds.signum() < 0) {
            return field + " (seconds) must not be negative";
        }
        if (seconds.compareTo(BigDecimal.valueOf(MAX_CALL.toSeconds())) > 0) {
            return field + " must be at most " + MAX_CALL.toSeconds() + " seconds";
        }
        if (seconds.scale() > MAX_AMOUNT_SCALE && seconds.stripTrailingZeros().scale() > MAX_AMOUNT_SCALE) {
            return field + " has more than " + MAX_AMOUNT_SCALE + " decimals";
        }
        return null;
    }

    private static boolean needsDestination(Method method) {
        return switch (method) {
            case GET_COST, DEBIT_SECONDS, GET_MAX_SESSION_TIME, GET_EXACT_MAX_SESSION_TIME, SESSION_START -> true;
            default -> false;
        };
    }

    private static boolean needsAmount(Method method) {
        return switch (method) {
            case DEBIT_BALANCE, DEBIT_SMS, DEBIT_SECONDS, GET_MAX_SESSION_TIME, GET_EXACT_MAX_SESSION_TIME,
                    ADD_VOLUME_DISCOUNT_SECONDS, ADD_RECEIVED_CALL_SECONDS, SESSION_START, SESSION_UPDATE,
                    SESSION_EXPIRY -> true;
            default -> false;
        };
    }

    private static String timesProblem(Method method, CallDescriptor d) {
        String problem = yearProblem(d.timeStart(), "TimeStart");
        if (problem == null) {
            problem = yearProblem(d.timeEnd(), "TimeEnd");
        }
        if (problem != null || method != Method.GET_COST) {
            return problem;
        }
        // Without TimeStart the call starts when the request was accepted; without TimeEnd it has no length
        // (the original API's example, which shows the matched prefix and the connect fee).
        if (d.timeStart() == null) {
            return d.timeEnd() == null ? null : "TimeStart is required for GetCost when TimeEnd is given";
        }
        if (d.timeEnd() == null) {
            return null;
        }
        if (d.timeEnd().isBefore(d.timeStart())) {
            return "TimeEnd " + d.timeEnd() + " is before TimeStart " + d.timeStart();
        }
        // Compared on epoch seconds and nanos: Duration.between was the costliest line of a GetCost.
        long seconds = d.timeEnd().toEpochSecond() - d.timeStart().toEpochSecond();
        if (seconds > MAX_CALL.toSeconds()
                || seconds == MAX_CALL.toSeconds() && d.timeEnd().getNano() > d.timeStart().getNano()) {
            return "the call is longer than " + MAX_CALL.toDays() + " days: rate it in parts";
        }
        return null;
    }

    private static String yearProblem(OffsetDateTime time, String field) {
        if (time != null && (time.getYear() < MIN_YEAR || time.getYear() > MAX_YEAR)) {
            return field + " must be between the years " + MIN_YEAR + " and " + MAX_YEAR;
        }
        return null;
    }

    private static String amountProblem(Method method, BigDecimal amount) {
        if (amount == null) {
            return "Amount is required for " + method.wireName();
        }
        // Compared, never formatted: an amount built in code may not have passed the parser's bound.
        if (amount.abs().compareTo(MAX_AMOUNT) > 0) {
            return "Amount is out of range (at most " + MAX_AMOUNT.toPlainString() + " in absolute value)";
        }
        if (amount.scale() > MAX_AMOUNT_SCALE && amount.stripTrailingZeros().scale() > MAX_AMOUNT_SCALE) {
            return "Amount has more than " + MAX_AMOUNT_SCALE + " decimals";
        }
        if (method == Method.GET_MAX_SESSION_TIME || method == Method.GET_EXACT_MAX_SESSION_TIME
                || method == Method.SESSION_START || method == Method.SESSION_UPDATE) {
            if (amount.signum() < 0) {
                return "Amount (the longest session wanted, in seconds) must not be negative";
            }
            if (amount.compareTo(BigDecimal.valueOf(MAX_CALL.toSeconds())) > 0) {
                return "Amount (the longest session wanted) must be at most " + MAX_CALL.toSeconds() + " seconds";
            }
        }
        return null;
    }
}
