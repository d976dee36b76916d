package dev.streamtemplate.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
 * traffic-analytics instance with every aggregation under {@code update} and an allowed lateness (6 h) covering the
 * replay, give derived topics that, read with {@code read_committed} as tables (the last record per
 * {@link WindowKey}), equal the batch oracle ({@link TrafficOracle}: every input record in its windows, nothing late)
 * exactly, whichever way the traffic arrives:
 * <ul>
 *   <li><b>backlog</b>: all published before the service starts, then processed unpaced; the tasks move through
 *       their partitions at different event-time speeds, so the repartitioned page views arrive hours out of order;</li>
 *   <li><b>live</b>: published paced while the service runs;</li>
 *   <li><b>catch-up</b>: paced, the service stopped for the middle third and restarted on its state.</li>
 * </ul>
 * 0.5 % of the events are delivered two hours late. After the traffic, {@link ClosingClock} events 35 minutes past
 * the last event time close every window (their own windows, of clock users and products, stay open and are left
 * out). Each scenario runs on emptied topics under its own {@code application.id}, on one broker of its own; it prints
 * the records, keys, corrections and retractions of each topic and the late events (none expected).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class LateDataReplaySystemTest {

    private static final String SERVICE = "traffic-analytics";
    private static final List<String> STORES = List.of("page-views-tumbling-store", "page-views-hopping-store",
            "user-sessions-store", "purchase-bursts-store");
    private static final List<String> AGGREGATIONS = List.of("user-sessions", "page-views-tumbling",
            "page-views-hopping", "purchase-bursts");
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
            TopicCatalogue.TRAFFIC_ANALYTICS_OUTPUTS.stream()).toList();

    private MultiInstanceStack stack;
    private TrafficReplay traffic;
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
        publish(ClosingClock.at(closing), 0);
        InstanceGroup group = group("backlog");
        try {
            group.startReady(1);
            awaitTablesEqualTheOracle("backlog", "update");
        } finally {
            group.stopAll();
        }
    }

    /**
     * The same backlog under {@code side-output}, the default: what {@code update} is for. The tables then equal the
     * oracle over the records not reported late (windowed + late = input), and the late fraction is reported.
     */
    @Test
    void theSameBacklogUnderSideOutputSendsPartOfItToLateEvents() throws Exception {
        publish(traffic.events(), 0);
        publish(ClosingClock.at(closing), 0);
        InstanceGroup group = group("backlog-side-output", "side-output");
        try {
            group.startReady(1);
            awaitTablesEqualTheOracle("backlog under side-output", "side-output");
        } finally {
            group.stopAll();
        }
    }

    @Test
    void livePacedTrafficGivesTheSameTables() throws Exception {
        InstanceGroup group = group("live");
        try {
            group.startReady(1);
            publish(traffic.events(), PACE);
            publish(ClosingClock.at(closing), 0);
            awaitTablesEqualTheOracle("live", "update");
        } finally {
            group.stopAll();
        }
    }

    @Test
    void aServiceStoppedForAThirdOfTheTrafficCatchesUpToTheSameTables() throws Exception {
        Instant start = traffic.config().start();
        Duration third = REPLAY.dividedBy(3);
        List<List<GeneratedEvent>> parts = traffic.parts(start.plus(third), start.plus(third.multipliedBy(2)));
        InstanceGroup group = group("catch-up");
        try {
            group.startReady(1);
            publish(parts.get(0), PACE);
            ServiceInstance instance = group.live().get(0);
            group.stopAll();
            publish(parts.get(1), PACE);
            group.restart(instance);
            group.awaitReady(group.live());
            publish(parts.get(2), PACE);
            publish(ClosingClock.at(closing), 0);
            awaitTablesEqualTheOracle("catch-up", "update");
        } finally {
            group.stopAll();
        }
    }

    /** One instance under {@code update} for every aggregation, in a consumer group of the scenario's own. */
    private InstanceGroup group(String scenario) {
        return group(scenario, "update");
    }

    /** One instance under {@code policy} for every aggregation, in a consumer group of the scenario's own. */
    private InstanceGroup group(String scenario, String policy) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("quarkus.kafka-streams.application-id", SERVICE + "-" + scenario);
        properties.put("traffic.tumbling-size", WINDOWS.tumblingSize().toString());
        properties.put("traffic.hopping-size", WINDOWS.hoppingSize().toString());
        properties.put("traffic.hopping-advance", WINDOWS.hoppingAdvance().toString());
        properties.put("traffic.session-gap", WINDOWS.sessionGap().toString());
        properties.put("traffic.sliding-span", WINDOWS.slidingSpan().toString());
        properties.put("traffic.burst-threshold", Integer.toString(WINDOWS.burstThreshold()));
        properties.put("traffic.allowed-lateness", ALLOWED_LATENESS.toString());
        AGGREGATIONS.forEach(aggregation -> properties.put("traffic.late-policy." + aggregation, policy));
        // emit-on-close checks for closed windows at most once a wall-clock second (1,000 ms by default): the windows
        // the closing clock closes would wait for a record that never comes
        properties.put("kafka-streams.__emit.interval.ms.kstreams.windowed.aggregation__", "0");
        return new InstanceGroup(stack, SERVICE, STORES, TopicCatalogue.PAGE_VIEWS.partitions(), properties);
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
     * records what each topic holds and, under {@code update}, checks that nothing was reported late.
     *
     * @param policy the instance's late-data policy, {@code update} or {@code side-output}
     */
    private void awaitTablesEqualTheOracle(String scenario, String policy) {
        String bootstrap = stack.bootstrapServers();
        List<PageView> pageViews = values(FaultOracles.read(bootstrap, TopicCatalogue.PAGE_VIEWS.name(), PageView.class));
        List<Purchase> purchases = values(FaultOracles.read(bootstrap, TopicCatalogue.PURCHASES.name(), Purchase.class));
        assertThat(pageViews.size() + purchases.size()).as("events on the input topics")
                .isEqualTo(traffic.events().size() + ClosingClock.at(closing).size());
        Predicate<String> clockPage = page -> page.startsWith(PageView.PRODUCT_PAGE_PREFIX + ClosingClock.PRODUCT_PREFIX);
        Map<String, TopicTable> tables = new LinkedHashMap<>();
        Map<String, Set<String>> lateIds = new TreeMap<>();
        await(scenario + ": the four derived topics, as tables, to equal the oracle")
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
                    boolean update = policy.equals("update");
                    tables.put(TopicCatalogue.PAGE_VIEWS_TUMBLING.name(), table(TopicCatalogue.PAGE_VIEWS_TUMBLING, update,
                            PageViewCountRevision.class, PageViewCountRevision::revision,
                            v -> new TrafficOracle.Window(v.page(), v.windowStart(), v.windowEnd(), v.count())));
                    tables.put(TopicCatalogue.PAGE_VIEWS_HOPPING.name(), table(TopicCatalogue.PAGE_VIEWS_HOPPING, update,
                            PageViewCountRevision.class, PageViewCountRevision::revision,
                            v -> new TrafficOracle.Window(v.page(), v.windowStart(), v.windowEnd(), v.count())));
                    tables.put(TopicCatalogue.USER_SESSIONS.name(), table(TopicCatalogue.USER_SESSIONS, update,
                            UserSessionRevision.class, UserSessionRevision::revision,
                            v -> new TrafficOracle.Window(v.userId(), v.start(), v.end(), v.pageViews())));
                    tables.put(TopicCatalogue.PURCHASE_BURSTS.name(), table(TopicCatalogue.PURCHASE_BURSTS, update,
                            PurchaseBurstRevision.class, PurchaseBurstRevision::revision,
                            v -> new TrafficOracle.Window(v.userId(), v.windowStart(), v.windowEnd(), v.purchases())));
                    expected.forEach((topic, windows) -> assertSameWindows(topic, tables.get(topic).windows(), windows));
                });

        Map<String, String> lateByAggregation = new TreeMap<>();
        lateIds.forEach((aggregation, ids) -> lateByAggregation.put(aggregation, String.format(Locale.ROOT, "%d (%.1f %%)",
                ids.size(), 100.0 * ids.size() / (aggregation.equals("purchase-bursts") ? purchases : pageViews).size())));
        List<String> counts = new ArrayList<>();
        tables.forEach((topic, table) -> counts.add(topic + " " + table.describe()));
        summaries.put(scenario, pageViews.size() + " page views, " + purchases.size() + " purchases; " + counts
                + "; late events " + lateByAggregation);
        if (policy.equals("update")) {
            assertThat(lateByAggregation).as("records beyond the allowed lateness, by aggregation").isEmpty();
        }
    }

    /**
     * A derived topic read as a table: its windows (the latest record per key, tombstones removing the key), after
     * checking each record's key is its window's, and how many records, corrections and retractions it took. Under
     * {@code update} the revisions of a key must count up by one from 0 (on {@code purchase-bursts} from the first
     * revision that reached the threshold), and a tombstone must retract a key written before.
     */
    private <V> TopicTable table(TopicSpec topic, boolean update, Class<V> type, Function<V, Integer> revision,
                                 Function<V, TrafficOracle.Window> window) {
        List<TopicRecord<String, V>> records = FaultOracles.read(stack.bootstrapServers(), topic.name(), type);
        Map<String, TrafficOracle.Window> latest = new LinkedHashMap<>();
        Map<String, Integer> lastRevision = new HashMap<>();
        boolean thresholded = topic.equals(TopicCatalogue.PURCHASE_BURSTS);
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
                continue;
            }
            TrafficOracle.Window w = window.apply(record.value());
            assertThat(record.key()).as(topic.name() + " record key").isEqualTo(new WindowKey(w.key(), w.start()).toString());
            int n = revision.apply(record.value());
            if (update) {
                Integer previous = lastRevision.put(record.key(), n);
                if (previous != null) {
                    assertThat(n).as(topic.name() + " " + record.key() + ": the revision after " + previous).isEqualTo(previous + 1);
                } else if (!thresholded) {
                    assertThat(n).as(topic.name() + " " + record.key() + ": the first revision").isZero();
                }
            }
            corrections += n > 0 ? 1 : 0;
            maxRevision = Math.max(maxRevision, n);
            latest.put(record.key(), w);
        }
        return new TopicTable(new HashSet<>(latest.values()), records.size(), corrections, retractions, maxRevision);
    }

    /**
     * @param windows     the table's windows
     * @param records     records on the topic
     * @param corrections records with a revision above 0
     * @param retractions tombstones
     * @param maxRevision the highest revision
     */
    private record TopicTable(Set<TrafficOracle.Window> windows, int records, int corrections, int retractions,
                              int maxRevision) {
        String describe() {
            return records + " records, " + windows.size() + " windows, " + corrections + " corrections (highest revision "
                    + maxRevision + "), " + retractions + " retractions";
        }
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
