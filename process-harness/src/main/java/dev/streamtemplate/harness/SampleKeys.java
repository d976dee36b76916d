package dev.streamtemplate.harness;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Picks the key of each {@link SampleKey} from what the services wrote: the topic is read with
 * {@code isolation.level=read_committed} from the beginning to its end offsets at the time of the call (no consumer
 * group, nothing committed). Of the candidates, the one found in most records wins, ties going to the smallest, so a
 * run picks a user with many orders or the page with the most attributed purchases. A record key counts only when
 * its latest record is not a tombstone (a cart that became an order is gone).
 */
public final class SampleKeys {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SampleKeys() {
    }

    /**
     * The key found for each of {@code keys} whose topic has a candidate now; the others are missing from the map.
     *
     * @param bootstrapServers the broker
     * @param security         the client's security settings ({@link KafkaBrokerProcess#adminSecurity()}), or none
     * @param keys             where the keys come from
     * @param timeout          how long reading one topic to its end may take
     * @throws org.apache.kafka.common.KafkaException when the broker cannot be read
     */
    public static Map<SampleKey, String> find(String bootstrapServers, Map<String, String> security,
                                              Collection<SampleKey> keys, Duration timeout) {
        Map<String, List<Map.Entry<String, String>>> byTopic = new HashMap<>();
        Map<SampleKey, String> found = new LinkedHashMap<>();
        try (KafkaConsumer<String, String> consumer = consumer(bootstrapServers, security)) {
            for (SampleKey key : keys) {
                List<Map.Entry<String, String>> records = byTopic.computeIfAbsent(key.topic(),
                        topic -> readAll(consumer, topic, timeout));
                choose(key, records).ifPresent(chosen -> found.put(key, chosen));
            }
        }
        return found;
    }

    /**
     * The key {@code key} picks from {@code records} (key and value, in offset order within a partition), by the rule
     * of the class comment.
     */
    static Optional<String> choose(SampleKey key, List<Map.Entry<String, String>> records) {
        Map<String, Integer> counts = new HashMap<>();
        Map<String, Boolean> live = new HashMap<>();
        for (Map.Entry<String, String> record : records) {
            if (key.field() == null) {
                if (record.getKey() != null) {
                    counts.merge(record.getKey(), 1, Integer::sum);
                    live.put(record.getKey(), record.getValue() != null);
                }
            } else {
                String value = field(record.getValue(), key.field());
                if (value != null) {
                    counts.merge(value, 1, Integer::sum);
                    live.put(value, true);
                }
            }
        }
        return counts.entrySet().stream()
                .filter(candidate -> live.get(candidate.getKey()))
                .min(Comparator.<Map.Entry<String, Integer>>comparingInt(Map.Entry::getValue).reversed()
                        .thenComparing(Map.Entry::getKey))
                .map(Map.Entry::getKey);
    }

    private static String field(String json, String field) {
        if (json == null) {
            return null;
        }
        try {
            JsonNode value = JSON.readTree(json).get(field);
            return value != null && value.isTextual() ? value.asText() : null;
        } catch (JsonProcessingException e) {
            return null; // not JSON: no candidate
        }
    }

    private static List<Map.Entry<String, String>> readAll(KafkaConsumer<String, String> consumer, String topic,
                                                           Duration timeout) {
        List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                .map(info -> new TopicPartition(topic, info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
        List<Map.Entry<String, String>> records = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (partitions.stream().anyMatch(partition -> consumer.position(partition, timeout) < end.get(partition))
                && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                records.add(new AbstractMap.SimpleImmutableEntry<>(record.key(), record.value()));
            }
        }
        return records;
    }

    private static KafkaConsumer<String, String> consumer(String bootstrapServers, Map<String, String> security) {
        Properties props = new Properties();
        props.putAll(security);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "local-stack-sample-keys");
        return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }
}
