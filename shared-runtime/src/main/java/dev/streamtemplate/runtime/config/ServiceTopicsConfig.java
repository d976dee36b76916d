package dev.streamtemplate.runtime.config;

import dev.streamtemplate.schemas.TopicCatalogue;
import dev.streamtemplate.schemas.TopicCatalogue.ServiceTopics;
import dev.streamtemplate.schemas.TopicCatalogue.TopicSpec;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Configures a stream service's topics from {@link TopicCatalogue}, so their names are spelled only there: for the
 * service whose {@code quarkus.application.name} is in {@link TopicCatalogue#SERVICES}, it sets
 * <ul>
 *   <li>{@code quarkus.kafka-streams.topics}: its input topics, which Quarkus waits for before it starts Kafka
 *       Streams;</li>
 *   <li>{@code kafka-streams.errors.dead.letter.queue.topic.name}: its dead-letter topic (KIP-1034).</li>
 * </ul>
 * A config source of ordinal {@value #ORDINAL}: above the shared defaults of {@code microprofile-config.properties}
 * (100), below a service's {@code application.properties} (250) and environment variables (300), which still override
 * it. An application not in the catalogue gets nothing from here. Registered as a SmallRye
 * {@link ConfigSourceFactory} ({@code META-INF/services}).
 */
public class ServiceTopicsConfig implements ConfigSourceFactory {

    /** This source's ordinal. */
    public static final int ORDINAL = 150;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        ConfigValue application = context.getValue("quarkus.application.name");
        Optional<ServiceTopics> topics = application == null || application.getValue() == null ? Optional.empty()
                : TopicCatalogue.service(application.getValue());
        return topics.<Iterable<ConfigSource>>map(t -> List.of(new PropertiesConfigSource(properties(t),
                "TopicCatalogue (" + t.application() + ")", ORDINAL))).orElse(List.of());
    }

    /** The properties this source gives {@code topics}' service. */
    static Map<String, String> properties(ServiceTopics topics) {
        return Map.of(
                "quarkus.kafka-streams.topics", topics.inputs().stream().map(TopicSpec::name).collect(Collectors.joining(",")),
                "kafka-streams.errors.dead.letter.queue.topic.name", topics.deadLetters().name());
    }
}
