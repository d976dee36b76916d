package dev.streamtemplate.runtime.query;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.UnknownStateStoreException;
import org.jboss.logging.Logger;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.query.FailureReason;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.query.StateQueryResult;
import org.apache.kafka.streams.query.WindowKeyQuery;
import org.apache.kafka.streams.query.WindowRangeQuery;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Reads this instance's copy of one store partition (its active task's, or when {@link PartitionCopy} allows, a
 * standby's) for a {@link QueryableStore}: window and session stores through Kafka Streams' interactive queries v2
 * (KIP-796, {@link KafkaStreams#query}), key-value stores through the store API of v1 ({@link #keyValueStore} says
 * why). Which instance reads, and which partition, is decided by {@link KeyRouter}; this class only reads locally.
 * Its reads block while they read the store (RocksDB): call them on a worker thread, never on an event loop.
 *
 * <p>When the partition is not queryable here (a rebalance, the store restoring, the partition hosted elsewhere) it
 * throws {@link StoreNotQueryableException} (503, with {@code Retry-After} unless Kafka Streams has stopped). It never
 * waits or retries itself.
 */
@ApplicationScoped
public class LocalStateQueries {

    private static final Logger LOG = Logger.getLogger(LocalStateQueries.class);

    /**
     * The latest window start {@link #allWindows} asks for: far beyond any event time, and far enough below
     * {@link Long#MAX_VALUE} that the store's bound arithmetic cannot overflow.
     */
    static final Instant LATEST_WINDOW_START = Instant.ofEpochMilli(Long.MAX_VALUE / 2);

    @Inject
    KafkaStreams streams;

    /**
     * A window of a windowed aggregation and its value.
     *
     * @param start window start (inclusive)
     * @param end   window end
     * @param value the aggregate
     */
    public record WindowValue<V>(Instant start, Instant end, V value) {
    }

    /**
     * The windows of {@code key} whose start lies in {@code [range.from, range.to)}, oldest first (IQv2
     * {@link WindowKeyQuery}).
     *
     * @param store a window store
     * @param key   the key
     * @param range window starts, half-open
     * @param copy  the key's partition and which local copy of it may answer
     * @return the windows, empty for an unknown key
     * @throws StoreNotQueryableException when the key's partition cannot be queried here now
     * @throws IllegalStateException      when the store does not exist or cannot answer this query
     */
    public <K, V> List<WindowValue<V>> windows(QueryableStore.Window<K, V> store, K key, TimeRange range, PartitionCopy copy) {
        // WindowKeyQuery bounds are inclusive; [from, to) ends one millisecond before 'to'.
        return windows(store, key, range.from(), range.to().minusMillis(1), copy);
    }

    /**
     * Every window of {@code key} the store still holds (its retention), oldest first.
     *
     * @param store a window store
     * @param key   the key
     * @param copy  the key's partition and which local copy of it may answer
     * @return the windows, empty for an unknown key
     * @throws StoreNotQueryableException when the key's partition cannot be queried here now
     * @throws IllegalStateException      when the store does not exist or cannot answer this query
     */
    public <K, V> List<WindowValue<V>> allWindows(QueryableStore.Window<K, V> store, K key, PartitionCopy copy) {
        return windows(store, key, Instant.EPOCH, LATEST_WINDOW_START, copy);
    }

    private <K, V> List<WindowValue<V>> windows(QueryableStore.Window<K, V> store, K key, Instant from, Instant to,
                                                PartitionCopy copy) {
        WindowKeyQuery<K, V> query = WindowKeyQuery.withKeyAndWindowStartRange(key, from, to);
        QueryResult<WindowStoreIterator<V>> result = run(store.name(), copy, query);
        List<WindowValue<V>> windows = new ArrayList<>();
        try (WindowStoreIterator<?> iterator = result.getResult()) {
            iterator.forEachRemaining(kv -> {
                Instant start = Instant.ofEpochMilli(kv.key);
                windows.add(new WindowValue<>(start, start.plus(store.windowSize()), plain(kv.value)));
            });
        }
        return windows;
    }

    /**
     * Every session of {@code key} (IQv2 {@link WindowRangeQuery#withKey}), oldest first.
     *
     * @param store a session store
     * @param key   the key
     * @param copy  the key's partition and which local copy of it may answer
     * @return the sessions, empty for an unknown key
     * @throws StoreNotQueryableException when the key's partition cannot be queried here now
     * @throws IllegalStateException      when the store does not exist or cannot answer this query
     */
    public <K, V> List<WindowValue<V>> sessions(QueryableStore.Session<K, V> store, K key, PartitionCopy copy) {
        WindowRangeQuery<K, V> query = WindowRangeQuery.withKey(key);
        QueryResult<KeyValueIterator<Windowed<K>, V>> result = run(store.name(), copy, query);
        List<WindowValue<V>> windows = new ArrayList<>();
        try (KeyValueIterator<Windowed<K>, ?> iterator = result.getResult()) {
            iterator.forEachRemaining(kv -> windows.add(new WindowValue<>(
                    kv.key.window().startTime(), kv.key.window().endTime(), plain(kv.value))));
        }
        return windows;
    }

    /**
     * The value of {@code key}, read through {@link #keyValueStore}.
     *
     * @param store a key-value store
     * @param key   the key
     * @param copy  the key's partition and which local copy of it may answer
     * @return the value, empty for an absent key
     * @throws StoreNotQueryableException when the key's partition cannot be queried here now
     * @throws IllegalStateException      when the store does not exist in this topology
     */
    public <K, V> Optional<V> get(QueryableStore.KeyValue<K, V> store, K key, PartitionCopy copy) {
        ReadOnlyKeyValueStore<K, V> values = keyValueStore(store.name(), copy);
        try {
            return Optional.ofNullable(plain(values.get(key)));
        } catch (InvalidStateStoreException e) {
            throw notQueryable(store.name(), copy, e);
        }
    }

    /**
     * The values whose (string) key starts with {@code prefix}, in key order, from one partition: every key of one
     * prefix must be there, which the store's {@link QueryableStore.KeyPartitioning} must ensure. Read through
     * {@link #keyValueStore} with {@link ReadOnlyKeyValueStore#prefixScan}, the prefix serialized as UTF-8 like the
     * store's string keys.
     *
     * @param store  a key-value store with string keys
     * @param prefix the key prefix, for example {@code o-42/}
     * @param copy   the prefix's partition and which local copy of it may answer
     * @return the values, empty when no key has the prefix
     * @throws StoreNotQueryableException when the partition cannot be queried here now
     * @throws IllegalStateException      when the store does not exist in this topology
     */
    public <V> List<V> withPrefix(QueryableStore.KeyValue<String, V> store, String prefix, PartitionCopy copy) {
        ReadOnlyKeyValueStore<String, V> values = keyValueStore(store.name(), copy);
        List<V> found = new ArrayList<>();
        try (KeyValueIterator<String, V> iterator = values.prefixScan(prefix, new StringSerializer())) {
            iterator.forEachRemaining(entry -> found.add(plain(entry.value)));
        } catch (InvalidStateStoreException e) {
            throw notQueryable(store.name(), copy, e);
        }
        return found;
    }

    /**
     * One partition of a key-value store, from its active task or (when {@code copy} allows it) any local copy, through
     * the store API of interactive queries v1 ({@link KafkaStreams#store}), not IQv2. IQv2's key and range queries on a
     * RocksDB key-value store lock the store's position, then the store, while the stream thread's {@code put} locks
     * them in the other order, so a query during a write can deadlock the stream thread for good (KAFKA-19629, not
     * fixed up to Kafka 4.4.0; {@code ConcurrentQueriesTest} shows it). The v1 read path takes no position lock.
     * Window and session stores keep IQv2: their position is updated outside the segment's lock.
     */
    private <K, V> ReadOnlyKeyValueStore<K, V> keyValueStore(String store, PartitionCopy copy) {
        StoreQueryParameters<ReadOnlyKeyValueStore<K, V>> parameters = StoreQueryParameters
                .fromNameAndType(store, QueryableStoreTypes.<K, V>keyValueStore()).withPartition(copy.partition());
        try {
            return streams.store(copy.replica() == Replica.ACTIVE ? parameters : parameters.enableStaleStores());
        } catch (UnknownStateStoreException e) {
            throw new IllegalStateException("no store '" + store + "' in this topology", e);
        } catch (InvalidStateStoreException | IllegalStateException e) {
            // IllegalStateException: Kafka Streams stopped since the router checked its state
            throw notQueryable(store, copy, e);
        }
    }

    private StoreNotQueryableException notQueryable(String store, PartitionCopy copy, RuntimeException e) {
        return notQueryable("store '" + store + "' partition " + copy.partition() + " is not queryable now: " + e.getMessage());
    }

    /** Not queryable now; retry later unless Kafka Streams has stopped ({@link StoreNotQueryableException#retryAfter(KafkaStreams.State)}). */
    private StoreNotQueryableException notQueryable(String message) {
        return new StoreNotQueryableException(message, StoreNotQueryableException.retryAfter(streams.state()));
    }

    /**
     * The aggregate itself: IQv2 answers from a timestamped store (what the DSL materializes) with
     * {@link ValueAndTimestamp}s.
     */
    @SuppressWarnings("unchecked")
    private static <V> V plain(Object value) {
        return value instanceof ValueAndTimestamp<?> timestamped ? (V) timestamped.value() : (V) value;
    }

    /**
     * Every window of every key whose start lies in {@code [range.from, range.to)}, from the partitions of the
     * store whose active task runs here (IQv2 {@link WindowRangeQuery#withWindowStartRange}): this
     * instance's part of a query that spans keys ({@link FanOutQuery}).
     *
     * @param window a window store
     * @param range  window starts, half-open
     * @return the partitions that answered and their windows; no partitions when none is active here
     * @throws StoreNotQueryableException when Kafka Streams is not running
     * @throws IllegalStateException      when the store does not exist or cannot answer this query
     */
    public <K, V> PartitionsAnswer<KeyWindowValue<K, V>> windowsInRange(QueryableStore.Window<K, V> window,
                                                                        TimeRange range) {
        String store = window.name();
        WindowRangeQuery<K, V> query = WindowRangeQuery.withWindowStartRange(range.from(), range.to().minusMillis(1));
        StateQueryResult<KeyValueIterator<Windowed<K>, V>> results;
        try {
            results = streams.query(StateQueryRequest.inStore(store).withQuery(query).requireActive());
        } catch (UnknownStateStoreException e) {
            throw new IllegalStateException("no store '" + store + "' in this topology", e);
        } catch (StreamsException e) {
            throw notQueryable("store '" + store + "' is not queryable now: " + e.getMessage());
        }
        Map<Integer, List<KeyWindowValue<K, V>>> byPartition = new TreeMap<>();
        // every partition's iterator is closed, also when an earlier partition failed the query
        RuntimeException failure = null;
        for (Map.Entry<Integer, QueryResult<KeyValueIterator<Windowed<K>, V>>> entry
                : results.getPartitionResults().entrySet()) {
            QueryResult<KeyValueIterator<Windowed<K>, V>> result = entry.getValue();
            if (result.isFailure()) {
                if (failure == null && result.getFailureReason() == FailureReason.UNKNOWN_QUERY_TYPE) {
                    failure = new IllegalStateException("store '" + store + "' cannot answer a window range query: "
                            + result.getFailureMessage());
                }
                continue; // not active here, or not queryable now: the caller reports it missing
            }
            try (KeyValueIterator<Windowed<K>, V> iterator = result.getResult()) {
                if (failure == null) {
                    List<KeyWindowValue<K, V>> windows = new ArrayList<>();
                    iterator.forEachRemaining(kv -> windows.add(new KeyWindowValue<>(kv.key.key(),
                            kv.key.window().startTime(), kv.key.window().startTime().plus(window.windowSize()), plain(kv.value))));
                    byPartition.put(entry.getKey(), windows);
                }
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        return new PartitionsAnswer<>(byPartition);
    }

    /**
     * A window of one key and its value, in an answer that spans keys.
     *
     * @param key   the key
     * @param start window start (inclusive)
     * @param end   window end
     * @param value the aggregate
     */
    public record KeyWindowValue<K, V>(K key, Instant start, Instant end, V value) {
    }

    private <R> QueryResult<R> run(String store, PartitionCopy copy, Query<R> query) {
        int partition = copy.partition();
        QueryResult<R> result;
        try {
            StateQueryRequest<R> request = StateQueryRequest.inStore(store).withQuery(query).withPartitions(Set.of(partition));
            result = streams.query(copy.replica() == Replica.ACTIVE ? request.requireActive() : request)
                    .getPartitionResults().get(partition);
        } catch (UnknownStateStoreException e) {
            throw new IllegalStateException("no store '" + store + "' in this topology", e);
        } catch (StreamsException e) {
            throw notQueryable("store '" + store + "' is not queryable now: " + e.getMessage());
        }
        if (result == null) {
            throw notQueryable("partition " + partition + " of store '" + store
                    + "' is not hosted by this instance (Kafka Streams state " + streams.state() + ")");
        }
        if (result.isFailure()) {
            if (result.getFailureReason() == FailureReason.UNKNOWN_QUERY_TYPE) {
                throw new IllegalStateException("store '" + store + "' cannot answer " + query.getClass().getSimpleName()
                        + ": " + result.getFailureMessage());
            }
            if (result.getFailureReason() == FailureReason.STORE_EXCEPTION) {
                LOG.warnf("store '%s' partition %d failed a query: %s", store, partition, result.getFailureMessage());
            }
            throw notQueryable("store '" + store + "' partition " + partition + " is not queryable now ("
                    + result.getFailureReason() + "): " + result.getFailureMessage());
        }
        return result;
    }
}
