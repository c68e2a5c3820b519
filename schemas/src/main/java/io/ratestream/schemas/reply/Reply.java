package io.ratestream.schemas.reply;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.model.CallCost;
import java.math.BigDecimal;

/**
 * The answer to one command, as written to the replies topic (key: request id). Exactly one of
 * {@code callCost} (GetCost), {@code value} (every other method) and {@code error} is non-null.
 *
 * @param requestId the command's request id; never null
 * @param method the command's method; null only when the command could not be read
 * @param callCost the result of GetCost
 * @param value the number every other method returns
 * @param error what went wrong, for a person to read
 * @param errorKind what kind of error it is; set exactly when {@code error} is (a reply written without
 *     one, by an older version, reads as {@link ErrorKind#BAD_REQUEST})
 * @param subscriber the command's {@code tenant:subject}; a gateway completes a waiting request only with
 *     a reply whose request id and subscriber both match. Null when the command could not be read
 */
public record Reply(
        @JsonProperty("RequestId") String requestId,
        @JsonProperty("Method") Method method,
        @JsonProperty("CallCost") CallCost callCost,
        @JsonProperty("Value") BigDecimal value,
        @JsonProperty("Error") String error,
        @JsonProperty("ErrorKind") ErrorKind errorKind,
        @JsonProperty("Subscriber") String subscriber) {

    public Reply {
        if (requestId == null) {
            throw new IllegalArgumentException("RequestId is required");
        }
        int set = (callCost != null ? 1 : 0) + (value != null ? 1 : 0) + (error != null ? 1 : 0);
        if (set != 1) {
            throw new IllegalArgumentException("a reply carries exactly one of CallCost, Value and Error");
        }
        if (error == null) {
            errorKind = null;
        } else if (errorKind == null) {
            errorKind = ErrorKind.BAD_REQUEST;
        }
    }

    /** A successful GetCost. */
    public static Reply of(String requestId, Method method, CallCost callCost) {
        return new Reply(requestId, method, callCost, null, null, null, null);
    }

    /** A successful operation that returns a number. */
    public static Reply of(String requestId, Method method, BigDecimal value) {
        return new Reply(requestId, method, null, value, null, null, null);
    }

    /** A refusal or failure of a kind. */
    public static Reply error(String requestId, Method method, ErrorKind kind, String error) {
        return new Reply(requestId, method, null, null, error, kind, null);
    }

    /** A bad request. */
    public static Reply error(String requestId, Method method, String error) {
        return error(requestId, method, ErrorKind.BAD_REQUEST, error);
    }

    /** This reply addressed to a subscriber ({@code tenant:subject}). */
    public Reply withSubscriber(String value) {
        return new Reply(requestId, method, callCost, this.value, error, errorKind, value);
    }

    /** Whether this reply is an error. */
    @JsonIgnore
    public boolean isError() {
        return error != null;
    }

    /** The JSON-RPC result: the call cost or the number; null for an error. */
    @JsonIgnore
    public Object result() {
        return callCost != null ? callCost : value;
    }
}
