package dev.streamtemplate.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamtemplate.attribution.AttributedPurchase;
import dev.streamtemplate.attribution.AttributionOracle;
import dev.streamtemplate.attribution.PageRevenueRevision;
import dev.streamtemplate.generator.EventPublisher;
import dev.streamtemplate.generator.GeneratedEvent;
import dev.streamtemplate.generator.GeneratorConfig;
import dev.streamtemplate.runtime.lateness.LateEvent;
import dev.streamtemplate.schemas.PageView;
import dev.streamtemplate.schemas.Purchase;
import dev.streamtemplate.schemas.TopicCatalogue;
import dev.streamtemplate.schemas.TopicCatalogue.TopicSpec;
import dev.streamtemplate.schemas.WindowKey;
import dev.streamtemplate.testing.KafkaTopics;
import dev.streamtemplate.testing.TopicRecord;
import dev.streamtemplate.traffic.PageViewCountRevision;
import dev.streamtemplate.traffic.PurchaseBurstRevision;
import dev.streamtemplate.traffic.UserSessionRevision;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Replay equals live under the late-data policy {@code update}: four hours of shop traffic, processed by one
 * traffic-analytics and one purchase-attribution instance with every aggregation under {@code update} and an allowed
 * lateness (6 h) covering the replay, give derived topics that, read with {@code read_committed} as tables (the last
 * record per key), equal the batch oracles ({@link TrafficOracle}, {@link AttributionOracle}: every input record
 * counted, nothing late) exactly, whichever way the traffic arrives:
 * <ul>
 *   <li><b>backlog</b>: all published before the services start, then processed unpaced; the tasks move through
 *       their partitions at different event-time speeds, so repartitioned records arrive hours out of order;</li>
 *   <li><b>live</b>: published paced while the services run;</li>
 *   <li><b>catch-up</b>: paced, the services stopped for the middle third and restarted on their state.</li>
 * </ul>
 * 0.5 % of the events are delivered two hours late. After the traffic, {@link ClosingClock} events 35 minutes past
 * the last event time close every window, and 2 minutes later make the first clock's attributions final, which closes
 * the half-hourly revenue windows (the clock's own windows stay open and are left out). Each scenario runs on emptied
 * topics under its own {@code application.id}s, on one broker of its own; it prints the records, keys, corrections
 * and retractions of each topic and the late events (none expected).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class LateDataReplaySystemTest {

    private static final String TRAFFIC = "traffic-analytics";
    private static final List<String> TRAFFIC_STORES = List.of("page-views-tumbling-store", "page-views-hopping-store",
            "user-sessions-store", "purchase-bursts-store");
    private static final List<String> TRAFFIC_AGGREGATIONS = List.of("user-sessions", "page-views-tumbling",
            "page-views-hopping", "purchase-bursts");
    private static final String ATTRIBUTION = "purchase-attribution";
    private static final List<String> ATTRIBUTION_AGGREGATIONS = List.of("attribution-purchases", "attribution-views",
            "purchase-attribution", "attributed-revenue");
    /** purchase-attribution's lookback (its default) and revenue windows: half-hourly, so that the last closes by {@link #CLOSING_DELAY}. */
    private static final Duration LOOKBACK = Duration.ofMinutes(60);
    private static final Duration REVENUE_WINDOW = Duration.ofMinutes(30);
    /** After the closing clock: its attributions are final (grace 1 min), so every revenue task's stream time passes it. */
    private static final Duration SECOND_CLOCK = Duration.ofMinutes(2);
    /** The service's windows (traffic.*), passed to the instance and used by the oracle; two purchases make a burst. */
    private static final TrafficOracle.Settings WINDOWS = new TrafficOracle.Settings(Duration.ofMinutes(1),
            Duration.ofMinutes(5), Duration.ofMinutes(1), Duration.ofMinutes(30), Duration.ofMinutes(10), 2);
    private static final Duration REPLAY = Duration.ofHours(4);
    /** The delay of the late deliveries; the allowed lateness covers it and the replay's span. */
    private static final Duration LATE_DELIVERY = Duration.ofHours(2);
    private static final Duration ALLOWED_LATENESS = Duration.ofHours(6);
    /** Past the last event: beyond every window's end plus grace (sessions: gap 30 min plus grace 1 min). */
    private static final Duration CLOSING_DELAY = Duration.ofMinutes(35);
    /** Six hours of delivery time (four, and the late deliveries two hours after) in a minute. */
    private static final double PACE = 360;
    private static final Duration TABLES_BOUND = Duration.ofMinutes(4);
    private static final List<TopicSpec> TOPICS = Stream.concat(
            Stream.of(TopicCatalogue.PAGE_VIEWS, TopicCatalogue.PURCHASES),
            Stream.concat(TopicCatalogue.TRAFFIC_ANALYTICS_OUTPUTS.stream(),
                    TopicCatalogue.PURCHASE_ATTRIBUTION_OUTPUTS.stream())).distinct().toList();

    private MultiInstanceStack stack;
    private TrafficReplay traffic;
    /** The closing clock's events: at {@link #closing}, and {@link #SECOND_CLOCK} later. */
    private List<GeneratedEvent> clock;
    private Instant closing;
    private final Map<String, String> summaries = new LinkedHashMap<>();

    @BeforeAll
    void startBroker() throws Exception {
        stack = MultiInstanceStack.start(Path.of("target", "late-data-replay"), line -> System.out.println("[stack] " + line));
        // recent, not a fixed date: the broker deletes records older than a topic's retention (7 days)
        Instant start = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(REPLAY);
        GeneratorConfig config = GeneratorConfig.defaults().withSeed(20261205L).withUsers(400).withStart(start)
                .withDuration(REPLAY).withLate(0.005, LATE_DELIVERY);
        traffic = new TrafficReplay(config, Set.of(TopicCatalogue.PAGE_VIEWS.name(), TopicCatalogue.PURCHASES.name()));
        closing = traffic.lastEventTime().plus(CLOSING_DELAY);
        clock = Stream.concat(ClosingClock.at(closing).stream(), ClosingClock.at(closing.plus(SECOND_CLOCK)).stream())
                .toList();
    }

    @AfterAll
    void stopBroker() {
        if (stack != null) {
            stack.close();
        }
        System.out.println();
        System.out.println("=== " + getClass().getSimpleName() + " summary ===");
        System.out.println("traffic: " + (traffic == null ? 0 : traffic.events().size())
                + " page views and purchases, generator " + (traffic == null ? "-" : traffic.config()));
        summaries.forEach((scenario, summary) -> System.out.println(scenario + ": " + summary));
    }

    @BeforeEach
    void emptyTopics() {
        try (KafkaTopics topics = new KafkaTopics(stack.bootstrapServers())) {
            topics.recreate(TOPICS);
        }
    }

    @Test
    void aBacklogPublishedBeforeTheServiceStartsGivesTheOraclesTables() throws Exception {
        publish(traffic.events(), 0);
        publish(clock, 0);
        Services services = new Services("backlog", "update");
        try {
            services.startReady();
            awaitTablesEqualTheOracle("backlog", "update");
        } finally {
            services.stopAll();
        }
    }

    /**
     * The same backlog under {@code side-output}, the default: what {@code update} is for. The tables then equal the
     * oracle over the records not reported late (windowed + late = input), and the late fraction is reported.
     */
    @Test
    void theSameBacklogUnderSideOutputSendsPartOfItToLateEvents() throws Exception {
        publish(traffic.events(), 0);
        publish(clock, 0);
        Services services = new Services("backlog-side-output", "side-output");
        try {
            services.startReady();
            awaitTablesEqualTheOracle("backlog under side-output", "side-output");
        } finally {
            services.stopAll();
        }
    }

    @Test
    void livePacedTrafficGivesTheSameTables() throws Exception {
        Services services = new Services("live", "update");
        try {
            services.startReady();
            publish(traffic.events(), PACE);
            publish(clock, 0);
            awaitTablesEqualTheOracle("live", "update");
        } finally {
            services.stopAll();
        }
    }

    @Test
    void aServiceStoppedForAThirdOfTheTrafficCatchesUpToTheSameTables() throws Exception {
        Instant start = traffic.config().start();
        Duration third = REPLAY.dividedBy(3);
        List<List<GeneratedEvent>> parts = traffic.parts(start.plus(third), start.plus(third.multipliedBy(2)));
        Services services = new Services("catch-up", "update");
        try {
            services.startReady();
            publish(parts.get(0), PACE);
            services.stopAndRestartAfter(() -> publish(parts.get(1), PACE));
            publish(parts.get(2), PACE);
            publish(clock, 0);
            awaitTablesEqualTheOracle("catch-up", "update");
        } finally {
            services.stopAll();
        }
    }

    /** A step that publishes. */
    private interface Publishing {
        void run() throws InterruptedException;
    }

    /**
     * One traffic-analytics and one purchase-attribution instance, each under {@code policy} for every aggregation, in
     * consumer groups of the scenario's own.
     */
    private final class Services {
        private final List<InstanceGroup> groups;

        Services(String scenario, String policy) {
            Map<String, String> traffic = new LinkedHashMap<>(WINDOWS.properties());
            traffic.put("quarkus.kafka-streams.application-id", TRAFFIC + "-" + scenario);
            traffic.put("traffic.allowed-lateness", ALLOWED_LATENESS.toString());
            TRAFFIC_AGGREGATIONS.forEach(aggregation -> traffic.put("traffic.late-policy." + aggregation, policy));
            Map<String, String> attribution = new LinkedHashMap<>();
            attribution.put("quarkus.kafka-streams.application-id", ATTRIBUTION + "-" + scenario);
            attribution.put("attribution.lookback", LOOKBACK.toString());
            attribution.put("attribution.revenue-window", REVENUE_WINDOW.toString());
            attribution.put("attribution.allowed-lateness", ALLOWED_LATENESS.toString());
            ATTRIBUTION_AGGREGATIONS.forEach(aggregation -> attribution.put("attribution.late-policy." + aggregation, policy));
            for (Map<String, String> properties : List.of(traffic, attribution)) {
                // emit-on-close checks for closed windows at most once a wall-clock second (1,000 ms by default): the
                // windows the closing clock closes would wait for a record that never comes
                properties.put("kafka-streams.__emit.interval.ms.kstreams.windowed.aggregation__", "0");
            }
            groups = List.of(
                    new InstanceGroup(stack, TRAFFIC, TRAFFIC_STORES, TopicCatalogue.PAGE_VIEWS.partitions(), traffic),
                    new InstanceGroup(stack, ATTRIBUTION, List.of("attributed-revenue-store"),
                            TopicCatalogue.PAGE_VIEWS.partitions(), attribution));
        }

        void startReady() throws Exception {
            for (InstanceGroup group : groups) {
                group.startReady(1);
            }
        }

        /** Stops both instances, runs {@code meanwhile}, and starts them again on their state. */
        void stopAndRestartAfter(Publishing meanwhile) throws Exception {
            List<ServiceInstance> instances = groups.stream().map(group -> group.live().get(0)).toList();
            groups.forEach(InstanceGroup::stopAll);
            meanwhile.run();
            for (int i = 0; i < groups.size(); i++) {
                groups.get(i).restart(instances.get(i));
            }
            for (InstanceGroup group : groups) {
                group.awaitReady(group.live());
            }
        }

        void stopAll() {
            groups.forEach(InstanceGroup::stopAll);
        }
    }

    /** Publishes {@code events} in delivery order, paced at {@code speed} times real time, or at once when 0. */
    private void publish(List<GeneratedEvent> events, double speed) throws InterruptedException {
        try (EventPublisher publisher = new EventPublisher(stack.bootstrapServers())) {
            if (speed > 0) {
                publisher.publishPaced(events, speed);
            } else {
                publisher.publishAll(events);
            }
            publisher.flush();
        }
    }

    /**
     * Waits until each derived topic, read as a table, equals the oracle over the input records not reported late;
     * records what each topic holds and, under {@code update}, checks that nothing was reported late. Under
     * {@code side-output} purchase-attribution's tables are not compared (which views a purchase saw then depends on
     * the order the join read them in), only its late events reported.
     *
     * @param policy the instances' late-data policy, {@code update} or {@code side-output}
     */
    private void awaitTablesEqualTheOracle(String scenario, String policy) {
        String bootstrap = stack.bootstrapServers();
        boolean update = policy.equals("update");
        List<PageView> pageViews = values(FaultOracles.read(bootstrap, TopicCatalogue.PAGE_VIEWS.name(), PageView.class));
        List<Purchase> purchases = values(FaultOracles.read(bootstrap, TopicCatalogue.PURCHASES.name(), Purchase.class));
        assertThat(pageViews.size() + purchases.size()).as("events on the input topics")
                .isEqualTo(traffic.events().size() + clock.size());
        Predicate<String> clockPage = page -> page.startsWith(PageView.PRODUCT_PAGE_PREFIX + ClosingClock.PRODUCT_PREFIX);
        AttributionOracle.Result attribution = AttributionOracle.compute(
                pageViews.stream().filter(v -> v.productId() != null && !ClosingClock.isClockUser(v.userId())).toList(),
                purchases.stream().filter(p -> !ClosingClock.isClockUser(p.userId())).toList(), Set.of(), Set.of(),
                LOOKBACK, REVENUE_WINDOW);
        Map<String, TopicTable<?>> tables = new LinkedHashMap<>();
        Map<String, Set<String>> lateIds = new TreeMap<>();
        await(scenario + ": the six derived topics, as tables, to equal the oracle")
                .atMost(TABLES_BOUND).pollInterval(Duration.ofSeconds(3))
                .untilAsserted(() -> {
                    lateIds.clear();
                    values(FaultOracles.read(bootstrap, TopicCatalogue.LATE_EVENTS.name(), LateEvent.class))
                            .forEach(event -> lateIds.computeIfAbsent(event.aggregation(), a -> new HashSet<>())
                                    .add(String.valueOf(((Map<?, ?>) event.value()).get("eventId"))));
                    TrafficOracle oracle = TrafficOracle.compute(pageViews, purchases, lateIds, WINDOWS);
                    Map<String, Set<TrafficOracle.Window>> expected = new LinkedHashMap<>();
                    expected.put(TopicCatalogue.PAGE_VIEWS_TUMBLING.name(), windows(oracle.tumbling(), clockPage));
                    expected.put(TopicCatalogue.PAGE_VIEWS_HOPPING.name(), windows(oracle.hopping(), clockPage));
                    expected.put(TopicCatalogue.USER_SESSIONS.name(), windows(oracle.sessions(), ClosingClock::isClockUser));
                    expected.put(TopicCatalogue.PURCHASE_BURSTS.name(), windows(oracle.bursts(), ClosingClock::isClockUser));
                    assertThat(expected.get(TopicCatalogue.PURCHASE_BURSTS.name())).as("the traffic has purchase bursts")
                            .isNotEmpty();
                    Function<PageViewCountRevision, String> countKey = v -> windowKey(v.page(), v.windowStart());
                    tables.put(TopicCatalogue.PAGE_VIEWS_TUMBLING.name(), table(TopicCatalogue.PAGE_VIEWS_TUMBLING, update,
                            PageViewCountRevision.class, PageViewCountRevision::revision, countKey));
                    tables.put(TopicCatalogue.PAGE_VIEWS_HOPPING.name(), table(TopicCatalogue.PAGE_VIEWS_HOPPING, update,
                            PageViewCountRevision.class, PageViewCountRevision::revision, countKey));
                    tables.put(TopicCatalogue.USER_SESSIONS.name(), table(TopicCatalogue.USER_SESSIONS, update,
                            UserSessionRevision.class, UserSessionRevision::revision, v -> windowKey(v.userId(), v.start())));
                    tables.put(TopicCatalogue.PURCHASE_BURSTS.name(), table(TopicCatalogue.PURCHASE_BURSTS, update,
                            PurchaseBurstRevision.class, PurchaseBurstRevision::revision,
                            v -> windowKey(v.userId(), v.windowStart())));
                    Map<String, Set<TrafficOracle.Window>> actual = new LinkedHashMap<>();
                    actual.put(TopicCatalogue.PAGE_VIEWS_TUMBLING.name(), windowSet(tables, TopicCatalogue.PAGE_VIEWS_TUMBLING,
                            (PageViewCountRevision v) -> new TrafficOracle.Window(v.page(), v.windowStart(), v.windowEnd(), v.count()), clockPage));
                    actual.put(TopicCatalogue.PAGE_VIEWS_HOPPING.name(), windowSet(tables, TopicCatalogue.PAGE_VIEWS_HOPPING,
                            (PageViewCountRevision v) -> new TrafficOracle.Window(v.page(), v.windowStart(), v.windowEnd(), v.count()), clockPage));
                    actual.put(TopicCatalogue.USER_SESSIONS.name(), windowSet(tables, TopicCatalogue.USER_SESSIONS,
                            (UserSessionRevision v) -> new TrafficOracle.Window(v.userId(), v.start(), v.end(), v.pageViews()), ClosingClock::isClockUser));
                    actual.put(TopicCatalogue.PURCHASE_BURSTS.name(), windowSet(tables, TopicCatalogue.PURCHASE_BURSTS,
                            (PurchaseBurstRevision v) -> new TrafficOracle.Window(v.userId(), v.windowStart(), v.windowEnd(), v.purchases()), ClosingClock::isClockUser));
                    expected.forEach((topic, windows) -> assertSameWindows(topic, actual.get(topic), windows));

                    TopicTable<AttributedPurchase> attributed = table(TopicCatalogue.ATTRIBUTED_PURCHASES, update,
                            AttributedPurchase.class, AttributedPurchase::revision, v -> v.purchase().eventId());
                    TopicTable<PageRevenueRevision> revenue = table(TopicCatalogue.ATTRIBUTED_REVENUE, update,
                            PageRevenueRevision.class, PageRevenueRevision::revision, v -> windowKey(v.page(), v.windowStart()));
                    tables.put(TopicCatalogue.ATTRIBUTED_PURCHASES.name(), attributed);
                    tables.put(TopicCatalogue.ATTRIBUTED_REVENUE.name(), revenue);
                    if (update) {
                        Map<String, String> attributions = new TreeMap<>();
                        attributed.latest().forEach((purchase, a) -> {
                            if (!ClosingClock.isClockUser(a.purchase().userId())) {
                                attributions.put(purchase, a.attributed() ? a.viewEventId() : AttributionOracle.NONE);
                            }
                        });
                        assertSameEntries(TopicCatalogue.ATTRIBUTED_PURCHASES.name(), attributions, attribution.attribution());
                        Map<String, Map<String, Long>> revenueByWindow = new TreeMap<>();
                        revenue.latest().forEach((key, r) -> {
                            if (!clockPage.test(r.page())) {
                                revenueByWindow.put(key, new TreeMap<>(r.revenueCents()));
                            }
                        });
                        assertSameEntries(TopicCatalogue.ATTRIBUTED_REVENUE.name(), revenueByWindow, attribution.revenue());
                    }
                });

        Map<String, String> lateByAggregation = new TreeMap<>();
        lateIds.forEach((aggregation, ids) -> lateByAggregation.put(aggregation, String.format(Locale.ROOT, "%d (%.1f %%)",
                ids.size(), 100.0 * ids.size() / (PURCHASE_AGGREGATIONS.contains(aggregation) ? purchases : pageViews).size())));
        List<String> counts = new ArrayList<>();
        tables.forEach((topic, table) -> counts.add(topic + " " + table.describe()));
        summaries.put(scenario, pageViews.size() + " page views, " + purchases.size() + " purchases ("
                + attribution.attribution().size() + " outside the clock, " + attribution.attributedViews().size()
                + " attributed, " + attribution.revenue().size() + " revenue windows); " + counts
                + "; late events " + lateByAggregation);
        if (update) {
            assertThat(lateByAggregation).as("records beyond the allowed lateness, by aggregation").isEmpty();
        }
    }

    /** The aggregations whose late events are counted against the purchases (the others: page views). */
    private static final Set<String> PURCHASE_AGGREGATIONS = Set.of("purchase-bursts", "attribution-purchases",
            "purchase-attribution", "attributed-revenue");

    private static String windowKey(String key, Instant start) {
        return new WindowKey(key, start).toString();
    }

    /** The windows of a table read by {@link #table}, without the clock's ({@code clock} tells by the window's key). */
    @SuppressWarnings("unchecked")
    private static <V> Set<TrafficOracle.Window> windowSet(Map<String, TopicTable<?>> tables, TopicSpec topic,
                                                         Function<V, TrafficOracle.Window> window, Predicate<String> clock) {
        Set<TrafficOracle.Window> windows = new HashSet<>();
        ((TopicTable<V>) tables.get(topic.name())).latest().values().stream().map(window)
                .filter(w -> !clock.test(w.key())).forEach(windows::add);
        return windows;
    }

    /**
     * A derived topic read as a table: the latest record per key, tombstones removing the key, after checking each
     * record's key ({@code key}), and how many records, corrections and retractions it took. Under {@code update} the
     * revisions of a key must count up by one from 0 (on {@code purchase-bursts} from the first revision that reached
     * the threshold, on {@code attributed-revenue-hourly} from the first that held a purchase; after a retraction, any
     * higher one), and a tombstone must retract a key written before.
     */
    private <V> TopicTable<V> table(TopicSpec topic, boolean update, Class<V> type, Function<V, Integer> revision,
                                    Function<V, String> key) {
        List<TopicRecord<String, V>> records = FaultOracles.read(stack.bootstrapServers(), topic.name(), type);
        Map<String, V> latest = new LinkedHashMap<>();
        Map<String, Integer> lastRevision = new HashMap<>();
        Set<String> retracted = new HashSet<>();
        // written from the first revision that reached the threshold, or held a purchase
        boolean thresholded = topic.equals(TopicCatalogue.PURCHASE_BURSTS) || topic.equals(TopicCatalogue.ATTRIBUTED_REVENUE);
        int corrections = 0;
        int retractions = 0;
        int maxRevision = 0;
        for (TopicRecord<String, V> record : records) {
            if (record.value() == null) {
                retractions++;
                if (update) {
                    assertThat(latest).as(topic.name() + ": a tombstone for a key written before").containsKey(record.key());
                }
                latest.remove(record.key());
                retracted.add(record.key());
                continue;
            }
            assertThat(record.key()).as(topic.name() + " record key").isEqualTo(key.apply(record.value()));
            int n = revision.apply(record.value());
            if (update) {
                Integer previous = lastRevision.put(record.key(), n);
                if (previous != null && retracted.remove(record.key())) {
                    assertThat(n).as(topic.name() + " " + record.key() + ": the revision after a retraction").isGreaterThan(previous);
                } else if (previous != null) {
                    assertThat(n).as(topic.name() + " " + record.key() + ": the revision after " + previous).isEqualTo(previous + 1);
                } else if (!thresholded) {
                    assertThat(n).as(topic.name() + " " + record.key() + ": the first revision").isZero();
                }
            }
            corrections += n > 0 ? 1 : 0;
            maxRevision = Math.max(maxRevision, n);
            latest.put(record.key(), record.value());
        }
        return new TopicTable<>(latest, records.size(), corrections, retractions, maxRevision);
    }

    /**
     * @param latest      the table: the latest value per key
     * @param records     records on the topic
     * @param corrections records with a revision above 0
     * @param retractions tombstones
     * @param maxRevision the highest revision
     */
    private record TopicTable<V>(Map<String, V> latest, int records, int corrections, int retractions, int maxRevision) {
        String describe() {
            return records + " records, " + latest.size() + " keys, " + corrections + " corrections (highest revision "
                    + maxRevision + "), " + retractions + " retractions";
        }
    }

    private static <V> void assertSameEntries(String topic, Map<String, V> actual, Map<String, V> expected) {
        Map<String, V> missing = new TreeMap<>(expected);
        missing.entrySet().removeAll(actual.entrySet());
        Map<String, V> unexpected = new TreeMap<>(actual);
        unexpected.entrySet().removeAll(expected.entrySet());
        assertThat(missing.size() + unexpected.size())
                .as("%s: %d keys, oracle %d; missing or different %s; not in the oracle %s", topic, actual.size(),
                        expected.size(), missing.entrySet().stream().limit(5).toList(),
                        unexpected.entrySet().stream().limit(5).toList())
                .isZero();
    }

    private static void assertSameWindows(String topic, Set<TrafficOracle.Window> actual, Set<TrafficOracle.Window> expected) {
        Set<TrafficOracle.Window> missing = new HashSet<>(expected);
        missing.removeAll(actual);
        Set<TrafficOracle.Window> unexpected = new HashSet<>(actual);
        unexpected.removeAll(expected);
        assertThat(missing.size() + unexpected.size())
                .as("%s: %d windows, oracle %d; missing %s; not in the oracle %s", topic, actual.size(), expected.size(),
                        first(missing), first(unexpected))
                .isZero();
    }

    private static List<TrafficOracle.Window> first(Collection<TrafficOracle.Window> windows) {
        return windows.stream().limit(5).toList();
    }

    private static Set<TrafficOracle.Window> windows(Map<String, List<TrafficOracle.Window>> byKey, Predicate<String> clock) {
        Set<TrafficOracle.Window> windows = new HashSet<>();
        byKey.forEach((key, list) -> {
            if (!clock.test(key)) {
                windows.addAll(list);
            }
        });
        return windows;
    }

    private static <V> List<V> values(List<TopicRecord<String, V>> records) {
        return records.stream().map(TopicRecord::value).toList();
    }
}
