package dev.streamtemplate.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import dev.streamtemplate.schemas.TopicCatalogue;
import dev.streamtemplate.schemas.TopicCatalogue.CleanupPolicy;
import dev.streamtemplate.schemas.TopicCatalogue.TopicSpec;

/**
 * Creates, waits for and deletes topics through an {@link Admin} client. Every topic gets replication factor 1
 * (test clusters have one broker).
 *
 * <p>Creating is idempotent: a topic that already exists with the same partition count is left as it is (its data
 * included). Every method returns only when the topics are usable (the broker hosts each partition) or gone.
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
    /** One ListOffsets attempt's bound while waiting for partitions to be hosted; retried within the timeout. */
    private static final int LIST_OFFSETS_TIMEOUT_MS = 2_000;

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
     * @throws IllegalStateException        if a topic already exists with a different partition count
     * @throws org.apache.kafka.common.KafkaException if the broker refuses a topic (e.g. an invalid name)
     * @throws org.apache.kafka.common.errors.TimeoutException if the broker does not answer within the timeout
     * @throws ConditionTimeoutException    if the topics do not get partition leaders within the timeout
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
        List<NewTopic> newTopics = byName.values().stream()
                .map(t -> new NewTopic(t.name(), t.partitions(), REPLICATION_FACTOR).configs(t.configs()))
                .toList();
        Map<String, KafkaFuture<Void>> results = admin.createTopics(newTopics).values();
        List<String> existing = new ArrayList<>();
        for (Map.Entry<String, KafkaFuture<Void>> result : results.entrySet()) {
            try {
                KafkaFutures.get(result.getValue(), timeout, "Creating topic " + result.getKey());
            } catch (TopicExistsException e) {
                existing.add(result.getKey());
            }
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
        awaitUsable(byName.keySet());
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
     * Waits until every partition of each topic has a leader and that leader answers a ListOffsets request from the
     * partition itself, which is when producers and consumers can use it. A leader in the metadata is not enough: a
     * broker publishes a new partition in its metadata a moment before it can append to it, and an idempotent
     * producer writing at once may then see its first batch refused while its second is appended; the first is then
     * refused with {@code OutOfOrderSequenceException} until its delivery timeout (KAFKA-15591, seen in this
     * project's tests; the broker rejects such a first batch from Kafka 4.5 on, apache/kafka pull request 23234).
     *
     * @param topicNames the topics
     * @throws ConditionTimeoutException if that does not happen within the timeout (a topic that does not exist
     *                                   never becomes usable)
     */
    public void awaitUsable(Collection<String> topicNames) {
        List<String> names = List.copyOf(topicNames);
        if (names.isEmpty()) {
            return;
        }
        Awaitility.await("topics " + names + " to have every partition hosted by its leader")
                .atMost(timeout)
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(50))
                .ignoreException(UnknownTopicOrPartitionException.class)
                .until(() -> allPartitionsHosted(names));
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

    private boolean allPartitionsHosted(List<String> names) throws InterruptedException {
        Map<String, TopicDescription> descriptions;
        try {
            descriptions = admin.describeTopics(names).allTopicNames().get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException unknown) {
                throw unknown;
            }
            throw new IllegalStateException("Describing topics " + names + " failed: " + e.getCause(), e.getCause());
        }
        Map<TopicPartition, OffsetSpec> partitions = new LinkedHashMap<>();
        for (TopicDescription description : descriptions.values()) {
            for (TopicPartitionInfo partition : description.partitions()) {
                if (partition.leader() == null || partition.leader().isEmpty()) {
                    return false;
                }
                partitions.put(new TopicPartition(description.name(), partition.partition()), OffsetSpec.latest());
            }
        }
        try {
            admin.listOffsets(partitions, new ListOffsetsOptions().timeoutMs(LIST_OFFSETS_TIMEOUT_MS)).all().get();
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RetriableException) {
                return false; // not hosted yet (NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION, timeout)
            }
            throw new IllegalStateException("Listing offsets of " + names + " failed: " + e.getCause(), e.getCause());
        }
    }
}
