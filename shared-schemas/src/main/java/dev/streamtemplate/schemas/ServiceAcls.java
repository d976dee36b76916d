package dev.streamtemplate.schemas;

import dev.streamtemplate.schemas.TopicCatalogue.ServiceTopics;
import dev.streamtemplate.schemas.TopicCatalogue.TopicSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The least-privilege Kafka ACLs of every principal of the shop, derived from {@link TopicCatalogue}: one SCRAM user
 * per service, named like its {@code application.id}, so a topic added to a service's inputs or outputs changes its
 * grants too. Every binding allows, from any host.
 *
 * <p>A stream service ({@link TopicCatalogue#SERVICES}) gets READ on its inputs; WRITE on its outputs (its
 * {@code late-events} and dead-letter topic among them); CREATE, DESCRIBE, DESCRIBE_CONFIGS, READ, WRITE and DELETE on
 * the topics prefixed {@code <application.id>-} (its changelog and repartition topics: Kafka Streams creates them,
 * and purges repartition topics with DeleteRecords); READ on its consumer group {@code <application.id>}; WRITE on
 * the transactional ids prefixed {@code <application.id>-} (exactly-once v2). The Kafka Streams security guide
 * ("Required ACL setting for secure Kafka clusters") suggests ALL on the prefix (KIP-277, KIP-290); these are the
 * operations of ALL that Kafka Streams uses. Idempotent producers need no cluster grant since Kafka 3.0 (KIP-679):
 * WRITE on a topic implies IDEMPOTENT_WRITE.
 *
 * <p>live-updates gets READ on {@link TopicCatalogue#LIVE_UPDATES_INPUTS} and on its subscriptions topic, WRITE on
 * {@link TopicCatalogue#LIVE_UPDATES_OUTPUTS} and READ on the consumer groups prefixed {@code live-updates-} (its
 * webhook deliveries). The event generator gets WRITE on {@link TopicCatalogue#INPUT_TOPICS}. Nobody gets
 * cluster-level rights: topics are created by the administrator, a super user.
 */
public final class ServiceAcls {

    /** The event generator's user name. */
    public static final String EVENT_GENERATOR = "event-generator";
    /** live-updates' user name. */
    public static final String LIVE_UPDATES = "live-updates";

    /** A stream service's operations on its own internal topics ({@code <application.id>-} prefixed). */
    static final List<AclOperation> INTERNAL_TOPIC_OPERATIONS = List.of(AclOperation.CREATE, AclOperation.DESCRIBE,
            AclOperation.DESCRIBE_CONFIGS, AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE);

    /**
     * One principal and what it may do.
     *
     * @param user     the SCRAM user name; the principal is {@code User:<user>}
     * @param bindings its ACLs, all ALLOW from host {@code *}, in a stable order: topics read, topics written,
     *                 internal topics, groups, transactional ids
     */
    public record PrincipalAcls(String user, List<AclBinding> bindings) {

        /** The Kafka principal, {@code User:<user>}. */
        public String principal() {
            return "User:" + user;
        }
    }

    /** Every principal: the stream services in {@link TopicCatalogue#SERVICES} order, live-updates, the generator. */
    public static final List<PrincipalAcls> ALL = Stream.concat(
            TopicCatalogue.SERVICES.stream().map(ServiceAcls::streamService),
            Stream.of(liveUpdates(), eventGenerator())).toList();

    private ServiceAcls() {
    }

    /**
     * The ACLs of one stream service.
     *
     * @param topics the service's topics; its {@code application()} is the user name, the consumer group and the
     *               prefix of its internal topics and transactional ids
     * @return its principal and bindings
     */
    public static PrincipalAcls streamService(ServiceTopics topics) {
        String user = topics.application();
        List<AclBinding> bindings = new ArrayList<>();
        for (TopicSpec input : topics.inputs()) {
            bindings.add(allow(user, ResourceType.TOPIC, input.name(), PatternType.LITERAL, AclOperation.READ));
        }
        for (TopicSpec output : topics.outputs()) {
            bindings.add(allow(user, ResourceType.TOPIC, output.name(), PatternType.LITERAL, AclOperation.WRITE));
        }
        String prefix = user + "-";
        for (AclOperation operation : INTERNAL_TOPIC_OPERATIONS) {
            bindings.add(allow(user, ResourceType.TOPIC, prefix, PatternType.PREFIXED, operation));
        }
        bindings.add(allow(user, ResourceType.GROUP, user, PatternType.LITERAL, AclOperation.READ));
        bindings.add(allow(user, ResourceType.TRANSACTIONAL_ID, prefix, PatternType.PREFIXED, AclOperation.WRITE));
        return new PrincipalAcls(user, List.copyOf(bindings));
    }

    /** live-updates' ACLs (see the class comment). */
    public static PrincipalAcls liveUpdates() {
        List<AclBinding> bindings = new ArrayList<>();
        Stream.concat(TopicCatalogue.LIVE_UPDATES_INPUTS.stream(), Stream.of(TopicCatalogue.WEBHOOK_SUBSCRIPTIONS))
                .forEach(t -> bindings.add(allow(LIVE_UPDATES, ResourceType.TOPIC, t.name(), PatternType.LITERAL,
                        AclOperation.READ)));
        for (TopicSpec output : TopicCatalogue.LIVE_UPDATES_OUTPUTS) {
            bindings.add(allow(LIVE_UPDATES, ResourceType.TOPIC, output.name(), PatternType.LITERAL, AclOperation.WRITE));
        }
        bindings.add(allow(LIVE_UPDATES, ResourceType.GROUP, LIVE_UPDATES + "-", PatternType.PREFIXED, AclOperation.READ));
        return new PrincipalAcls(LIVE_UPDATES, List.copyOf(bindings));
    }

    /** The event generator's ACLs: WRITE on the input topics. */
    public static PrincipalAcls eventGenerator() {
        return new PrincipalAcls(EVENT_GENERATOR, TopicCatalogue.INPUT_TOPICS.stream()
                .map(t -> allow(EVENT_GENERATOR, ResourceType.TOPIC, t.name(), PatternType.LITERAL, AclOperation.WRITE))
                .toList());
    }

    /**
     * The principal with this user name, if it is one of {@link #ALL}.
     *
     * @param user a user name, for example {@code "traffic-analytics"}
     * @return its ACLs, or empty
     */
    public static Optional<PrincipalAcls> forUser(String user) {
        return ALL.stream().filter(p -> p.user().equals(user)).findFirst();
    }

    private static AclBinding allow(String user, ResourceType type, String name, PatternType pattern,
                                    AclOperation operation) {
        return new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW));
    }
}
