package dev.streamtemplate.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceTopicsConfigTest {

    @Test
    void aCataloguedServiceGetsItsInputTopicsAndDeadLetterTopic() {
        SmallRyeConfig config = config(Map.of("quarkus.application.name", "customer-enrichment"));
        assertThat(config.getValue("quarkus.kafka-streams.topics", String.class))
                .isEqualTo("page-views,purchases,user-changes,products");
        assertThat(config.getValue("kafka-streams.errors.dead.letter.queue.topic.name", String.class))
                .isEqualTo("customer-enrichment-dlq");
    }

    @Test
    void applicationPropertiesStillOverrideTheCatalogue() {
        SmallRyeConfig config = config(Map.of("quarkus.application.name", "shopping-cart",
                "kafka-streams.errors.dead.letter.queue.topic.name", "elsewhere"));
        assertThat(config.getValue("kafka-streams.errors.dead.letter.queue.topic.name", String.class)).isEqualTo("elsewhere");
        assertThat(config.getValue("quarkus.kafka-streams.topics", String.class)).isEqualTo("cart-events,products");
    }

    @Test
    void anApplicationNotInTheCatalogueGetsNothing() {
        SmallRyeConfig config = config(Map.of("quarkus.application.name", "something-else"));
        assertThat(config.getOptionalValue("quarkus.kafka-streams.topics", String.class)).isEmpty();
        assertThat(config.getOptionalValue("kafka-streams.errors.dead.letter.queue.topic.name", String.class)).isEmpty();
    }

    /** A config with {@code properties} at application.properties' ordinal (250) and the catalogue's source. */
    private static SmallRyeConfig config(Map<String, String> properties) {
        return new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(properties, "application.properties", 250))
                .withSources(new ServiceTopicsConfig())
                .build();
    }
}
