package dev.streamtemplate.enrichment;

import dev.streamtemplate.runtime.query.LocalStateQueries;
import dev.streamtemplate.runtime.query.StoreNotQueryableException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.UnknownStateStoreException;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.query.FailureReason;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.RangeQuery;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.jboss.logging.Logger;

/**
 * Key and key-prefix queries against this instance's key-value stores (string keys) with Kafka
 * Streams' interactive queries v2 (KIP-796), on the one partition that holds the key. The rules are
 * those of {@link LocalStateQueries} for window stores: {@link StoreNotQueryableException} (503 with
 * {@code Retry-After}) while Kafka Streams starts or rebalances, the store restores or another
 * instance hosts the partition; without {@code Retry-After} once Kafka Streams has stopped. It never
 * waits or retries itself.
 *
 * <p>Values come back plain: a store materialized by the DSL is timestamped, and a
 * {@link ValueAndTimestamp} is unwrapped.
 *
 * <p>Candidate for shared-runtime's {@link LocalStateQueries}, which has window queries only.
 */
@ApplicationScoped
public class KeyValueStoreQueries {

    private static final Logger LOG = Logger.getLogger(KeyValueStoreQueries.class);
    private static final StringSerializer KEY = new StringSerializer();

    @Inject
    KafkaStreams streams;

    /**
     * The value of {@code key} in a key-value store partitioned by Kafka's default partitioner.
     *
     * @param store key-value store name
     * @param key   the key
     * @return the value, empty for an absent key
     * @throws StoreNotQueryableException when the key's partition cannot be queried here now
     * @throws IllegalStateException      when the store does not exist or cannot answer a key query
     */
    public <V> Optional<V> get(String store, String key) {
        int partition = partitionOf(store, metadata -> metadata.queryMetadataForKey(store, key, KEY));
        QueryResult<V> result = run(store, partition, KeyQuery.<String, V>withKey(key));
        return Optional.ofNullable(plain(result.getResult()));
    }

    /**
     * The entries whose key starts with {@code prefix}, in key order, from the partition that
     * {@code partitioner} assigns to {@code prefix}: the store's keys of one prefix must all be there.
     *
     * @param store       key-value store name
     * @param prefix      the key prefix, for example {@code o-42/}
     * @param partitioner the partitioner of the store's input topic
     * @return the values, empty when no key has the prefix
     * @throws StoreNotQueryableException when the partition cannot be queried here now
     * @throws IllegalStateException      when the store does not exist or cannot answer a range query
     */
    public <V> List<V> withPrefix(String store, String prefix, StreamPartitioner<String, ?> partitioner) {
        int partition = partitionOf(store, metadata -> metadata.queryMetadataForKey(store, prefix, partitioner));
        // Range bounds are inclusive and compare serialized (UTF-8) keys: every key with the prefix
        // lies in [prefix, prefix + U+FFFF] unless it continues with a character above U+FFFF
        // (ids here are ASCII); the range may hold keys without the prefix only in theory, so check.
        QueryResult<KeyValueIterator<String, V>> result = run(store, partition,
                RangeQuery.<String, V>withRange(prefix, prefix + Character.MAX_VALUE));
        List<V> values = new ArrayList<>();
        try (KeyValueIterator<String, V> iterator = result.getResult()) {
            while (iterator.hasNext()) {
                KeyValue<String, V> entry = iterator.next();
                if (entry.key.startsWith(prefix)) {
                    values.add(plain(entry.value));
                }
            }
        }
        return values;
    }

    @SuppressWarnings("unchecked")
    private static <V> V plain(Object value) {
        return value instanceof ValueAndTimestamp<?> timestamped ? (V) timestamped.value() : (V) value;
    }

    private <R> QueryResult<R> run(String store, int partition, Query<R> query) {
        QueryResult<R> result;
        try {
            result = streams.query(StateQueryRequest.inStore(store).withQuery(query)
                    .withPartitions(Set.of(partition)).requireActive())
                    .getPartitionResults().get(partition);
        } catch (UnknownStateStoreException e) {
            throw new IllegalStateException("no store '" + store + "' in this topology", e);
        } catch (StreamsException e) {
            throw new StoreNotQueryableException("store '" + store + "' is not queryable now: " + e.getMessage(),
                    LocalStateQueries.RETRY_AFTER);
        }
        if (result == null) {
            throw new StoreNotQueryableException("partition " + partition + " of store '" + store
                    + "' is not hosted by this instance (Kafka Streams state " + streams.state() + ")",
                    LocalStateQueries.RETRY_AFTER);
        }
        if (result.isFailure()) {
            if (result.getFailureReason() == FailureReason.UNKNOWN_QUERY_TYPE) {
                throw new IllegalStateException("store '" + store + "' cannot answer " + query.getClass().getSimpleName()
                        + ": " + result.getFailureMessage());
            }
            if (result.getFailureReason() == FailureReason.STORE_EXCEPTION) {
                LOG.warnf("store '%s' partition %d failed a query: %s", store, partition, result.getFailureMessage());
            }
            throw new StoreNotQueryableException("store '" + store + "' partition " + partition + " is not queryable now ("
                    + result.getFailureReason() + "): " + result.getFailureMessage(), LocalStateQueries.RETRY_AFTER);
        }
        return result;
    }

    private int partitionOf(String store, java.util.function.Function<KafkaStreams, KeyQueryMetadata> lookup) {
        KafkaStreams.State state = streams.state();
        if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR
                || state == KafkaStreams.State.NOT_RUNNING || state == KafkaStreams.State.PENDING_SHUTDOWN) {
            // no retry will help: the instance has stopped and its liveness check says so
            throw new StoreNotQueryableException("Kafka Streams is " + state + "; this instance no longer answers queries", null);
        }
        if (!state.isRunningOrRebalancing()) {
            throw new StoreNotQueryableException("Kafka Streams is " + state + "; store '" + store + "' is not queryable yet",
                    LocalStateQueries.RETRY_AFTER);
        }
        KeyQueryMetadata metadata;
        try {
            metadata = lookup.apply(streams);
        } catch (StreamsException | IllegalStateException e) {
            throw new StoreNotQueryableException("no metadata for store '" + store + "' yet: " + e.getMessage(),
                    LocalStateQueries.RETRY_AFTER);
        }
        if (metadata == null) {
            throw new IllegalStateException("no store '" + store + "' in this topology");
        }
        if (metadata.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            throw new StoreNotQueryableException("store '" + store + "' is not available (rebalance in progress)",
                    LocalStateQueries.RETRY_AFTER);
        }
        return metadata.partition();
    }
}
