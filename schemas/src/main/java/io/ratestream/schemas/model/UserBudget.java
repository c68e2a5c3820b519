package io.ratestream.schemas.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.time.YearMonth;
import java.util.List;

/**
 * The prepaid state of one subscriber (one per tenant + subject; the tenant is part of the key, not of
 * the record, as in the original files).
 *
 * @param id the subject; never blank
 * @param credit money; prepaid positive, postpaid may go negative; never null
 * @param smsCredit SMS units left; never null
 * @param traffic traffic units left; never null
 * @param volumeDiscountSeconds placed seconds counted for the volume discount; never null
 * @param receivedCallSeconds received seconds counted towards the received-call bonus; never null
 * @param resetDayOfTheMonth day of the month (1-31, UTC) of the monthly refill; 0 = never
 * @param tariffPlanId the plan the budget is reset to; null or blank for none
 * @param minuteBuckets the prepaid seconds; never null
 * @param lastRefill extension: the month of the last monthly refill, so it happens once a month;
 *     null when never refilled
 * @param sessions extension: the prepaid sessions open on the budget, in the order their holds are counted
 *     (the order they started in); empty when none (and then not written); never null. Only
 *     SessionStart, SessionUpdate, SessionEnd and an expiry change them (docs/sessions.md)
 */
