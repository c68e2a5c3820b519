package io.ratestream.app.bench;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * The self-check's arithmetic: what a bench budget must hold after the run, given what it held before
 * and the debits the gateway acknowledged. Pure; see {@link BenchCommand} for why it is exact.
 */
final class BudgetCheck {

    private BudgetCheck() {
    }

    /** One subject's budget as read back: its credit and the seconds available on the bench destination. */
    record Snapshot(BigDecimal credit, BigDecimal seconds) {
    }

    static BigDecimal expectedCredit(BigDecimal before, long acknowledgedDebitBalance) {
        return before.subtract(Op.DEBIT_AMOUNT.multiply(BigDecimal.valueOf(acknowledgedDebitBalance)));
    }

    static BigDecimal expectedSeconds(BigDecimal before, long acknowledgedDebitSeconds) {
        return before.subtract(Op.DEBIT_SECONDS_AMOUNT.multiply(BigDecimal.valueOf(acknowledgedDebitSeconds)));
    }

    /**
     * The differences for one subject, each a sentence naming the subject, the amount it is off by and
     * how many debits that is (positive: lost, negative: applied more than once); empty when it adds up.
     */
    static List<String> problems(String subject, Snapshot before, Snapshot after, long debitBalances,
            long debitSeconds) {
        List<String> problems = new ArrayList<>();
        BigDecimal credit = expectedCredit(before.credit(), debitBalances);
        if (after.credit().compareTo(credit) != 0) {
            problems.add(describe(subject, "credit", before.credit(), after.credit(), credit, debitBalances,
                    "DebitBalance", Op.DEBIT_AMOUNT));
        }
        BigDecimal seconds = expectedSeconds(before.seconds(), debitSeconds);
        if (after.seconds().compareTo(seconds) != 0) {
            problems.add(describe(subject, "seconds on " + Op.SECONDS_DESTINATION, before.seconds(), after.seconds(),
                    seconds, debitSeconds, "DebitSeconds", Op.DEBIT_SECONDS_AMOUNT));
        }
        return problems;
    }

    private static String describe(String subject, String what, BigDecimal before, BigDecimal actual,
            BigDecimal expected, long acknowledged, String method, BigDecimal unit) {
        BigDecimal off = actual.subtract(expected);
        BigDecimal debits = off.divide(unit).stripTrailingZeros();
        String meaning = off.signum() > 0 ? debits.toPlainString() + " acknowledged debit(s) lost"
                : debits.negate().toPlainString() + " debit(s) too many (doubled or never acknowledged)";
        return "subject " + subject + ": " + what + " is " + actual.toPlainString() + ", expected "
                + expected.toPlainString() + " (" + before.toPlainString() + " before, " + acknowledged
                + " acknowledged " + method + " of " + unit.toPlainString() + "): off by "
                + off.toPlainString() + ", " + meaning;
    }
}
