package dev.streamtemplate.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtemplate.schemas.TopicCatalogue.CleanupPolicy;
import dev.streamtemplate.schemas.TopicCatalogue.TopicSpec;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Creating topics is idempotent, checks partition counts, applies the cleanup policy; deleting waits. */
class KafkaTopicsTest {

    private static KafkaTopics topics;

    @BeforeAll
    static void connect() {
        topics = new KafkaTopics(TestKafkaClusterChoice.shared().bootstrapServers());
    }

    @AfterAll
    static void disconnect() {
        topics.close();
    }

    @Test
    void createsIdempotentlyWithTheSpecsPartitionsAndCleanupPolicy() throws Exception {
        TopicSpec compacted = new TopicSpec("compacted-" + UUID.randomUUID(), 3, CleanupPolicy.COMPACT);
        topics.create(compacted);
        topics.create(compacted, compacted);

        assertThat(topics.listNames()).contains(compacted.name());
        assertThat(topics.admin().describeTopics(List.of(compacted.name())).allTopicNames().get()
                .get(compacted.name()).partitions()).hasSize(3);
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, compacted.name());
        Config config = topics.admin().describeConfigs(List.of(resource)).all().get().get(resource);
        assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
    }

    @Test
    void refusesAnExistingTopicWithAnotherPartitionCount() {
        String name = "mismatch-" + UUID.randomUUID();
        topics.create(name, 2);
        assertThatThrownBy(() -> topics.create(name, 3))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already exists with 2 partitions, not 3");
    }

    @Test
    void deletesAndRecreatesEmpty() {
        String name = "recreated-" + UUID.randomUUID();
        TopicSpec spec = topics.create(name, 2);
        try (TestProducer<String, String> producer = TestProducer.strings(TestKafkaClusterChoice.shared().bootstrapServers())) {
            producer.send(name, "k", "v");
        }
        topics.recreate(List.of(spec));
        assertThat(TopicReader.strings(TestKafkaClusterChoice.shared().bootstrapServers()).readAll(name)).isEmpty();

        topics.delete(name);
        assertThat(topics.listNames()).doesNotContain(name);
        topics.delete(name); // deleting a missing topic is fine
    }

    @Test
    void waitingForAMissingTopicTimesOut() {
        try (KafkaTopics impatient = new KafkaTopics(TestKafkaClusterChoice.shared().bootstrapServers(),
                Duration.ofSeconds(1))) {
            assertThatThrownBy(() -> impatient.awaitUsable(List.of("never-created-" + UUID.randomUUID())))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("did not have every partition hosted by its leader within 1000 ms");
        }
    }
}