public record UserBudget(
        @JsonProperty("Id") String id,
        @JsonProperty("Credit") BigDecimal credit,
        @JsonProperty("SmsCredit") BigDecimal smsCredit,
        @JsonProperty("Traffic") BigDecimal traffic,
        @JsonProperty("VolumeDiscountSeconds") BigDecimal volumeDiscountSeconds,
        @JsonProperty("ReceivedCallSeconds") BigDecimal receivedCallSeconds,
        @JsonProperty("ResetDayOfTheMonth") int resetDayOfTheMonth,
        @JsonProperty("TariffPlanId") String tariffPlanId,
        @JsonProperty("MinuteBuckets") List<MinuteBucket> minuteBuckets,
        @JsonProperty("LastRefill") YearMonth lastRefill,
        @JsonProperty("Sessions") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<OpenSession> sessions) {

    /** Most sessions open at once on one budget. */
    public static final int MAX_OPEN_SESSIONS = 128;

    /** A budget without open sessions. */
    public UserBudget(String id, BigDecimal credit, BigDecimal smsCredit, BigDecimal traffic,
            BigDecimal volumeDiscountSeconds, BigDecimal receivedCallSeconds, int resetDayOfTheMonth,
            String tariffPlanId, List<MinuteBucket> minuteBuckets, YearMonth lastRefill) {
        this(id, credit, smsCredit, traffic, volumeDiscountSeconds, receivedCallSeconds, resetDayOfTheMonth,
                tariffPlanId, minuteBuckets, lastRefill, List.of());
    }

    public UserBudget {
        Names.requireSubject(id, "Id");
        credit = Decimals.orZero(credit);
        smsCredit = Decimals.orZero(smsCredit);
        traffic = Decimals.orZero(traffic);
        volumeDiscountSeconds = Decimals.orZero(volumeDiscountSeconds);
        receivedCallSeconds = Decimals.orZero(receivedCallSeconds);
        if (resetDayOfTheMonth < 0 || resetDayOfTheMonth > 31) {
            throw new IllegalArgumentException("ResetDayOfTheMonth must be 1-31, or 0 for never; got "
                    + resetDayOfTheMonth);
        }
        minuteBuckets = Decimals.copy(minuteBuckets, "MinuteBuckets");
        sessions = Decimals.copy(sessions, "Sessions");
        if (sessions.size() > MAX_OPEN_SESSIONS) {
            throw new IllegalArgumentException("Sessions: more than " + MAX_OPEN_SESSIONS + " open sessions");
        }
    }

    /**
     * What is out of range in this budget as a client sent it (SetUserBudget, the loader), or null: every
     * figure at most 1e12 in absolute value with at most 12 decimals. Not checked when reading a stored
     * budget, which the engine computed and may hold more decimals (a credit less seconds x price).
     */
    public String rangeProblem() {
        String[] names = {"Credit", "SmsCredit", "Traffic", "VolumeDiscountSeconds", "ReceivedCallSeconds"};
        BigDecimal[] values = {credit, smsCredit, traffic, volumeDiscountSeconds, receivedCallSeconds};
        for (int i = 0; i < names.length; i++) {
            String problem = Decimals.rangeProblem(values[i], names[i]);
            if (problem != null) {
                return problem;
            }
        }
        for (int i = 0; i < minuteBuckets.size(); i++) {
            MinuteBucket bucket = minuteBuckets.get(i);
            String problem = Decimals.rangeProblem(bucket.seconds(), "MinuteBuckets[" + i + "].Seconds");
            if (problem == null) {
                problem = Decimals.rangeProblem(bucket.price(), "MinuteBuckets[" + i + "].Price");
            }
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    /** Whether the budget names a tariff plan. */
    @JsonIgnore
    public boolean hasTariffPlan() {
        return tariffPlanId != null && !tariffPlanId.isBlank();
    }

    public UserBudget withCredit(BigDecimal value) {
        return new UserBudget(id, value, smsCredit, traffic, volumeDiscountSeconds, receivedCallSeconds,
                resetDayOfTheMonth, tariffPlanId, minuteBuckets, lastRefill, sessions);
    }

    public UserBudget withSmsCredit(BigDecimal value) {
        return new UserBudget(id, credit, value, traffic, volumeDiscountSeconds, receivedCallSeconds,
                resetDayOfTheMonth, tariffPlanId, minuteBuckets, lastRefill, sessions);
    }

    public UserBudget withVolumeDiscountSeconds(BigDecimal value) {
        return new UserBudget(id, credit, smsCredit, traffic, value, receivedCallSeconds,
                resetDayOfTheMonth, tariffPlanId, minuteBuckets, lastRefill, sessions);
    }

    public UserBudget withReceivedCallSeconds(BigDecimal value) {
        return new UserBudget(id, credit, smsCredit, traffic, volumeDiscountSeconds, value,
                resetDayOfTheMonth, tariffPlanId, minuteBuckets, lastRefill, sessions);
    }

    public UserBudget withMinuteBuckets(List<MinuteBucket> value) {
        return new UserBudget(id, credit, smsCredit, traffic, volumeDiscountSeconds, receivedCallSeconds,
                resetDayOfTheMonth, tariffPlanId, value, lastRefill, sessions);
    }

    public UserBudget withLastRefill(YearMonth value) {
        return new UserBudget(id, credit, smsCredit, traffic, volumeDiscountSeconds, receivedCallSeconds,
                resetDayOfTheMonth, tariffPlanId, minuteBuckets, value, sessions);
    }

    /** A copy with the plan's allowances: SMS, traffic and fresh copies of its buckets. */
    public UserBudget withAllowancesOf(TariffPlan plan) {
        return new UserBudget(id, credit, plan.smsCredit(), plan.traffic(), volumeDiscountSeconds,
                receivedCallSeconds, resetDayOfTheMonth, tariffPlanId, plan.minuteBuckets(), lastRefill, sessions);
    }

    /** A copy with money, SMS and traffic added. */
    public UserBudget plus(BigDecimal moreCredit, BigDecimal moreSms, BigDecimal moreTraffic) {
        return new UserBudget(id, credit.add(moreCredit), smsCredit.add(moreSms), traffic.add(moreTraffic),
                volumeDiscountSeconds, receivedCallSeconds, resetDayOfTheMonth, tariffPlanId, minuteBuckets,
                lastRefill, sessions);
    }

    public UserBudget withSessions(List<OpenSession> value) {
        return new UserBudget(id, credit, smsCredit, traffic, volumeDiscountSeconds, receivedCallSeconds,
                resetDayOfTheMonth, tariffPlanId, minuteBuckets, lastRefill, value);
    }

    /**
     * The record's usual text, without {@code sessions} when there are none: {@link
     * io.ratestream.schemas.command.Command#fingerprint} digests this text, and a budget of an earlier release
     * must keep its fingerprint (a loader's retry after an upgrade is still the same request).
     */
    @Override
    public String toString() {
        String text = "UserBudget[id=" + id + ", credit=" + credit + ", smsCredit=" + smsCredit + ", traffic="
                + traffic + ", volumeDiscountSeconds=" + volumeDiscountSeconds + ", receivedCallSeconds="
                + receivedCallSeconds + ", resetDayOfTheMonth=" + resetDayOfTheMonth + ", tariffPlanId="
                + tariffPlanId + ", minuteBuckets=" + minuteBuckets + ", lastRefill=" + lastRefill;
        return sessions.isEmpty() ? text + "]" : text + ", sessions=" + sessions + "]";
    }

    /** The open session with this id, or null. */
    public OpenSession session(String sessionId) {
        for (OpenSession session : sessions) {
            if (session.sessionId().equals(sessionId)) {
                return session;
            }
        }
        return null;
    }
}
