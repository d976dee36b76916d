package dev.streamtemplate.generator;

import dev.streamtemplate.schemas.ServiceAcls;
import dev.streamtemplate.schemas.ServiceAcls.PrincipalAcls;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.utils.SecurityUtils;

/**
 * {@code acls}: prints the ACLs of every principal ({@link ServiceAcls}, derived from {@code TopicCatalogue}) for a
 * cluster administrator to apply, and exits; it does not connect to Kafka. Two formats:
 * <ul>
 *   <li>{@code kafka-acls}: one {@code kafka-acls.sh --add} command per principal and resource, with every operation
 *       granted on it; the commands read the broker address and the administrator's client settings from the shell
 *       variables {@code BOOTSTRAP} and {@code ADMIN_CONFIG};</li>
 *   <li>{@code strimzi}: one Strimzi {@code KafkaUser} ({@code kafka.strimzi.io/v1beta2}) per principal, SCRAM-SHA-512
 *       authentication and {@code simple} authorisation, labelled with the {@code Kafka} cluster's name; the User
 *       Operator then creates a Secret of the same name whose {@code sasl.jaas.config} key is the service's login.</li>
 * </ul>
 * Exit codes: 0 printed, 2 bad arguments.
 *
 * @param format  {@code kafka-acls} or {@code strimzi}
 * @param cluster the Strimzi {@code Kafka} resource's name ({@code strimzi.io/cluster} label)
 */
record AclsCommand(String format, String cluster) {

    /** The usage message. */
    static final String USAGE = """
            Usage: ... dev.streamtemplate.generator.Main acls [options]
              --format kafka-acls|strimzi  kafka-acls.sh commands (default) or Strimzi KafkaUser resources
              --cluster NAME               strimzi: the Kafka resource's name (default kafka)
            Prints the least-privilege ACLs of every service's principal, derived from TopicCatalogue; exit codes: 0 done,
            2 bad arguments.""";

    /**
     * Parses {@code --flag value} and {@code --flag=value} arguments.
     *
     * @throws IllegalArgumentException naming the bad argument
     */
    static AclsCommand parse(String... args) {
        Map<String, String> flags = CommandFlags.parse(args, Set.of("--format", "--cluster"));
        String format = flags.getOrDefault("--format", "kafka-acls");
        if (!format.equals("kafka-acls") && !format.equals("strimzi")) {
            throw new IllegalArgumentException("--format must be kafka-acls or strimzi, was '" + format + "'");
        }
        String cluster = flags.getOrDefault("--cluster", "kafka");
        if (!cluster.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")) {
            throw new IllegalArgumentException("--cluster must be a Kubernetes resource name, was '" + cluster + "'");
        }
        return new AclsCommand(format, cluster);
    }

    /** Prints the ACLs; returns the exit code. */
    int run(PrintStream out) {
        if (format.equals("strimzi")) {
            out.print(strimzi());
        } else {
            out.print(kafkaAcls());
        }
        return 0;
    }

    /** The {@code kafka-acls.sh} commands. */
    static String kafkaAcls() {
        StringBuilder text = new StringBuilder("""
                # Least-privilege ACLs of every principal, derived from TopicCatalogue (ServiceAcls).
                # BOOTSTRAP: the broker; ADMIN_CONFIG: a client properties file of a super user.
                """);
        for (PrincipalAcls principal : ServiceAcls.ALL) {
            text.append("\n# ").append(principal.principal()).append('\n');
            byResource(principal).forEach((resource, operations) -> {
                text.append("kafka-acls.sh --bootstrap-server \"$BOOTSTRAP\" --command-config \"$ADMIN_CONFIG\" --add")
                        .append(" --allow-principal ").append(principal.principal());
                operations.forEach(op -> text.append(" --operation ").append(SecurityUtils.operationName(op)));
                text.append(switch (resource.resourceType()) {
                    case TOPIC -> " --topic ";
                    case GROUP -> " --group ";
                    case TRANSACTIONAL_ID -> " --transactional-id ";
                    default -> throw new IllegalStateException("no kafka-acls flag for " + resource.resourceType());
                }).append(resource.name());
                if (resource.patternType() == PatternType.PREFIXED) {
                    text.append(" --resource-pattern-type prefixed");
                }
                text.append('\n');
            });
        }
        return text.toString();
    }

    /** The Strimzi {@code KafkaUser} resources, one YAML document each. */
    String strimzi() {
        StringBuilder text = new StringBuilder(
                "# Least-privilege KafkaUsers of every principal, derived from TopicCatalogue (ServiceAcls).\n");
        for (PrincipalAcls principal : ServiceAcls.ALL) {
            text.append("---\n")
                    .append("apiVersion: kafka.strimzi.io/v1beta2\n")
                    .append("kind: KafkaUser\n")
                    .append("metadata:\n")
                    .append("  name: ").append(principal.user()).append('\n')
                    .append("  labels:\n")
                    .append("    strimzi.io/cluster: ").append(cluster).append('\n')
                    .append("spec:\n")
                    .append("  authentication:\n")
                    .append("    type: scram-sha-512\n")
                    .append("  authorization:\n")
                    .append("    type: simple\n")
                    .append("    acls:\n");
            byResource(principal).forEach((resource, operations) -> {
                text.append("      - resource:\n")
                        .append("          type: ").append(strimziType(resource.resourceType())).append('\n')
                        .append("          name: ").append(resource.name()).append('\n')
                        .append("          patternType: ")
                        .append(resource.patternType() == PatternType.PREFIXED ? "prefix" : "literal").append('\n')
                        .append("        operations: [");
                text.append(String.join(", ", operations.stream().map(SecurityUtils::operationName).toList()));
                text.append("]\n");
            });
        }
        return text.toString();
    }

    /** The operations granted per resource pattern, in the order {@link ServiceAcls} lists them. */
    private static Map<ResourcePattern, List<AclOperation>> byResource(PrincipalAcls principal) {
        Map<ResourcePattern, List<AclOperation>> operations = new LinkedHashMap<>();
        for (AclBinding binding : principal.bindings()) {
            operations.computeIfAbsent(binding.pattern(), p -> new ArrayList<>()).add(binding.entry().operation());
        }
        return operations;
    }

    private static String strimziType(ResourceType type) {
        return switch (type) {
            case TOPIC -> "topic";
            case GROUP -> "group";
            case TRANSACTIONAL_ID -> "transactionalId";
            default -> throw new IllegalStateException("no Strimzi resource type for " + type);
        };
    }
}
