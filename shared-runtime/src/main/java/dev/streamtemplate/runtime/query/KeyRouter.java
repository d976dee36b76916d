package dev.streamtemplate.runtime.query;

import static dev.streamtemplate.runtime.query.QueryHeaders.FORWARDED_BY;
import static dev.streamtemplate.runtime.query.QueryHeaders.OFFSET_LAG;
import static dev.streamtemplate.runtime.query.QueryHeaders.REPLICA;
import static dev.streamtemplate.runtime.query.QueryHeaders.SERVED_BY;
import static dev.streamtemplate.runtime.query.StoreNotQueryableException.RETRY_AFTER;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.state.HostInfo;
import org.jboss.logging.Logger;

/**
 * Finds the instance that answers a query about one key, and gets its answer. Kafka Streams' metadata
 * ({@link KafkaStreams#queryMetadataForKey}, looked up once per query) names the key's partition, the instance
 * running its active task and those running its standbys (KIP-535). The answer comes
 * <ol>
 *   <li>from here, when this instance runs the active task and its store is queryable;</li>
 *   <li>else from the active instance: the same GET is forwarded to it ({@link InstanceClient}), at most one hop: a
 *       request carrying {@value QueryHeaders#FORWARDED_BY} is never forwarded again;</li>
 *   <li>when the active instance does not answer (down, timed out, 5xx, restoring), from a copy whose offset lag
 *       ({@link StoreLagCache}) is within {@code query.standby-max-lag}: this instance's own, if it runs a standby or
 *       the not yet running active task, else a standby elsewhere, asked with {@value QueryHeaders#REPLICA}{@code :
 *       standby};</li>
 *   <li>otherwise it fails with {@link StoreNotQueryableException} (503 with {@code Retry-After}).</li>
 * </ol>
 * Every answer carries {@value QueryHeaders#SERVED_BY}, {@value QueryHeaders#REPLICA} and
 * {@value QueryHeaders#OFFSET_LAG}, on 4xx answers too; a forwarded 2xx or 4xx passes through unchanged. Nothing
 * here blocks an event loop: the local read runs through {@link BlockingQueryWork}, forwards are non-blocking.
 */
@ApplicationScoped
public class KeyRouter {

    private static final Logger LOG = Logger.getLogger(KeyRouter.class);

    @Inject
    KafkaStreams streams;

    @Inject
    StoreLagCache lags;

    @Inject
    InstanceClient instances;

    @Inject
    QueryRoutingSettings settings;

    @Inject
    BlockingQueryWork work;

    @Inject
    HttpServerRequest request;

