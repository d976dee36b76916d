package dev.streamtemplate.attribution;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.streamtemplate.generator.Delivery;
import dev.streamtemplate.generator.EventPublisher;
import dev.streamtemplate.generator.GeneratedEvent;
import dev.streamtemplate.generator.GeneratorConfig;
import dev.streamtemplate.generator.ShopTrafficGenerator;
import dev.streamtemplate.runtime.lateness.LateEvent;
import dev.streamtemplate.runtime.query.QueryRouter;
import dev.streamtemplate.schemas.JsonSerde;
import dev.streamtemplate.schemas.ServiceAcls;
import dev.streamtemplate.schemas.PageView;
import dev.streamtemplate.schemas.Purchase;
import dev.streamtemplate.schemas.TopicCatalogue;
import dev.streamtemplate.testing.FreshStateDirectory;
import dev.streamtemplate.testing.KafkaTestResource;
import dev.streamtemplate.testing.HostileRequests;
import dev.streamtemplate.testing.OpenApiContract;
import dev.streamtemplate.testing.PoisonRecords;
import dev.streamtemplate.testing.ServiceReadiness;
import dev.streamtemplate.testing.TopicReader;
import dev.streamtemplate.testing.TopicRecord;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
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
 * purchase-attribution on a real broker: generated traffic goes in; {@code attributed-purchases},
 * {@code attributed-revenue-hourly} and {@code late-events}, read with {@code read_committed}, equal
 * a plain-Java batch computation of last-touch attribution over the same events
 * ({@link AttributionOracle}), exactly.
 *
 * <p>The test profile's grace period (60 minutes) is more than the out-of-order delivery (20 s) and
 * than the interleaving of repartitioned inputs written by different tasks in a replay sent 600
 * times faster than real time (a few event-time minutes, more on a busy machine: 60 minutes are 6 s
 * of wall-clock time), and an hour less than the lateness of the generator's late events (three
 * hours) beyond the lookback: so which records are late is decided by the input alone, and the
 * oracle can name them. After the replay, clock events on every partition close the windows in
 * steps, each awaited before the next, as continuing traffic would.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(FreshStateDirectory.class)
class AttributionPipelineTest {

