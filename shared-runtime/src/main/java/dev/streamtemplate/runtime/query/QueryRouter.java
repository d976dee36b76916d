package dev.streamtemplate.runtime.query;

import dev.streamtemplate.runtime.query.LocalStateQueries.KeyWindowValue;
import dev.streamtemplate.runtime.query.LocalStateQueries.WindowValue;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The queries a resource asks of a {@link QueryableStore}, answered by whichever instance can: any instance of a
 * service answers any key. A query about one key ({@link #windows}, {@link #allWindows}, {@link #sessions},
 * {@link #value}, {@link #withPrefix}) goes where {@link KeyRouter} finds the key's copy; a query that spans keys
 * ({@link #windowsAcrossInstances}) goes to every instance at once through {@link FanOutQuery}. The store read is
 * {@link LocalStateQueries}'; the resource gives only what turns the read into its answer (map, filter, or a 404).
 *
 * <p>Every method answers the current GET request: 200 with the answer as JSON and the headers of
 * {@link QueryHeaders}, a 4xx JSON error the answer function threw (such as 404), or a failure with
 * {@link StoreNotQueryableException}: 503 with {@code Retry-After} while no copy can answer (starting, rebalancing,
 * restoring), 503 without it once Kafka Streams has stopped ({@link StoreNotQueryableException#retryAfter}). Answer
 * functions run on a worker thread; nothing here blocks an event loop. Each query a client sent here (not one another
 * instance forwarded) is timed in {@link QueryLatency}.
 */
@ApplicationScoped
public class QueryRouter {

    @Inject
    KafkaStreams streams;

    @Inject
    LocalStateQueries local;

    @Inject
    KeyRouter keys;

    @Inject
    FanOutQuery fanOut;

    @Inject
    InstanceClient instances;

    @Inject
    QueryLatency latency;

    @Inject
    HttpServerRequest request;

    /**
     * The windows of {@code key} whose start lies in {@code range}, oldest first.
     *
     * @param store  a window store
     * @param key    the key
     * @param range  window starts, half-open {@code [from, to)}
     * @param answer turns the windows (empty for an unknown key) into the answer's body
     * @return the answer (see the class comment)
     */
    public <K, V> CompletionStage<Response> windows(QueryableStore.Window<K, V> store, K key, TimeRange range,
                                                    Function<List<WindowValue<V>>, ?> answer) {
        return byKey(store, key, copy -> answer.apply(local.windows(store, key, range, copy)));
    }

    /**
     * Every window of {@code key} the store still holds (its retention), oldest first.
     *
     * @param store  a window store
     * @param key    the key
     * @param answer turns the windows (empty for an unknown key) into the answer's body
     * @return the answer (see the class comment)
     */
    public <K, V> CompletionStage<Response> allWindows(QueryableStore.Window<K, V> store, K key,
                                                       Function<List<WindowValue<V>>, ?> answer) {
        return byKey(store, key, copy -> answer.apply(local.allWindows(store, key, copy)));
    }

    /**
     * Every session of {@code key}, oldest first: closed ones and the one in progress.
     *
     * @param store  a session store
     * @param key    the key
     * @param answer turns the sessions (empty for an unknown key) into the answer's body
     * @return the answer (see the class comment)
     */
    public <K, V> CompletionStage<Response> sessions(QueryableStore.Session<K, V> store, K key,
                                                     Function<List<WindowValue<V>>, ?> answer) {
        return byKey(store, key, copy -> answer.apply(local.sessions(store, key, copy)));
    }

    /**
     * The value of {@code key}, as the answer's body.
     *
     * @param store      a key-value store
     * @param key        the key
     * @param whenAbsent the error for an absent key, typically a {@code NotFoundException} (404)
     * @return the answer (see the class comment)
     */
    public <K, V> CompletionStage<Response> value(QueryableStore.KeyValue<K, V> store, K key,
                                                  Supplier<? extends RuntimeException> whenAbsent) {
        return byKey(store, key, copy -> local.get(store, key, copy).orElseThrow(whenAbsent));
    }

    /**
     * The values whose key starts with {@code prefix}, in key order, from the prefix's partition (the store's
     * partitioning must put every key of a prefix on one partition).
     *
     * @param store  a key-value store with string keys
     * @param prefix the key prefix, for example {@code u-0001/}
     * @param answer turns the values (empty when no key has the prefix) into the answer's body
     * @return the answer (see the class comment)
     */
    public <V> CompletionStage<Response> withPrefix(QueryableStore.KeyValue<String, V> store, String prefix,
                                                    Function<List<V>, ?> answer) {
        return byKey(store, prefix, copy -> answer.apply(local.<V>withPrefix(store, prefix, copy)));
    }

    /**
     * Every window of every key whose start lies in {@code range}, from every instance, merged: an
     * {@link AcrossInstancesAnswer}, partial (header {@value QueryHeaders#PARTIAL}) when some partitions did not
     * answer. A request with {@value QueryHeaders#SCOPE}{@code : local} gets this instance's part only.
     *
     * @param store      a window store
     * @param range      window starts, half-open {@code [from, to)}
     * @param partitions how many partitions the store has (those of its input topic)
     * @param entryType  the type of one entry, to read other instances' parts
     * @param entry      turns one window of one key into an entry
     * @param merge      combines the entries of all partitions into the answer's results (sort, top N)
     * @return the answer, within connect + read timeout
     */
    public <K, V, T, R> CompletionStage<Response> windowsAcrossInstances(QueryableStore.Window<K, V> store,
                                                                         TimeRange range, int partitions,
                                                                         Class<T> entryType,
                                                                         Function<KeyWindowValue<K, V>, T> entry,
                                                                         Function<List<T>, List<R>> merge) {
        Supplier<PartitionsAnswer<T>> part = () -> local.windowsInRange(store, range).map(entry);
        if ("local".equals(request.getHeader(QueryHeaders.SCOPE))) {
            requireRunning(store);
            return fanOut.localPart(part).toCompletionStage();
        }
        return latency.time("all-instances", instances.selfEndpoint(), () -> {
            requireRunning(store);
            return fanOut.ask(store.name(), partitions, entryType, part, merge).toCompletionStage();
        });
    }

    private <K> CompletionStage<Response> byKey(QueryableStore<K, ?> store, K key,
                                                Function<PartitionCopy, ?> read) {
        Supplier<CompletionStage<Response>> query = () -> {
            requireRunning(store);
            Future<Response> answer = keys.route(store, key, read);
            return answer.toCompletionStage();
        };
        if (request.getHeader(QueryHeaders.FORWARDED_BY) != null) {
            return query.get(); // the instance the client asked times the whole query
        }
        return latency.time(null, instances.selfEndpoint(), query);
    }

    /**
     * Throws when Kafka Streams cannot answer queries in its current state: 503 without {@code Retry-After} once it
     * has stopped, with it while starting.
     */
    private void requireRunning(QueryableStore<?, ?> store) {
        KafkaStreams.State state = streams.state();
        if (StoreNotQueryableException.retryAfter(state) == null) {
            throw new StoreNotQueryableException("Kafka Streams is " + state + "; this instance no longer answers queries", null);
        }
        if (!state.isRunningOrRebalancing()) {
            throw new StoreNotQueryableException("Kafka Streams is " + state + "; store '" + store.name()
                    + "' is not queryable yet", StoreNotQueryableException.RETRY_AFTER);
        }
    }
}
