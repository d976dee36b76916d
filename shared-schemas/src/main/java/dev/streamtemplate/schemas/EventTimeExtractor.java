package dev.streamtemplate.schemas;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Takes a record's Kafka Streams timestamp from its payload: {@link Event#eventTime()} in
 * milliseconds since the epoch.
 *
 * <p>Records without an event (a tombstone, or a value that is not an {@link Event}) keep the
 * timestamp of the Kafka record when it is valid, and otherwise the partition's stream time
 * ({@code partitionTime}), so that they never move stream time backwards or stop processing. Event
 * times before the epoch cannot occur: the event records reject them at deserialization.
 *
 * <p>Configure as {@code default.timestamp.extractor} (Kafka Streams docs, "Timestamp Extractor").
 */
public class EventTimeExtractor implements TimestampExtractor {

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        if (record.value() instanceof Event event) {
            return event.eventTime().toEpochMilli();
        }
        return record.timestamp() >= 0 ? record.timestamp() : Math.max(partitionTime, 0L);
    }
}
