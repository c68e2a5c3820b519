package io.ratestream.app.acl;

import io.ratestream.gateway.replies.ReplyListener;
import io.ratestream.schemas.topics.Topics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The least-privilege Kafka ACLs of ratestream's three principals, as {@code docs/security.md} ("Kafka
 * principals and ACLs") lists them: computed here once, applied by {@code ratestream kafka
 * --ratestream-acls} and {@code ratestream acls}, and checked by the tests. Every binding is an ALLOW from
 * any host; with {@code allow.everyone.if.no.acl.found=false} everything else is denied. Kafka's
 * implications are relied on: READ and WRITE on a resource imply DESCRIBE of it.
 *
 * <ul>
 *   <li><b>gateway</b>: writes client commands and queries, reads replies in its consumer group, and may describe
 *       the streams app's group (its status page lists the streams instances). It cannot write
 *       {@code ratestream.admin-commands} or a reference topic, so it cannot set a budget or a price.
 *   <li><b>streams</b>: reads the three command topics (commands, admin commands, queries) and the
 *       reference topics; writes replies, events, dead
 *       letters, its own refill commands, and the copies of admin records it admits into
 *       {@code ratestream.commands}; owns the topics and transactional ids that start with its
 *       application id and a dash, and its consumer group. It creates no ratestream topic (an
 *       administrator does).
 *   <li><b>loader</b>: writes budgets and probes onto the admin topic and the reference data onto the
 *       three compacted topics; reads the replies by assignment (no group).
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
public final class KafkaAcls {

    /** Any host: a principal is what is checked, not where it connects from. */
    private static final String ANY_HOST = "*";
    private static final int TIMEOUT_SECONDS = 30;

    private KafkaAcls() {
    }

    /**
     * The principals and the streams app's application id the ACLs are computed for.
     *
     * @param gateway the gateways' principal, e.g. {@code User:gateway}
     * @param streams the streams app's principal (replay runs as it too)
     * @param loader the loader's principal
     * @param applicationId the streams app's application id: its consumer group, and the prefix (with a
     *     dash) of its internal topics and transactional ids
     */
    public record Principals(String gateway, String streams, String loader, String applicationId) {
        public Principals {
            for (String principal : new String[] {gateway, streams, loader}) {
                Objects.requireNonNull(principal, "principal");
                if (!principal.matches("[A-Za-z]+:.+")) {
                    throw new IllegalArgumentException("a Kafka principal is TYPE:NAME, e.g. User:gateway; got '"
                            + principal + "'");
                }
            }
            Objects.requireNonNull(applicationId, "applicationId");
            if (applicationId.isBlank()) {
                throw new IllegalArgumentException("the application id must not be blank");
            }
        }

        /** {@code User:NAME} principals of the given user names. */
        public static Principals users(String gateway, String streams, String loader, String applicationId) {
            return new Principals("User:" + gateway, "User:" + streams, "User:" + loader, applicationId);
        }
    }

