package dev.streamtemplate.cart;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * Finds the partition of a key {@code userId/suffix} (the part after the last {@code /} holds none):
 * the partition Kafka's default partitioner gives {@code userId} (murmur2 of its UTF-8 bytes), which
 * is where {@code cart-events} puts the user's commands and so where the {@code orders-store} entries
 * of the user are. Used to find the partition of a user's orders in queries
 * ({@link CartTopology#ORDERS_BY_USER}).
 *
 * @param <V> value type; not used
 */
final class UserKeyPartitioner<V> implements StreamPartitioner<String, V> {

    @Override
    public Optional<Set<Integer>> partitions(String topic, String key, V value, int numPartitions) {
        int end = key.lastIndexOf(Order.KEY_SEPARATOR);
        String userId = end < 0 ? key : key.substring(0, end);
        return Optional.of(Set.of(Utils.toPositive(Utils.murmur2(userId.getBytes(StandardCharsets.UTF_8))) % numPartitions));
    }
}
