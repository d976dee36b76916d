package dev.streamtemplate.live;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.apache.kafka.common.TopicPartition;

/**
 * A position in the pushed topics: for every partition a client reads, the offset of the next record it has not yet
 * received. It is the {@code id} of every Server-Sent Event, so a client that reconnects with {@code Last-Event-ID}
 * resumes exactly after the last event it received, with no gap and no duplicate.
 *
 * <p>Text form: {@code v1;<topic>:<partition>:<offset>,...}, partitions sorted by topic then partition, for example
 * {@code v1;orders:0:17,orders:1:0}. Offsets are Kafka offsets (under {@code read_committed} a transaction marker
 * takes an offset too, so the next offset can be more than the last record's offset + 1).
 *
 * @param next the next offset per partition, never negative
 */
public record StreamPosition(Map<TopicPartition, Long> next) {

    private static final String VERSION = "v1;";

    /** Sorted, unmodifiable. */
    public StreamPosition {
        TreeMap<TopicPartition, Long> sorted = new TreeMap<>(StreamPosition::compare);
        sorted.putAll(next);
        next = Collections.unmodifiableMap(sorted);
    }

    /**
     * @param partition the partition a record was read from
     * @param offset    that record's offset
     * @return this position moved past that record
     */
    public StreamPosition after(TopicPartition partition, long offset) {
        TreeMap<TopicPartition, Long> moved = new TreeMap<>(StreamPosition::compare);
        moved.putAll(next);
        moved.put(partition, offset + 1);
        return new StreamPosition(moved);
    }

    /** @return the text form, as the class comment gives it */
    public String encode() {
        return VERSION + next.entrySet().stream()
                .map(e -> e.getKey().topic() + ":" + e.getKey().partition() + ":" + e.getValue())
                .collect(Collectors.joining(","));
    }

    /**
     * @param text an event id a client sent back ({@code Last-Event-ID})
     * @return the position it names, or empty when it is not one this service wrote
     */
    public static Optional<StreamPosition> parse(String text) {
        if (text == null || !text.startsWith(VERSION)) {
            return Optional.empty();
        }
        TreeMap<TopicPartition, Long> next = new TreeMap<>(StreamPosition::compare);
        String body = text.substring(VERSION.length());
        if (body.isEmpty()) {
            return Optional.of(new StreamPosition(next));
        }
        for (String entry : body.split(",", -1)) {
            int offsetColon = entry.lastIndexOf(':');
            int partitionColon = offsetColon <= 0 ? -1 : entry.lastIndexOf(':', offsetColon - 1);
            if (partitionColon <= 0) {
                return Optional.empty();
            }
            try {
                int partition = Integer.parseInt(entry.substring(partitionColon + 1, offsetColon));
                long offset = Long.parseLong(entry.substring(offsetColon + 1));
                if (partition < 0 || offset < 0) {
                    return Optional.empty();
                }
                next.put(new TopicPartition(entry.substring(0, partitionColon), partition), offset);
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return Optional.of(new StreamPosition(next));
    }

    private static int compare(TopicPartition a, TopicPartition b) {
        int byTopic = a.topic().compareTo(b.topic());
        return byTopic != 0 ? byTopic : Integer.compare(a.partition(), b.partition());
    }
}
