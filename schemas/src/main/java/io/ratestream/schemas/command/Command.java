package io.ratestream.schemas.command;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.model.Keys;
import io.ratestream.schemas.model.Names;
import io.ratestream.schemas.model.UserBudget;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;

/**
 * One request to the engine, as written to the commands topic (key: {@code tenant:subject}).
 *
 * <p>{@code acceptedAt} is the instant whoever accepted the request (a gateway, the loader, the refill
 * punctuator) recorded; it is the only "now" processing ever uses, so that replaying the log
 * reproduces every result.
 *
 * @param requestId the idempotency key; a command whose id was already processed gets the original reply
 *     and changes nothing; never blank, at most 128 characters, no control characters
 * @param method what to do; never null
 * @param descriptor the call descriptor; never null, with a tenant and a subject
 * @param acceptedAt when the request was accepted; never null
 * @param replyTo where to send the reply; null to send it to the default reply topic, keyed by request id
 * @param budget the budget to store, for {@link Method#SET_USER_BUDGET} only; null otherwise
 */
public record Command(
        @JsonProperty("RequestId") String requestId,
        @JsonProperty("Method") Method method,
        @JsonProperty("Descriptor") CallDescriptor descriptor,
        @JsonProperty("AcceptedAt") Instant acceptedAt,
        @JsonProperty("ReplyTo") ReplyTo replyTo,
        @JsonProperty("Budget") UserBudget budget) {

    private static final Instant EARLIEST = Instant.parse(Validation.MIN_YEAR + "-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse(Validation.MAX_YEAR + "-12-31T23:59:59Z");

    public Command {
        String problem = Names.requestIdProblem(requestId, "RequestId");
        if (problem == null && method == null) {
            problem = "Method is required";
        }
        if (problem == null && descriptor == null) {
            problem = "Descriptor is required";
        }
        if (problem == null) {
            problem = Names.tenantProblem(descriptor.cstmId(), "CstmId");
        }
        if (problem == null) {
            problem = Names.subjectProblem(descriptor.subject(), "Subject");
        }
        if (problem == null && acceptedAt == null) {
            problem = "AcceptedAt is required";
        }
        if (problem == null && (acceptedAt.isBefore(EARLIEST) || acceptedAt.isAfter(LATEST))) {
            problem = "AcceptedAt must be between the years " + Validation.MIN_YEAR + " and " + Validation.MAX_YEAR;
        }
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /**
     * What a request id stands for: a digest of everything the command asks (method, descriptor, budget),
     * but not of the request id, the accepted-at instant or the reply route, which a retry may change. Two
     * commands with the same request id and subscriber but different fingerprints are two different
     * requests, and the second is refused. Stable across processes and versions of the JVM.
     */
    public long fingerprint() {
        CallDescriptor d = descriptor;
        StringBuilder text = new StringBuilder(128).append(method.name()).append('\u001f').append(d.tor());
        for (Object part : new Object[] {d.cstmId(), d.subject(), d.destinationPrefix(),
                d.timeStart() == null ? null : d.timeStart().toInstant() + "@" + d.timeStart().getOffset(),
                d.timeEnd() == null ? null : d.timeEnd().toInstant() + "@" + d.timeEnd().getOffset(),
                d.amount() == null ? null : d.amount().stripTrailingZeros().toString(),
                budget == null ? null : budget.toString()}) {
            text.append('\u001f').append(part);
        }
        // The session fields only when present, so that every command of the 2012 API keeps its fingerprint.
        if (d.sessionId() != null || d.used() != null) {
            text.append('\u001f').append(d.sessionId()).append('\u001f')
                    .append(d.used() == null ? null : d.used().stripTrailingZeros().toString());
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return ByteBuffer.wrap(digest).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** The key of this command on the commands topic and of its budget in the store. */
    public String key() {
        return Keys.budget(descriptor.cstmId(), descriptor.subject());
    }
}
