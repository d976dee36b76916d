package dev.streamtemplate.traffic;

import static io.restassured.RestAssured.given;
import static java.util.stream.Collectors.groupingBy;
import static java.util.stream.Collectors.toList;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import dev.streamtemplate.generator.EventPublisher;
import dev.streamtemplate.generator.GeneratedEvent;
import dev.streamtemplate.generator.GeneratorConfig;
import dev.streamtemplate.generator.ShopTrafficGenerator;
import dev.streamtemplate.runtime.lateness.LateEvent;
import dev.streamtemplate.runtime.query.QueryHeaders;
import dev.streamtemplate.runtime.query.QueryRouter;
import dev.streamtemplate.schemas.JsonSerde;
import dev.streamtemplate.schemas.ServiceAcls;
import dev.streamtemplate.schemas.PageView;
import dev.streamtemplate.schemas.Purchase;
import dev.streamtemplate.schemas.TopicCatalogue;
import dev.streamtemplate.schemas.WindowKey;
import dev.streamtemplate.testing.FreshStateDirectory;
import dev.streamtemplate.testing.HostileRequests;
import dev.streamtemplate.testing.KafkaTestResource;
import dev.streamtemplate.testing.OpenApiContract;
import dev.streamtemplate.testing.PoisonRecords;
import dev.streamtemplate.testing.ServiceReadiness;
import dev.streamtemplate.testing.TopicReader;
import dev.streamtemplate.testing.TopicRecord;
import dev.streamtemplate.traffic.WindowOracle.In;
import dev.streamtemplate.traffic.WindowOracle.Late;
import dev.streamtemplate.traffic.WindowOracle.Result;
import dev.streamtemplate.traffic.WindowOracle.Window;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real pipeline on a real broker: a generator replay goes in, every derived topic is read back
 * with {@code read_committed} and compared exactly with {@link WindowOracle}, a plain-Java batch
 * computation over the same input; then the HTTP queries are compared with the same oracle.
 *
 * <p>Stream time, and so lateness, depends on the order in which an aggregation's task sees its
 * records. For sessions and sliding windows that is the order of the input partitions; for the page
 * aggregations it is the order of the repartition topic, written concurrently by the upstream tasks,
 * so the oracle reads that topic back (its purge is switched off in the test profile) and the test
 * checks that it holds exactly the input page views.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(FreshStateDirectory.class)
class TrafficPipelineTest {

    private static final String REPARTITION_TOPIC = "traffic-analytics-" + TrafficTopology.BY_PAGE_REPARTITION + "-repartition";
    private static final Duration PIPELINE_BOUND = Duration.ofMinutes(3);
    /**
     * How far after the last event the closing events are: beyond the session gap plus grace, and
     * within the broker's {@code message.timestamp.after.max.ms} (1 hour) of now.
     */
    private static final Duration CLOSING_DELAY = Duration.ofMinutes(35);

