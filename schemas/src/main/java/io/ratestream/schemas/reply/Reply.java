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
 */
public record Reply(
        @JsonProperty("RequestId") String requestId,
        @JsonProperty("Method") Method method,
        @JsonProperty("CallCost") CallCost callCost,
        @JsonProperty("Value") BigDecimal value,
        @JsonProperty("Error") String error) {

    public Reply {
        if (requestId == null) {
            throw new IllegalArgumentException("RequestId is required");
        }
        int set = (callCost != null ? 1 : 0) + (value != null ? 1 : 0) + (error != null ? 1 : 0);
        if (set != 1) {
            throw new IllegalArgumentException("a reply carries exactly one of CallCost, Value and Error");
        }
    }

    /** A successful GetCost. */
    public static Reply of(String requestId, Method method, CallCost callCost) {
        return new Reply(requestId, method, callCost, null, null);
    }

    /** A successful operation that returns a number. */
    public static Reply of(String requestId, Method method, BigDecimal value) {
        return new Reply(requestId, method, null, value, null);
    }

    /** A refusal or failure. */
    public static Reply error(String requestId, Method method, String error) {
        return new Reply(requestId, method, null, null, error);
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