    /**
     * Answers the current request, a query about {@code key} in {@code store}, from whichever copy can (see the
     * class comment).
     *
     * @param store the store the query reads
     * @param key   the key, or the prefix all keys of the query share
     * @param read  reads this instance's copy of the key's partition and returns the answer's JSON body; it may block,
     *              throw {@link StoreNotQueryableException}, or throw a 4xx {@link WebApplicationException} (such as
     *              404), which is answered as a JSON error with the serving headers
     * @return the answer, or a failure with {@link StoreNotQueryableException} when no copy can answer now
     * @throws StoreNotQueryableException when Kafka Streams has no metadata for the store yet, or a forwarded request
     *                                    reached an instance that is no longer the key's active one
     */
    public <K> Future<Response> route(QueryableStore<K, ?> store, K key, Function<PartitionCopy, ?> read) {
        KeyQueryMetadata metadata = locate(store, key);
        int partition = metadata.partition();
        String name = store.name();
        String uri = request.uri();
        String forwardedBy = request.getHeader(FORWARDED_BY);
        boolean forwarded = forwardedBy != null;
        if ("standby".equals(request.getHeader(REPLICA))) {
            return work.offEventLoop(() -> fromLocalStandby(name, partition, read).orElseThrow(() -> new StoreNotQueryableException(
                    "no standby of store '" + name + "' partition " + partition + " within "
                            + settings.standbyMaxLag() + " offsets here", RETRY_AFTER)));
        }
        HostInfo self = instances.self();
        HostInfo active = metadata.activeHost();
        AtomicReference<StoreNotQueryableException> activeFailure = new AtomicReference<>();
        Future<Optional<Response>> answer;
        if (self.equals(active)) {
            answer = work.offEventLoop(() -> {
                try {
                    return Optional.of(answer(read, new PartitionCopy(partition, Replica.ACTIVE), 0));
                } catch (StoreNotQueryableException e) {
                    // restoring, or just promoted while the failed instance's transaction is aborted: this
                    // instance's copy may still answer as a standby would
                    activeFailure.set(e);
                    return fromLocalStandby(name, partition, read);
                }
            });
        } else if (forwarded) {
            throw new StoreNotQueryableException("forwarded by " + forwardedBy + ", but partition " + partition
                    + " of store '" + name + "' is active on " + InstanceClient.endpoint(active)
                    + " (a rebalance moved it); one hop only", RETRY_AFTER);
        } else {
            answer = active.port() > 0 ? forward(active, uri, false) : Future.succeededFuture(Optional.empty());
            if (metadata.standbyHosts().contains(self)) {
                answer = orElse(answer, () -> work.offEventLoop(() -> fromLocalStandby(name, partition, read)));
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
                + " of store '" + name + "' has no instance that can answer now (active " + InstanceClient.endpoint(active)
                + (activeFailure.get() == null ? "" : ": " + activeFailure.get().getMessage()) + "; standbys "
                + metadata.standbyHosts().stream().map(InstanceClient::endpoint).toList() + ")", RETRY_AFTER)));
    }

    private <K> KeyQueryMetadata locate(QueryableStore<K, ?> store, K key) {
        KeyQueryMetadata metadata;
        try {
            metadata = store.partitioning().locate(streams, store.name(), key);
        } catch (StreamsException | IllegalStateException e) {
            throw new StoreNotQueryableException("no metadata for store '" + store.name() + "' yet: " + e.getMessage(),
                    RETRY_AFTER);
        }
        if (metadata == null) {
            throw new IllegalStateException("no store '" + store.name() + "' in this topology");
        }
        if (metadata.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            throw new StoreNotQueryableException("store '" + store.name() + "' is not available (rebalance in progress)",
                    RETRY_AFTER);
        }
        return metadata;
    }

    /** The answer of this instance's standby (or active) copy, if its lag is within the bound. Blocks. */
    private Optional<Response> fromLocalStandby(String store, int partition, Function<PartitionCopy, ?> read) {
        Optional<Long> lag = lags.offsetLag(store, partition);
        if (lag.isEmpty() || lag.get() > settings.standbyMaxLag()) {
            return Optional.empty();
        }
        try {
            return Optional.of(answer(read, new PartitionCopy(partition, Replica.ACTIVE_OR_STANDBY), lag.get()));
        } catch (StoreNotQueryableException e) {
            return Optional.empty();
        }
    }

    /**
     * Reads the local copy and answers with the result as JSON, or with its 4xx (such as 404 for an unknown key) as a
     * JSON error, both with the serving headers: a client can tell whose store said "not found", an active one or a
     * lagging standby. Blocks (store read).
     */
    private Response answer(Function<PartitionCopy, ?> read, PartitionCopy copy, long lag) {
        String replica = copy.replica() == Replica.ACTIVE ? "active" : "standby";
        try {
            return Response.ok(work.json(read.apply(copy)), MediaType.APPLICATION_JSON_TYPE)
                    .header(SERVED_BY, instances.selfEndpoint())
                    .header(REPLICA, replica)
                    .header(OFFSET_LAG, lag)
                    .build();
        } catch (WebApplicationException e) {
            Response.Status status = Response.Status.fromStatusCode(e.getResponse().getStatus());
            if (status == null || status.getFamily() != Response.Status.Family.CLIENT_ERROR) {
                throw e;
            }
            return QueryErrorMappers.json(status, e.getMessage())
                    .header(SERVED_BY, instances.selfEndpoint())
                    .header(REPLICA, replica)
                    .header(OFFSET_LAG, lag)
                    .build();
        }
    }

    /**
     * Sends this request to {@code host}; empty when it cannot answer (no connection, timeout, 5xx), so the caller
     * may try a standby. Never fails.
     */
    private Future<Optional<Response>> forward(HostInfo host, String uri, boolean standby) {
        String self = instances.selfEndpoint();
        Map<String, String> headers = standby ? Map.of(FORWARDED_BY, self, REPLICA, "standby") : Map.of(FORWARDED_BY, self);
        return instances.get(host, uri, headers).map(answer -> {
            if (answer.status() >= 500) {
                LOG.debugf("%s answered %d to %s", InstanceClient.endpoint(host), answer.status(), uri);
                return Optional.<Response>empty();
            }
            Response.ResponseBuilder response = Response.status(answer.status()).entity(answer.body())
                    .type(answer.contentType());
            for (String header : QueryHeaders.PASSED_ON) {
                String value = answer.headers().get(header);
                if (value != null) {
                    response.header(header, value);
                }
            }
            return Optional.of(response.build());
        }).otherwise(e -> {
            LOG.debugf("%s did not answer %s: %s", InstanceClient.endpoint(host), uri, e.toString());
            return Optional.empty();
        });
    }

    /** {@code first}'s answer, or when it has none, {@code next}'s (asked only then). */
    private static Future<Optional<Response>> orElse(Future<Optional<Response>> first,
                                                     Supplier<Future<Optional<Response>>> next) {
        return first.compose(answer -> answer.isPresent() ? Future.succeededFuture(answer) : next.get());
    }
}