    /**
     * The last two hours of shop traffic, 1 % of page views and purchases delivered two hours late.
     * Recent, not a fixed date: record timestamps are event times, and the broker deletes records
     * older than a topic's {@code retention.ms} (7 days by default), producer state included.
     */
    private static final GeneratorConfig REPLAY = GeneratorConfig.defaults()
            .withStart(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MINUTES).minus(Duration.ofHours(2)))
            .withSeed(20261121L)
            .withUsers(300)
            .withDuration(Duration.ofHours(2))
            .withLate(0.01, Duration.ofHours(2));

    @Inject
    KafkaStreams streams;

    /** The service's own window configuration: the oracle computes with the same settings. */
    @Inject
    TrafficSettings windows;

    /** Two hours in 12 s: like traffic rather than a backlog, so most page views are on time. */
    private static final double REPLAY_SPEED = 600;

    private List<PoisonRecords.Sent> poisoned;
    private Result tumblingOracle;
    private Result hoppingOracle;
    private Result sessionOracle;
    private Result burstOracle;
    /** Each aggregation's stream time once all input is processed, epoch ms, derived from the input. */
    private final Map<String, Long> streamTimes = new java.util.HashMap<>();

    /** Each test starts once the service is ready, whatever ran before it. */
    @BeforeEach
    void awaitReady() {
        ServiceReadiness.await(URI.create("http://localhost:" + RestAssured.port), Duration.ofSeconds(90));
    }

    /**
     * One scenario, in this order: two hours of replayed traffic with poison; the derived topics equal the batch oracle;
     * the queries answer what it computed; health and metrics reflect the run; only the Kafka metrics recorded and
     * used are exposed.
     */
    @Test
    void replayedTrafficEqualsTheOracleInTopicsQueriesAndMetrics() throws InterruptedException {
        derivedTopicsEqualTheBatchOracle();
        queriesAnswerWhatTheOracleComputed();
        healthAndMetricsReflectKafkaStreams();
        onlyKafkaMetricsRecordedAndUsedAreExposed();
    }

    private void derivedTopicsEqualTheBatchOracle() throws InterruptedException {
        String bootstrap = KafkaTestResource.bootstrapServers();
        List<GeneratedEvent> replay = new ShopTrafficGenerator(REPLAY).replay().stream()
                .filter(e -> e.topic().equals(TopicCatalogue.PAGE_VIEWS.name()) || e.topic().equals(TopicCatalogue.PURCHASES.name()))
                .toList();
        long pageViewCount = replay.stream().filter(e -> e.value() instanceof PageView).count();
        assertThat(pageViewCount).as("page views in the replay").isGreaterThan(1_000);
        // Poison on both input topics in the middle of the traffic: every record of it must end on the
        // dead-letter topic, and every valid record before and after it must count as the oracle says.
        List<PoisonRecords.Poison> poisons = new ArrayList<>();
        GeneratedEvent firstView = replay.stream().filter(e -> e.value() instanceof PageView).findFirst().orElseThrow();
        GeneratedEvent firstPurchase = replay.stream().filter(e -> e.value() instanceof Purchase).findFirst().orElseThrow();
        poisons.addAll(PoisonRecords.forTopic(TopicCatalogue.PAGE_VIEWS.name(), firstView.key(), firstView.value(),
                "timestamp", "userId", null, true, true));
        poisons.addAll(PoisonRecords.forTopic(TopicCatalogue.PURCHASES.name(), firstPurchase.key(), firstPurchase.value(),
                "timestamp", "productId", null, true, true));
        try (EventPublisher publisher = new EventPublisher(KafkaTestResource.clientConfig(ServiceAcls.EVENT_GENERATOR))) {
            publisher.publishPaced(replay.subList(0, replay.size() / 2), REPLAY_SPEED);
            poisoned = PoisonRecords.publish(bootstrap, poisons);
            publisher.publishPaced(replay.subList(replay.size() / 2, replay.size()), REPLAY_SPEED);
        }

        // Once every page view has been re-keyed, close all windows: one event on every partition of
        // every topic an aggregation reads, later than any window's end plus grace (sessions: gap
        // plus grace). Their own windows stay open.
        Awaitility.await("all " + pageViewCount + " page views in " + REPARTITION_TOPIC)
                .atMost(PIPELINE_BOUND).pollInterval(Duration.ofMillis(500))
                .until(() -> read(REPARTITION_TOPIC, PageView.class).size() >= pageViewCount);
        Instant closing = replay.stream().map(GeneratedEvent::eventTime).max(Comparator.naturalOrder()).orElseThrow()
                .plus(CLOSING_DELAY);
        try (EventPublisher publisher = new EventPublisher(KafkaTestResource.clientConfig(ServiceAcls.EVENT_GENERATOR))) {
            publisher.publishAll(closingEvents(closing));
            publisher.flush();
        }

        List<TopicRecord<String, PageView>> pageViews = PoisonRecords.validRecords(bootstrap, TopicCatalogue.PAGE_VIEWS.name(), PageView.class);
        List<TopicRecord<String, Purchase>> purchases = PoisonRecords.validRecords(bootstrap, TopicCatalogue.PURCHASES.name(), Purchase.class);
        Awaitility.await("the repartition topic to hold all " + pageViews.size() + " page views")
                .atMost(PIPELINE_BOUND).pollInterval(Duration.ofMillis(500))
                .until(() -> read(REPARTITION_TOPIC, PageView.class).size() >= pageViews.size());
        List<TopicRecord<String, PageView>> byPage = read(REPARTITION_TOPIC, PageView.class);
        assertThat(ids(byPage)).as("the repartition topic holds exactly the input page views")
                .containsExactlyInAnyOrderElementsOf(ids(pageViews));

        // a task's stream time is the highest event time of its input partitions' records; the gauge
        // reports the lowest over the tasks
        streamTimes.put(TrafficTopology.TUMBLING_AGGREGATION, streamTime(byPage));
        streamTimes.put(TrafficTopology.HOPPING_AGGREGATION, streamTime(byPage));
        streamTimes.put(TrafficTopology.USER_SESSIONS_AGGREGATION, streamTime(pageViews));
        streamTimes.put(TrafficTopology.BURSTS_AGGREGATION, streamTime(purchases));

        long size = windows.tumblingSize().toMillis();
        long grace = windows.grace().toMillis();
        tumblingOracle = WindowOracle.timeWindows(partitions(byPage, v -> v.page()), size, size, grace);
        hoppingOracle = WindowOracle.timeWindows(partitions(byPage, v -> v.page()),
                windows.hoppingSize().toMillis(), windows.hoppingAdvance().toMillis(), grace);
        sessionOracle = WindowOracle.sessionWindows(partitions(pageViews, PageView::userId),
                windows.sessionGap().toMillis(), grace);
        burstOracle = WindowOracle.slidingWindows(partitions(purchases, Purchase::userId),
                windows.slidingSpan().toMillis(), grace, windows.burstThreshold());

        assertThat(tumblingOracle.late()).as("the replay has late page views").isNotEmpty();
        assertThat(sessionOracle.emitted()).as("the replay has closed sessions").isNotEmpty();
        assertThat(burstOracle.emitted()).as("the replay has purchase bursts").isNotEmpty();

        awaitEqual("page-views-per-minute", () -> counts(TopicCatalogue.PAGE_VIEWS_TUMBLING.name()),
                tumblingOracle.emitted());
        awaitEqual("page-views-hopping", () -> counts(TopicCatalogue.PAGE_VIEWS_HOPPING.name()),
                hoppingOracle.emitted());
        awaitEqual("user-sessions", () -> read(TopicCatalogue.USER_SESSIONS.name(), UserSessionRevision.class).stream()
                .map(r -> window(r, r.value().userId(), r.value().start(), r.value().end(), r.value().pageViews(),
                        r.value().revision())).toList(), sessionOracle.emitted());
        awaitEqual("purchase-bursts", () -> read(TopicCatalogue.PURCHASE_BURSTS.name(), PurchaseBurstRevision.class).stream()
                .map(r -> window(r, r.value().userId(), r.value().windowStart(), r.value().windowEnd(), r.value().purchases(),
                        r.value().revision())).toList(), burstOracle.emitted());

        Map<String, List<Late>> late = read(TopicCatalogue.LATE_EVENTS.name(), LateEvent.class).stream()
                .collect(groupingBy(r -> r.value().aggregation(), Collectors.mapping(r -> new Late(
                        String.valueOf(((Map<?, ?>) r.value().value()).get("eventId")),
                        r.value().windowStart().toEpochMilli(), r.value().windowEnd().toEpochMilli(),
                        r.value().latenessMs()), toList())));
        assertThat(late.getOrDefault(TrafficTopology.TUMBLING_AGGREGATION, List.of())).as("late events, tumbling")
                .containsExactlyInAnyOrderElementsOf(tumblingOracle.late());
        assertThat(late.getOrDefault(TrafficTopology.HOPPING_AGGREGATION, List.of())).as("late events, hopping")
                .containsExactlyInAnyOrderElementsOf(hoppingOracle.late());
        assertThat(late.getOrDefault(TrafficTopology.USER_SESSIONS_AGGREGATION, List.of())).as("late events, sessions")
                .containsExactlyInAnyOrderElementsOf(sessionOracle.late());
        assertThat(late.getOrDefault(TrafficTopology.BURSTS_AGGREGATION, List.of())).as("late events, purchase bursts")
                .containsExactlyInAnyOrderElementsOf(burstOracle.late());

        // Nothing more arrived after the topics first matched: read them all once more.
        assertThat(counts(TopicCatalogue.PAGE_VIEWS_TUMBLING.name())).as("page-views-per-minute, re-read")
                .containsExactlyInAnyOrderElementsOf(tumblingOracle.emitted());
        assertThat(counts(TopicCatalogue.PAGE_VIEWS_HOPPING.name())).as("page-views-hopping, re-read")
                .containsExactlyInAnyOrderElementsOf(hoppingOracle.emitted());
        assertThat(read(TopicCatalogue.USER_SESSIONS.name(), UserSessionRevision.class)).as("user-sessions, re-read")
                .hasSameSizeAs(sessionOracle.emitted());
        assertThat(read(TopicCatalogue.PURCHASE_BURSTS.name(), PurchaseBurstRevision.class)).as("purchase-bursts, re-read")
                .hasSameSizeAs(burstOracle.emitted());

        // Conservation: every input page view is in exactly one tumbling window, emitted (on the
        // topic) or still open (asked from the running service's store), or in late-events.
        long emitted = counts(TopicCatalogue.PAGE_VIEWS_TUMBLING.name()).stream().mapToLong(Window::count).sum();
        long open = tumblingOracle.open().stream().map(Window::key).distinct()
                .flatMap(page -> List.of(given().queryParam("page", page)
                        .queryParam("from", closing.minus(Duration.ofMinutes(1)).toString())
                        .queryParam("to", closing.plus(Duration.ofMinutes(1)).toString())
                        .when().get("/page-views").then().statusCode(200).extract().as(PageViewCount[].class)).stream())
                .mapToLong(PageViewCount::count).sum();
        assertThat(emitted + open + late.get(TrafficTopology.TUMBLING_AGGREGATION).size())
                .as("emitted + open + late tumbling page views").isEqualTo(pageViews.size());

        // Every poison record is on the dead-letter topic, named by its origin, with the reason.
        List<TopicRecord<byte[], byte[]>> deadLetters = PoisonRecords.deadLetters(bootstrap, TopicCatalogue.TRAFFIC_ANALYTICS_DLQ.name());
        for (PoisonRecords.Sent sent : poisoned) {
            assertThat(sent.deadLetterIn(deadLetters)).as("dead letter of the %s on %s", sent.poison().kind(), sent.poison().topic())
                    .hasValueSatisfying(letter -> assertThat(PoisonRecords.header(letter, "__streams.errors.message"))
                            .contains(sent.poison().expectation()));
        }
        assertThat(deadLetters).as("dead letters: one per poison record").hasSameSizeAs(poisoned);
        assertThat(deadLetters).as("dead letters without their value: the values too large to carry")
                .filteredOn(letter -> letter.value() == null && PoisonRecords.header(letter, "__streams.errors.value.omitted.bytes") != null)
                .hasSize((int) poisoned.stream().filter(p -> p.poison().value() != null
                        && p.poison().value().length == PoisonRecords.TOO_LARGE_FOR_A_DEAD_LETTER).count());
        assertThat(droppedRecords()).as("Kafka Streams' dropped-records-total: the poison records").isEqualTo(poisoned.size());
        assertThat(streams.state()).as("Kafka Streams after the poison").isEqualTo(KafkaStreams.State.RUNNING);
        System.out.printf("poison: %d records on %d topics, %d dead letters%n", poisoned.size(), 2, deadLetters.size());
        System.out.printf("replay: %s%noracle: %d page views, %d purchases; tumbling %d windows (%d late), hopping %d (%d late),"
                        + " sessions %d (%d late), bursts %d (%d late)%n", REPLAY, pageViews.size(), purchases.size(),
                tumblingOracle.emitted().size(), tumblingOracle.late().size(), hoppingOracle.emitted().size(),
                hoppingOracle.late().size(), sessionOracle.emitted().size(), sessionOracle.late().size(),
                burstOracle.emitted().size(), burstOracle.late().size());
    }

    private void queriesAnswerWhatTheOracleComputed() {
        Window busiest = tumblingOracle.emitted().stream().max(Comparator.comparingLong(Window::count)).orElseThrow();
        String page = busiest.key();
        Instant from = Instant.ofEpochMilli(busiest.start()).minus(Duration.ofHours(1));
        Instant to = Instant.ofEpochMilli(busiest.start()).plus(Duration.ofHours(1));
        List<Window> expected = tumblingOracle.emitted().stream()
                .filter(w -> w.key().equals(page) && w.start() >= from.toEpochMilli() && w.start() < to.toEpochMilli())
                .sorted(Comparator.comparingLong(Window::start)).toList();
        List<PageViewCount> answer = List.of(given().queryParam("page", page).queryParam("from", from.toString())
                .queryParam("to", to.toString())
                .when().get("/page-views")
                .then().statusCode(200).contentType(ContentType.JSON)
                .extract().as(PageViewCount[].class));
        assertThat(answer).extracting(c -> new Window(c.page(), c.windowStart().toEpochMilli(), c.windowEnd().toEpochMilli(), c.count()))
                .containsExactlyElementsOf(expected);

        List<PageViewCount> hopping = List.of(given().queryParam("page", page).queryParam("from", from.toString())
                .queryParam("to", to.toString()).queryParam("window", "hopping")
                .when().get("/page-views").then().statusCode(200).extract().as(PageViewCount[].class));
        assertThat(hopping).extracting(c -> new Window(c.page(), c.windowStart().toEpochMilli(), c.windowEnd().toEpochMilli(), c.count()))
                .containsExactlyElementsOf(hoppingOracle.emitted().stream()
                        .filter(w -> w.key().equals(page) && w.start() >= from.toEpochMilli() && w.start() < to.toEpochMilli())
                        .sorted(Comparator.comparingLong(Window::start)).toList());

        String user = sessionOracle.emitted().get(0).key();
        List<Window> sessions = new ArrayList<>();
        sessionOracle.emitted().stream().filter(s -> s.key().equals(user)).forEach(sessions::add);
        sessionOracle.open().stream().filter(s -> s.key().equals(user)).forEach(sessions::add);
        // a session merged after it was emitted is in the store once, as the merged session
        List<Window> stored = sessions.stream().filter(s -> sessions.stream().noneMatch(o -> o != s
                && o.start() <= s.start() && o.end() >= s.end() && o.count() > s.count())).toList();
        List<UserSession> answerSessions = List.of(given().when().get("/users/{u}/sessions", user)
                .then().statusCode(200).extract().as(UserSession[].class));
        assertThat(answerSessions).extracting(s -> new Window(s.userId(), s.start().toEpochMilli(), s.end().toEpochMilli(), s.pageViews()))
                .containsExactlyInAnyOrderElementsOf(stored);

        Window burst = burstOracle.emitted().get(0);
        List<PurchaseBurst> answerBursts = List.of(given().when().get("/users/{u}/purchase-bursts", burst.key())
                .then().statusCode(200).extract().as(PurchaseBurst[].class));
        assertThat(answerBursts).extracting(b -> new Window(b.userId(), b.windowStart().toEpochMilli(), b.windowEnd().toEpochMilli(), b.purchases()))
                .containsExactlyInAnyOrderElementsOf(burstOracle.emitted().stream().filter(w -> w.key().equals(burst.key())).toList());

        // A query that spans keys: the top pages over two hours of one-minute windows, emitted or open.
        Map<String, Long> totals = new java.util.TreeMap<>();
        java.util.stream.Stream.concat(tumblingOracle.emitted().stream(), tumblingOracle.open().stream())
                .filter(w -> w.start() >= from.toEpochMilli() && w.start() < to.toEpochMilli())
                .forEach(w -> totals.merge(w.key(), w.count(), Long::sum));
        List<PageTotal> expectedTop = totals.entrySet().stream().map(e -> new PageTotal(e.getKey(), e.getValue()))
                .sorted(Comparator.comparingLong(PageTotal::views).reversed().thenComparing(PageTotal::page)).limit(5).toList();
        var top = given().queryParam("from", from.toString()).queryParam("to", to.toString()).queryParam("limit", 5)
                .when().get("/top-pages").then().statusCode(200).contentType(ContentType.JSON)
                .header(QueryHeaders.PARTIAL, (String) null)
                .body("complete", equalTo(true)).body("partitions", equalTo(4)).body("missingPartitions.size()", equalTo(0))
                .extract().jsonPath();
        assertThat(top.getList("results", PageTotal.class)).as("top pages").isEqualTo(expectedTop);
        given().queryParam("from", from.toString()).queryParam("to", to.toString()).queryParam("limit", 0)
                .when().get("/top-pages").then().statusCode(400).body("message", containsString("between 1 and 1000"));

        // Who answered: this single instance, from its active tasks, which hold every partition.
        given().when().get("/users/{u}/sessions", user).then().statusCode(200)
                .header(QueryHeaders.SERVED_BY, notNullValue()).header(QueryHeaders.REPLICA, "active")
                .header(QueryHeaders.OFFSET_LAG, "0");
        given().when().get("/streams/instances").then().statusCode(200).body("size()", equalTo(1))
                .body("[0].state", equalTo("RUNNING")).body("[0].reachable", equalTo(true))
                .body("[0].stores.'" + TrafficTopology.TUMBLING_STORE + "'.active", equalTo(List.of(0, 1, 2, 3)))
                .body("[0].stores.'" + TrafficTopology.TUMBLING_STORE + "'.standby.size()", equalTo(0));

        given().when().get("/users/{u}/sessions", "no-such-user").then().statusCode(200).body("size()", equalTo(0));
        given().queryParam("page", "/no-such-page").queryParam("from", from.toString()).queryParam("to", to.toString())
                .when().get("/page-views").then().statusCode(200).body("size()", equalTo(0));
    }

    @Test
    void badRequestsGetJsonErrors() {
        String from = "2025-01-01T00:00:00Z";
        badRequest(Map.of("from", from, "to", "2025-01-01T01:00:00Z"), "'page' is required");
        badRequest(Map.of("page", "/home", "from", "yesterday", "to", "2025-01-01T01:00:00Z"), "not an ISO-8601 instant");
        badRequest(Map.of("page", "/home", "to", "2025-01-01T01:00:00Z"), "'from' is required");
        badRequest(Map.of("page", "/home", "from", from, "to", "2024-12-31T00:00:00Z"), "must be after 'from'");
        badRequest(Map.of("page", "/home", "from", from, "to", "2025-03-01T00:00:00Z"), "wider than the allowed");
        badRequest(Map.of("page", "/home", "from", from, "to", "2025-01-01T01:00:00Z", "window", "weekly"), "'tumbling' or 'hopping'");
        badRequest(Map.of("page", "/" + "x".repeat(600), "from", from, "to", "2025-01-01T01:00:00Z"), "longer than 512");

        given().when().get("/users/{u}/sessions", "u".repeat(600)).then().statusCode(400)
                .contentType(ContentType.JSON).body("status", equalTo(400));
        given().when().get("/users/{u}/purchase-bursts", "u".repeat(600)).then().statusCode(400)
                .contentType(ContentType.JSON).body("message", containsString("longer than 512"));
        given().when().get("/users/{u}/purchase-bursts", "no-such-user").then().statusCode(200).body("size()", equalTo(0));
        given().when().get("/no-such-route").then().statusCode(404).contentType(ContentType.JSON)
                .body("status", equalTo(404)).body("message", notNullValue());
        given().when().delete("/users/u-0001/sessions").then().statusCode(405).contentType(ContentType.JSON)
                .body("status", equalTo(405));
    }

    private void healthAndMetricsReflectKafkaStreams() {
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body(containsString("Kafka Streams stores queryable"));
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("kafka_stream_").contains("late_events_total{aggregation=\"page-views-tumbling\"");
        double tumblingLate = metrics.lines().filter(l -> l.startsWith("late_events_total{aggregation=\"page-views-tumbling\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        assertThat(tumblingLate).as("late_events_total for the tumbling aggregation")
                .isEqualTo(tumblingOracle.late().size());
        streamTimes.forEach((aggregation, streamTime) -> assertThat(sample(metrics,
                "aggregation_stream_time_seconds{aggregation=\"" + aggregation + "\"")).as("stream time of " + aggregation)
                .isEqualTo(streamTime / 1000.0));
        assertThat(sample(metrics, "aggregation_watermark_lag_seconds{aggregation=\"page-views-tumbling\""))
                .as("watermark lag: the closing events are in the future").isNegative();
        assertThat(metrics.lines().filter(l -> l.startsWith("dead_letters_total{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum())
                .as("dead_letters_total").isEqualTo(poisoned.size());
        assertThat(metrics.lines().filter(l -> l.startsWith("query_latency_seconds_count{")
                && l.contains("kind=\"local\"") && l.contains("status=\"200\""))).as("answered queries were timed").hasSize(1);
    }

    /**
     * Task, processor and store metrics reach {@code /q/metrics} when the Kafka binder next looks for new
     * Kafka metrics (every 10 s, {@code KafkaStreamsMeters}), then only those Kafka Streams records at INFO level, and
     * of the per-partition and per-store ones only those something uses ({@code KafkaMetricsFilter}).
     */
    private void onlyKafkaMetricsRecordedAndUsedAreExposed() {
        String metrics = Awaitility.await("task-level Kafka Streams metrics on /q/metrics").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> given().when().get("/q/metrics").then().statusCode(200).extract().asString(),
                        m -> m.contains("kafka_stream_task_dropped_records_total{"));
        assertThat(metrics).contains("kafka_stream_processor_node_record_e2e_latency_max{")
                .contains("kafka_stream_state_block_cache_usage{")
                .contains("kafka_stream_topic_records_consumed_total{")
                .contains("kafka_stream_task_restore_remaining_records_total{")
                .contains("kafka_consumer_fetch_manager_records_lag{")
                .doesNotContain("kafka_stream_processor_node_process_total")
                .doesNotContain("kafka_stream_task_process_latency_avg")
                .doesNotContain("kafka_stream_state_put_rate")
                .doesNotContain("kafka_stream_record_cache_hit_ratio")
                .as("per-partition and per-store metrics nothing uses").doesNotContain("kafka_stream_state_num_live_versions")
                .doesNotContain("kafka_consumer_fetch_manager_records_lead{");
    }

    /** The value of the one exposition line that starts with {@code series}. */
    private static double sample(String metrics, String series) {
        List<String> lines = metrics.lines().filter(l -> l.startsWith(series)).toList();
        assertThat(lines).as(series).hasSize(1);
        return Double.parseDouble(lines.get(0).substring(lines.get(0).lastIndexOf(' ') + 1));
    }

    private static void badRequest(Map<String, String> params, String message) {
        given().queryParams(params).when().get("/page-views")
                .then().statusCode(400).contentType(ContentType.JSON)
                .body("status", equalTo(400)).body("message", containsString(message));
    }

    /** Kafka Streams' own {@code dropped-records-total}, summed over its tasks. */
    private double droppedRecords() {
        List<Double> values = streams.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals("dropped-records-total"))
                .map(e -> ((Number) e.getValue().metricValue()).doubleValue())
                .toList();
        assertThat(values).as("task-level dropped-records-total metrics").isNotEmpty();
        return values.stream().mapToDouble(Double::doubleValue).sum();
    }

    /** One page view and one purchase per input and repartition partition, at {@code at}. */
    private static List<GeneratedEvent> closingEvents(Instant at) {
        List<GeneratedEvent> events = new ArrayList<>();
        int partitions = Math.max(TopicCatalogue.PAGE_VIEWS.partitions(), TopicCatalogue.PURCHASES.partitions());
        for (int p = 0; p < partitions; p++) {
            String user = keyFor("closing-user-", p, partitions);
            String page = keyFor("/closing-page-", p, partitions);
            events.add(new GeneratedEvent(TopicCatalogue.PAGE_VIEWS.name(), user,
                    new PageView("closing-view-" + p, user, page, null, null, at), at, at, dev.streamtemplate.generator.Delivery.IN_ORDER));
            events.add(new GeneratedEvent(TopicCatalogue.PURCHASES.name(), user,
                    new Purchase("closing-purchase-" + p, "closing-order-" + p, user, "p-0001", 1, 100, "EUR", at),
                    at, at, dev.streamtemplate.generator.Delivery.IN_ORDER));
        }
        return events;
    }

    /** The first key {@code prefix + n} that Kafka's default partitioner puts on {@code partition}. */
    private static String keyFor(String prefix, int partition, int partitions) {
        return IntStream.iterate(0, n -> n + 1).mapToObj(n -> prefix + n)
                .filter(k -> Utils.toPositive(Utils.murmur2(k.getBytes(StandardCharsets.UTF_8))) % partitions == partition)
                .findFirst().orElseThrow();
    }

    private static <V> List<List<In>> partitions(List<TopicRecord<String, V>> records, Function<V, String> key) {
        Map<Integer, List<In>> byPartition = records.stream()
                .sorted(Comparator.comparingInt((TopicRecord<String, V> r) -> r.partition()).thenComparingLong(TopicRecord::offset))
                .collect(groupingBy(TopicRecord::partition, java.util.TreeMap::new, Collectors.mapping(
                        r -> new In(key.apply(r.value()), eventTime(r.value()), eventId(r.value())), toList())));
        return new ArrayList<>(byPartition.values());
    }

    /** The lowest, over partitions, of each partition's highest event time. */
    private static long streamTime(List<? extends TopicRecord<String, ?>> records) {
        return records.stream().collect(Collectors.toMap(TopicRecord::partition, r -> eventTime(r.value()), Math::max))
                .values().stream().mapToLong(Long::longValue).min().orElseThrow();
    }

    private static long eventTime(Object value) {
        return ((dev.streamtemplate.schemas.Event) value).eventTime().toEpochMilli();
    }

    private static String eventId(Object value) {
        return value instanceof PageView v ? v.eventId() : ((Purchase) value).eventId();
    }

    private static <V> List<String> ids(List<TopicRecord<String, V>> records) {
        return records.stream().map(r -> eventId(r.value())).toList();
    }

    private static List<Window> counts(String topic) {
        return read(topic, PageViewCountRevision.class).stream()
                .map(r -> window(r, r.value().page(), r.value().windowStart(), r.value().windowEnd(), r.value().count(),
                        r.value().revision()))
                .toList();
    }

    /** A result as the oracle writes it, once its record key is checked to be the window's and its revision 0. */
    private static Window window(TopicRecord<String, ?> record, String key, Instant start, Instant end, long count,
                                 int revision) {
        assertThat(record.key()).as("record key").isEqualTo(new WindowKey(key, start).toString());
        assertThat(revision).as("revision of %s under side-output", record.key()).isZero();
        return new Window(key, start.toEpochMilli(), end.toEpochMilli(), count);
    }

    private static <V> List<TopicRecord<String, V>> read(String topic, Class<V> type) {
        Deserializer<V> values = JsonSerde.of(type);
        return new TopicReader<>(KafkaTestResource.bootstrapServers(), new StringDeserializer(), values).readAll(topic);
    }

    private static void awaitEqual(String topic, java.util.concurrent.Callable<List<Window>> actual, List<Window> expected) {
        Awaitility.await(topic + " to equal the oracle (" + expected.size() + " windows)")
                .atMost(PIPELINE_BOUND).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(actual.call()).as(topic).containsExactlyInAnyOrderElementsOf(expected));
    }

    /**
     * 10,000 generated hostile requests and 256 at once (bad percent-encoding, bytes that are not UTF-8, path
     * traversal, huge parameters, long headers) get JSON answers, never a 5xx but 503 with {@code Retry-After}, and
     * the service stays live and ready ({@link HostileRequests}).
     */
    @Test
    void hostileRequestsGetJsonAnswersAndTheServiceStaysReady() {
        HostileRequests.verify(URI.create("http://localhost:" + RestAssured.port), 10_000, 18L);
    }

    /** Every route is in {@code /q/openapi} with its parameters, answers, error bodies and an example ({@link OpenApiContract}). */
    @Test
    void theHttpApiDescribesItself() {
        List<String> routes = OpenApiContract.verify(URI.create("http://localhost:" + RestAssured.port),
                TrafficQueryResource.class, QueryRouter.class);
        assertThat(routes).contains("GET /page-views", "GET /top-pages", "GET /users/{userId}/sessions", "GET /users/{userId}/purchase-bursts", "GET /streams/instances", "GET /streams/instance");
    }
}