    private static final Duration BOUND = Duration.ofMinutes(3);
    private static final String CLOCK_USER = "u-clock-";
    /** Partitions of the inputs, so of the repartition topics and tasks. */
    private static final int PARTITIONS = TopicCatalogue.PURCHASES.partitions();
    /**
     * Four hours of traffic ending three hours ago, so that its revenue windows can be closed with
     * event times before now + 1 h (the broker's {@code message.timestamp.after.max.ms}); 3 % of it
     * delivered three hours late, an hour more than the lookback plus the grace period.
     */
    private static final GeneratorConfig REPLAY = GeneratorConfig.defaults()
            .withStart(Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofHours(7)))
            .withDuration(Duration.ofHours(4))
            .withSeed(4242L)
            .withUsers(400)
            .withLate(0.03, Duration.ofHours(3));
    /** Four hours in 24 s. */
    private static final double SPEED = 600;

    @Inject
    AttributionSettings settings;

    @Inject
    KafkaStreams streams;

    private List<PoisonRecords.Sent> poisoned;
    private Map<String, String> expectedAttribution;
    private Map<String, Map<String, Long>> expectedRevenue;

    /** Each test starts once the service is ready, whatever ran before it. */
    @BeforeEach
    void awaitReady() {
        ServiceReadiness.await(URI.create("http://localhost:" + RestAssured.port), Duration.ofSeconds(90));
    }

    /**
     * One scenario, in this order: replayed traffic with poison; attributed purchases and revenue equal the batch
     * oracle; the revenue queries answer what it computed.
     */
    @Test
    void replayedTrafficEqualsTheOracleInTopicsAndQueries() throws InterruptedException {
        attributedPurchasesAndRevenueEqualTheBatchOracle();
        revenueQueriesAnswerWhatTheOracleComputed();
    }

    private void attributedPurchasesAndRevenueEqualTheBatchOracle() throws InterruptedException {
        assertThat(settings.grace()).as("test profile grace").isEqualTo(Duration.ofMinutes(60));
        List<GeneratedEvent> generated = new ShopTrafficGenerator(REPLAY).replay();
        Instant end = generated.stream().map(GeneratedEvent::eventTime).max(Comparator.naturalOrder()).orElseThrow();
        // Late events delivered after the end of the period would arrive when stream time no longer
        // moves, and might still be on time; keep those delivered well within it, two hours late.
        Instant lastLateDelivery = end.minus(Duration.ofMinutes(10));
        List<GeneratedEvent> replay = generated.stream()
                .filter(e -> e.value() instanceof PageView || e.value() instanceof Purchase)
                .filter(e -> e.delivery() != Delivery.LATE || e.deliveryTime().isBefore(lastLateDelivery))
                .toList();
        // Poison on both inputs in the middle of the traffic: all of it must end on the dead-letter
        // topic while the valid records around it are attributed as the oracle says.
        String bootstrap = KafkaTestResource.bootstrapServers();
        GeneratedEvent firstView = replay.stream().filter(e -> e.value() instanceof PageView).findFirst().orElseThrow();
        GeneratedEvent firstPurchase = replay.stream().filter(e -> e.value() instanceof Purchase).findFirst().orElseThrow();
        List<PoisonRecords.Poison> poisons = new ArrayList<>(PoisonRecords.forTopic(TopicCatalogue.PAGE_VIEWS.name(),
                firstView.key(), firstView.value(), "timestamp", "userId", null, true, true));
        poisons.addAll(PoisonRecords.forTopic(TopicCatalogue.PURCHASES.name(), firstPurchase.key(), firstPurchase.value(),
                "timestamp", "productId", null, true, true));
        try (EventPublisher publisher = new EventPublisher(KafkaTestResource.clientConfig(ServiceAcls.EVENT_GENERATOR))) {
            publisher.publishPaced(replay.subList(0, replay.size() / 2), SPEED);
            poisoned = PoisonRecords.publish(bootstrap, poisons);
            publisher.publishPaced(replay.subList(replay.size() / 2, replay.size()), SPEED);
        }
        List<PageView> views = replay.stream().filter(e -> e.value() instanceof PageView)
                .map(e -> (PageView) e.value()).filter(v -> v.productId() != null).toList();
        Set<String> lateViews = replay.stream().filter(e -> e.delivery() == Delivery.LATE && e.value() instanceof PageView v
                && v.productId() != null).map(e -> ((PageView) e.value()).eventId()).collect(Collectors.toSet());
        List<Purchase> purchases = replay.stream().filter(e -> e.value() instanceof Purchase).map(e -> (Purchase) e.value()).toList();
        Set<String> latePurchases = replay.stream().filter(e -> e.delivery() == Delivery.LATE && e.value() instanceof Purchase)
                .map(e -> ((Purchase) e.value()).eventId()).collect(Collectors.toSet());
        assertThat(lateViews).as("late product views in the replay").isNotEmpty();

        // The oracle: for every purchase on time, the latest on-time view of the same product by the
        // same user at most the lookback before it; revenue per page, window and currency.
        AttributionOracle.Result oracle = AttributionOracle.compute(views, purchases, lateViews, latePurchases,
                settings.lookback(), settings.revenueWindow());
        expectedAttribution = oracle.attribution();
        Map<String, PageView> attributedView = oracle.attributedViews();
        expectedRevenue = oracle.revenue();
        assertThat(attributedView).as("attributed purchases in the oracle").isNotEmpty();
        assertThat(expectedAttribution.values()).as("unattributed purchases in the oracle").contains(AttributionOracle.NONE);

        // Close every purchase's window: a clock purchase and view on every partition of every task,
        // after the end of the traffic plus the grace period.
        Instant joinClosed = end.plus(settings.grace()).plus(Duration.ofMinutes(1));
        publishClock(joinClosed, null);
        Awaitility.await("attributed-purchases to equal the oracle (" + expectedAttribution.size() + " purchases)")
                .atMost(BOUND).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(attributions()).isEqualTo(expectedAttribution));
        assertThat(read(TopicCatalogue.ATTRIBUTED_PURCHASES.name(), AttributedPurchase.class))
                .as("one final attribution per purchase").filteredOn(r -> !r.value().purchase().userId().startsWith(CLOCK_USER))
                .hasSize(expectedAttribution.size());

        // Then the revenue windows: a clock attribution past the last hour + grace + settle moves the
        // stream time of every page's task there once it is final, a grace period later. Each step
        // also makes the previous step's clock attributions final, which shows that it was processed.
        Duration finalAfter = settings.grace().plus(Duration.ofMinutes(1));
        Instant revenueClosed = end.plus(settings.revenueWindow()).plus(settings.grace()).plus(settings.settle())
                .plus(Duration.ofMinutes(1));
        Instant second = revenueClosed.isAfter(joinClosed.plus(finalAfter)) ? revenueClosed : joinClosed.plus(finalAfter);
        List<Instant> steps = List.of(joinClosed, second, second.plus(finalAfter));
        for (int step = 1; step < steps.size(); step++) {
            publishClock(steps.get(step), steps.get(step - 1));
        }

        Map<String, List<TopicRecord<String, LateEvent>>> late = read(TopicCatalogue.LATE_EVENTS.name(), LateEvent.class).stream()
                .collect(Collectors.groupingBy(r -> r.value().aggregation()));
        assertThat(late.getOrDefault(AttributionTopology.VIEWS, List.of())).extracting(r -> eventId(r.value()))
                .as("late views").containsExactlyInAnyOrderElementsOf(lateViews);
        assertThat(late.getOrDefault(AttributionTopology.PURCHASES_LATE, List.of())).extracting(r -> eventId(r.value()))
                .as("late purchases").containsExactlyInAnyOrderElementsOf(latePurchases);
        assertThat(late.getOrDefault(AttributionTopology.ATTRIBUTION, List.of())).as("views later than their purchase's window")
                .extracting(r -> r.value().eventTime() + " at " + r.value().streamTime()).isEmpty();
        assertThat(late.getOrDefault(AttributionTopology.REVENUE, List.of())).as("late attributions")
                .extracting(r -> r.value().eventTime() + " at " + r.value().streamTime() + " window " + r.value().windowStart()).isEmpty();
        Awaitility.await("attributed-revenue-hourly to equal the oracle (" + expectedRevenue.size() + " windows)")
                .atMost(BOUND).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(revenue()).isEqualTo(expectedRevenue));
        double dropped = streams.metrics().entrySet().stream().filter(e -> e.getKey().name().equals("dropped-records-total"))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
        List<TopicRecord<byte[], byte[]>> deadLetters = PoisonRecords.deadLetters(bootstrap, TopicCatalogue.PURCHASE_ATTRIBUTION_DLQ.name());
        for (PoisonRecords.Sent sent : poisoned) {
            assertThat(sent.deadLetterIn(deadLetters)).as("dead letter of the %s on %s", sent.poison().kind(), sent.poison().topic())
                    .hasValueSatisfying(letter -> assertThat(PoisonRecords.header(letter, "__streams.errors.message"))
                            .contains(sent.poison().expectation()));
        }
        assertThat(deadLetters).as("dead letters: one per poison record").hasSameSizeAs(poisoned);
        assertThat(dropped).as("Kafka Streams' dropped-records-total: the poison records").isEqualTo(poisoned.size());
        System.out.printf("poison: %d records on 2 topics, %d dead letters%n", poisoned.size(), deadLetters.size());
        System.out.printf("replay: %s%noracle: %d purchases (%d attributed, %d late), %d product views (%d late), %d revenue windows%n",
                REPLAY, purchases.size(), attributedView.size(), latePurchases.size(), views.size(), lateViews.size(),
                expectedRevenue.size());
    }

    private void revenueQueriesAnswerWhatTheOracleComputed() {
        String key = expectedRevenue.keySet().iterator().next();
        String page = key.substring(0, key.indexOf('@'));
        Instant from = REPLAY.start().minus(Duration.ofHours(1));
        Instant to = REPLAY.start().plus(REPLAY.duration()).plus(Duration.ofHours(1));
        List<PageRevenue> answer = List.of(given().queryParam("page", page).queryParam("from", from.toString())
                .queryParam("to", to.toString()).when().get("/revenue")
                .then().statusCode(200).contentType(ContentType.JSON).extract().as(PageRevenue[].class));
        Map<String, Map<String, Long>> expected = expectedRevenue.entrySet().stream()
                .filter(e -> e.getKey().startsWith(page + "@"))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        assertThat(answer.stream().collect(Collectors.toMap(r -> r.page() + "@" + r.windowStart(), r -> r.revenueCents())))
                .isEqualTo(expected);

        given().queryParam("page", "/no-such-page").queryParam("from", from.toString()).queryParam("to", to.toString())
                .when().get("/revenue").then().statusCode(200).body("size()", equalTo(0));
        given().queryParam("from", from.toString()).queryParam("to", to.toString()).when().get("/revenue")
                .then().statusCode(400).contentType(ContentType.JSON).body("message", containsString("'page' is required"));
        given().queryParam("page", page).queryParam("from", to.toString()).queryParam("to", from.toString()).when().get("/revenue")
                .then().statusCode(400).body("message", containsString("must be after"));
        given().queryParam("page", "/" + "x".repeat(600)).queryParam("from", from.toString()).queryParam("to", to.toString())
                .when().get("/revenue").then().statusCode(400).body("message", containsString("longer than 512"));
        given().queryParam("page", page).queryParam("from", "yesterday").queryParam("to", to.toString()).when().get("/revenue")
                .then().statusCode(400).contentType(ContentType.JSON).body("message", containsString("not an ISO-8601 instant"));
        given().queryParam("page", page).queryParam("from", from.toString()).queryParam("to", from.plus(Duration.ofDays(400)).toString())
                .when().get("/revenue").then().statusCode(400).contentType(ContentType.JSON).body("message", containsString("wider than the allowed"));
        given().when().get("/no-such-route").then().statusCode(404).contentType(ContentType.JSON).body("status", equalTo(404));
        given().queryParam("page", page).when().delete("/revenue").then().statusCode(405).contentType(ContentType.JSON)
                .body("status", equalTo(405));
        given().when().post("/streams/instances").then().statusCode(405).contentType(ContentType.JSON);
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        assertThat(given().when().get("/q/metrics").then().statusCode(200).extract().asString())
                .contains("late_events_total{aggregation=\"attribution-views\"");
    }

    /**
     * Publishes {@link #clockPairs} at {@code at} and, when {@code previous} is given, waits until
     * the clock purchases at {@code previous} are final on every partition: every join task has then
     * processed this step.
     */
    private void publishClock(Instant at, Instant previous) {
        try (EventPublisher publisher = new EventPublisher(KafkaTestResource.clientConfig(ServiceAcls.EVENT_GENERATOR))) {
            publisher.publishAll(clockPairs(at));
        }
        if (previous != null) {
            Awaitility.await("the clock purchases at " + previous + " to be final on every partition")
                    .atMost(BOUND).pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> assertThat(read(TopicCatalogue.ATTRIBUTED_PURCHASES.name(), AttributedPurchase.class))
                            .filteredOn(r -> r.value().purchase().userId().startsWith(CLOCK_USER)
                                    && r.value().purchase().timestamp().equals(previous))
                            .hasSize(PARTITIONS));
        }
    }

    /** A view and a purchase of one product by one clock user at {@code at}, for every partition of every task. */
    private static List<GeneratedEvent> clockPairs(Instant at) {
        List<GeneratedEvent> events = new ArrayList<>();
        int partitions = PARTITIONS;
        for (int p = 0; p < partitions; p++) {
            int partition = p;
            String product = first("p-clock-", n -> partitionOf("/products/" + n, partitions) == partition);
            String user = first(CLOCK_USER, n -> partitionOf(n + "|" + product, partitions) == partition);
            String purchaseId = first("clock-purchase-" + at.toEpochMilli() + "-", n -> partitionOf(n, partitions) == partition);
            PageView view = new PageView("clock-view-" + purchaseId, user, "/products/" + product, product, null, at);
            Purchase purchase = new Purchase(purchaseId, "o-" + purchaseId, user, product, 1, 100, "EUR", at);
            events.add(new GeneratedEvent(TopicCatalogue.PAGE_VIEWS.name(), user, view, at, at, Delivery.IN_ORDER));
            events.add(new GeneratedEvent(TopicCatalogue.PURCHASES.name(), user, purchase, at, at, Delivery.IN_ORDER));
        }
        return events;
    }

    private static String first(String prefix, Predicate<String> fits) {
        return IntStream.iterate(0, n -> n + 1).mapToObj(n -> prefix + n).filter(fits).findFirst().orElseThrow();
    }

    private static int partitionOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    private static Map<String, String> attributions() {
        return read(TopicCatalogue.ATTRIBUTED_PURCHASES.name(), AttributedPurchase.class).stream()
                .filter(r -> !r.value().purchase().userId().startsWith(CLOCK_USER))
                .collect(Collectors.toMap(r -> r.value().purchase().eventId(),
                        r -> r.value().attributed() ? r.value().viewEventId() : AttributionOracle.NONE,
                        (a, b) -> a + "," + b, TreeMap::new));
    }

    private static Map<String, Map<String, Long>> revenue() {
        return read(TopicCatalogue.ATTRIBUTED_REVENUE.name(), PageRevenueRevision.class).stream()
                .filter(r -> !r.key().startsWith("/products/p-clock-"))
                .collect(Collectors.toMap(TopicRecord::key,
                        r -> r.value().revenueCents(), (a, b) -> Map.of("duplicate", -1L), TreeMap::new));
    }

    private static String eventId(LateEvent event) {
        return String.valueOf(((Map<?, ?>) event.value()).get("eventId"));
    }

    private static <V> List<TopicRecord<String, V>> read(String topic, Class<V> type) {
        Deserializer<V> values = JsonSerde.of(type);
        return new TopicReader<>(KafkaTestResource.bootstrapServers(), new StringDeserializer(), values).readAll(topic);
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
                RevenueQueryResource.class, QueryRouter.class);
        assertThat(routes).contains("GET /revenue", "GET /streams/instances", "GET /streams/instance");
    }
}
