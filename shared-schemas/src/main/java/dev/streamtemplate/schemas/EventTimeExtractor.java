package dev.streamtemplate.schemas;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Takes a record's Kafka Streams timestamp from its payload: {@link Event#eventTime()} in
 * milliseconds since the epoch.
 *
 * <p>A record without an event (a tombstone, or a value that is not an {@link Event}) gets the
 * partition's time so far ({@code partitionTime}), so that it never moves stream time, in either
 * direction: its Kafka timestamp may be producer or broker wall-clock time, unrelated to event time.
 * Only the first record of a partition, before any partition time exists, falls back to its Kafka
 * timestamp (or 0). Event times before the epoch cannot occur: the event records reject them at
 * deserialization.
 *
 * <p>Configure as {@code default.timestamp.extractor} (Kafka Streams docs, "Timestamp Extractor").
 */
public class EventTimeExtractor implements TimestampExtractor {

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        if (record.value() instanceof Event event) {
            return event.eventTime().toEpochMilli();
        }
        if (partitionTime >= 0) {
            return partitionTime;
        }
        return Math.max(record.timestamp(), 0L);
    }
}
