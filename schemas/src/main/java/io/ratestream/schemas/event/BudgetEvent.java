package io.ratestream.schemas.event;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.model.UserBudget;
import java.time.Instant;

/**
 * What one budget operation changed, as written to the events topic (key: {@code tenant:subject}):
 * the audit trail and the feed for downstream systems.
 *
 * @param requestId the command's request id; never null
 * @param method the operation; never null
 * @param tenant the tenant; never null
 * @param subject the subscriber; never null
 * @param acceptedAt when the command was accepted; never null
 * @param before the budget before; null when the operation created it
 * @param after the budget after; never null
 * @param ratedCall the rated-call record of the session a SessionEnd or SessionExpiry ended; null otherwise
 */
public record BudgetEvent(
        @JsonProperty("RequestId") String requestId,
        @JsonProperty("Method") Method method,
        @JsonProperty("CstmId") String tenant,
        @JsonProperty("Subject") String subject,
        @JsonProperty("AcceptedAt") Instant acceptedAt,
        @JsonProperty("Before") UserBudget before,
        @JsonProperty("After") UserBudget after,
        @JsonProperty("RatedCall") RatedCall ratedCall) {

    /** An event without a rated call. */
    public BudgetEvent(String requestId, Method method, String tenant, String subject, Instant acceptedAt,
            UserBudget before, UserBudget after) {
        this(requestId, method, tenant, subject, acceptedAt, before, after, null);
    }

    public BudgetEvent {
        java.util.Objects.requireNonNull(requestId, "RequestId");
        java.util.Objects.requireNonNull(method, "Method");
        java.util.Objects.requireNonNull(tenant, "CstmId");
        java.util.Objects.requireNonNull(subject, "Subject");
        java.util.Objects.requireNonNull(acceptedAt, "AcceptedAt");
        java.util.Objects.requireNonNull(after, "After");
    }
}
