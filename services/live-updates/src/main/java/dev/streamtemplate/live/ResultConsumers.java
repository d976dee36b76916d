package dev.streamtemplate.live;

import java.util.HashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.Config;

/**
 * Creates the Kafka consumers that read the pushed results ({@code TopicCatalogue.LIVE_UPDATES_INPUTS}): keys as
 * UTF-8 strings, values as bytes (JSON), {@code isolation.level=read_committed} so only committed results of the
 * exactly-once services are pushed, no consumer group and no offset commits (the client's position is its own).
 *
 * <p>Every {@code kafka.*} key of the configuration is passed on without its prefix, {@code kafka.bootstrap.servers}
 * first; a key set only as an environment variable must also be named in {@code application.properties} (for example
 * {@code kafka.security.protocol=${KAFKA_SECURITY_PROTOCOL:PLAINTEXT}}).
 */
@ApplicationScoped
public class ResultConsumers {

    private static final String PREFIX = "kafka.";

    private final Map<String, Object> properties = new HashMap<>();

    /** @param config the application's configuration, read once */
    public ResultConsumers(Config config) {
        for (String name : config.getPropertyNames()) {
            if (name.startsWith(PREFIX)) {
                config.getOptionalValue(name, String.class)
                        .ifPresent(value -> properties.put(name.substring(PREFIX.length()), value));
            }
        }
    }

    /**
     * @param clientId the consumer's {@code client.id}, seen in broker logs and quotas
     * @return a new consumer, not yet assigned; the caller closes it
     * @throws org.apache.kafka.common.KafkaException if the configuration is invalid
     */
    public KafkaConsumer<String, byte[]> create(String clientId) {
        Map<String, Object> config = new HashMap<>(properties);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    }
}
