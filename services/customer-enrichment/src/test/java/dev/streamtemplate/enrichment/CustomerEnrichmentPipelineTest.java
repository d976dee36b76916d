package dev.streamtemplate.enrichment;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.streamtemplate.generator.EventPublisher;
import dev.streamtemplate.generator.GeneratedEvent;
import dev.streamtemplate.generator.GeneratorConfig;
import dev.streamtemplate.generator.ShopTrafficGenerator;
import dev.streamtemplate.runtime.query.QueryHeaders;
import dev.streamtemplate.runtime.query.QueryRouter;
import dev.streamtemplate.schemas.JsonSerde;
import dev.streamtemplate.schemas.PageView;
import dev.streamtemplate.schemas.Product;
import dev.streamtemplate.schemas.Purchase;
import dev.streamtemplate.schemas.ServiceAcls;
import dev.streamtemplate.schemas.TopicCatalogue;
import dev.streamtemplate.schemas.UserChange;
import dev.streamtemplate.schemas.UserProfile;
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
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real pipeline on a real broker: a generator replay goes in, {@code customer-360} and
 * {@code order-details} are read back with {@code read_committed} and compared exactly with
 * {@link CustomerOracle}, a plain-Java batch computation over the input topics read back; then the
 * HTTP queries are compared with the same oracle.
 *
 * <p>{@code enriched-page-views} depends on processing order (a view sees the tables as they are
 * when it is processed), so the test checks what does not: every input view appears exactly once,
 * and views of users whose profile never changed during the replay, and was in the users table before any
 * traffic was published, carry that profile; product fields are checked for products that never changed.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(FreshStateDirectory.class)
class CustomerEnrichmentPipelineTest {

    private static final Duration PIPELINE_BOUND = Duration.ofMinutes(3);
    private static final Set<String> INPUTS = Set.of(TopicCatalogue.PRODUCTS.name(), TopicCatalogue.USER_CHANGES.name(),
            TopicCatalogue.PURCHASES.name(), TopicCatalogue.PAGE_VIEWS.name());

