package dev.streamtemplate.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamtemplate.generator.GeneratedEvent;
import dev.streamtemplate.generator.GeneratorConfig;
import dev.streamtemplate.schemas.JsonSerde;
import dev.streamtemplate.schemas.PageView;
import dev.streamtemplate.schemas.Purchase;
import dev.streamtemplate.schemas.TopicCatalogue;
import dev.streamtemplate.systemtests.AnswerRules.PhaseSummary;
import dev.streamtemplate.systemtests.ContinuousQueries.Outcome;
import dev.streamtemplate.systemtests.ContinuousQueries.Query;
import dev.streamtemplate.systemtests.TrafficOracle.PageTotal;
import dev.streamtemplate.systemtests.TrafficOracle.Window;
import dev.streamtemplate.testing.TopicReader;
import dev.streamtemplate.testing.TopicRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * traffic-analytics as three, then two, then four separate JVMs on one real broker: every instance answers
 * every key query and {@code /top-pages} exactly as the single-instance oracle ({@link TrafficOracle}) says, with
 * consistent serving headers; one instance is SIGKILLed while traffic flows and the survivors keep answering within
 * the rules of {@link AnswerRules} until the rebalance completes and their answers equal the oracle again; then the
 * killed instance is restarted and a fourth joins, with the same rules and the same end.
 *
 * <p>The three phases run in order on the same instances and traffic (one generated hour, cut in three parts).
 */
