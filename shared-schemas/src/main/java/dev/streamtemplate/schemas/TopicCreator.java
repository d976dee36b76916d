package dev.streamtemplate.schemas;

import dev.streamtemplate.schemas.TopicCatalogue.TopicSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates topics from their {@link TopicSpec}s (partitions, cleanup policy) with a given replication factor (1 on a
 * single broker). A topic that already exists counts as done and is left as it is: a broker kept from an earlier run
 * already has them all. Used by the local stack, the system tests, the event generator's {@code topics} command
 * (docker-compose's one-shot step) and the tests' {@code KafkaTopics}.
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

    /**
     * The least bound of one describe or ListOffsets attempt while waiting for partitions to be hosted, milliseconds;
     * otherwise an attempt may take what is left of the wait.
     */
    private static final int SHORTEST_ATTEMPT_MS = 500;
    /** The pause between two such attempts, milliseconds. */
    private static final long RETRY_INTERVAL_MS = 50;

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
        awaitHosted(admin, topics.stream().map(TopicSpec::name).toList(), timeout);
        return new Outcome(List.copyOf(created), List.copyOf(existing));
    }

    /**
     * Waits until every partition of {@code topicNames} has a leader and that leader answers a ListOffsets request
     * from the partition itself, which is when producers and consumers can use it (see the class comment). Retries
     * every 50 ms while the answer is retriable: the topic is not known yet (a ListOffsets right after creation can
     * fail fast with {@code UNKNOWN_TOPIC_OR_PARTITION}), has no leader yet, or is not hosted yet
     * ({@code NOT_LEADER_OR_FOLLOWER}).
     *
     * @param topicNames the topics; a topic that does not exist never becomes usable
     * @param timeout    the longest the whole wait may take
     * @throws TopicCreationException when a partition is not usable within {@code timeout}, or the broker gives a
     *                                non-retriable answer
     */
    public static void awaitHosted(Admin admin, Collection<String> topicNames, Duration timeout)
            throws TopicCreationException, InterruptedException {
        List<String> names = List.copyOf(topicNames);
        if (names.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Throwable lastAnswer = null;
        while (true) {
            try {
                long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (allPartitionsHosted(admin, names, (int) Math.min(Integer.MAX_VALUE,
                        Math.max(SHORTEST_ATTEMPT_MS, remainingMs)))) {
                    return;
                }
                lastAnswer = null;
            } catch (ExecutionException | TimeoutException e) {
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                if (!(cause instanceof RetriableException || cause instanceof TimeoutException)) {
                    throw new TopicCreationException("could not check the partitions of " + names + ": " + cause, cause);
                }
                lastAnswer = cause;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new TopicCreationException("topics " + names + " did not have every partition hosted by its"
                        + " leader within " + timeout.toMillis() + " ms"
                        + (lastAnswer == null ? "" : "; last answer: " + lastAnswer), lastAnswer);
            }
            Thread.sleep(RETRY_INTERVAL_MS);
        }
    }

    /**
     * One attempt, bounded by {@code timeoutMs}: false while a partition has no leader; throws while the broker's
     * answer is an error. The admin client retries NOT_LEADER_OR_FOLLOWER itself within that bound.
     */
    private static boolean allPartitionsHosted(Admin admin, List<String> names, int timeoutMs)
            throws ExecutionException, TimeoutException, InterruptedException {
        Map<String, TopicDescription> descriptions = admin
                .describeTopics(names, new DescribeTopicsOptions().timeoutMs(timeoutMs)).allTopicNames()
                .get(timeoutMs, TimeUnit.MILLISECONDS);
        Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
        for (TopicDescription description : descriptions.values()) {
            for (TopicPartitionInfo partition : description.partitions()) {
                if (partition.leader() == null || partition.leader().isEmpty()) {
                    return false;
                }
                partitions.put(new TopicPartition(description.name(), partition.partition()), OffsetSpec.latest());
            }
        }
        admin.listOffsets(partitions, new ListOffsetsOptions().timeoutMs(timeoutMs))
                .all().get(timeoutMs, TimeUnit.MILLISECONDS);
        return true;
    }
}
