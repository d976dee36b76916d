package dev.streamtemplate.schemas;

import dev.streamtemplate.schemas.TopicCatalogue.TopicSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates topics from their {@link TopicSpec}s (partitions, cleanup policy) with a given replication factor (1 on a
 * single broker). A topic that already exists counts as done and is left as it is: a broker kept from an earlier run
 * already has them all. Used by the local stack, the system tests and the event generator's {@code topics} command
 * (docker-compose's one-shot step).
 *
 * <p>It returns only once the broker hosts every partition, not merely once the controller has recorded the topics:
 * a broker publishes new partitions in its metadata a moment before it can append to them, and an idempotent
 * producer that writes at once may then see its first batch refused (NOT_LEADER_OR_FOLLOWER) while its second is
 * appended, after which the first is refused with {@code OutOfOrderSequenceException} until its delivery timeout
 * (KAFKA-15591, fixed in the broker from Kafka 4.5 by apache/kafka pull request 23234).
 */
public final class TopicCreator {

    /**
     * What {@link #createAll} did.
     *
     * @param created  topics created now
     * @param existing topics that already existed
     */
    public record Outcome(List<String> created, List<String> existing) {
    }

    private TopicCreator() {
    }

    /**
     * Creates every topic in {@code topics} that does not exist yet, with replication factor 1, and waits until the
     * broker hosts every partition of them all (see the class comment).
     *
     * @throws TopicCreationException when a topic cannot be created, or its partitions are not hosted, within
     *                                {@code timeout} (each)
     */
    public static Outcome createAll(Admin admin, List<TopicSpec> topics, Duration timeout)
            throws TopicCreationException, InterruptedException {
        return createAll(admin, topics, (short) 1, timeout);
    }

    /**
     * Creates every topic in {@code topics} that does not exist yet, with {@code replicationFactor} replicas, and
     * waits until the broker hosts every partition of them all (see the class comment).
     *
     * @throws TopicCreationException when a topic cannot be created (the broker refuses it, or the replication factor
     *                                is above the number of brokers), or its partitions are not hosted, within
     *                                {@code timeout} (each)
     */
    public static Outcome createAll(Admin admin, List<TopicSpec> topics, short replicationFactor, Duration timeout)
            throws TopicCreationException, InterruptedException {
        List<NewTopic> newTopics = topics.stream()
                .map(spec -> new NewTopic(spec.name(), spec.partitions(), replicationFactor).configs(spec.configs()))
                .toList();
        Map<String, KafkaFuture<Void>> results = admin
                .createTopics(newTopics, new CreateTopicsOptions().timeoutMs((int) timeout.toMillis()))
                .values();
        List<String> created = new ArrayList<>();
        List<String> existing = new ArrayList<>();
        for (TopicSpec spec : topics) {
            try {
                results.get(spec.name()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                created.add(spec.name());
            } catch (ExecutionException e) {
                if (e.getCause() instanceof TopicExistsException) {
                    existing.add(spec.name());
                } else {
                    throw new TopicCreationException("could not create topic " + spec.name() + ": " + e.getCause(), e);
                }
            } catch (TimeoutException e) {
                throw new TopicCreationException("creating topic " + spec.name() + " took longer than "
                        + timeout.toSeconds() + " s", e);
            }
        }
        awaitHosted(admin, topics, timeout);
        return new Outcome(List.copyOf(created), List.copyOf(existing));
    }

    /**
     * Waits until the broker answers a ListOffsets request for every partition of {@code topics}: it is answered by the
     * partition's leader from the partition itself, so then the broker can append to it. The admin client retries
     * NOT_LEADER_OR_FOLLOWER and UNKNOWN_TOPIC_OR_PARTITION itself, within {@code timeout}.
     *
     * @throws TopicCreationException when a partition is not hosted within {@code timeout}
     */
    private static void awaitHosted(Admin admin, List<TopicSpec> topics, Duration timeout)
            throws TopicCreationException, InterruptedException {
        Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
        for (TopicSpec spec : topics) {
            for (int partition = 0; partition < spec.partitions(); partition++) {
                partitions.put(new TopicPartition(spec.name(), partition), OffsetSpec.latest());
            }
        }
        try {
            admin.listOffsets(partitions, new ListOffsetsOptions().timeoutMs((int) timeout.toMillis()))
                    .all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new TopicCreationException("the broker does not host every partition of " + topics.size()
                    + " topics yet: " + e.getCause(), e);
        } catch (TimeoutException e) {
            throw new TopicCreationException("the broker did not host every partition of " + topics.size()
                    + " topics within " + timeout.toSeconds() + " s", e);
        }
    }
}
