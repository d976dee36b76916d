package dev.streamtemplate.runtime.lateness;

import java.time.Instant;

/**
 * A record that arrived after the windows it belongs to had closed, as written to the {@code late-events} topic
 * (keyed like the aggregation's input); each window kind's closing rule is Kafka Streams' ({@link WindowClosure}).
 *
 * @param aggregation the aggregation the record was late for, for example {@code page-views-tumbling}
 * @param topic       the topic the record was read from (a repartition topic after re-keying)
 * @param partition   its partition
 * @param offset      its offset
 * @param key         the record key as text
 * @param eventTime   the record's event time
 * @param windowStart start (inclusive) of the closed window; for sessions, of the session it would have joined
 * @param windowEnd   end of that window: exclusive for time windows, inclusive for sliding and session windows
 * @param streamTime  the task's stream time when the record was processed
 * @param latenessMs  milliseconds of stream time since the window closed, 0 or more (as {@link WindowClosure} measures)
 * @param value       the record value, as it was read
 */
public record LateEvent(String aggregation, String topic, int partition, long offset, String key,
                        Instant eventTime, Instant windowStart, Instant windowEnd, Instant streamTime,
                        long latenessMs, Object value) {
}
