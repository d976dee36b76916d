package dev.streamtemplate.schemas;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Instant;

/**
 * An event on one of the shop's input topics.
 *
 * <p>Every event carries the instant it happened ({@link #eventTime()}); Kafka Streams takes its
 * record timestamp from there through {@link EventTimeExtractor}, never from wall-clock or broker
 * append time.
 */
public interface Event {

    /** The instant the event happened at its source (ISO-8601 in JSON). */
    @JsonIgnore
    Instant eventTime();
}
