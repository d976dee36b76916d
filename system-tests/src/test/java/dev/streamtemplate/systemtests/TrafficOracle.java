package dev.streamtemplate.systemtests;

import dev.streamtemplate.schemas.PageView;
import dev.streamtemplate.schemas.Purchase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What traffic-analytics' state stores hold after processing a bounded input, computed in plain Java from the
 * definitions of its windows: the single-instance oracle that every instance's answers are compared with.
 *
 * <p>Which records were too late for an aggregation depends on the order in which its task saw them (stream time is
 * per partition; after the repartition by page, on the order in which concurrent upstream tasks wrote). As in
 * traffic-analytics' {@code TrafficPipelineTest}, the records the service reported in {@code late-events} for an
 * aggregation are the late ones; every other input record is in the store: the tumbling count of its page and
 * minute, every hopping window of its page that contains it, its user's session, its user's sliding windows. A store
 * holds open windows too, so the oracle is what a query answers whether or not a window has closed.
 *
 * @param tumbling page to its one-minute windows, oldest first
 * @param hopping  page to its hopping windows, oldest first
 * @param sessions user to its sessions, oldest first
 * @param bursts   user to its sliding windows with at least the burst threshold of purchases, oldest first
 */
public record TrafficOracle(Map<String, List<Window>> tumbling, Map<String, List<Window>> hopping,
                            Map<String, List<Window>> sessions, Map<String, List<Window>> bursts) {

    /**
     * A window of one key and its count: what the HTTP answers hold ({@code windowStart/windowEnd/count},
     * {@code start/end/pageViews}, {@code windowStart/windowEnd/purchases}).
     */
    public record Window(String key, Instant start, Instant end, long count) {
    }

    /** The window definitions of the service ({@code traffic.*} in its application.properties and the test's overrides). */
    public record Settings(Duration tumblingSize, Duration hoppingSize, Duration hoppingAdvance, Duration sessionGap,
                           Duration slidingSpan, int burstThreshold) {
    }

    /** A page total in {@code /top-pages}. */
    public record PageTotal(String page, long views) {
    }

    /**
     * Computes the oracle.
     *
     * @param pageViews the page views on the input topic
     * @param purchases the purchases on the input topic
     * @param lateIds   per aggregation ({@code page-views-tumbling}, {@code page-views-hopping}, {@code user-sessions},
     *                  {@code purchase-bursts}), the event ids the service reported late
     */
    public static TrafficOracle compute(Collection<PageView> pageViews, Collection<Purchase> purchases,
                                        Map<String, Set<String>> lateIds, Settings settings) {
        Set<String> lateTumbling = lateIds.getOrDefault("page-views-tumbling", Set.of());
        Set<String> lateHopping = lateIds.getOrDefault("page-views-hopping", Set.of());
        Set<String> lateSessions = lateIds.getOrDefault("user-sessions", Set.of());
        Set<String> lateBursts = lateIds.getOrDefault("purchase-bursts", Set.of());

        long size = settings.tumblingSize().toMillis();
        Map<String, TreeMap<Long, Long>> tumblingCounts = new HashMap<>();
        long hopSize = settings.hoppingSize().toMillis();
        long advance = settings.hoppingAdvance().toMillis();
        Map<String, TreeMap<Long, Long>> hoppingCounts = new HashMap<>();
        Map<String, List<Long>> viewTimes = new HashMap<>();
        for (PageView view : pageViews) {
            long t = view.timestamp().toEpochMilli();
            if (!lateTumbling.contains(view.eventId())) {
                tumblingCounts.computeIfAbsent(view.page(), k -> new TreeMap<>()).merge(t - Math.floorMod(t, size), 1L, Long::sum);
            }
            if (!lateHopping.contains(view.eventId())) {
                // every window [start, start + size) with start a multiple of the advance that contains t
                for (long start = t - Math.floorMod(t, advance); start > t - hopSize && start >= 0; start -= advance) {
                    hoppingCounts.computeIfAbsent(view.page(), k -> new TreeMap<>()).merge(start, 1L, Long::sum);
                }
            }
            if (!lateSessions.contains(view.eventId())) {
                viewTimes.computeIfAbsent(view.userId(), k -> new ArrayList<>()).add(t);
            }
        }
        Map<String, List<Long>> purchaseTimes = new HashMap<>();
        for (Purchase purchase : purchases) {
            if (!lateBursts.contains(purchase.eventId())) {
                purchaseTimes.computeIfAbsent(purchase.userId(), k -> new ArrayList<>()).add(purchase.timestamp().toEpochMilli());
            }
        }
        return new TrafficOracle(windows(tumblingCounts, size), windows(hoppingCounts, hopSize),
                sessions(viewTimes, settings.sessionGap().toMillis()),
                slidingWindows(purchaseTimes, settings.slidingSpan().toMillis(), settings.burstThreshold()));
    }

    private static Map<String, List<Window>> windows(Map<String, TreeMap<Long, Long>> counts, long size) {
        Map<String, List<Window>> windows = new TreeMap<>();
        counts.forEach((key, byStart) -> windows.put(key, byStart.entrySet().stream()
                .map(e -> new Window(key, Instant.ofEpochMilli(e.getKey()), Instant.ofEpochMilli(e.getKey() + size), e.getValue()))
                .toList()));
        return windows;
    }

    /**
     * Session windows: a record joins every session of its key that ends no earlier than {@code t - gap} and starts
     * no later than {@code t + gap}, whatever the order, so the sessions are the runs of sorted event times with no
     * gap above {@code gap}; start and end are the first and last event time (both inclusive).
     */
    private static Map<String, List<Window>> sessions(Map<String, List<Long>> times, long gap) {
        Map<String, List<Window>> sessions = new TreeMap<>();
        times.forEach((user, list) -> {
            List<Long> sorted = list.stream().sorted().toList();
            List<Window> ofUser = new ArrayList<>();
            long start = sorted.get(0);
            long end = start;
            long count = 1;
            for (long t : sorted.subList(1, sorted.size())) {
                if (t - end <= gap) {
                    end = t;
                    count++;
                } else {
                    ofUser.add(new Window(user, Instant.ofEpochMilli(start), Instant.ofEpochMilli(end), count));
                    start = t;
                    end = t;
                    count = 1;
                }
            }
            ofUser.add(new Window(user, Instant.ofEpochMilli(start), Instant.ofEpochMilli(end), count));
            sessions.put(user, ofUser);
        });
        return sessions;
    }

    /**
     * Sliding windows (KIP-450), both bounds inclusive: {@code [t - span, t]} for every record time t, and
     * {@code [t + 1, t + 1 + span]} for every t followed by another record within the span; each holds the records in
     * it. Only windows reaching {@code threshold} are kept, as {@code /purchase-bursts} filters them. (The same rule
     * as traffic-analytics' {@code WindowOracle}, which its pipeline test checks against the emitted windows.)
     */
    private static Map<String, List<Window>> slidingWindows(Map<String, List<Long>> times, long span, int threshold) {
        Map<String, List<Window>> windows = new TreeMap<>();
        times.forEach((user, list) -> {
            TreeSet<Long> distinct = new TreeSet<>(list);
            TreeSet<Long> starts = new TreeSet<>();
            for (long t : distinct) {
                if (t >= span) {
                    starts.add(t - span);
                }
                Long next = distinct.higher(t);
                if (next != null && next <= t + span) {
                    starts.add(t + 1);
                }
            }
            List<Window> ofUser = new ArrayList<>();
            for (long start : starts) {
                long end = start + span;
                long count = list.stream().filter(t -> t >= start && t <= end).count();
                if (count >= threshold) {
                    ofUser.add(new Window(user, Instant.ofEpochMilli(start), Instant.ofEpochMilli(end), count));
                }
            }
            if (!ofUser.isEmpty()) {
                windows.put(user, ofUser);
            }
        });
        return windows;
    }

    /** The tumbling windows of {@code page} starting in {@code [from, to)}, oldest first. */
    public List<Window> pageViews(String page, Instant from, Instant to) {
        return inRange(tumbling.getOrDefault(page, List.of()), from, to);
    }

    /** The hopping windows of {@code page} starting in {@code [from, to)}, oldest first. */
    public List<Window> hoppingPageViews(String page, Instant from, Instant to) {
        return inRange(hopping.getOrDefault(page, List.of()), from, to);
    }

    /** The sessions of {@code user}, oldest first. */
    public List<Window> sessionsOf(String user) {
        return sessions.getOrDefault(user, List.of());
    }

    /** The purchase bursts of {@code user}, oldest first. */
    public List<Window> burstsOf(String user) {
        return bursts.getOrDefault(user, List.of());
    }

    /** {@code /top-pages}: views per page over the one-minute windows starting in {@code [from, to)}, top {@code limit}. */
    public List<PageTotal> topPages(Instant from, Instant to, int limit) {
        Map<String, Long> totals = new TreeMap<>();
        tumbling.forEach((page, windows) -> inRange(windows, from, to).forEach(w -> totals.merge(page, w.count(), Long::sum)));
        return totals.entrySet().stream().map(e -> new PageTotal(e.getKey(), e.getValue()))
                .sorted(Comparator.comparingLong(PageTotal::views).reversed().thenComparing(PageTotal::page))
                .limit(limit).toList();
    }

    private static List<Window> inRange(List<Window> windows, Instant from, Instant to) {
        return windows.stream().filter(w -> !w.start().isBefore(from) && w.start().isBefore(to)).toList();
    }
}
