package io.ratestream.schemas.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Objects;

/**
 * A prepaid session that is open on a budget: what it holds of the budget until it ends (docs/sessions.md).
 * It holds the call from {@code TimeStart} for {@code Reserved} seconds: the budget's other operations see
 * the credit and bucket seconds less what such a call would take.
 *
 * @param sessionId the client's id of the session; unique among the budget's open sessions; never blank
 * @param destination the number dialled (or a prefix of it); never blank
 * @param tor type of record, as given at the start
 * @param timeStart when the call started: the start's {@code TimeStart}, or the time the start was accepted;
 *     never null
 * @param used seconds used as the last update reported them; 0 before any update; never negative
 * @param reserved the seconds held: {@code used} plus the last grant; never negative
 * @param granted the seconds of the last grant (start or update); never negative
 * @param grantedAt when the last grant was accepted: the session expires when neither an update nor an end
 *     comes within {@code granted} seconds plus the grace after it; never null
 * @param grants how many grants the session had (the start is the first): an expiry names the grant it
 *     expires, so that a later update keeps the session alive
 * @param reservedCost what the held call cost when it was granted, money; the hold when the call cannot be
 *     rated any more (its rating profile gone); never null
 */
public record OpenSession(
        @JsonProperty("SessionId") String sessionId,
        @JsonProperty("Destination") String destination,
        @JsonProperty("TOR") int tor,
        @JsonProperty("TimeStart") OffsetDateTime timeStart,
        @JsonProperty("Used") BigDecimal used,
        @JsonProperty("Reserved") BigDecimal reserved,
        @JsonProperty("Granted") BigDecimal granted,
        @JsonProperty("GrantedAt") Instant grantedAt,
        @JsonProperty("Grants") int grants,
        @JsonProperty("ReservedCost") BigDecimal reservedCost) {

    public OpenSession {
        String problem = Names.sessionIdProblem(sessionId, "SessionId");
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        if (destination == null || destination.isBlank()) {
            throw new IllegalArgumentException("Destination is required");
        }
        Objects.requireNonNull(timeStart, "TimeStart");
        Objects.requireNonNull(grantedAt, "GrantedAt");
        used = nonNegative(used, "Used");
        reserved = nonNegative(reserved, "Reserved");
        granted = nonNegative(granted, "Granted");
        reservedCost = Decimals.orZero(reservedCost);
        if (grants < 1) {
            throw new IllegalArgumentException("Grants must be at least 1; got " + grants);
        }
    }

    private static BigDecimal nonNegative(BigDecimal value, String field) {
        BigDecimal v = Decimals.orZero(value);
        if (v.signum() < 0) {
            throw new IllegalArgumentException(field + " must not be negative; got " + v.toPlainString());
        }
        return v;
    }

    /**
     * When the last grant runs out: {@code grantedAt} plus {@code granted} seconds, rounded up to the
     * millisecond (a whole number of milliseconds since the epoch, as the expiry check keys it). The session
     * expires a grace after it; an expiry names it, with the grant number, so that it never ends a later
     * session that reuses the id.
     */
    @JsonIgnore
    public Instant grantRunsOut() {
        Instant exact = grantedAt.plusNanos(granted.movePointRight(9).setScale(0, RoundingMode.CEILING).longValueExact());
        Instant millis = exact.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        return millis.equals(exact) ? millis : millis.plusMillis(1);
    }

    /** This session after a grant: {@code used} seconds so far, {@code grant} more, held at {@code cost}. */
    public OpenSession regranted(BigDecimal newUsed, BigDecimal grant, Instant at, BigDecimal cost) {
        return new OpenSession(sessionId, destination, tor, timeStart, newUsed, newUsed.add(grant), grant, at,
                grants + 1, cost);
    }
}
