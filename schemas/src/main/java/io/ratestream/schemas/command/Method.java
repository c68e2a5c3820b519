package io.ratestream.schemas.command;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The operations a command asks for. The JSON value is the name without the {@code Responder.}
 * prefix ({@code "GetCost"}); {@link #fromName} also takes the JSON-RPC names and the original aliases.
 */
public enum Method {
    /** Rate a call; changes nothing. Also {@code Responder.Get}. */
    GET_COST("GetCost", false, "Get"),
    /** Take {@code Amount} cents from the credit. Also {@code Responder.DebitCents}. */
    DEBIT_BALANCE("DebitBalance", true, "DebitCents"),
    /** Take {@code Amount} SMS units. */
    DEBIT_SMS("DebitSMS", true),
    /** Take {@code Amount} seconds from the minute buckets for the destination. */
    DEBIT_SECONDS("DebitSeconds", true),
    /** The documented approximate longest session; changes nothing. */
    GET_MAX_SESSION_TIME("GetMaxSessionTime", false),
    /** Extension: the exact longest session, to the millisecond; changes nothing. */
    GET_EXACT_MAX_SESSION_TIME("GetExactMaxSessionTime", false),
    /** Add placed seconds for the volume discount. */
    ADD_VOLUME_DISCOUNT_SECONDS("AddVolumeDiscountSeconds", true),
    /** Zero the placed seconds. */
    RESET_VOLUME_DISCOUNT_SECONDS("ResetVolumeDiscountSeconds", true),
    /** Add received-call seconds, paying the bonus at each limit. Also the corrected spelling. */
    ADD_RECEIVED_CALL_SECONDS("AddRecievedCallSeconds", true, "AddReceivedCallSeconds"),
    /** Reset SMS, traffic and buckets to the tariff plan's values. */
    RESET_USER_BUDGET("ResetUserBudget", true),
    /** Extension: create or replace a budget (the loader's command); carries the budget. */
    SET_USER_BUDGET("SetUserBudget", true),
    /** Extension: the monthly refill (ResetUserBudget and ResetVolumeDiscountSeconds once a month). */
    MONTHLY_REFILL("MonthlyRefill", true),
    /** Extension: open a prepaid session and hold what its first grant may cost (docs/sessions.md). */
    SESSION_START("SessionStart", true),
    /** Extension: report the seconds a session used and ask for more; resizes its hold. */
    SESSION_UPDATE("SessionUpdate", true),
    /** Extension: end a session: release its hold and debit the whole call. */
    SESSION_END("SessionEnd", true),
    /**
     * Extension: the service ends a session that neither an update nor an end reached in time, as if every
     * granted second was used. Written by the streams app's expiry check; {@code Amount} is the number of
     * the grant it expires ({@link io.ratestream.schemas.model.OpenSession#grants}): a session granted
     * again since then is left open.
     */
    SESSION_EXPIRY("SessionExpiry", true);

    private static final String RPC_PREFIX = "responder.";
    private static final Map<String, Method> BY_NAME = new HashMap<>();

    static {
        for (Method method : values()) {
            BY_NAME.put(method.wireName.toLowerCase(Locale.ROOT), method);
            for (String alias : method.aliases) {
                BY_NAME.put(alias.toLowerCase(Locale.ROOT), method);
            }
        }
    }

    private final String wireName;
    private final boolean changesBudget;
    private final String[] aliases;

    Method(String wireName, boolean changesBudget, String... aliases) {
        this.wireName = wireName;
        this.changesBudget = changesBudget;
        this.aliases = aliases;
    }

    /** The name in JSON and after {@code Responder.} in JSON-RPC, e.g. {@code GetCost}. */
    @JsonValue
    public String wireName() {
        return wireName;
    }

    /** Whether a successful command of this kind may change the budget (and so emits an event). */
    public boolean changesBudget() {
        return changesBudget;
    }

    /**
     * The method of a name, in any letter case, with or without the {@code Responder.} prefix, aliases
     * included.
     *
     * @throws IllegalArgumentException naming the unknown method and the known ones
     */
    @JsonCreator
    public static Method fromName(String name) {
        Method method = name == null ? null : lookup(name);
        if (method == null) {
            throw new IllegalArgumentException("unknown method '" + name + "': expected one of "
                    + java.util.Arrays.stream(values()).map(m -> "Responder." + m.wireName)
                            .collect(java.util.stream.Collectors.joining(", ")));
        }
        return method;
    }

    /**
     * Whether this method sets a budget rather than using one ({@code SetUserBudget}, {@code MonthlyRefill},
     * {@code SessionExpiry}):
     * the streams app accepts it only from {@code ratestream.admin-commands}, which only the loader's and
     * its own Kafka principals may write, and refuses it from {@code ratestream.commands}.
     */
    public boolean adminOnly() {
        return this == SET_USER_BUDGET || this == MONTHLY_REFILL || this == SESSION_EXPIRY;
    }

    /** The method of a name as {@link #fromName} reads it, or null when there is none. */
    public static Method lookup(String name) {
        String key = name.toLowerCase(Locale.ROOT);
        if (key.startsWith(RPC_PREFIX)) {
            key = key.substring(RPC_PREFIX.length());
        }
        return BY_NAME.get(key);
    }
}
