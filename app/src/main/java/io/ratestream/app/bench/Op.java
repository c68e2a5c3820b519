package io.ratestream.app.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;

/** The four calls the bench mixes, each with the fixed call it sends. */
enum Op {
    GET_COST("getcost", "Responder.GetCost"),
    DEBIT_BALANCE("debitbalance", "Responder.DebitBalance"),
    DEBIT_SECONDS("debitseconds", "Responder.DebitSeconds"),
    GET_MAX_SESSION_TIME("getmaxsessiontime", "Responder.GetMaxSessionTime");

    /** What one acknowledged DebitBalance takes from the credit. */
    static final BigDecimal DEBIT_AMOUNT = new BigDecimal("0.01");
    /** What one acknowledged DebitSeconds takes from the free {@code retea} bucket. */
    static final BigDecimal DEBIT_SECONDS_AMOUNT = BigDecimal.ONE;
    static final String SECONDS_DESTINATION = "0723";

    final String mixName;
    final String method;

    Op(String mixName, String method) {
        this.mixName = mixName;
        this.method = method;
    }

    /** Whether a reply means the budget changed, so the self-check counts it. */
    boolean isDebit() {
        return this == DEBIT_BALANCE || this == DEBIT_SECONDS;
    }

    /** The call's descriptor; {@code requestId} may be null (the gateway makes one). */
    ObjectNode descriptor(String tenant, String subject, String requestId) {
        ObjectNode d = JsonNodeFactory.instance.objectNode().put("TOR", 0).put("CstmId", tenant).put("Subject", subject);
        switch (this) {
            case GET_COST -> d.put("DestinationPrefix", "0256").put("TimeStart", "2012-02-02T17:30:00Z")
                    .put("TimeEnd", "2012-02-02T18:30:00Z");
            case DEBIT_BALANCE -> d.put("Amount", DEBIT_AMOUNT);
            case DEBIT_SECONDS -> d.put("DestinationPrefix", SECONDS_DESTINATION).put("Amount", DEBIT_SECONDS_AMOUNT);
            case GET_MAX_SESSION_TIME -> d.put("DestinationPrefix", SECONDS_DESTINATION).put("Amount", 600);
            default -> throw new IllegalStateException("unknown op " + this);
        }
        if (requestId != null) {
            d.put("RequestId", requestId);
        }
        return d;
    }
}
