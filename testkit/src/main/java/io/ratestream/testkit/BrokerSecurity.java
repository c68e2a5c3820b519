package io.ratestream.testkit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Authentication and authorization for an {@link EmbeddedKafkaBroker}: its client listener speaks
 * SASL_PLAINTEXT with SCRAM-SHA-512 for the {@code scramUsers}, Kafka's {@code StandardAuthorizer} checks
 * every request against the ACLs, a principal with no ACL may do nothing
 * ({@code allow.everyone.if.no.acl.found=false}), and only {@code superUser} may do everything (it
 * creates the topics and the ACLs). An immutable value, validated on construction.
 *
 * <p>The broker's own connections (to its controller listener, and to itself for transaction markers)
 * authenticate as the super user with SASL/PLAIN, whose one user is configured statically: SCRAM
 * credentials live in the cluster metadata, which the controller cannot read before it has started,
 * and PLAIN lets a data directory formatted without SCRAM users start secured. The client listener
 * therefore accepts PLAIN as well, for the super user only. Every SCRAM user is created (or its
 * password updated) through the Admin API at each start.
 *
 * <p>SASL_PLAINTEXT does not encrypt: passwords (PLAIN) and records cross the network in clear. It is for
 * one machine (the broker binds loopback by default); a real network wants SASL_SSL (docs/security.md).
 *
 * @param superUser  the principal name allowed everything ({@code User:superUser} in
 *                   {@code super.users}); must be one of {@code scramUsers}
 * @param scramUsers user name to password, in order; names are letters, digits, '.', '_' and '-';
 *                   passwords are 1-256 characters without '"', '\\', ',', '[', ']' or a control
 *                   character (they go into JAAS and storage-tool syntax); never null, copied
 */
public record BrokerSecurity(String superUser, Map<String, String> scramUsers) {

    /** The SASL mechanism of the clients. */
    public static final String MECHANISM = "SCRAM-SHA-512";
    /** The name (and security protocol) of the client listener when security is on. */
    public static final String LISTENER = "SASL_PLAINTEXT";
    /** SCRAM iterations of the credentials created (Kafka's minimum is 4096). */
    public static final int ITERATIONS = 8192;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final Pattern PASSWORD = Pattern.compile("[^\"\\\\,\\[\\]\\p{Cntrl}]{1,256}");

    public BrokerSecurity {
        Objects.requireNonNull(superUser, "superUser");
        Objects.requireNonNull(scramUsers, "scramUsers");
        scramUsers.forEach((name, password) -> {
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("SCRAM user name '" + name + "' is not usable: use 1-128 letters, "
                        + "digits, '.', '_' or '-'");
            }
            if (password == null || !PASSWORD.matcher(password).matches()) {
                throw new IllegalArgumentException("the password of SCRAM user " + name + " is not usable: use 1-256 "
                        + "characters other than '\"', '\\', ',', '[', ']' and control characters");
            }
        });
        if (!scramUsers.containsKey(superUser)) {
            throw new IllegalArgumentException("the super user " + superUser + " has no password: add it to the SCRAM "
                    + "users (--scram-user " + superUser + "=PASSWORD)");
        }
        scramUsers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(scramUsers));
    }

    /**
     * The client properties that authenticate as {@code user} with SCRAM-SHA-512 over SASL_PLAINTEXT, for
     * any Kafka client (or {@code --kafka-property}).
     */
    public static Map<String, String> clientProperties(String user, String password) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("security.protocol", LISTENER);
        props.put("sasl.mechanism", MECHANISM);
        props.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + user + "\" password=\"" + password + "\";");
        return props;
    }

    /** {@link #clientProperties(String, String)} of one of this broker's users. */
    public Map<String, String> clientProperties(String user) {
        String password = scramUsers.get(user);
        if (password == null) {
            throw new IllegalArgumentException("no SCRAM user " + user + ": known users " + scramUsers.keySet());
        }
        return clientProperties(user, password);
    }

    /** The client properties of the super user as the broker knows it statically (SASL/PLAIN). */
    Map<String, String> superUserPlainProperties() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("security.protocol", LISTENER);
        props.put("sasl.mechanism", "PLAIN");
        props.put("sasl.jaas.config", plainJaas(false));
        return props;
    }

    /** The broker properties of the listeners, SASL and the authorizer; the listener addresses aside. */
    Map<String, String> brokerProperties() {
        String listener = "listener.name." + LISTENER.toLowerCase(java.util.Locale.ROOT);
        Map<String, String> props = new LinkedHashMap<>();
        props.put("listener.security.protocol.map", LISTENER + ":SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT");
        props.put("inter.broker.listener.name", LISTENER);
        props.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
        props.put("sasl.mechanism.controller.protocol", "PLAIN");
        props.put(listener + ".sasl.enabled.mechanisms", MECHANISM + ",PLAIN");
        props.put(listener + ".plain.sasl.jaas.config", plainJaas(true));
        props.put(listener + ".scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        props.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
        props.put("listener.name.controller.plain.sasl.jaas.config", plainJaas(true));
        props.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        props.put("allow.everyone.if.no.acl.found", "false");
        props.put("super.users", "User:" + superUser);
        return props;
    }

    /** The JAAS line of the super user for SASL/PLAIN; a server's also lists it as the one known user. */
    private String plainJaas(boolean server) {
        String password = scramUsers.get(superUser);
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + superUser
                + "\" password=\"" + password + "\"" + (server ? " user_" + superUser + "=\"" + password + "\"" : "")
                + ";";
    }

    /** Passwords stay out of logs and exception messages. */
    @Override
    public String toString() {
        return "BrokerSecurity[superUser=" + superUser + ", scramUsers=" + scramUsers.keySet() + "]";
    }
}
