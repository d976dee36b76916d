package dev.streamtemplate.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamtemplate.schemas.WindowKey;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Window results of two jobs compared window by window: the counts each emitted for the windows both emitted, read
 * with {@code read_committed}. A window is identified by its key and its start instant (ISO-8601 in the JSON value);
 * when the records read hold several results for a window, the last one counts.
 *
 * @param compared windows both jobs emitted
 * @param equal    of those, the windows with the same count
 * @param onlyLeft windows only the first job emitted
 */
public record WindowComparison(int compared, int equal, int onlyLeft) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration READ_BOUND = Duration.ofMinutes(2);

    /** "equal of compared", with the windows only the first job emitted when there are any. */
    public String summary() {
        return equal + " of " + compared + (onlyLeft > 0 ? " (" + onlyLeft + " only ours)" : "");
    }

    /**
     * The records of a topic between two offsets per partition, or all of it.
     *
     * @param topic the topic
     * @param from  per partition, the first offset to read; a partition not in it is read from its beginning
     * @param to    per partition, the offset to stop before; a partition not in it is read to its end offset
     */
    public record Slice(String topic, Map<Integer, Long> from, Map<Integer, Long> to) {
        /** All of {@code topic}, up to its end offsets when it is read. */
        public static Slice whole(String topic) {
            return new Slice(topic, Map.of(), Map.of());
        }
    }

    /**
     * Compares the windows of two jobs.
     *
     * @param bootstrapServers the broker
     * @param left             our job's results
     * @param right            the other job's results
     * @param keyField         the JSON field holding the window's key ({@code page}, {@code userId}); record keys
     *                         differ between jobs (ours are {@code <key>@<windowStart>})
     * @param startField       the JSON field holding the window's start ({@code windowStart}, {@code start})
     * @param countField       the JSON field holding the count ({@code count}, {@code pageViews})
     * @return the windows compared, equal, and emitted by the left job only
     * @throws IllegalStateException when a topic cannot be read to its end within two minutes
     */
    public static WindowComparison of(String bootstrapServers, Slice left, Slice right, String keyField,
                                      String startField, String countField) throws Exception {
        Map<String, Long> ours = windows(bootstrapServers, left, keyField, startField, countField);
        Map<String, Long> theirs = windows(bootstrapServers, right, keyField, startField, countField);
        int compared = 0;
        int equal = 0;
        int onlyLeft = 0;
        for (Map.Entry<String, Long> window : ours.entrySet()) {
            Long other = theirs.get(window.getKey());
            if (other == null) {
                onlyLeft++;
            } else {
                compared++;
                equal += other.equals(window.getValue()) ? 1 : 0;
            }
        }
        return new WindowComparison(compared, equal, onlyLeft);
    }

    /** Key and window start → count, the last result per window. */
    private static Map<String, Long> windows(String bootstrapServers, Slice slice, String keyField, String startField,
                                             String countField)
            throws Exception {
        String topic = slice.topic();
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        Map<String, Long> windows = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = new HashMap<>(consumer.endOffsets(partitions));
            for (TopicPartition partition : partitions) {
                Long from = slice.from().get(partition.partition());
                if (from != null) {
                    consumer.seek(partition, from);
                }
                ends.computeIfPresent(partition, (p, end) -> slice.to().getOrDefault(p.partition(), end));
            }
            long deadline = System.nanoTime() + READ_BOUND.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to offsets " + ends
                            + " within " + READ_BOUND.toSeconds() + " s");
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.offset() >= ends.get(new TopicPartition(topic, record.partition()))) {
                        continue;
                    }
                    if (record.value() == null) { // a retracted session: its key is a WindowKey
                        WindowKey retracted = WindowKey.parse(record.key());
                        windows.remove(retracted.key() + "@" + retracted.windowStart().toEpochMilli());
                        continue;
                    }
                    JsonNode value = JSON.readTree(record.value());
                    windows.put(value.path(keyField).asText() + "@" + Instant.parse(value.path(startField).asText()).toEpochMilli(),
                            value.path(countField).asLong());
                }
            }
        }
        return windows;
    }
}
