package dev.streamtemplate.runtime.errors;

import org.apache.kafka.streams.kstream.ValueMapperWithKey;

/**
 * A {@code mapValues} step right after the source of a table topic (compacted, where a null value is
 * a delete) that lets through records with a key and throws {@link IncompleteRecordException} for a
 * record without one, so it reaches the dead-letter topic instead of being dropped by the table (Kafka
 * Streams skips null-key table records, counting them only as dropped).
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class KeyRequired<K, V> implements ValueMapperWithKey<K, V, V> {

    private final String topic;

    /** @param topic the source topic, named in the error */
    public KeyRequired(String topic) {
        this.topic = topic;
    }

    /**
     * @return {@code value} unchanged, null included
     * @throws IncompleteRecordException when the key is null
     */
    @Override
    public V apply(K key, V value) {
        if (key == null) {
            throw new IncompleteRecordException("record on '" + topic + "' has no key; the topic is keyed");
        }
        return value;
    }
}
