package dev.streamtemplate.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.utils.Utils;

/**
 * Where each store partition lives, as {@code GET /streams/instances} reports it: per instance its Kafka Streams
 * state and, per store, the partitions of its active and standby tasks with their offset lags.
 *
 * @param instances the instances listed, by host:port
 */
public record Placement(Map<String, Instance> instances) {

    /**
     * One instance as it reports itself.
     *
     * @param endpoint  host:port
     * @param reachable whether it answered
     * @param state     its Kafka Streams state, or why it did not answer
     * @param stores    per store
     */
    public record Instance(String endpoint, boolean reachable, String state, Map<String, Replicas> stores) {
    }

    /**
     * The partitions of one store on one instance.
     *
     * @param active    partitions of its active tasks
     * @param standby   partitions of its standby tasks
     * @param offsetLag per partition, changelog records not yet in the local store
     */
    public record Replicas(Set<Integer> active, Set<Integer> standby, Map<Integer, Long> offsetLag) {
    }

    /** Reads the JSON array of {@code GET /streams/instances}. */
    public static Placement parse(JsonNode json) {
        Map<String, Instance> instances = new TreeMap<>();
        for (JsonNode node : json) {
            Map<String, Replicas> stores = new TreeMap<>();
            node.path("stores").fields().forEachRemaining(store -> {
                Set<Integer> active = new TreeSet<>();
                Set<Integer> standby = new TreeSet<>();
                Map<Integer, Long> lags = new TreeMap<>();
                store.getValue().path("active").forEach(p -> active.add(p.asInt()));
                store.getValue().path("standby").forEach(p -> standby.add(p.asInt()));
                store.getValue().path("offsetLag").fields().forEachRemaining(
                        lag -> lags.put(Integer.parseInt(lag.getKey()), lag.getValue().asLong()));
                stores.put(store.getKey(), new Replicas(active, standby, lags));
            });
            String endpoint = node.path("instance").asText();
            instances.put(endpoint, new Instance(endpoint, node.path("reachable").asBoolean(),
                    node.path("state").asText(), stores));
        }
        return new Placement(instances);
    }

    /** The instance whose active task holds {@code partition} of {@code store}, if exactly one does. */
    public Optional<String> activeHost(String store, int partition) {
        List<String> hosts = instances.values().stream()
                .filter(i -> i.stores().containsKey(store) && i.stores().get(store).active().contains(partition))
                .map(Instance::endpoint).toList();
        return hosts.size() == 1 ? Optional.of(hosts.get(0)) : Optional.empty();
    }

    /** The instances with a standby task of {@code partition} of {@code store}. */
    public List<String> standbyHosts(String store, int partition) {
        return instances.values().stream()
                .filter(i -> i.stores().containsKey(store) && i.stores().get(store).standby().contains(partition))
                .map(Instance::endpoint).toList();
    }

    /** The partitions of {@code store} whose active task runs on {@code endpoint}. */
    public Set<Integer> activePartitions(String store, String endpoint) {
        Instance instance = instances.get(endpoint);
        return instance == null || !instance.stores().containsKey(store) ? Set.of()
                : instance.stores().get(store).active();
    }

    /**
     * Why this placement is not settled for {@code live} instances, or empty when it is: exactly the live instances
     * are listed, each reachable and {@code RUNNING}, and every partition {@code 0..partitions-1} of every store in
     * {@code stores} is active on exactly one of them, caught up (offset lag 0).
     */
    public List<String> unsettledReasons(Collection<String> live, Collection<String> stores, int partitions) {
        List<String> reasons = new ArrayList<>();
        if (!instances.keySet().equals(new TreeSet<>(live))) {
            reasons.add("instances listed " + instances.keySet() + ", live " + new TreeSet<>(live));
        }
        instances.values().stream().filter(i -> !i.reachable() || !"RUNNING".equals(i.state()))
                .forEach(i -> reasons.add(i.endpoint() + " is " + (i.reachable() ? i.state() : "unreachable: " + i.state())));
        for (String store : stores) {
            for (int p = 0; p < partitions; p++) {
                int partition = p;
                List<Instance> owners = instances.values().stream()
                        .filter(i -> i.stores().containsKey(store) && i.stores().get(store).active().contains(partition))
                        .toList();
                if (owners.size() != 1) {
                    reasons.add(store + " partition " + p + " active on " + owners.stream().map(Instance::endpoint).toList());
                } else {
                    Long lag = owners.get(0).stores().get(store).offsetLag().get(partition);
                    if (lag == null || lag != 0) {
                        reasons.add(store + " partition " + p + " active on " + owners.get(0).endpoint()
                                + " with offset lag " + lag);
                    }
                }
            }
        }
        return reasons;
    }

    /** One line: per instance, its state and the active partitions of {@code store}. */
    public String describe(String store) {
        List<String> parts = new ArrayList<>();
        instances.values().forEach(i -> {
            Replicas replicas = i.stores().get(store);
            parts.add(i.endpoint() + " " + i.state() + (replicas == null ? " -" : " active " + replicas.active()
                    + " standby " + replicas.standby()));
        });
        return String.join("; ", parts);
    }

    /**
     * The partition Kafka's default partitioner gives a string key among {@code partitions}: the partition of the
     * store (and of its input or repartition topic) that holds the key.
     */
    public static int partitionOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }
}
