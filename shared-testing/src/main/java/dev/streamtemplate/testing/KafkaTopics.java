package dev.streamtemplate.testing;

import dev.streamtemplate.schemas.TopicCatalogue;
import dev.streamtemplate.schemas.TopicCatalogue.CleanupPolicy;
import dev.streamtemplate.schemas.TopicCatalogue.TopicSpec;
import dev.streamtemplate.schemas.TopicCreationException;
import dev.streamtemplate.schemas.TopicCreator;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Creates, waits for and deletes topics through an {@link Admin} client. Every topic gets replication factor 1
 * (test clusters have one broker).
 *
 * <p>Creating is idempotent: a topic that already exists with the same partition count is left as it is (its data
 * included). Every method returns only when the topics are usable (the broker hosts each partition) or gone; creating
 * and waiting are {@link TopicCreator}'s, as in the local stack.
 *
 * <pre>{@code
 * try (KafkaTopics topics = new KafkaTopics(bootstrapServers)) {
 *     topics.create(TopicCatalogue.INPUT_TOPICS);
 *     topics.create("my-test-output", 3);
 * }
 * }</pre>
 */
public final class KafkaTopics implements AutoCloseable {

    /** How long each operation may take unless the constructor says otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private static final short REPLICATION_FACTOR = 1;

    private final Admin admin;
    private final Duration timeout;

    /**
     * Connects an admin client; operations time out after {@link #DEFAULT_TIMEOUT}.
     *
     * @param bootstrapServers the cluster's {@code bootstrap.servers}
     */
    public KafkaTopics(String bootstrapServers) {
        this(bootstrapServers, DEFAULT_TIMEOUT);
    }

    /**
     * Connects an admin client.
     *
     * @param bootstrapServers the cluster's {@code bootstrap.servers}
     * @param timeout          the longest each operation (create, wait, delete) may take
     */
    public KafkaTopics(String bootstrapServers, Duration timeout) {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.putAll(SecureKafkaCluster.adminSecurityFor(bootstrapServers));
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "shared-testing-topics");
        int requestTimeoutMs = (int) Math.min(Integer.MAX_VALUE, Math.max(1_000, timeout.toMillis()));
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeoutMs);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, requestTimeoutMs);
        this.admin = Admin.create(config);
    }

    /**
     * Creates the topics that do not exist yet, with each spec's partition count and {@code cleanup.policy}, and
     * waits until all of them are usable.
     *
     * @param topics the topics, e.g. {@link TopicCatalogue#ALL}
     * @throws IllegalStateException if a topic already exists with a different partition count, the broker refuses a
     *                               topic (e.g. an invalid name), or a topic is not created and usable within the
     *                               timeout ({@link TopicCreator})
     */
    public void create(Collection<TopicSpec> topics) {
        Map<String, TopicSpec> byName = new LinkedHashMap<>();
        for (TopicSpec topic : topics) {
            TopicSpec previous = byName.put(topic.name(), topic);
            if (previous != null && !previous.equals(topic)) {
                throw new IllegalArgumentException("Topic " + topic.name() + " given twice, differently: "
                        + previous + " and " + topic);
            }
        }
        if (byName.isEmpty()) {
            return;
        }
        List<String> existing;
        try {
            existing = TopicCreator.createAll(admin, List.copyOf(byName.values()), REPLICATION_FACTOR, timeout).existing();
        } catch (TopicCreationException e) {
            throw new IllegalStateException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topics " + byName.keySet(), e);
        }
        if (!existing.isEmpty()) {
            Map<String, TopicDescription> descriptions = KafkaFutures.get(
                    admin.describeTopics(existing).allTopicNames(), timeout, "Describing topics " + existing);
            for (String name : existing) {
                int actual = descriptions.get(name).partitions().size();
                int wanted = byName.get(name).partitions();
                if (actual != wanted) {
                    throw new IllegalStateException("Topic " + name + " already exists with " + actual
                            + " partitions, not " + wanted + "; delete it first (KafkaTopics.recreate)");
                }
            }
        }
    }

    /**
     * Same as {@link #create(Collection)}.
     *
     * @param topics the topics
     */
    public void create(TopicSpec... topics) {
        create(Arrays.asList(topics));
    }

    /**
     * Creates a topic outside the catalogue (e.g. a test's own), with {@code cleanup.policy=delete}, unless it
     * exists; waits until it is usable. Throws as {@link #create(Collection)}.
     *
     * @param name       the topic name
     * @param partitions the partition count, at least 1
     * @return the spec it was created from
     */
    public TopicSpec create(String name, int partitions) {
        TopicSpec spec = new TopicSpec(name, partitions, CleanupPolicy.DELETE);
        create(List.of(spec));
        return spec;
    }

    /**
     * Deletes the topics (and their data), then creates them afresh, empty. Throws as {@link #delete(Collection)}
     * and {@link #create(Collection)}.
     *
     * @param topics the topics
     */
    public void recreate(Collection<TopicSpec> topics) {
        delete(topics.stream().map(TopicSpec::name).toList());
        create(topics);
    }

    /**
     * Waits until every partition of each topic is usable: {@link TopicCreator#awaitHosted}, within the timeout.
     *
     * @param topicNames the topics
     * @throws IllegalStateException if that does not happen within the timeout (a topic that does not exist never
     *                               becomes usable), or the broker gives a non-retriable answer
     */
    public void awaitUsable(Collection<String> topicNames) {
        try {
            TopicCreator.awaitHosted(admin, topicNames, timeout);
        } catch (TopicCreationException e) {
            throw new IllegalStateException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for topics " + topicNames, e);
        }
    }

    /**
     * Deletes the topics and waits until the cluster no longer lists them. Topics that do not exist are skipped.
     *
     * @param topicNames the topics
     * @throws org.apache.kafka.common.KafkaException if the broker refuses to delete one
     * @throws ConditionTimeoutException if a topic is still listed after the timeout
     */
    public void delete(Collection<String> topicNames) {
        List<String> names = List.copyOf(topicNames);
        if (names.isEmpty()) {
            return;
        }
        admin.deleteTopics(names).topicNameValues().forEach((name, future) -> {
            try {
                KafkaFutures.get(future, timeout, "Deleting topic " + name);
            } catch (UnknownTopicOrPartitionException e) {
                // already gone
            }
        });
        Awaitility.await("topics " + names + " to be deleted")
                .atMost(timeout)
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> names.stream().noneMatch(listNames()::contains));
    }

    /**
     * Same as {@link #delete(Collection)}.
     *
     * @param topicNames the topics
     */
    public void delete(String... topicNames) {
        delete(Arrays.asList(topicNames));
    }

    /**
     * The names of the cluster's topics, internal ones ({@code __consumer_offsets}, ...) excluded.
     *
     * @return the topic names
     * @throws org.apache.kafka.common.errors.TimeoutException if the broker does not answer within the timeout
     */
    public Set<String> listNames() {
        return KafkaFutures.get(admin.listTopics().names(), timeout, "Listing topics");
    }

    /**
     * The admin client, for anything else (configs, consumer groups, offsets). Closed by {@link #close()}.
     *
     * @return the admin client
     */
    public Admin admin() {
        return admin;
    }

    /** Closes the admin client, waiting at most the timeout. */
    @Override
    public void close() {
        admin.close(timeout);
    }
}
