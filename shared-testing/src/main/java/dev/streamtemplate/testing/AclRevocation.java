package dev.streamtemplate.testing;

import dev.streamtemplate.schemas.ServiceAcls;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.awaitility.Awaitility;

/**
 * Quarkus test resource that takes one ACL of a {@link ServiceAcls} principal away on the shared secure broker
 * ({@value TestKafkaClusterChoice#SECURITY_PROPERTY}{@code =sasl_ssl}) before the application starts, and gives it back
 * when the application stops: how a test shows what a service does without a grant. Init args: {@value #PRINCIPAL_ARG}
 * (the user), {@value #TOPIC_ARG} (a topic it has a literal grant on) and {@value #OPERATION_ARG} ({@code WRITE},
 * {@code READ}). It waits until the broker no longer lists the ACL.
 */
public class AclRevocation implements QuarkusTestResourceLifecycleManager {

    /** Init arg: the principal's user name. */
    public static final String PRINCIPAL_ARG = "principal";
    /** Init arg: the topic. */
    public static final String TOPIC_ARG = "topic";
    /** Init arg: the operation, as {@link AclOperation} names it. */
    public static final String OPERATION_ARG = "operation";

    private static final Duration BOUND = Duration.ofSeconds(30);

    private AclBinding revoked;

    /**
     * @throws IllegalArgumentException if an init arg is missing, or the principal has no such grant
     */
    @Override
    public void init(Map<String, String> initArgs) {
        String user = required(initArgs, PRINCIPAL_ARG);
        String topic = required(initArgs, TOPIC_ARG);
        AclOperation operation = AclOperation.fromString(required(initArgs, OPERATION_ARG));
        revoked = ServiceAcls.forUser(user).orElseThrow(() -> new IllegalArgumentException("No principal " + user))
                .bindings().stream()
                .filter(b -> b.pattern().resourceType() == ResourceType.TOPIC
                        && b.pattern().patternType() == PatternType.LITERAL && b.pattern().name().equals(topic)
                        && b.entry().operation() == operation)
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(user + " has no " + operation + " grant on " + topic));
    }

    /**
     * Deletes the ACL.
     *
     * @throws IllegalStateException if the shared cluster is not secure
     */
    @Override
    public Map<String, String> start() {
        TestKafkaCluster cluster = TestKafkaClusterChoice.shared();
        if (!cluster.secure()) {
            throw new IllegalStateException("AclRevocation needs the secure broker: run with -D"
                    + TestKafkaClusterChoice.SECURITY_PROPERTY + "=sasl_ssl");
        }
        try (Admin admin = admin(cluster)) {
            KafkaFutures.get(admin.deleteAcls(List.of(revoked.toFilter())).all(), BOUND, "Deleting " + revoked);
            awaitListed(admin, false);
        }
        return Map.of();
    }

    /** Creates the ACL again. */
    @Override
    public void stop() {
        TestKafkaCluster cluster = TestKafkaClusterChoice.shared();
        try (Admin admin = admin(cluster)) {
            KafkaFutures.get(admin.createAcls(List.of(revoked)).all(), BOUND, "Restoring " + revoked);
            awaitListed(admin, true);
        }
    }

    private void awaitListed(Admin admin, boolean listed) {
        Awaitility.await("the broker to " + (listed ? "list " : "no longer list ") + revoked).atMost(BOUND)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> KafkaFutures.get(admin.describeAcls(AclBindingFilter.ANY).values(), BOUND,
                        "Describing ACLs").contains(revoked) == listed);
    }

    private static Admin admin(TestKafkaCluster cluster) {
        Properties config = new Properties();
        config.put("bootstrap.servers", cluster.bootstrapServers());
        config.putAll(cluster.adminSecurity());
        return Admin.create(config);
    }

    private static String required(Map<String, String> args, String name) {
        String value = args.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("AclRevocation needs the init arg " + name);
        }
        return value.trim();
    }
}
