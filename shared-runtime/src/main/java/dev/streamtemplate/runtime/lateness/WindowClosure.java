package dev.streamtemplate.runtime.lateness;

import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import org.apache.kafka.streams.kstream.SessionWindows;
import org.apache.kafka.streams.kstream.SlidingWindows;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Window;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.SessionStore;

/**
 * Decides, with Kafka Streams' own rule for a window kind, whether a record can still enter an
 * open window, given the stream time.
 *
 * <p>The rules are those of Kafka Streams 4.2's windowed aggregation processors
 * ({@code KStreamWindowAggregate}, {@code KStreamSlidingWindowAggregate},
 * {@code KStreamSessionWindowAggregate}): a record they would drop as "expired" is reported here as
 * closed, so routing it away before the aggregation keeps Kafka Streams' {@code dropped-records}
 * metric at zero. Stream time here is the task's stream time, which is never behind the
 * aggregation processor's own observed stream time (that one restarts from nothing after a
 * restart or rebalance), so every record the aggregation would drop is routed.
 *
 * @param <K> the aggregation's key type
 */
public interface WindowClosure<K> {

    /**
     * The closed window that {@code timestamp} falls into, or empty when the record still enters an
     * open window.
     *
     * @param key        the record key (session windows look up the sessions of that key)
     * @param timestamp  the record's event time, epoch milliseconds
     * @param streamTime the task's stream time, epoch milliseconds
     */
    Optional<ClosedWindow> closedWindow(K key, long timestamp, long streamTime);

    /**
     * The start of the oldest window still open at {@code streamTime}, epoch milliseconds: the
     * event time that {@link AggregationMetrics} reports the age of. For session windows, whose
     * start depends on the data, it is the earliest last activity an open session can have
     * ({@code streamTime - grace - gap}).
     *
     * @param streamTime the task's stream time, epoch milliseconds
     */
    long oldestOpenWindowStart(long streamTime);

    /**
     * A closed window and how late the record is for it.
     *
     * @param start      window start, epoch ms
     * @param end        window end, epoch ms
     * @param latenessMs stream time minus the instant the window closed, milliseconds, 0 or more
     */
    record ClosedWindow(long start, long end, long latenessMs) {
        Instant startInstant() {
            return Instant.ofEpochMilli(start);
        }

        Instant endInstant() {
            return Instant.ofEpochMilli(end);
        }
    }

    /**
     * Tumbling and hopping windows: the record is routed when the <em>earliest</em> window containing
     * it has closed ({@code end + grace <= streamTime}).
     *
     * <p>For tumbling windows that is the record's only window, which is Kafka Streams' rule exactly.
     * For hopping windows Kafka Streams would add the record to its still-open windows and drop it
     * from the closed ones, counting each as a dropped record; a DSL record cannot be split between
     * windows, so a record whose earliest window has closed is routed whole, and the late event names
     * that closed window. Every record is then counted in all of its windows or in none, and the
     * dropped-records metric stays 0.
     *
     * @param windows the aggregation's windows (size, advance, grace)
     * @return the rule
     */
    static <K> WindowClosure<K> timeWindows(TimeWindows windows) {
        long grace = windows.gracePeriodMs();
        return new WindowClosure<>() {
            @Override
            public Optional<ClosedWindow> closedWindow(K key, long timestamp, long streamTime) {
                var earliest = windows.windowsFor(timestamp).values().stream()
                        .min(Comparator.comparingLong(Window::start)).orElseThrow();
                long closeAt = earliest.end() + grace;
                if (closeAt > streamTime) {
                    return Optional.empty();
                }
                return Optional.of(new ClosedWindow(earliest.start(), earliest.end(), streamTime - closeAt));
            }

            @Override
            public long oldestOpenWindowStart(long streamTime) {
                // windows start at multiples of the advance; the oldest open one has start + size + grace > streamTime
                return (Math.floorDiv(streamTime - windows.size() - grace, windows.advanceMs) + 1) * windows.advanceMs;
            }
        };
    }

