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
 */
final class WindowOracle {

    /** One input record: its key, event time (epoch ms) and an id to trace it. */
    record In(String key, long ts, String id) {
    }

    /** A window of one key and the number of records in it. */
    record Window(String key, long start, long end, long count) {
    }

    /** A record routed to late-events by an aggregation. */
    record Late(String id, long windowStart, long windowEnd, long latenessMs) {
    }

    /** What an aggregation emitted (final windows) and routed (late records). */
    record Result(List<Window> emitted, List<Late> late, List<Window> open) {
    }

    private WindowOracle() {
    }

    /** Tumbling ({@code advance == size}) or hopping windows, final results only. */
    static Result timeWindows(List<List<In>> partitions, long size, long advance, long grace) {
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
     * reported, as the service filters them.
     */
    static Result slidingWindows(List<List<In>> partitions, long span, long grace, long threshold) {
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
     */
    static Result sessionWindows(List<List<In>> partitions, long gap, long grace) {
        List<Window> emitted = new ArrayList<>();
        List<Window> open = new ArrayList<>();
        List<Late> late = new ArrayList<>();
        for (List<In> partition : partitions) {
            long streamTime = Long.MIN_VALUE;
            long lastEmit = -1;
            Map<String, List<Window>> sessions = new HashMap<>();
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
                    ofKey.add(new Window(in.key(), start, end, count));
                }
                if (lastEmit < closeTime) {
                    long from = Math.max(0, lastEmit);
                    for (List<Window> list : sessions.values()) {
                        for (Window s : list) {
                            if (s.end() >= from && s.end() < closeTime) {
                                emitted.add(s);
                            }
                        }
                    }
                    lastEmit = closeTime;
                }
            }
            long finalClose = lastEmit;
            sessions.values().forEach(list -> list.stream().filter(s -> s.end() >= finalClose).forEach(open::add));
        }
        return new Result(emitted, late, open);
    }
}
