package io.ratestream.gateway.auth;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a principal may do (docs/security.md). Roles are independent: none implies another, so a
 * principal that should rate and charge names both.
 */
public enum Role {
    /** GetCost/Get, GetMaxSessionTime, GetExactMaxSessionTime: reads that change nothing. */
    RATE,
    /**
     * DebitBalance/DebitCents, DebitSMS, DebitSeconds with amounts of zero or more;
     * AddVolumeDiscountSeconds, AddRecievedCallSeconds with amounts of zero or more.
     */
    CHARGE,
    /** Negative amounts (credit given back), ResetVolumeDiscountSeconds, ResetUserBudget. */
    TOPUP,
    /** Responder.Status, /status, the status page and its /api/*, /metrics. */
    ADMIN;

    /** The name in the auth file: lower case. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The role of a name in the auth file, in any letter case.
     *
     * @throws IllegalArgumentException naming the known roles
     */
    public static Role fromName(String name) {
        for (Role role : values()) {
            if (role.wireName().equalsIgnoreCase(name == null ? "" : name.trim())) {
                return role;
            }
        }
        throw new IllegalArgumentException("unknown role '" + name + "': expected one of "
                + Arrays.stream(values()).map(Role::wireName).collect(Collectors.joining(", ")));
    }
}
