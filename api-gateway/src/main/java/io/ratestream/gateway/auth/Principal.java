package io.ratestream.gateway.auth;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Who is calling, once authenticated: a name for logs and messages (never a key), the tenants it may act
 * for, and its roles. Immutable.
 *
 * @param name the principal's name in the auth file
 * @param tenants the tenants ({@code CstmId}) it may act for; ignored when {@code anyTenant}
 * @param anyTenant whether it may act for every tenant ({@code "*"} in the auth file)
 * @param roles what it may do
 */
public record Principal(String name, Set<String> tenants, boolean anyTenant, Set<Role> roles) {

    /** Without {@code --auth}: one principal that may do everything, for a gateway on loopback only. */
    public static final Principal ANONYMOUS = new Principal("anonymous", Set.of(), true, EnumSet.allOf(Role.class));

    public Principal {
        Objects.requireNonNull(name, "name");
        tenants = Set.copyOf(tenants);
        roles = Set.copyOf(roles);
    }

    /** Whether it may act for {@code tenant}: exact match, letter case included, as budgets are keyed. */
    public boolean mayActFor(String tenant) {
        return anyTenant || (tenant != null && tenants.contains(tenant));
    }

    public boolean has(Role role) {
        return roles.contains(role);
    }
}
