package dev.streamtemplate.traffic;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A plain-Java batch computation of traffic-analytics' four aggregations, the oracle the real
 * pipeline is compared with. No Kafka Streams code: windows, stream time and lateness are computed
 * from their definitions (Kafka Streams docs, "Windowing"; KIP-450 for sliding windows; KIP-825 for
 * emit-on-window-close), one input partition at a time in offset order, because stream time, and so
 * lateness, is per partition.
 *
 * <p>Lateness rules are those documented in {@code WindowClosure}: a record is late when the
 * earliest window it belongs to has closed ({@code end + grace <= streamTime} for time windows,
 * {@code timestamp + grace < streamTime} for sliding windows); a session record is late when the
 * session it would merge into ends before {@code streamTime - grace - gap}.
 *
 * <p>Input: one list per partition of the topic the aggregation reads, each in offset order (the
 * order of the lists does not matter). Which topic, with the service's settings
 * ({@link TrafficSettings}), and what the results are compared with:
 * <ul>
 *   <li>{@code page-views-per-minute} (tumbling, {@code advance == size}) and
 *       {@code page-views-hopping}: {@link #timeWindows} over the page views as re-keyed by page on
 *       the repartition topic {@code traffic-analytics-page-views-by-page-repartition} (key = page,
 *       partitions and offsets of that topic, whose order differs from that of {@code page-views}:
 *       its purge must be off, {@code kafka-streams.repartition.purge.interval.ms}, as in the test
 *       profile); one {@link Window} per {@link PageViewCountRevision} ({@code key} = page);</li>
 *   <li>{@code user-sessions}: {@link #sessionWindows} over {@code page-views} as published (key =
 *       user id); one {@link Window} per {@link UserSessionRevision} ({@code count} = page views);</li>
 *   <li>{@code purchase-bursts}: {@link #slidingWindows} over {@code purchases} as published (key =
 *       user id), threshold {@code traffic.burst-threshold}; one {@link Window} per
 *       {@link PurchaseBurstRevision} ({@code count} = purchases);</li>
 *   <li>{@code late-events}: one {@link Late} per record, grouped by {@code LateEvent.aggregation()}
 *       ({@code TrafficTopology.*_AGGREGATION}); {@code id} is the event's {@code eventId}.</li>
 * </ul>
 * Every time and duration is in epoch milliseconds. Windows are compared as multisets: the order of
 * the returned lists is that of the computation, not of the topics.
 */
public final class WindowOracle {

    /**
     * One input record.
     *
     * @param key the record's key for the aggregation (page, or user id)
     * @param ts  the event time, epoch milliseconds (the record timestamp the service uses)
     * @param id  the event's {@code eventId}, to trace it to {@link Late#id()}
     */
    public record In(String key, long ts, String id) {
    }

    /**
     * A window of one key and the number of records in it.
     *
     * @param key   the key the window belongs to (page, or user id)
     * @param start the window start, epoch milliseconds (inclusive; a session's first record time)
     * @param end   the window end, epoch milliseconds: exclusive for time windows
     *              ({@code start + size}), inclusive for sliding windows and sessions (a session's
     *              last record time)
     * @param count the records in the window
     */
    public record Window(String key, long start, long end, long count) {
    }

    /**
     * A record routed to {@code late-events} by an aggregation.
     *
     * @param id          the late event's {@code eventId}
     * @param windowStart start of the window it was late for, epoch milliseconds
     * @param windowEnd   end of that window, epoch milliseconds
     * @param latenessMs  how far past the window's close the stream time was, milliseconds
     */
    public record Late(String id, long windowStart, long windowEnd, long latenessMs) {
    }

    /**
     * What an aggregation emitted and routed.
     *
     * @param emitted the final windows, closed by the stream time of their partition: what the
     *                output topic holds (emit-on-window-close, so once each; a session merged after
     *                it was emitted appears again, merged)
     * @param late    the records routed to {@code late-events}
     * @param open    the windows still open at the end of the input (not on the topic; in the store)
     */
    public record Result(List<Window> emitted, List<Late> late, List<Window> open) {
    }

    private WindowOracle() {
    }

    /**
     * Tumbling ({@code advance == size}) or hopping windows, final results only: a window is emitted
     * once {@code end + grace <= streamTime} of its partition.
     *
     * @param partitions the input, one list per partition in offset order
     * @param size       window size, milliseconds
     * @param advance    window advance, milliseconds ({@code size} for tumbling windows)
     * @param grace      grace period, milliseconds
     * @return the emitted, late and open windows of every partition
     */
    public static Result timeWindows(List<List<In>> partitions, long size, long advance, long grace) {
        List<Window> emitted = new ArrayList<>();
        List<Window> open = new ArrayList<>();
        List<Late> late = new ArrayList<>();
        for (List<In> partition : partitions) {
            long streamTime = Long.MIN_VALUE;
            Map<String, TreeMap<Long, Long>> counts = new HashMap<>();
            for (In in : partition) {
                streamTime = Math.max(streamTime, in.ts());
                long latestStart = in.ts() - Math.floorMod(in.ts(), advance);
                long earliestStart = latestStart;
                while (earliestStart - advance > in.ts() - size && earliestStart - advance >= 0) {
                    earliestStart -= advance;
                }
                if (earliestStart + size + grace <= streamTime) {
                    late.add(new Late(in.id(), earliestStart, earliestStart + size, streamTime - (earliestStart + size + grace)));
                    continue;
                }
                for (long start = earliestStart; start <= latestStart; start += advance) {
                    counts.computeIfAbsent(in.key(), k -> new TreeMap<>()).merge(start, 1L, Long::sum);
                }
            }
            long closeTime = streamTime - grace;
            counts.forEach((key, windows) -> windows.forEach((start, count) ->
                    (start + size <= closeTime ? emitted : open).add(new Window(key, start, start + size, count))));
        }
        return new Result(emitted, late, open);
    }

    /**
     * Sliding windows: for the accepted records of a key, the windows are {@code [t - span, t]} for
     * every record time t and {@code [t + 1, t + 1 + span]} for every t followed by another record
     * within the span (KIP-450); both bounds inclusive. Only windows reaching {@code threshold} are
     * reported, as the service filters them. A window is emitted once {@code end + grace < streamTime}.
     *
     * @param partitions the input, one list per partition in offset order
     * @param span       the sliding window's time difference, milliseconds
     * @param grace      grace period, milliseconds
     * @param threshold  the least count a reported window has
     * @return the emitted, late and open windows (at least {@code threshold} records) of every partition
     */
    public static Result slidingWindows(List<List<In>> partitions, long span, long grace, long threshold) {
        List<Window> emitted = new ArrayList<>();
        List<Window> open = new ArrayList<>();
        List<Late> late = new ArrayList<>();
        for (List<In> partition : partitions) {
            long streamTime = Long.MIN_VALUE;
            Map<String, List<Long>> accepted = new HashMap<>();
            for (In in : partition) {
                streamTime = Math.max(streamTime, in.ts());
                if (in.ts() + grace < streamTime) {
                    late.add(new Late(in.id(), in.ts() - span, in.ts(), streamTime - (in.ts() + grace)));
                    continue;
                }
                accepted.computeIfAbsent(in.key(), k -> new ArrayList<>()).add(in.ts());
            }
            long closeTime = streamTime - grace;
            accepted.forEach((key, times) -> {
                TreeSet<Long> sorted = new TreeSet<>(times);
                TreeSet<Long> starts = new TreeSet<>();
                for (long t : sorted) {
                    if (t >= span) {
                        starts.add(t - span);
                    }
                    Long next = sorted.higher(t);
                    if (next != null && next <= t + span) {
                        starts.add(t + 1);
                    }
                }
                for (long start : starts) {
                    long end = start + span;
                    long count = times.stream().filter(t -> t >= start && t <= end).count();
                    if (count >= threshold) {
                        (end < closeTime ? emitted : open).add(new Window(key, start, end, count));
                    }
                }
            });
        }
        return new Result(emitted, late, open);
    }

    /**
     * Session windows with emit-on-window-close, simulated record by record: a record merges with
     * the key's sessions that end no earlier than {@code t - gap} and start no later than
     * {@code t + gap}; after each record, sessions whose end lies in {@code [lastEmit, closeTime)}
     * are emitted, with {@code closeTime = streamTime - grace - gap} (a session merged after it was
     * emitted is emitted again once the merged session closes).
     *
     * @param partitions the input, one list per partition in offset order
     * @param gap        the inactivity gap, milliseconds
     * @param grace      grace period, milliseconds
     * @return the emitted, late and open sessions of every partition
     */
    public static Result sessionWindows(List<List<In>> partitions, long gap, long grace) {
        List<Window> emitted = new ArrayList<>();
        List<Window> open = new ArrayList<>();
        List<Late> late = new ArrayList<>();
        for (List<In> partition : partitions) {
            long streamTime = Long.MIN_VALUE;
            long lastEmit = -1;
            Map<String, List<Window>> sessions = new HashMap<>();
            // the same sessions by end time, so that emitting does not scan every session at every record
            TreeMap<Long, List<Window>> byEnd = new TreeMap<>();
            for (In in : partition) {
                streamTime = Math.max(streamTime, in.ts());
                long closeTime = streamTime - grace - gap;
                List<Window> ofKey = sessions.computeIfAbsent(in.key(), k -> new ArrayList<>());
                long start = in.ts();
                long end = in.ts();
                long count = 1;
                List<Window> merged = new ArrayList<>();
                for (Window s : ofKey) {
                    if (s.end() >= in.ts() - gap && s.start() <= in.ts() + gap) {
                        merged.add(s);
                        start = Math.min(start, s.start());
                        end = Math.max(end, s.end());
                        count += s.count();
                    }
                }
                if (end < closeTime) {
                    late.add(new Late(in.id(), start, end, closeTime - end));
                } else {
                    ofKey.removeAll(merged);
                    for (Window s : merged) {
                        byEnd.get(s.end()).remove(s);
                    }
                    Window session = new Window(in.key(), start, end, count);
                    ofKey.add(session);
                    byEnd.computeIfAbsent(end, e -> new ArrayList<>()).add(session);
                }
                if (lastEmit < closeTime) {
                    long from = Math.max(0, lastEmit);
                    byEnd.subMap(from, true, closeTime, false).values().forEach(emitted::addAll);
                    lastEmit = closeTime;
                }
            }
            long finalClose = lastEmit;
            sessions.values().forEach(list -> list.stream().filter(s -> s.end() >= finalClose).forEach(open::add));
        }
        return new Result(emitted, late, open);
    }
}
