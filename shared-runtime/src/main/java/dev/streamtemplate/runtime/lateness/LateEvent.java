package dev.streamtemplate.runtime.lateness;

import java.time.Instant;

/**
 * A record that arrived after the windows it belongs to had closed, as written to the
 * {@code late-events} topic (keyed like the aggregation's input).
 *
 * <p>A time window closes when {@code windowEnd + grace <= streamTime}, a sliding window when
 * {@code windowEnd + grace < streamTime}, a session when {@code sessionEnd + gap + grace <
 * streamTime} (Kafka Streams' rules; see {@link WindowClosure}).
 *
 * @param aggregation the aggregation the record was late for, for example {@code page-views-tumbling}
 * @param topic       the topic the record was read from (a repartition topic after re-keying)
 * @param partition   its partition
 * @param offset      its offset
 * @param key         the record key as text
 * @param eventTime   the record's event time
 * @param windowStart start of the closed window the record belonged to (for sessions, the session it
 *                    would have merged into), inclusive
 * @param windowEnd   end of that window (exclusive for time windows, inclusive for sliding and session
 *                    windows, as Kafka Streams defines them)
 * @param streamTime  the task's stream time when the record was processed
 * @param latenessMs  how long after the window closed the record arrived, in milliseconds of stream
 *                    time: {@code streamTime - (windowEnd + grace)}, for sessions
 *                    {@code streamTime - (sessionEnd + gap + grace)} (0 means it arrived the instant
 *                    the window closed)
 * @param value       the record value, as it was read
 */
public record LateEvent(String aggregation, String topic, int partition, long offset, String key,
                        Instant eventTime, Instant windowStart, Instant windowEnd, Instant streamTime,
                        long latenessMs, Object value) {
}