    /** Every binding of the three principals, in the order docs/security.md lists them. */
    public static List<AclBinding> bindings(Principals principals) {
        List<AclBinding> all = new ArrayList<>();
        String gateway = principals.gateway();
        allow(all, gateway, topic(Topics.COMMANDS), AclOperation.WRITE);
        allow(all, gateway, topic(Topics.QUERIES), AclOperation.WRITE);
        allow(all, gateway, topic(Topics.REPLIES), AclOperation.READ);
        allow(all, gateway, group(ReplyListener.GROUP), AclOperation.READ);
        allow(all, gateway, group(principals.applicationId()), AclOperation.DESCRIBE);

        String streams = principals.streams();
        for (String topic : List.of(Topics.COMMANDS, Topics.ADMIN_COMMANDS, Topics.QUERIES, Topics.RATING_PROFILES,
                Topics.DESTINATIONS, Topics.TARIFF_PLANS)) {
            allow(all, streams, topic(topic), AclOperation.READ);
        }
        for (String topic : List.of(Topics.REPLIES, Topics.EVENTS, Topics.DEAD_LETTERS, Topics.ADMIN_COMMANDS,
                Topics.COMMANDS)) {
            allow(all, streams, topic(topic), AclOperation.WRITE);
        }
        String internal = principals.applicationId() + "-";
        for (AclOperation operation : List.of(AclOperation.CREATE, AclOperation.READ, AclOperation.WRITE,
                AclOperation.DESCRIBE_CONFIGS)) {
            allow(all, streams, new ResourcePattern(ResourceType.TOPIC, internal, PatternType.PREFIXED), operation);
        }
        allow(all, streams, group(principals.applicationId()), AclOperation.READ);
        allow(all, streams, new ResourcePattern(ResourceType.TRANSACTIONAL_ID, internal, PatternType.PREFIXED),
                AclOperation.WRITE);

        String loader = principals.loader();
        for (String topic : List.of(Topics.ADMIN_COMMANDS, Topics.RATING_PROFILES, Topics.DESTINATIONS,
                Topics.TARIFF_PLANS)) {
            allow(all, loader, topic(topic), AclOperation.WRITE);
        }
        allow(all, loader, topic(Topics.REPLIES), AclOperation.READ);
        return all;
    }

    /**
     * Creates the bindings through {@code admin}, which must authenticate as a principal allowed to
     * (a super user, or ALTER on the cluster). Creating a binding that exists changes nothing, so this can
     * run at every start.
     *
     * @throws IllegalStateException when Kafka refuses or does not answer; the message says what to do
     */
    public static void apply(Admin admin, List<AclBinding> bindings) {
        try {
            admin.createAcls(bindings).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            awaitVisible(admin, bindings);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating ACLs", e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("cannot create the ACLs: " + cause + " (the admin client must "
                    + "authenticate as a super user or a principal with ALTER on the cluster, and the broker needs "
                    + "an authorizer: authorizer.class.name)", e);
        }
    }

    /**
     * Waits until the broker's authorizer shows every binding: the controller commits ACLs before the brokers
     * apply them, and a principal that connects in between is still refused (a streams app started right
     * after would not even see its topics).
     */
    private static void awaitVisible(Admin admin, List<AclBinding> bindings)
            throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (true) {
            java.util.Collection<AclBinding> visible = admin.describeAcls(org.apache.kafka.common.acl.AclBindingFilter.ANY)
                    .values().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (visible.containsAll(bindings)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("the broker does not show the ACLs created " + TIMEOUT_SECONDS + " s ago");
            }
            Thread.sleep(50);
        }
    }

    /** One line per binding, as {@code kafka-acls.sh --list} would show it, sorted by principal then resource. */
    public static List<String> describe(List<AclBinding> bindings) {
        return bindings.stream()
                .sorted(Comparator.comparing((AclBinding b) -> b.entry().principal())
                        .thenComparing(b -> b.pattern().resourceType().toString())
                        .thenComparing(b -> b.pattern().name()))
                .map(KafkaAcls::line)
                .toList();
    }

    private static String line(AclBinding binding) {
        ResourcePattern pattern = binding.pattern();
        return String.format(Locale.ROOT, "%-16s %-6s %-17s %-9s %s", binding.entry().principal(),
                binding.entry().permissionType(), binding.entry().operation(),
                pattern.resourceType().toString().toLowerCase(Locale.ROOT),
                pattern.name() + (pattern.patternType() == PatternType.PREFIXED ? "* (prefix)" : ""));
    }

    private static ResourcePattern topic(String name) {
        return new ResourcePattern(ResourceType.TOPIC, name, PatternType.LITERAL);
    }

    private static ResourcePattern group(String name) {
        return new ResourcePattern(ResourceType.GROUP, name, PatternType.LITERAL);
    }

    private static void allow(List<AclBinding> all, String principal, ResourcePattern pattern, AclOperation operation) {
        all.add(new AclBinding(pattern, new AccessControlEntry(principal, ANY_HOST, operation, AclPermissionType.ALLOW)));
    }
}
