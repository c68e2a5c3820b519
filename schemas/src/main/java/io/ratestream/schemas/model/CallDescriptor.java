package io.ratestream.schemas.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.time.OffsetDateTime;

/**
 * The input of every call: who calls where, when, and the amount a budget operation is about.
 *
 * <p>Which components are required depends on the operation (GetCost needs both times, a debit needs
 * {@code Amount}); the engine checks that and answers with an error naming the missing field. The
 * record itself accepts any combination so that a bad request can be reported rather than rejected
 * while parsing.
 *
 * @param tor type of record (0 for voice in the original data); informational
 * @param cstmId the tenant; null when absent
 * @param subject the subscriber; null when absent
 * @param destinationPrefix the dialled number or a prefix of it; null when absent
 * @param timeStart start of the call, with the UTC offset the interval times are read in; null when absent
 * @param timeEnd end of the call (exclusive); null when absent
 * @param amount cents, SMS units or seconds depending on the operation; null when absent
 * @param requestId optional idempotency key (extension); null when absent
 * @param sessionId the prepaid session a SessionStart, SessionUpdate or SessionEnd is about (extension);
 *     null when absent
 * @param used seconds of the session used since its start, for SessionUpdate and SessionEnd (extension);
 *     null when absent
 */
public record CallDescriptor(
        @JsonProperty("TOR") int tor,
        @JsonProperty("CstmId") String cstmId,
        @JsonProperty("Subject") String subject,
        @JsonProperty("DestinationPrefix") String destinationPrefix,
        @JsonProperty("TimeStart") OffsetDateTime timeStart,
        @JsonProperty("TimeEnd") OffsetDateTime timeEnd,
        @JsonProperty("Amount") BigDecimal amount,
        @JsonProperty("RequestId") String requestId,
        @JsonProperty("SessionId") String sessionId,
        @JsonProperty("Used") BigDecimal used) {

    /** A descriptor of the 2012 API: no session fields. */
    public CallDescriptor(int tor, String cstmId, String subject, String destinationPrefix,
            OffsetDateTime timeStart, OffsetDateTime timeEnd, BigDecimal amount, String requestId) {
        this(tor, cstmId, subject, destinationPrefix, timeStart, timeEnd, amount, requestId, null, null);
    }

    /** A copy with another amount. */
    public CallDescriptor withAmount(BigDecimal newAmount) {
        return new CallDescriptor(tor, cstmId, subject, destinationPrefix, timeStart, timeEnd, newAmount, requestId,
                sessionId, used);
    }

    /** A copy with other call times. */
    public CallDescriptor withTimes(OffsetDateTime start, OffsetDateTime end) {
        return new CallDescriptor(tor, cstmId, subject, destinationPrefix, start, end, amount, requestId, sessionId,
                used);
    }

    /** The state-store key of this descriptor's budget: {@code tenant + ":" + subject}. */
    public String budgetKey() {
        return Keys.budget(cstmId, subject);
    }
}
