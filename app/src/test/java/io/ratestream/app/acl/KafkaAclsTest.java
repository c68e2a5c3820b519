package io.ratestream.app.acl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.topics.Topic;
import io.ratestream.schemas.topics.Topics;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

/** The ACLs computed for the three principals: exactly what docs/security.md lists, and nothing more. */
class KafkaAclsTest {

    private static final KafkaAcls.Principals PRINCIPALS = KafkaAcls.Principals.users("gw", "st", "ld", "ratestream");
    private static final List<AclBinding> ALL = KafkaAcls.bindings(PRINCIPALS);

    /** "OPERATION type:name" (a prefix ends with '*') of a principal's bindings. */
    private static Set<String> of(String principal) {
        return ALL.stream().filter(b -> b.entry().principal().equals(principal))
                .map(b -> b.entry().operation() + " " + b.pattern().resourceType() + ":" + b.pattern().name()
                        + (b.pattern().patternType() == PatternType.PREFIXED ? "*" : ""))
                .collect(Collectors.toSet());
    }

    @Test
    void shouldGiveTheGatewayClientCommandsQueriesAndRepliesOnly() {
        assertThat(of("User:gw")).containsExactlyInAnyOrder(
                "WRITE TOPIC:ratestream.commands",
                "WRITE TOPIC:ratestream.queries",
                "READ TOPIC:ratestream.replies",
                "READ GROUP:ratestream-gateways",
                "DESCRIBE GROUP:ratestream");
    }

    @Test
    void shouldGiveTheLoaderTheAdminAndReferenceTopicsAndNotTheClientTopic() {
        assertThat(of("User:ld")).containsExactlyInAnyOrder(
                "WRITE TOPIC:ratestream.admin-commands",
                "WRITE TOPIC:ratestream.rating-profiles",
                "WRITE TOPIC:ratestream.destinations",
                "WRITE TOPIC:ratestream.tariff-plans",
                "READ TOPIC:ratestream.replies");
    }

    @Test
    void shouldGiveTheStreamsAppItsTopicsItsInternalTopicsItsGroupAndItsTransactions() {
        assertThat(of("User:st")).containsExactlyInAnyOrder(
                "READ TOPIC:ratestream.commands",
                "READ TOPIC:ratestream.admin-commands",
                "READ TOPIC:ratestream.queries",
                "READ TOPIC:ratestream.rating-profiles",
                "READ TOPIC:ratestream.destinations",
                "READ TOPIC:ratestream.tariff-plans",
                "WRITE TOPIC:ratestream.replies",
                "WRITE TOPIC:ratestream.events",
                "WRITE TOPIC:ratestream.dead-letters",
                "WRITE TOPIC:ratestream.admin-commands",
                "WRITE TOPIC:ratestream.commands",
                "CREATE TOPIC:ratestream-*",
                "READ TOPIC:ratestream-*",
                "WRITE TOPIC:ratestream-*",
                "DESCRIBE_CONFIGS TOPIC:ratestream-*",
                "READ GROUP:ratestream",
                "WRITE TRANSACTIONAL_ID:ratestream-*");
    }

    @Test
    void shouldKeepTheInternalTopicPrefixOffRatestreamsOwnTopics() {
        // application id "ratestream": a prefix without the dash would let the streams app create, read and
        // write every ratestream.* topic, the gateway's and the loader's included
        for (Topic<String, ?> topic : new Topics(Json.newMapper()).all()) {
            assertThat(ALL).filteredOn(b -> b.pattern().patternType() == PatternType.PREFIXED)
                    .allSatisfy(b -> assertThat(topic.name()).doesNotStartWith(b.pattern().name()));
        }
    }

    @Test
    void shouldLetOnlyTheLoaderAndTheStreamsAppWriteWhereABudgetOrAPriceIsSet() {
        Set<String> setting = Set.of(Topics.ADMIN_COMMANDS, Topics.RATING_PROFILES, Topics.DESTINATIONS,
                Topics.TARIFF_PLANS);
        assertThat(ALL).filteredOn(b -> b.pattern().resourceType() == ResourceType.TOPIC
                        && setting.contains(b.pattern().name()) && b.entry().operation() == AclOperation.WRITE)
                .extracting(b -> b.entry().principal()).containsOnly("User:ld", "User:st");
        assertThat(ALL).allSatisfy(b -> {
            assertThat(b.entry().permissionType()).isEqualTo(AclPermissionType.ALLOW);
            assertThat(b.entry().host()).isEqualTo("*");
            assertThat(b.entry().operation()).isNotIn(AclOperation.ALL, AclOperation.ALTER, AclOperation.DELETE,
                    AclOperation.CLUSTER_ACTION, AclOperation.ALTER_CONFIGS);
            assertThat(b.pattern().resourceType()).isNotEqualTo(ResourceType.CLUSTER);
        });
    }

    @Test
    void shouldRefuseAPrincipalWithoutItsType() {
        assertThatThrownBy(() -> new KafkaAcls.Principals("gateway", "User:s", "User:l", "ratestream"))
                .hasMessageContaining("a Kafka principal is TYPE:NAME, e.g. User:gateway; got 'gateway'");
    }

    @Test
    void shouldDescribeEachBindingOnOneLine() {
        assertThat(KafkaAcls.describe(ALL)).hasSize(ALL.size())
                .contains("User:gw          ALLOW  WRITE             topic     ratestream.commands")
                .anyMatch(line -> line.endsWith("transactional_id ratestream-* (prefix)"));
    }
}
