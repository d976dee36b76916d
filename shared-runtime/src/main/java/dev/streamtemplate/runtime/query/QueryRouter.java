package dev.streamtemplate.runtime.query;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
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
 * <p>Key queries ({@link #byKey}): Kafka Streams' metadata ({@link KafkaStreams#queryMetadataForKey})
 * names the instance running the key partition's active task and those running its standbys
 * (KIP-535). The query is answered
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
 * <p>Queries that span keys ({@link #acrossInstances}) go to every instance hosting the store, each
 * answering for the partitions whose active task it runs (request header {@value #SCOPE}{@code :
 * local}); the parts are merged, one answer per partition, and an answer missing partitions is
 * marked partial ({@link AcrossInstancesAnswer}, header {@value #PARTIAL}).
 *
 * <p>Only GET requests are routed: a query has no side effects, so forwarding it twice is harmless.
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

    @ConfigProperty(name = "quarkus.kafka-streams.application-server")
    String applicationServer;

    /** How long the local store lags fetched from the broker are reused. */
    static final java.time.Duration LAG_REFRESH_INTERVAL = java.time.Duration.ofMillis(500);

    private HostInfo self;
    private HttpClient client;
    private Map<String, Map<Integer, LagInfo>> cachedLags;
    private long lagsFetchedAt;

    @PostConstruct
    void init() {
        self = HostInfo.buildFromEndpoint(applicationServer);
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.connectTimeout()).build();
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
     * @param local         runs the query on this instance's store, from the copy it is given; it may
     *                      throw {@link StoreNotQueryableException} or a JAX-RS error such as 404
     * @return 200 with the answer and the serving headers, a forwarded 2xx/4xx answer, or
     * @throws StoreNotQueryableException (503) when no instance can answer now
     */
    public <K> Response byKey(String store, K key, Serializer<K> keySerializer, Function<Replica, ?> local) {
        return route(store, s -> s.queryMetadataForKey(store, key, keySerializer), local);
    }

    /**
     * As {@link #byKey(String, Object, Serializer, Function)}, for a store whose input topic is
     * partitioned by {@code partitioner} rather than by the serialized key.
     *
     * @param store       the store the query reads
     * @param key         the key (or the prefix all keys of the query share)
     * @param partitioner the partitioner of the store's input topic
     * @param local       runs the query on this instance's store
     * @return as {@link #byKey(String, Object, Serializer, Function)}
     * @throws StoreNotQueryableException (503) when no instance can answer now
     */
    public <K> Response byKey(String store, K key, StreamPartitioner<? super K, ?> partitioner, Function<Replica, ?> local) {
        return route(store, s -> s.queryMetadataForKey(store, key, partitioner), local);
    }

    private Response route(String store, Function<KafkaStreams, KeyQueryMetadata> lookup, Function<Replica, ?> local) {
        queries.requireRunning(store);
        KeyQueryMetadata metadata = metadataFor(store, lookup);
        boolean forwarded = request.getHeader(FORWARDED_BY) != null;
        if ("standby".equals(request.getHeader(REPLICA))) {
            return fromLocalStandby(store, metadata, local).orElseThrow(() -> new StoreNotQueryableException(
                    "no standby of store '" + store + "' partition " + metadata.partition() + " within "
                            + settings.standbyMaxLag() + " offsets here", LocalStateQueries.RETRY_AFTER));
        }
        StoreNotQueryableException activeFailure = null;
        if (self.equals(metadata.activeHost())) {
            try {
                return answerLocally(local, Replica.ACTIVE, Replica.ACTIVE, 0);
            } catch (StoreNotQueryableException e) {
                activeFailure = e; // restoring, or the task just moved: a standby may answer
            }
        } else if (forwarded) {
            throw new StoreNotQueryableException("forwarded by " + request.getHeader(FORWARDED_BY) + ", but partition "
                    + metadata.partition() + " of store '" + store + "' is active on " + endpoint(metadata.activeHost())
                    + " (a rebalance moved it); one hop only", LocalStateQueries.RETRY_AFTER);
        } else if (metadata.activeHost().port() > 0) {
            Optional<Response> answer = forward(metadata.activeHost(), false);
            if (answer.isPresent()) {
                return answer.get();
            }
        }
        // This instance's own copy, if it is a standby or the active task that is not running yet
        // (restoring, or just promoted while the failed instance's transaction is aborted).
        if (metadata.standbyHosts().contains(self) || activeFailure != null) {
            Optional<Response> answer = fromLocalStandby(store, metadata, local);
            if (answer.isPresent()) {
                return answer.get();
            }
        }
        if (!forwarded) {
            for (HostInfo standby : metadata.standbyHosts()) {
                if (!standby.equals(self)) {
                    Optional<Response> answer = forward(standby, true);
                    if (answer.isPresent()) {
                        return answer.get();
                    }
                }
            }
        }
        throw new StoreNotQueryableException("partition " + metadata.partition() + " of store '" + store
                + "' has no instance that can answer now (active " + endpoint(metadata.activeHost())
                + (activeFailure == null ? "" : ": " + activeFailure.getMessage()) + "; standbys "
                + metadata.standbyHosts().stream().map(QueryRouter::endpoint).toList() + ")", LocalStateQueries.RETRY_AFTER);
    }

    /**
     * Answers a query that spans keys by merging the parts of every instance hosting the store (see
     * the class comment). A forwarded request with {@value #SCOPE}{@code : local} gets this instance's
     * part only.
     *
     * @param store      the store the query reads
     * @param partitions how many partitions the store has (those of its input topic)
     * @param entryType  the type of one entry, to read other instances' parts
     * @param local      this instance's part: the partitions whose active task runs here
     * @param merge      combines the entries of all partitions into the answer's results (sort, top N)
     * @return 200 with an {@link AcrossInstancesAnswer}, or this instance's {@link PartitionsAnswer}
     * @throws StoreNotQueryableException (503) when Kafka Streams is not running or has no metadata yet
     */
    public <T, R> Response acrossInstances(String store, int partitions, Class<T> entryType,
                                           Supplier<PartitionsAnswer<T>> local, Function<List<T>, List<R>> merge) {
        queries.requireRunning(store);
        if ("local".equals(request.getHeader(SCOPE))) {
            return Response.ok(local.get(), MediaType.APPLICATION_JSON_TYPE).header(SERVED_BY, endpoint(self)).build();
        }
        Collection<StreamsMetadata> hosts;
        try {
            hosts = streams.streamsMetadataForStore(store);
        } catch (StreamsException e) {
            throw new StoreNotQueryableException("no metadata for store '" + store + "' yet: " + e.getMessage(),
                    LocalStateQueries.RETRY_AFTER);
        }
        Map<Integer, List<T>> byPartition = new TreeMap<>();
        List<String> answeredBy = new ArrayList<>();
        List<String> unreachable = new ArrayList<>();
        JavaType partType = json.getTypeFactory().constructParametricType(PartitionsAnswer.class, entryType);
        for (StreamsMetadata host : hosts) {
            String name = endpoint(host.hostInfo());
            try {
                PartitionsAnswer<T> part;
                if (host.hostInfo().equals(self)) {
                    part = local.get();
                } else {
                    HttpResponse<byte[]> response = send(host.hostInfo(), Map.of(SCOPE, "local"));
                    if (response.statusCode() != 200) {
                        unreachable.add(name + " (HTTP " + response.statusCode() + ")");
                        continue;
                    }
                    part = json.readValue(response.body(), partType);
                }
                part.byPartition().forEach(byPartition::putIfAbsent);
                answeredBy.add(name);
            } catch (IOException | StoreNotQueryableException e) {
                unreachable.add(name + " (" + e.getMessage() + ")");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreNotQueryableException("interrupted while asking " + name, LocalStateQueries.RETRY_AFTER);
            }
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
        Response.ResponseBuilder response = Response.ok(answer, MediaType.APPLICATION_JSON_TYPE).header(SERVED_BY, endpoint(self));
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

    /** The answer of this instance's standby (or active) copy, if its lag is within the bound. */
    private Optional<Response> fromLocalStandby(String store, KeyQueryMetadata metadata, Function<Replica, ?> local) {
        Optional<Long> lag = localLag(store, metadata.partition());
        if (lag.isEmpty() || lag.get() > settings.standbyMaxLag()) {
            return Optional.empty();
        }
        try {
            return Optional.of(answerLocally(local, Replica.ACTIVE_OR_STANDBY, Replica.ACTIVE_OR_STANDBY, lag.get()));
        } catch (StoreNotQueryableException e) {
            return Optional.empty();
        }
    }

    /**
     * The offset lag of this instance's copy of a store partition. {@link KafkaStreams#allLocalStorePartitionLags}
     * asks the broker for every changelog's end offset, so its answer is kept for
     * {@link #LAG_REFRESH_INTERVAL} and shared by the queries in that time.
     */
    private Optional<Long> localLag(String store, int partition) {
        Map<String, Map<Integer, LagInfo>> lags = lags();
        Map<Integer, LagInfo> byPartition = lags.get(store);
        LagInfo lag = byPartition == null ? null : byPartition.get(partition);
        return lag == null ? Optional.empty() : Optional.of(lag.offsetLag());
    }

    private synchronized Map<String, Map<Integer, LagInfo>> lags() {
        long now = System.nanoTime();
        if (cachedLags == null || now - lagsFetchedAt > LAG_REFRESH_INTERVAL.toNanos()) {
            try {
                cachedLags = streams.allLocalStorePartitionLags();
            } catch (StreamsException | IllegalStateException e) {
                cachedLags = Map.of();
            }
            lagsFetchedAt = now;
        }
        return cachedLags;
    }

    private Response answer(Object entity, Replica replica, long lag) {
        return Response.ok(entity, MediaType.APPLICATION_JSON_TYPE)
                .header(SERVED_BY, endpoint(self))
                .header(REPLICA, replica == Replica.ACTIVE ? "active" : "standby")
                .header(OFFSET_LAG, lag)
                .build();
    }

    /**
     * Runs the local query and answers with its result, or with its 4xx (such as 404 for an unknown
     * key) as a JSON error, both with the serving headers: a client can tell whose store said "not
     * found", an active one or a lagging standby.
     */
    private Response answerLocally(Function<Replica, ?> local, Replica query, Replica label, long lag) {
        try {
            return answer(local.apply(query), label, lag);
        } catch (jakarta.ws.rs.WebApplicationException e) {
            Response.Status status = Response.Status.fromStatusCode(e.getResponse().getStatus());
            if (status == null || status.getFamily() != Response.Status.Family.CLIENT_ERROR) {
                throw e;
            }
            return QueryErrorMappers.json(status, e.getMessage())
                    .header(SERVED_BY, endpoint(self))
                    .header(REPLICA, label == Replica.ACTIVE ? "active" : "standby")
                    .header(OFFSET_LAG, lag)
                    .build();
        }
    }

    /**
     * Sends this request to {@code host}; empty when it cannot answer (no connection, timeout, 5xx),
     * so the caller may try a standby.
     */
    private Optional<Response> forward(HostInfo host, boolean standby) {
        try {
            HttpResponse<byte[]> response = send(host, standby ? Map.of(REPLICA, "standby") : Map.of());
            if (response.statusCode() >= 500) {
                LOG.debugf("%s answered %d to %s", endpoint(host), response.statusCode(), request.uri());
                return Optional.empty();
            }
            Response.ResponseBuilder answer = Response.status(response.statusCode()).entity(response.body())
                    .type(response.headers().firstValue("Content-Type").orElse(MediaType.APPLICATION_JSON));
            for (String header : PASSED_HEADERS) {
                response.headers().firstValue(header).ifPresent(value -> answer.header(header, value));
            }
            return Optional.of(answer.build());
        } catch (IOException e) {
            LOG.debugf("%s did not answer %s: %s", endpoint(host), request.uri(), e.toString());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private HttpResponse<byte[]> send(HostInfo host, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder forwarded = HttpRequest.newBuilder(URI.create("http://" + endpoint(host) + request.uri()))
                .timeout(settings.readTimeout())
                .header("Accept", MediaType.APPLICATION_JSON)
                .header(FORWARDED_BY, endpoint(self))
                .GET();
        headers.forEach(forwarded::header);
        return client.send(forwarded.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String endpoint(HostInfo host) {
        return host.host() + ":" + host.port();
    }
}
