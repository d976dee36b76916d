package dev.streamtemplate.runtime.query;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * One instance's part of a query that spans keys: for each store partition it answered for, the
 * entries that partition holds. {@link FanOutQuery} merges the parts of every
 * instance, keeps one answer per partition, and reports the partitions nobody answered for.
 *
 * @param byPartition store partition to its entries, ascending by partition
 * @param <T>         entry type
 */
public record PartitionsAnswer<T>(Map<Integer, List<T>> byPartition) {

    public PartitionsAnswer {
        byPartition = new TreeMap<>(byPartition);
    }

    /**
     * The same partitions with every entry mapped.
     *
     * @param mapper maps one entry
     * @return a new answer
     */
    public <U> PartitionsAnswer<U> map(Function<? super T, ? extends U> mapper) {
        Map<Integer, List<U>> mapped = new TreeMap<>();
        byPartition.forEach((partition, entries) -> mapped.put(partition, entries.stream().<U>map(mapper).toList()));
        return new PartitionsAnswer<>(mapped);
    }
}
