package dev.streamtemplate.runtime.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.LagInfo;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.state.HostInfo;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Answers an HTTP query from whichever instance can: any instance of a service answers any key.
 *
 * <p>Key queries ({@link #byKey}): Kafka Streams' metadata ({@link KafkaStreams#queryMetadataForKey},
 * looked up once per query) names the key's partition, the instance running its active task and
 * those running its standbys (KIP-535). The query is answered
 * <ol>
 *   <li>here, when this instance runs the active task and its store is queryable;</li>
 *   <li>otherwise by the active instance: the same GET is forwarded to it over HTTP (connect and
 *       read timeouts from {@link QueryRoutingSettings}), at most one hop: a forwarded request
 *       carries {@value #FORWARDED_BY} and is never forwarded again;</li>
 *   <li>when the active instance does not answer (down, timed out, 5xx, restoring), by a copy whose
 *       offset lag is within {@code query.standby-max-lag} (lags refreshed at most every 500 ms):
 *       this instance's own, if it runs a standby or the not yet running active task, else the
 *       request is forwarded to a standby with {@value #REPLICA}{@code : standby}; such an answer is
 *       labelled {@code standby};</li>
 *   <li>otherwise 503 with {@code Retry-After}.</li>
 * </ol>
 * Every answer says who served it: {@value #SERVED_BY} (host:port), {@value #REPLICA}
 * ({@code active} or {@code standby}) and {@value #OFFSET_LAG} (changelog records the serving store
 * is behind; 0 for the active), on 4xx answers too (a 404 from a lagging standby is marked as such);
 * a forwarded 4xx passes through unchanged.
 *
 * <p>Queries that span keys ({@link #acrossInstances}) go to every instance hosting the store at
 * once, each answering for the partitions whose active task it runs (request header {@value #SCOPE}{@code :
 * local}); the parts are merged, one answer per partition, and an answer missing partitions is
 * marked partial ({@link AcrossInstancesAnswer}, header {@value #PARTIAL}). The slowest instance
 * bounds the answer's time: at most connect + read timeout.
 *
 * <p>Threads: nothing here blocks an event loop. The routing decision (Kafka Streams' in-memory
 * metadata) runs on the calling thread, a resource method returning the {@link CompletionStage}
 * runs on the event loop (Quarkus REST's default for that return type); the local query (a store
 * read) and the JSON serialization of its answer run on a worker thread; a forward is sent with
 * Vert.x' non-blocking HTTP client ({@link InstanceClient}), so no thread waits for another
 * instance. Called from a worker thread (a {@code @Blocking} resource), the local query runs on
 * that thread.
 *
 * <p>Only GET requests are routed: a query has no side effects, so forwarding it twice is harmless.
 * Each query a client sent here is timed in {@link QueryLatency}.
 */
@ApplicationScoped
public class QueryRouter {

    /** Request header: the instance (host:port) that forwarded this request; its presence stops any further hop. */
    public static final String FORWARDED_BY = "X-Query-Forwarded-By";
    /** Response header: the instance (host:port) whose store answered. */
    public static final String SERVED_BY = "X-Query-Served-By";
    /** Response header: {@code active} or {@code standby}; as a request header, {@code standby} asks for a standby's answer. */
    public static final String REPLICA = "X-Query-Replica";
    /** Response header: how many changelog records the serving store is behind (0 for the active task). */
    public static final String OFFSET_LAG = "X-Query-Offset-Lag";
    /** Request header: {@code local} asks for this instance's part of a query that spans keys. */
    public static final String SCOPE = "X-Query-Scope";
    /** Response header: {@code true} when an answer that spans keys lacks some partitions. */
    public static final String PARTIAL = "X-Query-Partial";

    /** How long the local store lags fetched from the broker are reused. */
    static final Duration LAG_REFRESH_INTERVAL = Duration.ofMillis(500);

    private static final Logger LOG = Logger.getLogger(QueryRouter.class);
    private static final List<String> PASSED_HEADERS = List.of(SERVED_BY, REPLICA, OFFSET_LAG, PARTIAL, "Retry-After");

    @Inject
    KafkaStreams streams;

    @Inject
    LocalStateQueries queries;

    @Inject
    QueryRoutingSettings settings;

    @Inject
    HttpServerRequest request;

    @Inject
    ObjectMapper json;

    @Inject
    InstanceClient instances;

    @Inject
    Vertx vertx;

    @Inject
    QueryLatency latency;

    @ConfigProperty(name = "quarkus.kafka-streams.application-server")
    String applicationServer;

    private HostInfo self;
    private String selfEndpoint;
    private volatile StoreLags storeLags;
    private final ReentrantLock lagRefresh = new ReentrantLock();

    @PostConstruct
    void init() {
        self = HostInfo.buildFromEndpoint(applicationServer);
        selfEndpoint = endpoint(self);
    }

    /** This instance's {@code application.server}. */
    public HostInfo self() {
        return self;
    }

    /**
     * Answers a query about one key from the instance that holds it (see the class comment).
     *
     * @param store         the store the query reads
     * @param key           the key
     * @param keySerializer serializer of the key, to find its partition
     * @param local         runs the query on this instance's copy of the key's partition, which it is
     *                      given (on a worker thread: it may block); it may throw
     *                      {@link StoreNotQueryableException} or a JAX-RS error such as 404; its
     *                      result is the answer's JSON body
     * @return completes with 200 and the answer with the serving headers, a forwarded 2xx/4xx answer,
     *         or fails with {@link StoreNotQueryableException} (503) when no instance can answer now
     * @throws StoreNotQueryableException (503) when Kafka Streams here is not running or has no metadata yet
     */
    public <K> CompletionStage<Response> byKey(String store, K key, Serializer<K> keySerializer,
                                               Function<LocalCopy, ?> local) {
        return route(store, s -> s.queryMetadataForKey(store, key, keySerializer), local);
    }

    /**
     * As {@link #byKey(String, Object, Serializer, Function)}, for a store whose input topic is
     * partitioned by {@code partitioner} rather than by the serialized key.
     *
     * @param store       the store the query reads
     * @param key         the key (or the prefix all keys of the query share)
     * @param partitioner the partitioner of the store's input topic
     * @param local       runs the query on this instance's copy of the key's partition (on a worker thread)
     * @return as {@link #byKey(String, Object, Serializer, Function)}
     * @throws StoreNotQueryableException (503) when Kafka Streams here is not running or has no metadata yet
     */
    public <K> CompletionStage<Response> byKey(String store, K key, StreamPartitioner<? super K, ?> partitioner,
                                               Function<LocalCopy, ?> local) {
        return route(store, s -> s.queryMetadataForKey(store, key, partitioner), local);
    }

    private CompletionStage<Response> route(String store, Function<KafkaStreams, KeyQueryMetadata> lookup,
                                            Function<LocalCopy, ?> local) {
        if (request.getHeader(FORWARDED_BY) != null) {
            return routeOnce(store, lookup, local);
        }
        return latency.time(null, selfEndpoint, () -> routeOnce(store, lookup, local));
    }

    private CompletionStage<Response> routeOnce(String store, Function<KafkaStreams, KeyQueryMetadata> lookup,
                                                Function<LocalCopy, ?> local) {
        queries.requireRunning(store);
        KeyQueryMetadata metadata = metadataFor(store, lookup);
        int partition = metadata.partition();
        // what is needed of the request is read here, on its own thread
        String uri = request.uri();
        String forwardedBy = request.getHeader(FORWARDED_BY);
        boolean forwarded = forwardedBy != null;
        if ("standby".equals(request.getHeader(REPLICA))) {
            return onWorker(() -> fromLocalStandby(store, partition, local).orElseThrow(() -> new StoreNotQueryableException(
                    "no standby of store '" + store + "' partition " + partition + " within "
                            + settings.standbyMaxLag() + " offsets here", LocalStateQueries.RETRY_AFTER)))
                    .toCompletionStage();
        }
        HostInfo active = metadata.activeHost();
        AtomicReference<StoreNotQueryableException> activeFailure = new AtomicReference<>();
        Future<Optional<Response>> answer;
        if (self.equals(active)) {
            answer = onWorker(() -> {
                try {
                    return Optional.of(answerLocally(local, new LocalCopy(partition, Replica.ACTIVE), Replica.ACTIVE, 0));
                } catch (StoreNotQueryableException e) {
                    // restoring, or just promoted while the failed instance's transaction is aborted: this
                    // instance's copy may still answer as a standby would
                    activeFailure.set(e);
                    return fromLocalStandby(store, partition, local);
                }
            });
        } else if (forwarded) {
            throw new StoreNotQueryableException("forwarded by " + forwardedBy + ", but partition " + partition
                    + " of store '" + store + "' is active on " + endpoint(active)
                    + " (a rebalance moved it); one hop only", LocalStateQueries.RETRY_AFTER);
        } else {
            answer = active.port() > 0 ? forward(active, uri, false) : Future.succeededFuture(Optional.empty());
            if (metadata.standbyHosts().contains(self)) {
                answer = orElse(answer, () -> onWorker(() -> fromLocalStandby(store, partition, local)));
            }
        }
        if (!forwarded) {
            for (HostInfo standby : metadata.standbyHosts()) {
                if (!standby.equals(self)) {
                    answer = orElse(answer, () -> forward(standby, uri, true));
                }
            }
        }
        return answer.map(found -> found.orElseThrow(() -> new StoreNotQueryableException("partition " + partition
                + " of store '" + store + "' has no instance that can answer now (active " + endpoint(active)
                + (activeFailure.get() == null ? "" : ": " + activeFailure.get().getMessage()) + "; standbys "
                + metadata.standbyHosts().stream().map(QueryRouter::endpoint).toList() + ")",
                LocalStateQueries.RETRY_AFTER))).toCompletionStage();
    }

    /**
     * Answers a query that spans keys by merging the parts of every instance hosting the store (see
     * the class comment), asked all at once. A forwarded request with {@value #SCOPE}{@code : local}
     * gets this instance's part only.
     *
     * @param store      the store the query reads
     * @param partitions how many partitions the store has (those of its input topic)
     * @param entryType  the type of one entry, to read other instances' parts
     * @param local      this instance's part: the partitions whose active task runs here (called on a
     *                   worker thread: it may block)
     * @param merge      combines the entries of all partitions into the answer's results (sort, top
     *                   N); called on a worker thread
     * @return completes with 200 and an {@link AcrossInstancesAnswer}, or this instance's
     *         {@link PartitionsAnswer}, within connect + read timeout
     * @throws StoreNotQueryableException (503) when Kafka Streams is not running or has no metadata yet
     */
    public <T, R> CompletionStage<Response> acrossInstances(String store, int partitions, Class<T> entryType,
                                                            Supplier<PartitionsAnswer<T>> local,
                                                            Function<List<T>, List<R>> merge) {
        if ("local".equals(request.getHeader(SCOPE))) {
            queries.requireRunning(store);
            return onWorker(() -> Response.ok(toJson(local.get()), MediaType.APPLICATION_JSON_TYPE)
                    .header(SERVED_BY, selfEndpoint).build()).toCompletionStage();
        }
        return latency.time("all-instances", selfEndpoint, () -> fanOut(store, partitions, entryType, local, merge));
    }

    private <T, R> CompletionStage<Response> fanOut(String store, int partitions, Class<T> entryType,
                                                    Supplier<PartitionsAnswer<T>> local,
                                                    Function<List<T>, List<R>> merge) {
        queries.requireRunning(store);
        Collection<StreamsMetadata> hosts;
        try {
            hosts = streams.streamsMetadataForStore(store);
        } catch (StreamsException | IllegalStateException e) {
            throw new StoreNotQueryableException("no metadata for store '" + store + "' yet: " + e.getMessage(),
                    LocalStateQueries.RETRY_AFTER);
        }
        String uri = request.uri();
        List<Future<Part<T>>> parts = new ArrayList<>();
        for (StreamsMetadata host : hosts) {
            String name = endpoint(host.hostInfo());
            if (host.hostInfo().equals(self)) {
                parts.add(onWorker(() -> new Part<T>(name, local.get(), null, null)).recover(e -> e instanceof StoreNotQueryableException
                        ? Future.succeededFuture(new Part<>(name, null, null, e.getMessage())) : Future.failedFuture(e)));
            } else {
                parts.add(instances.get(host.hostInfo(), uri, Map.of(FORWARDED_BY, selfEndpoint, SCOPE, "local"))
                        .map(answer -> new Part<T>(name, null, answer, null))
                        .otherwise(e -> new Part<>(name, null, null, String.valueOf(e.getMessage()))));
            }
        }
        return Future.all(parts)
                .compose(all -> onWorker(() -> merged(parts, partitions, entryType, merge)))
                .toCompletionStage();
    }

    /** One instance's part of a query that spans keys: this instance's, another's answer, or why there is none. */
    private record Part<T>(String instance, PartitionsAnswer<T> local, InstanceClient.Answer remote, String error) {
    }

    private <T, R> Response merged(List<Future<Part<T>>> parts, int partitions, Class<T> entryType,
                                   Function<List<T>, List<R>> merge) {
        Map<Integer, List<T>> byPartition = new TreeMap<>();
        List<String> answeredBy = new ArrayList<>();
        List<String> unreachable = new ArrayList<>();
        JavaType partType = json.getTypeFactory().constructParametricType(PartitionsAnswer.class, entryType);
        for (Future<Part<T>> future : parts) {
            Part<T> part = future.result();
            PartitionsAnswer<T> answer = part.local();
            if (part.error() != null) {
                unreachable.add(part.instance() + " (" + part.error() + ")");
                continue;
            }
            if (answer == null) {
                if (part.remote().status() != 200) {
                    unreachable.add(part.instance() + " (HTTP " + part.remote().status() + ")");
                    continue;
                }
                try {
                    answer = json.readValue(part.remote().body(), partType);
                } catch (IOException e) {
                    unreachable.add(part.instance() + " (" + e.getMessage() + ")");
                    continue;
                }
            }
            answer.byPartition().forEach(byPartition::putIfAbsent);
            answeredBy.add(part.instance());
        }
        List<Integer> missing = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            if (!byPartition.containsKey(p)) {
                missing.add(p);
            }
        }
        List<T> entries = byPartition.values().stream().flatMap(List::stream).toList();
        AcrossInstancesAnswer<R> answer = new AcrossInstancesAnswer<>(missing.isEmpty(), partitions, missing,
                answeredBy, unreachable, merge.apply(entries));
        Response.ResponseBuilder response = Response.ok(toJson(answer), MediaType.APPLICATION_JSON_TYPE)
                .header(SERVED_BY, selfEndpoint);
        if (!missing.isEmpty()) {
            response.header(PARTIAL, "true");
        }
        return response.build();
    }

    private KeyQueryMetadata metadataFor(String store, Function<KafkaStreams, KeyQueryMetadata> lookup) {
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
        return metadata;
    }

    /** The answer of this instance's standby (or active) copy, if its lag is within the bound. Blocks. */
    private Optional<Response> fromLocalStandby(String store, int partition, Function<LocalCopy, ?> local) {
        Optional<Long> lag = localLag(store, partition);
        if (lag.isEmpty() || lag.get() > settings.standbyMaxLag()) {
            return Optional.empty();
        }
        try {
            return Optional.of(answerLocally(local, new LocalCopy(partition, Replica.ACTIVE_OR_STANDBY),
                    Replica.ACTIVE_OR_STANDBY, lag.get()));
        } catch (StoreNotQueryableException e) {
            return Optional.empty();
        }
    }

    /**
     * The offset lag of this instance's copy of a store partition, as of the last refresh.
     * {@link KafkaStreams#allLocalStorePartitionLags} asks the broker for every changelog's end offset (a
     * round trip, bounded only by the admin client's {@code default.api.timeout.ms}), so its answer is kept for
     * {@link #LAG_REFRESH_INTERVAL} and shared by the queries in that time. One query at a time refreshes it; the
     * others meanwhile use the previous answer, or, before the first answer, wait for it. Blocks (on a worker
     * thread).
     */
    private Optional<Long> localLag(String store, int partition) {
        Map<Integer, LagInfo> byPartition = lags().get(store);
        LagInfo lag = byPartition == null ? null : byPartition.get(partition);
        return lag == null ? Optional.empty() : Optional.of(lag.offsetLag());
    }

    private Map<String, Map<Integer, LagInfo>> lags() {
        StoreLags current = storeLags;
        if (isFresh(current)) {
            return current.lags();
        }
        if (current == null) {
            lagRefresh.lock(); // none yet: wait for the first fetch
        } else if (!lagRefresh.tryLock()) {
            return current.lags(); // another query is refreshing them: the previous lags meanwhile
        }
        try {
            current = storeLags;
            if (isFresh(current)) {
                return current.lags();
            }
            Map<String, Map<Integer, LagInfo>> fetched;
            try {
                fetched = streams.allLocalStorePartitionLags();
            } catch (StreamsException | IllegalStateException e) {
                fetched = Map.of();
            }
            storeLags = new StoreLags(fetched, System.nanoTime());
            return fetched;
        } finally {
            lagRefresh.unlock();
        }
    }

    private static boolean isFresh(StoreLags lags) {
        return lags != null && System.nanoTime() - lags.fetchedAt() <= LAG_REFRESH_INTERVAL.toNanos();
    }

    /** This instance's store partition lags ({@link KafkaStreams#allLocalStorePartitionLags}) and when they came. */
    private record StoreLags(Map<String, Map<Integer, LagInfo>> lags, long fetchedAt) {
    }

    /**
     * Runs the local query and answers with its result as JSON, or with its 4xx (such as 404 for an
     * unknown key) as a JSON error, both with the serving headers: a client can tell whose store said
     * "not found", an active one or a lagging standby. Blocks (store read).
     */
    private Response answerLocally(Function<LocalCopy, ?> local, LocalCopy copy, Replica label, long lag) {
        String replica = label == Replica.ACTIVE ? "active" : "standby";
        try {
            return Response.ok(toJson(local.apply(copy)), MediaType.APPLICATION_JSON_TYPE)
                    .header(SERVED_BY, selfEndpoint)
                    .header(REPLICA, replica)
                    .header(OFFSET_LAG, lag)
                    .build();
        } catch (WebApplicationException e) {
            Response.Status status = Response.Status.fromStatusCode(e.getResponse().getStatus());
            if (status == null || status.getFamily() != Response.Status.Family.CLIENT_ERROR) {
                throw e;
            }
            return QueryErrorMappers.json(status, e.getMessage())
                    .header(SERVED_BY, selfEndpoint)
                    .header(REPLICA, replica)
                    .header(OFFSET_LAG, lag)
                    .build();
        }
    }

    /**
     * Sends this request to {@code host}; empty when it cannot answer (no connection, timeout, 5xx),
     * so the caller may try a standby. Never fails.
     */
    private Future<Optional<Response>> forward(HostInfo host, String uri, boolean standby) {
        Map<String, String> headers = standby ? Map.of(FORWARDED_BY, selfEndpoint, REPLICA, "standby")
                : Map.of(FORWARDED_BY, selfEndpoint);
        return instances.get(host, uri, headers).map(answer -> {
            if (answer.status() >= 500) {
                LOG.debugf("%s answered %d to %s", endpoint(host), answer.status(), uri);
                return Optional.<Response>empty();
            }
            Response.ResponseBuilder response = Response.status(answer.status()).entity(answer.body())
                    .type(answer.contentType());
            for (String header : PASSED_HEADERS) {
                String value = answer.headers().get(header);
                if (value != null) {
                    response.header(header, value);
                }
            }
            return Optional.of(response.build());
        }).otherwise(e -> {
            LOG.debugf("%s did not answer %s: %s", endpoint(host), uri, e.toString());
            return Optional.empty();
        });
    }

    /** {@code first}'s answer, or when it has none, {@code next}'s (asked only then). */
    private static Future<Optional<Response>> orElse(Future<Optional<Response>> first,
                                                     Supplier<Future<Optional<Response>>> next) {
        return first.compose(answer -> answer.isPresent() ? Future.succeededFuture(answer) : next.get());
    }

    /**
     * Runs {@code work}, which may block, off the event loop: on a worker thread when called on an
     * event loop (its outcome then comes back on the caller's Vert.x context), else right here.
     */
    private <T> Future<T> onWorker(Callable<T> work) {
        if (Context.isOnEventLoopThread()) {
            return vertx.executeBlocking(work, false);
        }
        try {
            return Future.succeededFuture(work.call());
        } catch (Exception e) {
            return Future.failedFuture(e);
        }
    }

    private byte[] toJson(Object value) {
        try {
            return json.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write the answer as JSON", e);
        }
    }

    static String endpoint(HostInfo host) {
        return host.host() + ":" + host.port();
    }
}
