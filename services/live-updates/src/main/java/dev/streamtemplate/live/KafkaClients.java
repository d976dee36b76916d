package dev.streamtemplate.live;

import java.util.HashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.Config;

/**
 * Creates live-updates' Kafka clients. Consumers read keys as UTF-8 strings and values as bytes (JSON), with
 * {@code isolation.level=read_committed} so only committed results of the exactly-once services are pushed; without a
 * group ({@link #consumer}: the reader keeps its own position) or in one ({@link #groupConsumer}: offsets committed
 * by the caller only). The producer writes string keys and values, {@code acks=all}, idempotent.
 *
 * <p>Every {@code kafka.*} key of the configuration is passed on without its prefix, {@code kafka.bootstrap.servers}
 * first; a key set only as an environment variable must also be named in {@code application.properties} (for example
 * {@code kafka.security.protocol=${KAFKA_SECURITY_PROTOCOL:PLAINTEXT}}).
 */
@ApplicationScoped
public class KafkaClients {

    private static final String PREFIX = "kafka.";

    private final Map<String, Object> properties = new HashMap<>();

    /** @param config the application's configuration, read once */
    @Inject
    public KafkaClients(Config config) {
        for (String name : config.getPropertyNames()) {
            if (name.startsWith(PREFIX)) {
                config.getOptionalValue(name, String.class)
                        .ifPresent(value -> properties.put(name.substring(PREFIX.length()), value));
            }
        }
    }

    /** @param properties the clients' common configuration, {@code bootstrap.servers} at least (tests) */
    KafkaClients(Map<String, Object> properties) {
        this.properties.putAll(properties);
    }

    /**
     * @param clientId the consumer's {@code client.id}, seen in broker logs and quotas
     * @return a new consumer without a group, not yet assigned; the caller closes it
     * @throws org.apache.kafka.common.KafkaException if the configuration is invalid
     */
    public KafkaConsumer<String, byte[]> consumer(String clientId) {
        Map<String, Object> config = consumerConfig(clientId);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * @param clientId the consumer's {@code client.id}
     * @param groupId  its consumer group; a new group starts at the end of each partition
     * @param maxPollRecords records per poll at most
     * @param maxPollInterval the longest time between two polls before the group takes the consumer for dead
     * @return a new consumer that commits nothing by itself; the caller subscribes and closes it
     */
    public KafkaConsumer<String, byte[]> groupConsumer(String clientId, String groupId, int maxPollRecords,
                                                       java.time.Duration maxPollInterval) {
        Map<String, Object> config = consumerConfig(clientId);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
        config.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, maxPollInterval.toMillis()));
        return new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * @param clientId the producer's {@code client.id}
     * @return a new producer; the caller closes it
     */
    public KafkaProducer<String, String> producer(String clientId) {
        Map<String, Object> config = new HashMap<>(properties);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    private Map<String, Object> consumerConfig(String clientId) {
        Map<String, Object> config = new HashMap<>(properties);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return config;
    }
}
