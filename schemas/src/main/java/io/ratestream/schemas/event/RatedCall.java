package io.ratestream.schemas.event;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import io.ratestream.schemas.model.Timespan;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The rated-call record of an ended prepaid session (a CDR): what was called, for how long, what it cost and
 * how it ended. Carried by the {@link BudgetEvent} of the SessionEnd or SessionExpiry that debited it, on
 * {@code ratestream.events}; {@code ratestream cdrs} exports them.
 *
 * @param sessionId the session's id; never null
 * @param cstmId the tenant; never null
 * @param subject the subscriber; never null
 * @param destination the number dialled, as the session was started with it; never null
 * @param destinationPrefix the prefix of the rating profile that priced the call; never null
 * @param tor the type of record the session was started with
 * @param timeStart when the call started; never null
 * @param endedAt when the end (or the expiry) was accepted; never null
 * @param used the seconds charged: the client's {@code Used}, or for an expiry every granted second; never null
 * @param granted the seconds the session held when it ended: used so far plus the last grant; never null
 * @param usedBeyondGrant the seconds used beyond {@code granted}, charged all the same; 0 when none; never null
 * @param cost what the call cost, connect fee included, debited from the budget; never null
 * @param connectFee the connect fee in {@code cost}; never null
 * @param timespans the priced spans, as GetCost gives them; never null
 * @param creditAfter the budget's credit after the debit; negative when the call cost more than the budget had
 * @param endedBy who ended the session; never null
 */
public record RatedCall(
        @JsonProperty("SessionId") String sessionId,
        @JsonProperty("CstmId") String cstmId,
        @JsonProperty("Subject") String subject,
        @JsonProperty("Destination") String destination,
        @JsonProperty("DestinationPrefix") String destinationPrefix,
        @JsonProperty("TOR") int tor,
        @JsonProperty("TimeStart") OffsetDateTime timeStart,
        @JsonProperty("EndedAt") Instant endedAt,
        @JsonProperty("Used") BigDecimal used,
        @JsonProperty("Granted") BigDecimal granted,
        @JsonProperty("UsedBeyondGrant") BigDecimal usedBeyondGrant,
        @JsonProperty("Cost") BigDecimal cost,
        @JsonProperty("ConnectFee") BigDecimal connectFee,
        @JsonProperty("Timespans") List<Timespan> timespans,
        @JsonProperty("CreditAfter") BigDecimal creditAfter,
        @JsonProperty("EndedBy") EndedBy endedBy) {

    public RatedCall {
        Objects.requireNonNull(sessionId, "SessionId");
        Objects.requireNonNull(cstmId, "CstmId");
        Objects.requireNonNull(subject, "Subject");
        Objects.requireNonNull(destination, "Destination");
        Objects.requireNonNull(destinationPrefix, "DestinationPrefix");
        Objects.requireNonNull(timeStart, "TimeStart");
        Objects.requireNonNull(endedAt, "EndedAt");
        Objects.requireNonNull(used, "Used");
        Objects.requireNonNull(granted, "Granted");
        Objects.requireNonNull(usedBeyondGrant, "UsedBeyondGrant");
        Objects.requireNonNull(cost, "Cost");
        Objects.requireNonNull(connectFee, "ConnectFee");
        Objects.requireNonNull(creditAfter, "CreditAfter");
        Objects.requireNonNull(endedBy, "EndedBy");
        timespans = timespans == null ? List.of() : List.copyOf(timespans);
    }

    /** How a session ended. */
    public enum EndedBy {
        /** The client's SessionEnd. */
        CLIENT,
        /** The service's expiry: no update or end came within the last grant plus the grace. */
        EXPIRY;

        @JsonValue
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