    /**
     * Sliding windows: the record is routed when the earliest window it belongs to, its own window
     * {@code [timestamp - timeDifference, timestamp]}, has closed ({@code timestamp + grace <
     * streamTime}; sliding window ends are inclusive).
     *
     * <p>Kafka Streams itself drops a sliding-window record only when {@code timestamp +
     * timeDifference + grace < streamTime}, but adds a less late record to its open windows and drops
     * it from the closed ones, counting each as a dropped record. As with hopping windows the record
     * is routed whole instead, so it is counted in all of its windows or in none.
     *
     * @param windows the aggregation's windows (time difference, grace)
     * @return the rule
     */
    static <K> WindowClosure<K> slidingWindows(SlidingWindows windows) {
        long difference = windows.timeDifferenceMs();
        long grace = windows.gracePeriodMs();
        return new WindowClosure<>() {
            @Override
            public Optional<ClosedWindow> closedWindow(K key, long timestamp, long streamTime) {
                if (timestamp + grace >= streamTime) {
                    return Optional.empty();
                }
                return Optional.of(new ClosedWindow(timestamp - difference, timestamp, streamTime - (timestamp + grace)));
            }

            @Override
            public long oldestOpenWindowStart(long streamTime) {
                return streamTime - grace - difference;
            }
        };
    }

    /**
     * One side of a stream-stream join whose records can still join records of the other side up to
     * {@code after} later: the record is routed when {@code timestamp + after + grace < streamTime},
     * that is when every record of the other side it could join belongs to a closed window. Kafka
     * Streams would keep such a record in its join store until the store segment expires, or drop it
     * as expired (counting it as dropped); either way it could no longer produce a result.
     *
     * @param after the longest time difference to a later record of the other side, milliseconds
     * @param grace the join's grace period, milliseconds
     * @return the rule; the late event names {@code [timestamp, timestamp + after]}
     */
    static <K> WindowClosure<K> joinSide(long after, long grace) {
        return new WindowClosure<>() {
            @Override
            public Optional<ClosedWindow> closedWindow(K key, long timestamp, long streamTime) {
                long closeAt = timestamp + after + grace;
                if (closeAt >= streamTime) {
                    return Optional.empty();
                }
                return Optional.of(new ClosedWindow(timestamp, timestamp + after, streamTime - closeAt));
            }

            @Override
            public long oldestOpenWindowStart(long streamTime) {
                return streamTime - after - grace;
            }
        };
    }

    /**
     * Session windows: the record merges with the key's sessions that end within {@code gap} before
     * it or start within {@code gap} after it; Kafka Streams drops it when the merged session's end
     * is before {@code streamTime - grace - gap}. The sessions are read from the aggregation's own
     * session store, which must be connected to the routing processor.
     *
     * @param windows the aggregation's windows (inactivity gap, grace)
     * @param store   the session aggregation's store, as seen by the routing processor (read only)
     * @return the rule; the late event names the session the record would have merged into (or the
     *         record's own one-instant session), lateness measured from {@code end + gap + grace}
     */
    static <K, V> WindowClosure<K> sessionWindows(SessionWindows windows, SessionStore<K, V> store) {
        long gap = windows.inactivityGap();
        long grace = windows.gracePeriodMs();
        return new WindowClosure<>() {
            @Override
            public Optional<ClosedWindow> closedWindow(K key, long timestamp, long streamTime) {
                long closeTime = streamTime - grace - gap;
                if (timestamp >= closeTime) {
                    return Optional.empty();
                }
                long start = timestamp;
                long end = timestamp;
                try (KeyValueIterator<Windowed<K>, V> sessions = store.findSessions(key, timestamp - gap, timestamp + gap)) {
                    while (sessions.hasNext()) {
                        var window = sessions.next().key.window();
                        start = Math.min(start, window.start());
                        end = Math.max(end, window.end());
                    }
                }
                if (end >= closeTime) {
                    return Optional.empty();
                }
                return Optional.of(new ClosedWindow(start, end, closeTime - end));
            }

            @Override
            public long oldestOpenWindowStart(long streamTime) {
                return streamTime - grace - gap;
            }
        };
    }
}
