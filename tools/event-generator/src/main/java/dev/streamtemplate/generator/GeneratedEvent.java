package dev.streamtemplate.generator;

import java.time.Duration;
import java.time.Instant;

/**
 * One record the generator produces, with the time it happened and the time it is delivered.
 *
 * @param topic        the input topic ({@code dev.streamtemplate.schemas.TopicCatalogue} names)
 * @param key          the record key: {@code userId}, or {@code productId} on {@code products}
 * @param value        a {@code PageView}, {@code Purchase}, {@code CartEvent}, {@code UserChange} or
 *                     {@code Product}; {@code null} for a tombstone on {@code user-changes}
 * @param eventTime    when the event happened (the payload's timestamp; the Kafka record timestamp)
 * @param deliveryTime when the event is handed to Kafka, at or after {@code eventTime}; the sequence
 *                     is sorted by it
 * @param delivery     why {@code deliveryTime} is what it is
 */
public record GeneratedEvent(String topic, String key, Object value, Instant eventTime, Instant deliveryTime,
                             Delivery delivery) {

    /** True for a tombstone: a record with a key and a null value. */
    public boolean isTombstone() {
        return value == null;
    }

    /** {@code deliveryTime - eventTime}, zero for {@link Delivery#IN_ORDER}. */
    public Duration delay() {
        return Duration.between(eventTime, deliveryTime);
    }
}
