package dev.streamtemplate.runtime.errors;

import org.apache.kafka.streams.kstream.ValueMapperWithKey;

/**
 * A {@code mapValues} step right after a source that lets through records with a key and a value
 * and throws {@link IncompleteRecordException} for the others, so they reach the dead-letter topic
 * instead of being dropped (and counted as dropped) by a later aggregation or failing in a key
 * selector.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class KeyAndValueRequired<K, V> implements ValueMapperWithKey<K, V, V> {

    private final String topic;

    /** @param topic the source topic, named in the error */
    public KeyAndValueRequired(String topic) {
        this.topic = topic;
    }

    /**
     * @return {@code value} unchanged
     * @throws IncompleteRecordException when the key or the value is null
     */
    @Override
    public V apply(K key, V value) {
        if (key == null) {
            throw new IncompleteRecordException("record on '" + topic + "' has no key; the topic is keyed");
        }
        if (value == null) {
            throw new IncompleteRecordException("record on '" + topic + "' with key '" + key
                    + "' has no value; tombstones are not events");
        }
        return value;
    }
}
