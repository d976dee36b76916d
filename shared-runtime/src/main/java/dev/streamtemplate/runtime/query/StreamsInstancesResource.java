package dev.streamtemplate.runtime.query;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import io.smallrye.common.annotation.Blocking;
import io.vertx.core.Future;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.LagInfo;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.TaskId;

/**
 * Where each store's partitions live: {@code GET /streams/instances} lists every instance of the
 * service, its host:port, and per store the partitions of its active and standby tasks with their
 * offset lags; {@code GET /streams/instance} is this instance's own part.
 *
 * <p>Sources: the group's assignment as this instance knows it
 * ({@link KafkaStreams#metadataForAllStreamsClients}); each instance's own tasks
 * ({@link KafkaStreams#metadataForLocalThreads}) and store lags
 * ({@link KafkaStreams#allLocalStorePartitionLags}, KIP-535), asked from every instance over HTTP
 * ({@link InstanceClient}, with the timeouts of {@link QueryRoutingSettings}).
 */
@Path("/streams")
@Produces(MediaType.APPLICATION_JSON)
public class StreamsInstancesResource {

    /**
     * One instance's view of itself.
     *
     * @param instance  host:port ({@code application.server})
     * @param reachable whether it answered
     * @param state     its Kafka Streams state ({@code RUNNING}, {@code REBALANCING}, ...), or the error
     * @param stores    per store name: its partitions here
     */
    public record InstanceView(String instance, boolean reachable, String state, Map<String, StoreReplicas> stores) {
    }

    /**
     * The partitions of one store on one instance.
     *
     * @param active    partitions whose active task runs here, ascending
     * @param standby   partitions whose standby task runs here, ascending
     * @param offsetLag per partition (active or standby): changelog records not yet in the local store
     */
    public record StoreReplicas(Set<Integer> active, Set<Integer> standby, Map<Integer, Long> offsetLag) {
    }

    @Inject
    KafkaStreams streams;

    @Inject
    Topology topology;

    @Inject
    InstanceClient instances;

    @Inject
    ObjectMapper json;

    /**
     * Every instance of this service, as far as the group's assignment tells this instance, each asked
     * for its own view (all at once, each within the connect and read timeouts of
     * {@link QueryRoutingSettings}); an instance that does not answer is listed with {@code reachable=false}.
     *
     * @return the instances, this one included, ordered by host:port
     */
    @GET
    @Path("instances")
    @Operation(summary = "Every instance of this service, each with its state and its stores' active and standby partitions",
            description = "Each instance is asked for its own view at once; one that does not answer is listed with reachable=false.")
    @APIResponse(responseCode = "200", description = "the instances, ordered by host:port",
            content = @Content(schema = @Schema(implementation = InstanceView.class, type = SchemaType.ARRAY),
                    examples = @ExampleObject(name = "two instances", value = """
                            [{"instance":"10.0.0.5:8081","reachable":true,"state":"RUNNING",
                              "stores":{"page-views-tumbling-store":{"active":[0,1],"standby":[2,3],"offsetLag":{"0":0,"1":0,"2":4,"3":0}}}},
                             {"instance":"10.0.0.6:8081","reachable":false,"state":null,"stores":{}}]""")))
    @Blocking // this instance's own view asks the broker for its store lags
    public CompletionStage<List<InstanceView>> instances() {
        Collection<StreamsMetadata> clients;
        try {
            clients = streams.metadataForAllStreamsClients();
        } catch (StreamsException | IllegalStateException e) { // not running (yet, or any more): this instance only
            clients = List.of();
        }
        String self = instances.selfEndpoint();
        Map<String, Future<InstanceView>> others = new TreeMap<>();
        for (StreamsMetadata metadata : clients) {
            String name = InstanceClient.endpoint(metadata.hostInfo());
            if (!name.equals(self) && !others.containsKey(name)) {
                others.put(name, instances.get(metadata.hostInfo(), "/streams/instance", Map.of(QueryHeaders.FORWARDED_BY, self))
                        .map(answer -> view(name, answer))
                        .otherwise(e -> new InstanceView(name, false, e.toString(), Map.of())));
            }
        }
        Map<String, InstanceView> views = new TreeMap<>();
        views.put(self, instance()); // while the others answer
        return Future.all(new ArrayList<>(others.values())).<List<InstanceView>>map(all -> {
            others.forEach((name, view) -> views.put(name, view.result()));
            return new ArrayList<>(views.values());
        }).toCompletionStage();
    }

    private InstanceView view(String name, InstanceClient.Answer answer) {
        if (answer.status() != 200) {
            return new InstanceView(name, false, "HTTP " + answer.status(), Map.of());
        }
        try {
            return json.readValue(answer.body(), InstanceView.class);
        } catch (IOException e) {
            return new InstanceView(name, false, e.toString(), Map.of());
        }
    }

    /**
     * This instance: its state and, per store, the partitions of its active and standby tasks.
     *
     * @return this instance's view
     */
    @GET
    @Path("instance")
    @Operation(summary = "This instance: its state and, per store, the partitions of its active and standby tasks")
    @APIResponse(responseCode = "200", description = "this instance's view",
            content = @Content(schema = @Schema(implementation = InstanceView.class),
                    examples = @ExampleObject(name = "one instance", value = """
                            {"instance":"10.0.0.5:8081","reachable":true,"state":"RUNNING",
                             "stores":{"page-views-tumbling-store":{"active":[0,1],"standby":[2,3],"offsetLag":{"0":0,"1":0,"2":4,"3":0}}}}""")))
    public InstanceView instance() {
        Map<Integer, Set<String>> storesBySubtopology = new HashMap<>();
        for (TopologyDescription.Subtopology subtopology : topology.describe().subtopologies()) {
            Set<String> stores = new TreeSet<>();
            subtopology.nodes().forEach(node -> {
                if (node instanceof TopologyDescription.Processor processor) {
                    stores.addAll(processor.stores());
                }
            });
            storesBySubtopology.put(subtopology.id(), stores);
        }
        Map<String, StoreReplicas> stores = new TreeMap<>();
        Map<String, Map<Integer, LagInfo>> lags;
        try {
            lags = streams.allLocalStorePartitionLags();
        } catch (StreamsException | IllegalStateException e) {
            lags = Map.of();
        }
        try {
            streams.metadataForLocalThreads().forEach(thread -> {
                thread.activeTasks().forEach(task -> place(stores, storesBySubtopology, task.taskId(), true));
                thread.standbyTasks().forEach(task -> place(stores, storesBySubtopology, task.taskId(), false));
            });
        } catch (StreamsException | IllegalStateException e) {
            // not running: no tasks to list
        }
        Map<String, Map<Integer, LagInfo>> storeLags = lags;
        stores.forEach((store, replicas) -> {
            Map<Integer, LagInfo> byPartition = storeLags.getOrDefault(store, Map.of());
            byPartition.forEach((partition, lag) -> replicas.offsetLag().put(partition, lag.offsetLag()));
        });
        return new InstanceView(instances.selfEndpoint(), true, streams.state().name(), stores);
    }

    private static void place(Map<String, StoreReplicas> stores, Map<Integer, Set<String>> storesBySubtopology,
                              TaskId task, boolean active) {
        for (String store : storesBySubtopology.getOrDefault(task.subtopology(), Set.of())) {
            StoreReplicas replicas = stores.computeIfAbsent(store,
                    name -> new StoreReplicas(new TreeSet<>(), new TreeSet<>(), new TreeMap<>()));
            (active ? replicas.active() : replicas.standby()).add(task.partition());
        }
    }
}
