package dev.streamtemplate.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a whole topic as a downstream consumer of a transactional pipeline sees it: with
 * {@code isolation.level=read_committed}, from the beginning of every partition to its <em>last stable offset at the
 * time of the call</em>. Records of aborted transactions are never returned; records of transactions still open at
 * the time of the call, and anything written after it, are not waited for. {@link #strings(String)} reads text.
 *
 * <p>Each read uses its own short-lived consumer with manual assignment (no consumer group, no committed offsets), so
 * reads affect neither each other nor the application under test. The deserializers are the caller's; they are
 * neither configured nor closed here. A just-committed transaction's records stay invisible until the broker has
 * written its commit markers, a few milliseconds later: {@link TestProducer} waits for that; for an application's
 * output, wait for the expected content, e.g. {@code await().until(() -> reader.readAll(topic).size() == expected)}.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class TopicReader<K, V> {

    /** How long a read may take unless the call says otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private static final Duration POLL_INTERVAL = Duration.ofMillis(200);
    /** Positions are set by seek, so looking one up does not go to the broker. */
    private static final Duration POSITION_TIMEOUT = Duration.ofSeconds(5);
    private static final AtomicLong CLIENT_IDS = new AtomicLong();

    private final String bootstrapServers;
    private final Deserializer<K> keyDeserializer;
    private final Deserializer<V> valueDeserializer;

    /**
     * A reader for one cluster and one key/value format.
     *
     * @param bootstrapServers  the cluster's {@code bootstrap.servers}
     * @param keyDeserializer   turns key bytes into keys (null bytes are passed to it as null)
     * @param valueDeserializer turns value bytes into values
     */
    public TopicReader(String bootstrapServers, Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer) {
        this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        this.keyDeserializer = Objects.requireNonNull(keyDeserializer, "keyDeserializer");
        this.valueDeserializer = Objects.requireNonNull(valueDeserializer, "valueDeserializer");
    }

    /**
     * A reader of UTF-8 string keys and values (JSON, for example).
     *
     * @param bootstrapServers the cluster's {@code bootstrap.servers}
     * @return the reader
     */
    public static TopicReader<String, String> strings(String bootstrapServers) {
        return new TopicReader<>(bootstrapServers, new StringDeserializer(), new StringDeserializer());
    }

    /**
     * Reads the committed records of every partition of {@code topic}, up to the last stable offsets at the time of
     * the call, within {@link #DEFAULT_TIMEOUT}.
     *
     * @param topic the topic
     * @return the records ordered by partition, then offset; empty for an empty topic
     * @throws IllegalArgumentException if the topic does not exist
     * @throws TimeoutException         if the end is not reached within the timeout; the message says how far each
     *                                  partition got
     * @throws org.apache.kafka.common.errors.RecordDeserializationException if a deserializer fails
     */
    public List<TopicRecord<K, V>> readAll(String topic) {
        return readAll(topic, DEFAULT_TIMEOUT);
    }

    /**
     * Reads the committed records of every partition of {@code topic}, up to the last stable offsets at the time of
     * the call.
     *
     * @param topic   the topic
     * @param timeout the longest the whole read may take, connecting included
     * @return the records ordered by partition, then offset; empty for an empty topic
     * @throws IllegalArgumentException if the topic does not exist
     * @throws TimeoutException         if the end is not reached within the timeout; the message says how far each
     *                                  partition got
     * @throws org.apache.kafka.common.errors.RecordDeserializationException if a deserializer fails
     */
    public List<TopicRecord<K, V>> readAll(String topic, Duration timeout) {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(timeout, "timeout");
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<K, V> consumer = new KafkaConsumer<>(consumerConfig(topic),
                new NonClosingDeserializer<>(keyDeserializer), new NonClosingDeserializer<>(valueDeserializer))) {

            List<PartitionInfo> partitionInfos = withinDeadline(topic, timeout, "fetching its partitions",
                    () -> consumer.partitionsFor(topic, remaining(deadline)));
            if (partitionInfos == null || partitionInfos.isEmpty()) {
                throw new IllegalArgumentException("Topic " + topic + " does not exist");
            }
            List<TopicPartition> partitions = partitionInfos.stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .sorted(Comparator.comparingInt(TopicPartition::partition))
                    .toList();
            // assigned before asking for offsets: a read_committed consumer records the last stable offsets it is
            // told of, and warns about partitions it does not own
            consumer.assign(partitions);
            // read_committed: the end offsets are the last stable offsets (LSO)
            Map<TopicPartition, Long> ends = withinDeadline(topic, timeout, "fetching its last stable offsets",
                    () -> consumer.endOffsets(partitions, remaining(deadline)));
            Map<TopicPartition, Long> starts = withinDeadline(topic, timeout, "fetching its beginning offsets",
                    () -> consumer.beginningOffsets(partitions, remaining(deadline)));

            Map<TopicPartition, Long> pending = new TreeMap<>(Comparator.comparingInt(TopicPartition::partition));
            for (TopicPartition partition : partitions) {
                if (ends.get(partition) > starts.get(partition)) {
                    pending.put(partition, ends.get(partition));
                }
            }
            Map<Integer, List<TopicRecord<K, V>>> byPartition = new TreeMap<>();
            consumer.assign(pending.keySet());
            pending.keySet().forEach(partition -> consumer.seek(partition, starts.get(partition)));

            while (!pending.isEmpty()) {
                if (System.nanoTime() - deadline >= 0) {
                    throw new TimeoutException("Reading topic " + topic + " (read_committed) did not reach its end "
                            + "within " + timeout + "; behind: " + progress(consumer, pending));
                }
                ConsumerRecords<K, V> polled = consumer.poll(min(POLL_INTERVAL, remaining(deadline)));
                for (ConsumerRecord<K, V> record : polled) {
                    Long end = pending.get(new TopicPartition(record.topic(), record.partition()));
                    if (end != null && record.offset() < end) {
                        byPartition.computeIfAbsent(record.partition(), p -> new ArrayList<>())
                                .add(TopicRecord.of(record));
                    }
                }
                boolean finishedSome = pending.entrySet().removeIf(
                        e -> consumer.position(e.getKey(), POSITION_TIMEOUT) >= e.getValue());
                if (finishedSome) {
                    consumer.assign(pending.keySet());
                }
            }
            return byPartition.values().stream().flatMap(List::stream).toList();
        }
    }

    /**
     * Reads the topic as {@link #readAll(String)} does and keeps the latest value of each key, as a table (or a
     * compacted topic) would: a later record replaces an earlier one of the same key, and a tombstone (null value)
     * removes the key. Within {@link #DEFAULT_TIMEOUT}; throws as {@link #readAll(String)}.
     *
     * @param topic the topic
     * @return the latest value per key, in the order the keys were last written (per partition)
     */
    public Map<K, V> readLatestByKey(String topic) {
        return readLatestByKey(topic, DEFAULT_TIMEOUT);
    }

    /**
     * Reads the topic as {@link #readAll(String, Duration)} does and keeps the latest value of each key (see
     * {@link #readLatestByKey(String)}). Throws as {@link #readAll(String, Duration)}.
     *
     * @param topic   the topic
     * @param timeout the longest the read may take
     * @return the latest value per key
     */
    public Map<K, V> readLatestByKey(String topic, Duration timeout) {
        Map<K, V> latest = new LinkedHashMap<>();
        for (TopicRecord<K, V> record : readAll(topic, timeout)) {
            latest.remove(record.key());
            if (record.value() != null) {
                latest.put(record.key(), record.value());
            }
        }
        return latest;
    }

    private Properties consumerConfig(String topic) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.putAll(SecureKafkaCluster.adminSecurityFor(bootstrapServers));
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "topic-reader-" + topic + "-" + CLIENT_IDS.incrementAndGet());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        return config;
    }

    private static String progress(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> pending) {
        return pending.entrySet().stream()
                .map(e -> "partition " + e.getKey().partition() + " at offset " + position(consumer, e.getKey())
                        + " of end " + e.getValue())
                .collect(Collectors.joining(", "));
    }

    private static String position(KafkaConsumer<?, ?> consumer, TopicPartition partition) {
        try {
            return Long.toString(consumer.position(partition, POSITION_TIMEOUT));
        } catch (RuntimeException e) {
            return "unknown (" + e + ")";
        }
    }

    private static <T> T withinDeadline(String topic, Duration timeout, String step,
                                        java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (TimeoutException e) {
            throw new TimeoutException("Reading topic " + topic + " (read_committed) did not complete within "
                    + timeout + ": timed out " + step, e);
        }
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
