package dev.streamtemplate.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtemplate.schemas.ServiceAcls;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.utils.SecurityUtils;
import org.junit.jupiter.api.Test;

class AclsCommandTest {

    private static final Pattern COMMAND = Pattern.compile("kafka-acls\\.sh --bootstrap-server \"\\$BOOTSTRAP\" "
            + "--command-config \"\\$ADMIN_CONFIG\" --add --allow-principal (User:\\S+)((?: --operation \\w+)+) "
            + "--(topic|group|transactional-id) (\\S+)( --resource-pattern-type prefixed)?");

    @Test
    void theKafkaAclsCommandsGrantExactlyServiceAcls() {
        List<String> commands = AclsCommand.kafkaAcls().lines().filter(line -> line.startsWith("kafka-acls.sh")).toList();
        Set<AclBinding> granted = new HashSet<>();
        for (String command : commands) {
            Matcher m = COMMAND.matcher(command);
            assertThat(m.matches()).as(command).isTrue();
            ResourceType type = switch (m.group(3)) {
                case "topic" -> ResourceType.TOPIC;
                case "group" -> ResourceType.GROUP;
                default -> ResourceType.TRANSACTIONAL_ID;
            };
            ResourcePattern pattern = new ResourcePattern(type, m.group(4),
                    m.group(5) == null ? PatternType.LITERAL : PatternType.PREFIXED);
            for (String operation : m.group(2).trim().split(" ")) {
                if (!operation.equals("--operation")) {
                    granted.add(new AclBinding(pattern, new AccessControlEntry(m.group(1), "*",
                            SecurityUtils.operation(operation), AclPermissionType.ALLOW)));
                }
            }
        }
        assertThat(granted).isEqualTo(ServiceAcls.ALL.stream().flatMap(p -> p.bindings().stream())
                .collect(Collectors.toSet()));
        assertThat(commands).contains("kafka-acls.sh --bootstrap-server \"$BOOTSTRAP\" --command-config \"$ADMIN_CONFIG\""
                + " --add --allow-principal User:traffic-analytics --operation Create --operation Describe"
                + " --operation DescribeConfigs --operation Read --operation Write --operation Delete"
                + " --topic traffic-analytics- --resource-pattern-type prefixed");
    }

    @Test
    void theStrimziUsersAreOnePerPrincipalWithScramAndSimpleAuthorisation() {
        String yaml = AclsCommand.parse("--format", "strimzi", "--cluster", "shop").strimzi();
        assertThat(yaml.split("\n---\n|^---\n")).hasSize(ServiceAcls.ALL.size() + 1);
        assertThat(yaml).contains("""
                apiVersion: kafka.strimzi.io/v1beta2
                kind: KafkaUser
                metadata:
                  name: purchase-attribution
                  labels:
                    strimzi.io/cluster: shop
                spec:
                  authentication:
                    type: scram-sha-512
                  authorization:
                    type: simple
                    acls:
                      - resource:
                          type: topic
                          name: page-views
                          patternType: literal
                        operations: [Read]
                """).contains("""
                      - resource:
                          type: transactionalId
                          name: purchase-attribution-
                          patternType: prefix
                        operations: [Write]
                """);
    }

    @Test
    void rejectsUnknownFormatsAndClusterNames() {
        assertThatThrownBy(() -> AclsCommand.parse("--format", "json")).hasMessageContaining("kafka-acls or strimzi");
        assertThatThrownBy(() -> AclsCommand.parse("--cluster", "Bad_Name")).hasMessageContaining("resource name");
    }
}
