package dev.streamtemplate.runtime.query;

import java.time.Duration;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * A state store that HTTP queries read, declared once next to the topology that materializes it: its name, its
 * kind (key-value, window, session), how a key finds its partition, and for a window store the window size. A query
 * resource hands a handle to {@link QueryRouter}; nothing else names the store again.
 *
 * <p>A key's partition is the one Kafka Streams would write it to: the key serialized by {@code keySerializer} and
 * hashed as the default partitioner does, or {@code partitioner} when the store's input topic is partitioned by
 * something else (for example a prefix of the key). {@code V} is the type of the store's values (for a DSL store, the
 * aggregate without its timestamp).
 *
 * @param <K> the store's key type
 * @param <V> the store's value type
 */
public sealed interface QueryableStore<K, V> {

    /** The store name, as in {@code Materialized.as} or {@code Stores.*}. */
    String name();

    /** How a key finds its partition. */
    KeyPartitioning<K> partitioning();

    /**
     * A key-value store.
     *
     * @param name         store name
     * @param partitioning how a key (or a prefix of keys) finds its partition
     */
    record KeyValue<K, V>(String name, KeyPartitioning<K> partitioning) implements QueryableStore<K, V> {
        public KeyValue {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(partitioning, "partitioning");
        }
    }

    /**
     * A window store (tumbling, hopping or sliding windows).
     *
     * @param name         store name
     * @param partitioning how a key finds its partition
     * @param windowSize   the window size, to report each window's end ({@code start + windowSize})
     */
    record Window<K, V>(String name, KeyPartitioning<K> partitioning, Duration windowSize) implements QueryableStore<K, V> {
        public Window {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(partitioning, "partitioning");
            if (windowSize == null || windowSize.isNegative() || windowSize.isZero()) {
                throw new IllegalArgumentException("window size of store '" + name + "' must be positive, was " + windowSize);
            }
        }
    }

    /**
     * A session store: each window's start and end are those of its session.
     *
     * @param name         store name
     * @param partitioning how a key finds its partition
     */
    record Session<K, V>(String name, KeyPartitioning<K> partitioning) implements QueryableStore<K, V> {
        public Session {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(partitioning, "partitioning");
        }
    }

    /** A key-value store whose keys are partitioned as {@code keySerializer} serializes them. */
    static <K, V> KeyValue<K, V> keyValue(String name, Serializer<K> keySerializer) {
        return new KeyValue<>(name, KeyPartitioning.bySerializedKey(keySerializer));
    }

    /** A key-value store whose keys are partitioned by {@code partitioner} (prefix queries need every key of a prefix on one partition). */
    static <K, V> KeyValue<K, V> keyValue(String name, StreamPartitioner<? super K, ?> partitioner) {
        return new KeyValue<>(name, KeyPartitioning.byPartitioner(partitioner));
    }

    /** A window store of windows {@code windowSize} long, keys partitioned as {@code keySerializer} serializes them. */
    static <K, V> Window<K, V> window(String name, Serializer<K> keySerializer, Duration windowSize) {
        return new Window<>(name, KeyPartitioning.bySerializedKey(keySerializer), windowSize);
    }

    /** A session store, keys partitioned as {@code keySerializer} serializes them. */
    static <K, V> Session<K, V> session(String name, Serializer<K> keySerializer) {
        return new Session<>(name, KeyPartitioning.bySerializedKey(keySerializer));
    }

    /**
     * How a key finds its store partition: exactly one of a key serializer (the default partitioner's hash of the
     * serialized key) or a {@link StreamPartitioner}.
     *
     * @param keySerializer serializer of the key, or null
     * @param partitioner   partitioner of the store's input topic, or null
     */
    record KeyPartitioning<K>(Serializer<K> keySerializer, StreamPartitioner<? super K, ?> partitioner) {

        public KeyPartitioning {
            if ((keySerializer == null) == (partitioner == null)) {
                throw new IllegalArgumentException("give a key serializer or a partitioner, not both or neither");
            }
        }

        static <K> KeyPartitioning<K> bySerializedKey(Serializer<K> keySerializer) {
            return new KeyPartitioning<>(Objects.requireNonNull(keySerializer, "keySerializer"), null);
        }

        static <K> KeyPartitioning<K> byPartitioner(StreamPartitioner<? super K, ?> partitioner) {
            return new KeyPartitioning<>(null, Objects.requireNonNull(partitioner, "partitioner"));
        }

        /**
         * Kafka Streams' metadata for {@code key} in {@code store} (KIP-535): its partition, active and standby hosts.
         *
         * @return the metadata; {@link KeyQueryMetadata#NOT_AVAILABLE} during a rebalance, null for an unknown store
         * @throws IllegalStateException when Kafka Streams is not running
         */
        KeyQueryMetadata locate(KafkaStreams streams, String store, K key) {
            return keySerializer != null ? streams.queryMetadataForKey(store, key, keySerializer)
                    : streams.queryMetadataForKey(store, key, partitioner);
        }
    }
}
