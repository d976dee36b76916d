package dev.streamtemplate.enrichment;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * Partitions order-line keys ({@code orderId/productId}) by their order id, the part before the first
 * {@code /}, with the default partitioner's hash (murmur2 of the UTF-8 bytes): all lines of an order
 * land on one partition, so one partition answers {@code GET /orders/{orderId}}.
 *
 * <p>Used for the repartition topic {@code customer-enrichment-purchases-by-order-line-repartition},
 * for the foreign-key join's responses (KIP-775: a left table partitioned by a custom partitioner must
 * name it, or the join's answers would reach the wrong task), for {@code order-details} and to find
 * the partition of an order in queries ({@link #forOrder(String)}).
 *
 * @param <V> value type; not used
 */
public final class OrderPartitioner<V> implements StreamPartitioner<String, V> {

    @Override
    public Optional<Set<Integer>> partitions(String topic, String key, V value, int numPartitions) {
        int end = key.indexOf(EnrichedOrderLine.KEY_SEPARATOR);
        String orderId = end < 0 ? key : key.substring(0, end);
        return Optional.of(Set.of(Utils.toPositive(Utils.murmur2(orderId.getBytes(StandardCharsets.UTF_8))) % numPartitions));
    }

    /** A key that this partitioner puts where the lines of {@code orderId} are. */
    public static String forOrder(String orderId) {
        return orderId + EnrichedOrderLine.KEY_SEPARATOR;
    }
}
