package dev.streamtemplate.localstack;

import dev.streamtemplate.schemas.TopicCatalogue.TopicSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates topics from their {@link TopicSpec}s (partitions, cleanup policy) with replication factor 1, the only
 * one a single broker allows. A topic that already exists counts as done: a data directory kept from an earlier
 * run already has them all.
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
     * Creates every topic in {@code topics} that does not exist yet.
     *
     * @throws StackFailure when a topic cannot be created within {@code timeout}
     */
    public static Outcome createAll(Admin admin, List<TopicSpec> topics, Duration timeout)
            throws StackFailure, InterruptedException {
        List<NewTopic> newTopics = topics.stream()
                .map(spec -> new NewTopic(spec.name(), spec.partitions(), (short) 1).configs(spec.configs()))
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
                    throw new StackFailure("could not create topic " + spec.name() + ": " + e.getCause(), null, e);
                }
            } catch (TimeoutException e) {
                throw new StackFailure("creating topic " + spec.name() + " took longer than " + timeout.toSeconds()
                        + " s", null, e);
            }
        }
        return new Outcome(List.copyOf(created), List.copyOf(existing));
    }
}
