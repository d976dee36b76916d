package dev.streamtemplate.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.streamtemplate.schemas.TopicCatalogue;
import dev.streamtemplate.schemas.TopicCatalogue.TopicSpec;

/** The Quarkus test resource, driven the way Quarkus drives it (init, start, stop), without an application. */
class KafkaTestResourceTest {

    @Test
    void createsTheCatalogueAndReturnsTheBrokerConfig() throws Exception {
        KafkaTestResource resource = new KafkaTestResource();
        resource.init(Map.of());
        Map<String, String> config = resource.start();

        String bootstrap = KafkaTestResource.bootstrapServers();
        assertThat(bootstrap).isEqualTo(TestKafkaClusterChoice.shared().bootstrapServers());
        assertThat(config)
                .containsEntry("kafka.bootstrap.servers", bootstrap)
                .containsEntry("quarkus.kafka-streams.bootstrap-servers", bootstrap)
                .containsEntry("quarkus.kafka.devservices.enabled", "false")
                .containsEntry("quarkus.log.category.\"kafka\".level", "WARN");
        try (KafkaTopics topics = new KafkaTopics(bootstrap)) {
            var descriptions = topics.admin()
                    .describeTopics(TopicCatalogue.ALL.stream().map(TopicSpec::name).toList())
                    .allTopicNames().get();
            for (TopicSpec spec : TopicCatalogue.ALL) {
                assertThat(descriptions.get(spec.name()).partitions()).as(spec.name()).hasSize(spec.partitions());
            }
        }

        resource.stop();
        // stop() leaves the shared broker to the next test class
        assertThat(resource.start()).containsEntry("kafka.bootstrap.servers", bootstrap);
    }

    @Test
    void createsOnlyTheTopicsNamed() {
        String own = "own-" + UUID.randomUUID();
        KafkaTestResource resource = new KafkaTestResource();
        resource.init(Map.of(KafkaTestResource.TOPICS_ARG, "products, " + own,
                KafkaTestResource.BROKER_LOG_LEVEL_ARG, "info"));
        Map<String, String> config = resource.start();
        assertThat(config).containsEntry("quarkus.log.category.\"org.apache.kafka.server\".level", "INFO");
        try (KafkaTopics topics = new KafkaTopics(KafkaTestResource.bootstrapServers())) {
            assertThat(topics.listNames()).contains("products", own);
        }
    }

    @Test
    void rejectsBadInitArgs() {
        KafkaTestResource resource = new KafkaTestResource();
        assertThatThrownBy(() -> resource.init(Map.of(KafkaTestResource.TOPICS_ARG, " ")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> resource.init(Map.of(KafkaTestResource.BROKER_LOG_LEVEL_ARG, "LOUD")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("LOUD");
    }
}
