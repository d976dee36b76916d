package dev.streamtemplate.runtime.query;

import static dev.streamtemplate.runtime.query.QueryHeaders.FORWARDED_BY;
import static dev.streamtemplate.runtime.query.QueryHeaders.PARTIAL;
import static dev.streamtemplate.runtime.query.QueryHeaders.SCOPE;
import static dev.streamtemplate.runtime.query.QueryHeaders.SERVED_BY;

import com.fasterxml.jackson.databind.JavaType;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.StreamsException;

/**
 * Answers a query that spans keys: asks every instance hosting the store at once, each for the partitions whose
 * active task it runs (request header {@value QueryHeaders#SCOPE}{@code : local}), and merges the parts, one answer
 * per partition. An answer missing partitions is marked partial ({@link AcrossInstancesAnswer}, header
 * {@value QueryHeaders#PARTIAL}). The slowest instance bounds the answer's time: at most connect + read timeout of
 * {@link InstanceClient}. This instance's part and the merge run through {@link BlockingQueryWork}.
 */
@ApplicationScoped
public class FanOutQuery {

    @Inject
    KafkaStreams streams;

    @Inject
    InstanceClient instances;

    @Inject
    BlockingQueryWork work;

    @Inject
    HttpServerRequest request;

    /**
     * This instance's part, the answer to a request with {@value QueryHeaders#SCOPE}{@code : local}.
     *
     * @param local the partitions whose active task runs here and their entries (may block)
     * @return 200 with a {@link PartitionsAnswer}
     */
    public <T> Future<Response> localPart(Supplier<PartitionsAnswer<T>> local) {
        return work.offEventLoop(() -> Response.ok(work.json(local.get()), MediaType.APPLICATION_JSON_TYPE)
                .header(SERVED_BY, instances.selfEndpoint()).build());
    }

    /**
     * Asks every instance hosting {@code store} for its part and merges them.
     *
     * @param store      the store the query reads
     * @param partitions how many partitions the store has (those of its input topic)
     * @param entryType  the type of one entry, to read other instances' parts
     * @param local      this instance's part (may block)
     * @param merge      combines the entries of all partitions into the answer's results (sort, top N)
     * @return 200 with an {@link AcrossInstancesAnswer}
     * @throws StoreNotQueryableException when Kafka Streams has no metadata for the store yet
     */
    public <T, R> Future<Response> ask(String store, int partitions, Class<T> entryType,
                                       Supplier<PartitionsAnswer<T>> local, Function<List<T>, List<R>> merge) {
        Collection<StreamsMetadata> hosts;
        try {
            hosts = streams.streamsMetadataForStore(store);
        } catch (StreamsException | IllegalStateException e) {
            throw new StoreNotQueryableException("no metadata for store '" + store + "' yet: " + e.getMessage(),
                    StoreNotQueryableException.RETRY_AFTER);
        }
        String uri = request.uri();
        String self = instances.selfEndpoint();
        List<Future<InstancePart<T>>> parts = new ArrayList<>();
        for (StreamsMetadata host : hosts) {
            String name = InstanceClient.endpoint(host.hostInfo());
            if (host.hostInfo().equals(instances.self())) {
                parts.add(work.offEventLoop(() -> new InstancePart<T>(name, local.get(), null, null)).recover(e -> e instanceof StoreNotQueryableException
                        ? Future.succeededFuture(new InstancePart<>(name, null, null, e.getMessage())) : Future.failedFuture(e)));
            } else {
                parts.add(instances.get(host.hostInfo(), uri, Map.of(FORWARDED_BY, self, SCOPE, "local"))
                        .map(answer -> new InstancePart<T>(name, null, answer, null))
                        .otherwise(e -> new InstancePart<>(name, null, null, String.valueOf(e.getMessage()))));
            }
        }
        return Future.all(parts).compose(all -> work.offEventLoop(() -> merged(parts, partitions, entryType, merge)));
    }

    /** One instance's part: this instance's, another's answer, or why there is none. */
    private record InstancePart<T>(String instance, PartitionsAnswer<T> local, InstanceClient.Answer remote, String error) {
    }

    private <T, R> Response merged(List<Future<InstancePart<T>>> parts, int partitions, Class<T> entryType,
                                   Function<List<T>, List<R>> merge) {
        Map<Integer, List<T>> byPartition = new TreeMap<>();
        List<String> answeredBy = new ArrayList<>();
        List<String> unreachable = new ArrayList<>();
        JavaType partType = work.mapper().getTypeFactory().constructParametricType(PartitionsAnswer.class, entryType);
        for (Future<InstancePart<T>> future : parts) {
            InstancePart<T> part = future.result();
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
                    answer = work.mapper().readValue(part.remote().body(), partType);
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
        Response.ResponseBuilder response = Response.ok(work.json(answer), MediaType.APPLICATION_JSON_TYPE)
                .header(SERVED_BY, instances.selfEndpoint());
        if (!missing.isEmpty()) {
            response.header(PARTIAL, "true");
        }
        return response.build();
    }
}