    /**
     * The last two hours of shop traffic. Recent, not a fixed date: record timestamps are event
     * times, and the broker deletes records older than a topic's {@code retention.ms} (7 days by
     * default), producer state included.
     */
    private static final GeneratorConfig REPLAY = GeneratorConfig.defaults()
            .withStart(Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofHours(2)))
            .withSeed(20261121L)
            .withUsers(300)
            .withDuration(Duration.ofHours(2));

    /** Two hours in 12 s: like traffic rather than a backlog. */
    private static final double REPLAY_SPEED = 600;

    @Inject
    KafkaStreams streams;

    private CustomerOracle.Result oracle;

    /** Each test starts once the service is ready, whatever ran before it. */
    @BeforeEach
    void awaitReady() {
        ServiceReadiness.await(URI.create("http://localhost:" + RestAssured.port), Duration.ofSeconds(90));
    }

    /**
     * One scenario, in this order: replayed traffic and CDC with poison; the derived topics equal the batch oracle;
     * the queries answer what it computed.
     */
    @Test
    void replayedTrafficEqualsTheOracleInTopicsAndQueries() throws InterruptedException {
        derivedTopicsEqualTheBatchOracle();
        queriesAnswerWhatTheOracleComputed();
    }

    private void derivedTopicsEqualTheBatchOracle() throws InterruptedException {
        List<GeneratedEvent> replay = new ShopTrafficGenerator(REPLAY).replay().stream()
                .filter(e -> INPUTS.contains(e.topic()))
                .toList();
        // Poison on all four input topics in the middle of the traffic: every record of it must end on
        // the dead-letter topic, and the valid records before and after it must give the oracle's tables.
        // (The broker itself refuses a record without a key on the compacted user-changes and products.)
        List<PoisonRecords.Poison> poisons = new ArrayList<>();
        poisons.addAll(PoisonRecords.forTopic(TopicCatalogue.PAGE_VIEWS.name(), first(replay, PageView.class).key(),
                first(replay, PageView.class).value(), "timestamp", "userId", null, true, true));
        poisons.addAll(PoisonRecords.forTopic(TopicCatalogue.PURCHASES.name(), first(replay, Purchase.class).key(),
                first(replay, Purchase.class).value(), "timestamp", "productId", null, true, true));
        poisons.addAll(PoisonRecords.forTopic(TopicCatalogue.USER_CHANGES.name(), first(replay, UserChange.class).key(),
                first(replay, UserChange.class).value(), "sourceTimestamp", "version", "op", false, false));
        poisons.addAll(PoisonRecords.forTopic(TopicCatalogue.PRODUCTS.name(), first(replay, Product.class).key(),
                first(replay, Product.class).value(), "updatedAt", "name", null, false, false));
        String bootstrap = KafkaTestResource.bootstrapServers();
        // The catalogue and every user's snapshot first, the traffic once every snapshot is in the users table
        // (customer-360 has a row exactly while a user has a profile). Publishing a snapshot before a view is not
        // enough: with max.task.idle.ms=0 Kafka Streams orders co-partitioned records by timestamp only among those it
        // has fetched or knows from its fetch metadata to be on the broker, and a producer gives no order across
        // partitions. CustomerOracle.stableUsers relies on it.
        List<GeneratedEvent> tables = replay.stream().filter(e -> initialTableRecord(e)).toList();
        List<GeneratedEvent> traffic = replay.stream().filter(e -> !initialTableRecord(e)).toList();
        Set<String> snapshotUsers = tables.stream().filter(e -> e.value() instanceof UserChange)
                .map(GeneratedEvent::key).collect(Collectors.toSet());
        assertThat(snapshotUsers).as("users whose snapshot is published before the traffic").hasSize(REPLAY.users());
        List<PoisonRecords.Sent> poisoned;
        try (EventPublisher publisher = new EventPublisher(KafkaTestResource.clientConfig(ServiceAcls.EVENT_GENERATOR))) {
            publisher.publishAll(tables);
            Awaitility.await("the " + snapshotUsers.size() + " snapshots in the users table (customer-360)")
                    .atMost(PIPELINE_BOUND).pollInterval(Duration.ofMillis(200))
                    .until(() -> latest(TopicCatalogue.CUSTOMER_360.name(), Customer360.class).keySet()
                            .containsAll(snapshotUsers));
            publisher.publishPaced(traffic.subList(0, traffic.size() / 2), REPLAY_SPEED);
            poisoned = PoisonRecords.publish(bootstrap, poisons);
            publisher.publishPaced(traffic.subList(traffic.size() / 2, traffic.size()), REPLAY_SPEED);
        }

        List<TopicRecord<String, UserChange>> changes = PoisonRecords.validTableRecords(bootstrap, TopicCatalogue.USER_CHANGES.name(), UserChange.class);
        List<TopicRecord<String, Product>> products = PoisonRecords.validTableRecords(bootstrap, TopicCatalogue.PRODUCTS.name(), Product.class);
        List<TopicRecord<String, Purchase>> purchases = PoisonRecords.validRecords(bootstrap, TopicCatalogue.PURCHASES.name(), Purchase.class);
        List<TopicRecord<String, PageView>> pageViews = PoisonRecords.validRecords(bootstrap, TopicCatalogue.PAGE_VIEWS.name(), PageView.class);
        assertThat(changes.size() + products.size() + purchases.size() + pageViews.size())
                .as("input records read back").isEqualTo(replay.size());
        assertThat(changes).as("the replay deletes users").anyMatch(r -> r.value() == null);
        assertThat(purchases).as("the replay has purchases").hasSizeGreaterThan(50);
        oracle = CustomerOracle.compute(changes, products, purchases);

        Awaitility.await("customer-360 to equal the oracle (" + oracle.customers().size() + " customers)")
                .atMost(PIPELINE_BOUND).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(latest(TopicCatalogue.CUSTOMER_360.name(), Customer360.class))
                        .containsExactlyInAnyOrderEntriesOf(oracle.customers()));
        Awaitility.await("order-details to equal the oracle (" + oracle.orderDetails().size() + " order lines)")
                .atMost(PIPELINE_BOUND).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(latest(TopicCatalogue.ORDER_DETAILS.name(), EnrichedOrderLine.class))
                        .containsExactlyInAnyOrderEntriesOf(oracle.orderDetails()));
        Awaitility.await("enriched-page-views to hold all " + pageViews.size() + " page views")
                .atMost(PIPELINE_BOUND).pollInterval(Duration.ofSeconds(1))
                .until(() -> read(TopicCatalogue.ENRICHED_PAGE_VIEWS.name(), EnrichedPageView.class).size() >= pageViews.size());

        // Every poison record is on the dead-letter topic, named by its origin, with the reason.
        List<TopicRecord<byte[], byte[]>> deadLetters = PoisonRecords.deadLetters(bootstrap, TopicCatalogue.CUSTOMER_ENRICHMENT_DLQ.name());
        for (PoisonRecords.Sent sent : poisoned) {
            assertThat(sent.deadLetterIn(deadLetters)).as("dead letter of the %s on %s", sent.poison().kind(), sent.poison().topic())
                    .hasValueSatisfying(letter -> assertThat(PoisonRecords.header(letter, "__streams.errors.message"))
                            .contains(sent.poison().expectation()));
        }
        assertThat(deadLetters).as("dead letters: one per poison record").hasSameSizeAs(poisoned);
        double dropped = streams.metrics().entrySet().stream().filter(e -> e.getKey().name().equals("dropped-records-total"))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
        assertThat(dropped).as("Kafka Streams' dropped-records-total: the poison records").isEqualTo(poisoned.size());
        assertThat(streams.state()).as("Kafka Streams after the poison").isEqualTo(KafkaStreams.State.RUNNING);
        System.out.printf("poison: %d records on 4 topics, %d dead letters%n", poisoned.size(), deadLetters.size());

        List<TopicRecord<String, EnrichedPageView>> enriched = read(TopicCatalogue.ENRICHED_PAGE_VIEWS.name(), EnrichedPageView.class);
        assertThat(enriched).as("enriched views keyed by their user").allMatch(r -> r.key().equals(r.value().view().userId()));
        assertThat(enriched).extracting(r -> r.value().view())
                .as("every page view exactly once").containsExactlyInAnyOrderElementsOf(pageViews.stream().map(TopicRecord::value).toList());

        Set<String> stable = CustomerOracle.stableUsers(changes, pageViews);
        Map<String, List<Product>> versionsPerProduct = products.stream()
                .collect(Collectors.groupingBy(TopicRecord::key, Collectors.mapping(TopicRecord::value, Collectors.toList())));
        List<EnrichedPageView> ofStableUsers = enriched.stream().map(TopicRecord::value)
                .filter(v -> stable.contains(v.view().userId())).toList();
        assertThat(ofStableUsers).as("views of users whose profile never changed").hasSizeGreaterThan(pageViews.size() / 2);
        for (EnrichedPageView view : ofStableUsers) {
            UserProfile profile = oracle.users().get(view.view().userId());
            EnrichedPageView expected = EnrichedPageView.of(view.view(), profile);
            String productId = view.view().productId();
            List<Product> versions = productId == null ? List.of() : versionsPerProduct.getOrDefault(productId, List.of());
            if (versions.size() == 1) {
                expected = expected.withProduct(oracle.products().get(productId));
            } else if (versions.size() > 1) {
                // the product changed during the replay: the view carries one of its versions
                Product seen = versions.stream().filter(p -> p.name().equals(view.productName())
                                && p.category().equals(view.productCategory()) && Long.valueOf(p.priceCents()).equals(view.productPriceCents()))
                        .findFirst().orElseThrow(() -> new AssertionError("view " + view.view().eventId()
                                + " carries no published version of " + productId + ": " + view));
                expected = expected.withProduct(seen);
            }
            assertThat(view).as("enrichment of " + view.view().eventId()).isEqualTo(expected);
        }
        System.out.printf("replay: %s%noracle: %d user changes, %d products, %d purchases, %d page views; %d customers,"
                        + " %d order lines, %d views of %d stable users%n", REPLAY, changes.size(), products.size(),
                purchases.size(), pageViews.size(), oracle.customers().size(), oracle.orderDetails().size(),
                ofStableUsers.size(), stable.size());
    }

    private void queriesAnswerWhatTheOracleComputed() {
        Customer360 buyer = oracle.customers().values().stream()
                .max(Comparator.comparingLong(Customer360::purchases)).orElseThrow();
        Customer360 answer = given().when().get("/customers/{u}", buyer.userId())
                .then().statusCode(200).contentType(ContentType.JSON).extract().as(Customer360.class);
        assertThat(answer).isEqualTo(buyer);
        oracle.customers().values().stream().limit(20).forEach(expected -> assertThat(given().when()
                .get("/customers/{u}", expected.userId()).then().statusCode(200).extract().as(Customer360.class))
                .isEqualTo(expected));

        Map<String, List<EnrichedOrderLine>> orders = oracle.orderDetails().values().stream()
                .collect(Collectors.groupingBy(EnrichedOrderLine::orderId));
        orders.entrySet().stream().limit(20).forEach(order -> assertThat(List.of(given().when()
                .get("/orders/{o}", order.getKey()).then().statusCode(200).contentType(ContentType.JSON)
                .extract().as(EnrichedOrderLine[].class))).containsExactlyInAnyOrderElementsOf(order.getValue()));

        // a deleted user (present in the replay's changes, absent from the oracle's users) is 404
        String deleted = PoisonRecords.validTableRecords(KafkaTestResource.bootstrapServers(), TopicCatalogue.USER_CHANGES.name(),
                        UserChange.class).stream()
                .filter(r -> r.value() == null).map(TopicRecord::key)
                .filter(user -> !oracle.users().containsKey(user)).findFirst().orElse("no-such-user");
        given().when().get("/customers/{u}", deleted).then().statusCode(404).contentType(ContentType.JSON)
                .body("status", equalTo(404)).body("message", containsString(deleted));
    }

    @Test
    void unknownKeysAndBadRequestsGetJsonErrors() {
        given().when().get("/customers/{u}", "no-such-user").then().statusCode(404).contentType(ContentType.JSON)
                .body("status", equalTo(404)).body("message", equalTo("no customer 'no-such-user'"))
                .header(QueryHeaders.REPLICA, "active").header(QueryHeaders.OFFSET_LAG, "0");
        given().when().get("/orders/{o}", "no-such-order").then().statusCode(404).contentType(ContentType.JSON)
                .body("status", equalTo(404)).body("message", equalTo("no order 'no-such-order'"));
        given().when().get("/customers/{u}", "u".repeat(600)).then().statusCode(400).contentType(ContentType.JSON)
                .body("status", equalTo(400)).body("message", containsString("longer than 512"));
        given().when().get("/orders/{o}", "o".repeat(600)).then().statusCode(400).contentType(ContentType.JSON)
                .body("status", equalTo(400)).body("message", containsString("longer than 512"));
        given().when().get("/customers/{u}", "u".repeat(512)).then().statusCode(404);
        given().when().delete("/customers/u-0001").then().statusCode(405).contentType(ContentType.JSON)
                .body("status", equalTo(405));
    }

    @Test
    void healthReflectsKafkaStreams() {
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body(containsString("Kafka Streams stores queryable"));
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
    }

    private static <V> Map<String, V> latest(String topic, Class<V> type) {
        return new TopicReader<>(KafkaTestResource.bootstrapServers(), new StringDeserializer(), JsonSerde.of(type))
                .readLatestByKey(topic);
    }

    /** The catalogue and the users' snapshot envelopes, all delivered at the replay's start. */
    private static boolean initialTableRecord(GeneratedEvent event) {
        return event.deliveryTime().equals(REPLAY.start()) && (event.value() instanceof Product
                || event.value() instanceof UserChange change && change.op() == UserChange.Operation.SNAPSHOT);
    }

    /** The first generated event of {@code type} in {@code replay}: the base of that topic's poison. */
    private static GeneratedEvent first(List<GeneratedEvent> replay, Class<?> type) {
        return replay.stream().filter(e -> type.isInstance(e.value())).findFirst().orElseThrow();
    }

    private static <V> List<TopicRecord<String, V>> read(String topic, Class<V> type) {
        return new TopicReader<>(KafkaTestResource.bootstrapServers(), new StringDeserializer(), JsonSerde.of(type))
                .readAll(topic);
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
                CustomerQueryResource.class, QueryRouter.class);
        assertThat(routes).contains("GET /customers/{userId}", "GET /orders/{orderId}", "GET /streams/instances", "GET /streams/instance");
    }
}