@ExtendWith(SharedBroker.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class TrafficAnalyticsRoutingSystemTest {

    private static final String SERVICE = "traffic-analytics";
    // traffic-analytics' store names (TrafficTopology): /streams/instances reports placements by them
    private static final String TUMBLING_STORE = "page-views-tumbling-store";
    private static final String HOPPING_STORE = "page-views-hopping-store";
    private static final String SESSIONS_STORE = "user-sessions-store";
    private static final String BURSTS_STORE = "purchase-bursts-store";
    private static final List<String> STORES = List.of(TUMBLING_STORE, HOPPING_STORE, SESSIONS_STORE, BURSTS_STORE);
    /** Partitions of every store: those of page-views and purchases, which the repartition topic by page inherits. */
    private static final int PARTITIONS = TopicCatalogue.PAGE_VIEWS.partitions();

    /** The service's window settings, passed to every instance as {@code traffic.*} and used by the oracle. */
    private static final TrafficOracle.Settings WINDOWS = new TrafficOracle.Settings(Duration.ofMinutes(1),
            Duration.ofMinutes(5), Duration.ofMinutes(1), Duration.ofMinutes(30), Duration.ofMinutes(10), 2);

    private static final Duration ORACLE_BOUND = Duration.ofMinutes(3);
    private static final Duration PUBLISH_BOUND = Duration.ofMinutes(3);

    @org.junit.jupiter.api.extension.RegisterExtension
    final org.junit.jupiter.api.extension.TestWatcher threadDumps = InstanceGroup.dumpThreadsOnFailure(() -> this.group);

    private final List<PhaseSummary> summaries = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    private MultiInstanceStack stack;
    private InstanceGroup group;
    private QueryClient client;
    private TrafficReplay traffic;
    private List<List<GeneratedEvent>> parts;
    private Instant from;
    private Instant to;
    private ServiceInstance killed;
    private ChangeUnderTraffic changes;
    /** Events published so far, all parts. */
    private int published;

    @BeforeAll
    void startThreeInstances(MultiInstanceStack stack) throws Exception {
        this.stack = stack;
        group = new InstanceGroup(stack, SERVICE, STORES, PARTITIONS, WINDOWS.properties());
        client = group.client();
        changes = new ChangeUnderTraffic(group, this::randomQuery, notes::add, PUBLISH_BOUND);

        // one hour of shop traffic ending now; 0.5 % of page views and purchases delivered 3 to 13 minutes late,
        // past every grace period, so that late-events is part of the oracle
        Instant start = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofHours(1));
        GeneratorConfig config = GeneratorConfig.defaults().withSeed(20261121L).withUsers(1500).withStart(start)
                .withDuration(Duration.ofHours(1)).withLate(0.005, Duration.ofMinutes(3));
        traffic = new TrafficReplay(config, Set.of(TopicCatalogue.PAGE_VIEWS.name(), TopicCatalogue.PURCHASES.name()));
        parts = traffic.parts(start.plus(Duration.ofMinutes(20)), start.plus(Duration.ofMinutes(40)));
        from = start.minus(Duration.ofHours(1));
        to = start.plus(Duration.ofHours(2));

        group.startReady(3);
    }

    @AfterAll
    void stopInstances() {
        group.stopAll();
        System.out.println();
        System.out.println("=== " + getClass().getSimpleName() + " summary ===");
        System.out.println("traffic: " + traffic.events().size() + " events (page views and purchases) in three parts "
                + parts.stream().map(List::size).toList() + ", generator " + traffic.config());
        summaries.forEach(summary -> System.out.println(summary.line()));
        notes.forEach(System.out::println);
        System.out.println("instance logs: " + stack.dataDir().resolve("logs"));
        System.out.println();
    }

    /**
     * One scenario, in this order: three instances answer every query as the oracle; one is SIGKILLed during traffic
     * and the survivors keep answering by the rules; the killed one restarts and a fourth joins, and the same rules
     * hold.
     */
    @Test
    void threeInstancesThenAKillThenARestartAndAFourth() throws Exception {
        everyInstanceAnswersEveryQueryAsTheOracle();
        killedInstanceDuringTrafficSurvivorsKeepAnswering();
        restartedAndFourthInstanceJoinSameRulesHold();
    }

    private void everyInstanceAnswersEveryQueryAsTheOracle() throws Exception {
        awaitPublished("part 1", TrafficReplay.publishAsync(stack.bootstrapServers(), parts.get(0), 60));
        group.awaitSettled(System.nanoTime());
        PhaseSummary summary = awaitAnswersEqualOracle("1: three instances, oracle check", -1);
        assertThat(summary.local()).as("key answers served by the instance asked (its active task)").isPositive();
        assertThat(summary.forwarded()).as("key answers forwarded to the active instance").isPositive();
        Map<String, Double> timed = queriesTimedByKind(group.live());
        notes.add("phase 1: queries timed by kind (query_latency_seconds_count, all instances): " + timed);
        assertThat(timed).as("query_latency_seconds_count by kind over the instances")
                .hasEntrySatisfying("local", n -> assertThat(n).isPositive())
                .hasEntrySatisfying("forwarded", n -> assertThat(n).isPositive())
                .hasEntrySatisfying("all-instances", n -> assertThat(n).isPositive());
    }

    /** {@code query_latency_seconds_count} of every instance, summed by its {@code kind} label. */
    private static Map<String, Double> queriesTimedByKind(List<ServiceInstance> instances) throws Exception {
        Map<String, Double> byKind = new TreeMap<>();
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        for (ServiceInstance instance : instances) {
            String metrics = http.send(java.net.http.HttpRequest.newBuilder(instance.uri("/q/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            metrics.lines().filter(line -> line.startsWith("query_latency_seconds_count{")).forEach(line -> byKind.merge(
                    line.replaceAll(".*kind=\"([^\"]+)\".*", "$1"),
                    Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Double::sum));
        }
        return byKind;
    }

    private void killedInstanceDuringTrafficSurvivorsKeepAnswering() throws Exception {
        killed = group.lastWithActive(TUMBLING_STORE);
        notes.add("phase 2: " + killed + " is active for tumbling partitions "
                + group.placement(killed).activePartitions(TUMBLING_STORE, killed.endpoint()));
        TrafficReplay.Publication publication = TrafficReplay.publishAsync(stack.bootstrapServers(), parts.get(1), 30);
        ChangeUnderTraffic.Result result = changes.kill(killed, publication, "part 2");
        published += publication.total();
        summaries.add(PhaseSummary.of("2: SIGKILL 1 of 3, traffic on", result.outcomes(), result.settleMillis()));
        changes.assertRules(result, "an instance died and the group rebalanced");
        awaitAnswersEqualOracle("2: two survivors, oracle check", result.settleMillis());
    }

    private void restartedAndFourthInstanceJoinSameRulesHold() throws Exception {
        TrafficReplay.Publication publication = TrafficReplay.publishAsync(stack.bootstrapServers(), parts.get(2), 40);
        ChangeUnderTraffic.Result result = changes.restartAndAdd(killed, SERVICE + "-4", publication, "part 3");
        published += publication.total();
        summaries.add(PhaseSummary.of("3: restart it + add a 4th, traffic on", result.outcomes(), result.settleMillis()));
        changes.assertRules(result, "two instances joined and the group rebalanced");
        awaitAnswersEqualOracle("3: four instances, oracle check", result.settleMillis());
    }

    // --- traffic ---

    private void awaitPublished(String name, TrafficReplay.Publication publication) {
        changes.awaitPublished(name, publication);
        published += publication.total();
    }

    // --- the oracle and the answers ---

    /**
     * Reads the input and the late events back (read_committed), computes the oracle, and waits until every running
     * instance answers every query of the sample exactly as the oracle with consistent serving headers.
     */
    private PhaseSummary awaitAnswersEqualOracle(String phase, long settleMillis) {
        List<ServiceInstance> instances = group.live();
        List<PageView> pageViews = read(TopicCatalogue.PAGE_VIEWS.name(), PageView.class);
        List<Purchase> purchases = read(TopicCatalogue.PURCHASES.name(), Purchase.class);
        assertThat(pageViews.size() + purchases.size()).as("events on the input topics").isEqualTo(published);
        List<Outcome> last = new ArrayList<>();
        Map<String, Integer> lateCounts = new TreeMap<>();
        await(phase + ": every answer of " + instances.size() + " instances to equal the oracle")
                .atMost(ORACLE_BOUND).pollInterval(Duration.ofSeconds(2))
                .untilAsserted(() -> {
                    Map<String, Set<String>> late = lateEventIds();
                    TrafficOracle oracle = TrafficOracle.compute(pageViews, purchases, late, WINDOWS);
                    Placement placement = group.placement(instances.get(0));
                    List<Outcome> outcomes = new ArrayList<>();
                    List<String> mismatches = compareWithOracle(instances, oracle, placement, pageViews, outcomes);
                    assertThat(mismatches).as("answers that differ from the oracle or have wrong serving headers "
                            + "(placement: " + placement.describe(TUMBLING_STORE) + ")").isEmpty();
                    last.clear();
                    last.addAll(outcomes);
                    lateCounts.clear();
                    late.forEach((aggregation, ids) -> lateCounts.put(aggregation, ids.size()));
                });
        PhaseSummary summary = PhaseSummary.of(phase, last, settleMillis);
        summaries.add(summary);
        notes.add("phase " + phase + ": " + pageViews.size() + " page views and " + purchases.size()
                + " purchases; reported late per aggregation " + lateCounts);
        return summary;
    }

    /** Asks every instance every query of the sample; returns every difference from the oracle. */
    private List<String> compareWithOracle(List<ServiceInstance> instances, TrafficOracle oracle, Placement placement,
                                           List<PageView> pageViews, List<Outcome> outcomes) throws InterruptedException {
        List<String> pages = Stream.concat(oracle.tumbling().keySet().stream(), Stream.of("/no-such-page")).toList();
        List<String> users = userSample(pageViews, oracle);
        List<String> mismatches = new ArrayList<>();
        for (ServiceInstance instance : instances) {
            for (String page : pages) {
                Query query = pageViewsQuery(page, false);
                RoutedAnswer answer = ask(instance, query, outcomes);
                check(mismatches, instance, query, answer, placement, TUMBLING_STORE, page,
                        () -> windows(answer.json(), "page", "windowStart", "windowEnd", "count"),
                        oracle.pageViews(page, from, to));
            }
            for (String page : pages.subList(0, Math.min(12, pages.size()))) {
                Query query = pageViewsQuery(page, true);
                RoutedAnswer answer = ask(instance, query, outcomes);
                check(mismatches, instance, query, answer, placement, HOPPING_STORE, page,
                        () -> windows(answer.json(), "page", "windowStart", "windowEnd", "count"),
                        oracle.hoppingPageViews(page, from, to));
            }
            for (String user : users) {
                Query sessions = sessionsQuery(user);
                RoutedAnswer sessionsAnswer = ask(instance, sessions, outcomes);
                check(mismatches, instance, sessions, sessionsAnswer, placement, SESSIONS_STORE, user,
                        () -> windows(sessionsAnswer.json(), "userId", "start", "end", "pageViews"), oracle.sessionsOf(user));
                Query bursts = burstsQuery(user);
                RoutedAnswer burstsAnswer = ask(instance, bursts, outcomes);
                check(mismatches, instance, bursts, burstsAnswer, placement, BURSTS_STORE, user,
                        () -> windows(burstsAnswer.json(), "userId", "windowStart", "windowEnd", "purchases"), oracle.burstsOf(user));
            }
            for (int limit : List.of(5, 1000)) {
                Query query = topPagesQuery(limit);
                RoutedAnswer answer = ask(instance, query, outcomes);
                if (answer.status() != 200) {
                    mismatches.add(instance.endpoint() + " " + query.pathAndQuery() + ": " + answer.summary());
                    continue;
                }
                JsonNode json = answer.json();
                List<PageTotal> totals = new ArrayList<>();
                json.path("results").forEach(r -> totals.add(new PageTotal(r.path("page").asText(), r.path("views").asLong())));
                if (!json.path("complete").asBoolean() || answer.partial() != null || !json.path("missingPartitions").isEmpty()
                        || json.path("partitions").asInt() != PARTITIONS) {
                    mismatches.add(instance.endpoint() + " " + query.pathAndQuery() + " is not complete: " + json);
                } else if (!totals.equals(oracle.topPages(from, to, limit))) {
                    mismatches.add(instance.endpoint() + " " + query.pathAndQuery() + ": expected "
                            + oracle.topPages(from, to, limit) + " but was " + totals);
                }
            }
        }
        return mismatches;
    }

    private RoutedAnswer ask(ServiceInstance instance, Query query, List<Outcome> outcomes) throws InterruptedException {
        RoutedAnswer answer = client.get(instance.uri(query.pathAndQuery()));
        outcomes.add(new Outcome(instance.endpoint(), query, answer));
        return answer;
    }

    /**
     * One key answer against the oracle: 200, the expected windows, served by the active owner of the key's
     * partition (the instance asked when it is the owner, else forwarded to it), replica active, lag 0.
     */
    private static void check(List<String> mismatches, ServiceInstance instance, Query query, RoutedAnswer answer,
                              Placement placement, String store, String key, Callable<List<Window>> actual,
                              List<Window> expected) {
        String where = instance.endpoint() + " " + query.pathAndQuery();
        if (answer.status() != 200) {
            mismatches.add(where + ": " + answer.summary());
            return;
        }
        int partition = Placement.partitionOf(key, PARTITIONS);
        String owner = placement.activeHost(store, partition).orElse("?");
        if (!owner.equals(answer.servedBy()) || !"active".equals(answer.replica()) || !"0".equals(answer.offsetLag())) {
            mismatches.add(where + ": expected served by the active owner " + owner + " (partition " + partition
                    + ") with lag 0, got " + answer.summary());
        }
        try {
            List<Window> windows = actual.call();
            if (!windows.equals(expected)) {
                mismatches.add(where + ": expected " + expected.size() + " windows " + abbreviate(expected)
                        + " but was " + windows.size() + " " + abbreviate(windows));
            }
        } catch (Exception e) {
            mismatches.add(where + ": unreadable answer " + e + ": " + answer.abbreviated());
        }
    }

    private static String abbreviate(List<Window> windows) {
        String text = windows.toString();
        return text.length() <= 600 ? text : text.substring(0, 597) + "...";
    }

    private static List<Window> windows(JsonNode json, String key, String start, String end, String count) {
        List<Window> windows = new ArrayList<>();
        json.forEach(w -> windows.add(new Window(w.path(key).asText(), Instant.parse(w.path(start).asText()),
                Instant.parse(w.path(end).asText()), w.path(count).asLong())));
        return windows;
    }

    /** 40 users spread over the population, the 10 with the most purchase bursts, and one unknown user. */
    private static List<String> userSample(List<PageView> pageViews, TrafficOracle oracle) {
        List<String> all = pageViews.stream().map(PageView::userId).distinct().sorted().toList();
        Set<String> sample = new LinkedHashSet<>();
        int step = Math.max(1, all.size() / 40);
        for (int i = 0; i < all.size(); i += step) {
            sample.add(all.get(i));
        }
        oracle.bursts().entrySet().stream()
                .sorted(Comparator.comparingInt((Map.Entry<String, List<Window>> e) -> e.getValue().size()).reversed()
                        .thenComparing(Map.Entry::getKey))
                .limit(10).forEach(e -> sample.add(e.getKey()));
        sample.add("u-no-such-user");
        return List.copyOf(sample);
    }

    /** A random query for the continuous load: mostly key queries, one in ten spanning keys. */
    private Query randomQuery(Random random) {
        int draw = random.nextInt(100);
        String page = draw % 2 == 0 ? "/home" : String.format(Locale.ROOT, "/products/p-%04d", 1 + random.nextInt(100));
        String user = String.format(Locale.ROOT, "u-%04d", 1 + random.nextInt(traffic.config().users()));
        if (draw < 40) {
            return pageViewsQuery(page, false);
        } else if (draw < 50) {
            return pageViewsQuery(page, true);
        } else if (draw < 75) {
            return sessionsQuery(user);
        } else if (draw < 90) {
            return burstsQuery(user);
        }
        return topPagesQuery(10);
    }

    private Query pageViewsQuery(String page, boolean hopping) {
        return new Query(hopping ? "page-views hopping" : "page-views", "/page-views?page=" + encode(page) + "&from=" + from
                + "&to=" + to + (hopping ? "&window=hopping" : ""), false);
    }

    private static Query sessionsQuery(String user) {
        return new Query("sessions", "/users/" + encode(user) + "/sessions", false);
    }

    private static Query burstsQuery(String user) {
        return new Query("purchase-bursts", "/users/" + encode(user) + "/purchase-bursts", false);
    }

    private Query topPagesQuery(int limit) {
        return new Query("top-pages", "/top-pages?from=" + from + "&to=" + to + "&limit=" + limit, true);
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    // --- topics ---

    private <V> List<V> read(String topic, Class<V> type) {
        return new TopicReader<>(stack.bootstrapServers(), new StringDeserializer(), JsonSerde.of(type))
                .readAll(topic).stream().map(TopicRecord::value).toList();
    }

    /** Per aggregation, the event ids the service reported in {@code late-events} (read_committed). */
    private Map<String, Set<String>> lateEventIds() {
        Deserializer<JsonNode> json = (topic, data) -> {
            try {
                return data == null ? null : Json.MAPPER.readTree(data);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        List<TopicRecord<String, JsonNode>> records = new TopicReader<>(stack.bootstrapServers(), new StringDeserializer(),
                json).readAll(TopicCatalogue.LATE_EVENTS.name());
        Map<String, List<String>> ids = records.stream().collect(Collectors.groupingBy(
                r -> r.value().path("aggregation").asText(),
                Collectors.mapping(r -> r.value().path("value").path("eventId").asText(), Collectors.toList())));
        Map<String, Set<String>> distinct = new HashMap<>();
        ids.forEach((aggregation, list) -> {
            Set<String> set = new HashSet<>(list);
            // exactly once: a late record is reported once per aggregation, even across a crash
            assertThat(set).as("late events of " + aggregation + " without duplicates").hasSameSizeAs(list);
            distinct.put(aggregation, set);
        });
        return distinct;
    }
}
