package dev.streamtemplate.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtemplate.schemas.ServiceAcls.PrincipalAcls;
import dev.streamtemplate.schemas.TopicCatalogue.ServiceTopics;
import dev.streamtemplate.schemas.TopicCatalogue.TopicSpec;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

class ServiceAclsTest {

    @Test
    void trafficAnalyticsGetsExactlyItsOwnGrants() {
        PrincipalAcls acls = ServiceAcls.streamService(TopicCatalogue.TRAFFIC_ANALYTICS);

        assertThat(acls.principal()).isEqualTo("User:traffic-analytics");
        assertThat(acls.bindings()).extracting(ServiceAclsTest::describe).containsExactly(
                "TOPIC LITERAL page-views READ",
                "TOPIC LITERAL purchases READ",
                "TOPIC LITERAL page-views-per-minute WRITE",
                "TOPIC LITERAL page-views-hopping WRITE",
                "TOPIC LITERAL purchase-bursts WRITE",
                "TOPIC LITERAL user-sessions WRITE",
                "TOPIC LITERAL late-events WRITE",
                "TOPIC LITERAL traffic-analytics-dlq WRITE",
                "TOPIC PREFIXED traffic-analytics- CREATE",
                "TOPIC PREFIXED traffic-analytics- DESCRIBE",
                "TOPIC PREFIXED traffic-analytics- DESCRIBE_CONFIGS",
                "TOPIC PREFIXED traffic-analytics- READ",
                "TOPIC PREFIXED traffic-analytics- WRITE",
                "TOPIC PREFIXED traffic-analytics- DELETE",
                "GROUP LITERAL traffic-analytics READ",
                "TRANSACTIONAL_ID PREFIXED traffic-analytics- WRITE");
    }

    @Test
    void everyStreamServiceReadsItsInputsAndWritesItsOutputsLateEventsAndDeadLetters() {
        for (ServiceTopics service : TopicCatalogue.SERVICES) {
            List<AclBinding> bindings = ServiceAcls.forUser(service.application()).orElseThrow().bindings();
            assertThat(literalTopics(bindings, AclOperation.READ)).as(service.application())
                    .isEqualTo(names(service.inputs()));
            assertThat(literalTopics(bindings, AclOperation.WRITE)).as(service.application())
                    .isEqualTo(names(service.outputs()))
                    .contains(service.deadLetters().name());
        }
        assertThat(literalTopics(ServiceAcls.forUser("purchase-attribution").orElseThrow().bindings(), AclOperation.WRITE))
                .contains(TopicCatalogue.LATE_EVENTS.name());
    }

    @Test
    void nobodyGetsClusterRightsAllOperationsOrAnotherServicesPrefix() {
        assertThat(ServiceAcls.ALL).extracting(PrincipalAcls::user).containsExactly("traffic-analytics",
                "purchase-attribution", "customer-enrichment", "shopping-cart", "live-updates", "event-generator");
        for (PrincipalAcls principal : ServiceAcls.ALL) {
            for (AclBinding binding : principal.bindings()) {
                assertThat(binding.pattern().resourceType()).as(principal.user()).isNotEqualTo(ResourceType.CLUSTER);
                assertThat(binding.entry().operation()).as(principal.user()).isNotEqualTo(AclOperation.ALL);
                assertThat(binding.entry().permissionType()).isEqualTo(AclPermissionType.ALLOW);
                assertThat(binding.entry().principal()).isEqualTo(principal.principal());
                assertThat(binding.entry().host()).isEqualTo("*");
                if (binding.pattern().patternType() == PatternType.PREFIXED) {
                    assertThat(binding.pattern().name()).as(principal.user()).isEqualTo(principal.user() + "-");
                }
            }
        }
    }

    @Test
    void liveUpdatesReadsResultsAndSubscriptionsAndTheGeneratorOnlyWritesInputs() {
        List<AclBinding> live = ServiceAcls.liveUpdates().bindings();
        assertThat(literalTopics(live, AclOperation.READ)).isEqualTo(Set.of("page-views-per-minute",
                "purchase-bursts", "attributed-revenue-hourly", "orders", "cart-rejections", "webhook-subscriptions"));
        assertThat(literalTopics(live, AclOperation.WRITE)).isEqualTo(Set.of("webhook-subscriptions", "webhook-dlq"));
        assertThat(live).extracting(ServiceAclsTest::describe).contains("GROUP PREFIXED live-updates- READ");

        assertThat(ServiceAcls.eventGenerator().bindings()).extracting(ServiceAclsTest::describe).containsExactly(
                "TOPIC LITERAL page-views WRITE", "TOPIC LITERAL purchases WRITE", "TOPIC LITERAL cart-events WRITE",
                "TOPIC LITERAL user-changes WRITE", "TOPIC LITERAL products WRITE");
    }

    private static Set<String> literalTopics(List<AclBinding> bindings, AclOperation operation) {
        return bindings.stream()
                .filter(b -> b.pattern().resourceType() == ResourceType.TOPIC
                        && b.pattern().patternType() == PatternType.LITERAL && b.entry().operation() == operation)
                .map(b -> b.pattern().name()).collect(Collectors.toSet());
    }

    private static Set<String> names(List<TopicSpec> topics) {
        return topics.stream().map(TopicSpec::name).collect(Collectors.toSet());
    }

    private static String describe(AclBinding binding) {
        return binding.pattern().resourceType() + " " + binding.pattern().patternType() + " "
                + binding.pattern().name() + " " + binding.entry().operation();
    }
}
