package dev.streamtemplate.testing;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * One record as read from a topic by {@link TopicReader}.
 *
 * @param topic     the topic
 * @param partition the partition
 * @param offset    its offset in the partition
 * @param timestamp the record's timestamp, milliseconds since the epoch (create time or log-append time, as the
 *                  topic is configured)
 * @param key       the deserialized key, null for a null key
 * @param value     the deserialized value, null for a tombstone
 * @param headers   the record's headers, read-only, in the order they were written
 * @param <K>       key type
 * @param <V>       value type
 */
public record TopicRecord<K, V>(String topic, int partition, long offset, long timestamp, K key, V value,
                                Headers headers) {

    /**
     * A record read from a topic.
     *
     * @param topic     the topic, not null
     * @param partition the partition
     * @param offset    its offset in the partition
     * @param timestamp its timestamp, milliseconds since the epoch
     * @param key       the key, may be null
     * @param value     the value, null for a tombstone
     * @param headers   the headers, not null
     * @throws NullPointerException if {@code topic} or {@code headers} is null
     */
    public TopicRecord {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(headers, "headers");
    }

    /**
     * Copies a consumer record, headers included (the copy is read-only).
     *
     * @param record the consumer record
     * @param <K>    key type
     * @param <V>    value type
     * @return the copy
     */
    public static <K, V> TopicRecord<K, V> of(ConsumerRecord<K, V> record) {
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        headers.setReadOnly();
        return new TopicRecord<>(record.topic(), record.partition(), record.offset(), record.timestamp(),
                record.key(), record.value(), headers);
    }

    /**
     * The last header with this key, decoded as UTF-8.
     *
     * @param key the header key
     * @return its value; empty if there is no such header or its value is null
     */
    public Optional<String> header(String key) {
        Header header = headers.lastHeader(key);
        return header == null || header.value() == null
                ? Optional.empty()
                : Optional.of(new String(header.value(), StandardCharsets.UTF_8));
    }
}
