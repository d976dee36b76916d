package dev.streamtemplate.systemtests;

import static java.util.stream.Collectors.groupingBy;
import static java.util.stream.Collectors.toList;

import dev.streamtemplate.schemas.PageView;
import dev.streamtemplate.schemas.Purchase;
import dev.streamtemplate.traffic.WindowOracle;
import dev.streamtemplate.traffic.WindowOracle.In;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * What traffic-analytics' state stores hold after processing a bounded input, computed in plain Java from the
 * definitions of its windows: the single-instance oracle that every instance's answers are compared with.
 *
 * <p>Which records were too late for an aggregation depends on the order in which its task saw them (stream time is
 * per partition; after the repartition by page, on the order in which concurrent upstream tasks wrote). As in
 * traffic-analytics' {@code TrafficPipelineTest}, the records the service reported in {@code late-events} for an
 * aggregation are the late ones; every other input record is in the store: the tumbling count of its page and
 * minute, every hopping window of its page that contains it, its user's session, its user's sliding windows. A store
 * holds open windows too, so the oracle is what a query answers whether or not a window has closed. The windows
 * themselves are {@link WindowOracle}'s, the batch computation traffic-analytics' pipeline test checks.
 *
 * @param tumbling page to its one-minute windows, oldest first
 * @param hopping  page to its hopping windows, oldest first
 * @param sessions user to its sessions, oldest first
 * @param bursts   user to its sliding windows with at least the burst threshold of purchases, oldest first
 */
public record TrafficOracle(Map<String, List<Window>> tumbling, Map<String, List<Window>> hopping,
                            Map<String, List<Window>> sessions, Map<String, List<Window>> bursts) {

    /** A grace period no stream time passes: {@link WindowOracle} then keeps every window open, as a store holds it. */
    private static final long NEVER_CLOSED = Long.MAX_VALUE / 4;

    /**
     * A window of one key and its count: what the HTTP answers hold ({@code windowStart/windowEnd/count},
     * {@code start/end/pageViews}, {@code windowStart/windowEnd/purchases}).
     */
    public record Window(String key, Instant start, Instant end, long count) {
    }

    /** The window definitions of the service ({@code traffic.*} in its application.properties and the test's overrides). */
    public record Settings(Duration tumblingSize, Duration hoppingSize, Duration hoppingAdvance, Duration sessionGap,
                           Duration slidingSpan, int burstThreshold) {

        /** These settings as the service's {@code traffic.*} properties, for its instances. */
        public Map<String, String> properties() {
            Map<String, String> properties = new LinkedHashMap<>();
            properties.put("traffic.tumbling-size", tumblingSize.toString());
            properties.put("traffic.hopping-size", hoppingSize.toString());
            properties.put("traffic.hopping-advance", hoppingAdvance.toString());
            properties.put("traffic.session-gap", sessionGap.toString());
            properties.put("traffic.sliding-span", slidingSpan.toString());
            properties.put("traffic.burst-threshold", Integer.toString(burstThreshold));
            return properties;
        }
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
        List<List<In>> byPageTumbling = List.of(inputs(pageViews, lateIds.get("page-views-tumbling"), PageView::eventId,
                PageView::page, PageView::timestamp));
        List<List<In>> byPageHopping = List.of(inputs(pageViews, lateIds.get("page-views-hopping"), PageView::eventId,
                PageView::page, PageView::timestamp));
        List<List<In>> byUser = List.of(inputs(pageViews, lateIds.get("user-sessions"), PageView::eventId,
                PageView::userId, PageView::timestamp));
        List<List<In>> purchasesByUser = List.of(inputs(purchases, lateIds.get("purchase-bursts"), Purchase::eventId,
                Purchase::userId, Purchase::timestamp));
        long tumblingSize = settings.tumblingSize().toMillis();
        return new TrafficOracle(
                byKey(WindowOracle.timeWindows(byPageTumbling, tumblingSize, tumblingSize, NEVER_CLOSED).open()),
                byKey(WindowOracle.timeWindows(byPageHopping, settings.hoppingSize().toMillis(),
                        settings.hoppingAdvance().toMillis(), NEVER_CLOSED).open()),
                byKey(WindowOracle.sessionWindows(byUser, settings.sessionGap().toMillis(), NEVER_CLOSED).open()),
                byKey(WindowOracle.slidingWindows(purchasesByUser, settings.slidingSpan().toMillis(), NEVER_CLOSED,
                        settings.burstThreshold()).open()));
    }

    /** The records of one aggregation that it did not report late, as one partition (the order does not matter). */
    private static <V> List<In> inputs(Collection<V> records, Set<String> lateIds, Function<V, String> eventId,
                                       Function<V, String> key, Function<V, Instant> timestamp) {
        Set<String> late = lateIds == null ? Set.of() : lateIds;
        return records.stream().filter(r -> !late.contains(eventId.apply(r)))
                .map(r -> new In(key.apply(r), timestamp.apply(r).toEpochMilli(), eventId.apply(r))).toList();
    }

    /** Windows by key, oldest first. */
    private static Map<String, List<Window>> byKey(List<WindowOracle.Window> windows) {
        return windows.stream()
                .sorted(Comparator.comparing(WindowOracle.Window::key).thenComparingLong(WindowOracle.Window::start))
                .map(w -> new Window(w.key(), Instant.ofEpochMilli(w.start()), Instant.ofEpochMilli(w.end()), w.count()))
                .collect(groupingBy(Window::key, TreeMap::new, toList()));
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
