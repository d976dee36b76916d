package dev.streamtemplate.cart;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.streamtemplate.generator.Delivery;
import dev.streamtemplate.generator.EventPublisher;
import dev.streamtemplate.generator.GeneratedEvent;
import dev.streamtemplate.generator.GeneratorConfig;
import dev.streamtemplate.generator.ShopTrafficGenerator;
import dev.streamtemplate.runtime.query.QueryRouter;
import dev.streamtemplate.schemas.CartEvent;
import dev.streamtemplate.schemas.JsonSerde;
import dev.streamtemplate.schemas.Product;
import dev.streamtemplate.schemas.ServiceAcls;
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
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real pipeline on a real broker: a generator replay of cart commands (some delivered twice, some
 * invalid on purpose) goes in; {@code carts}, {@code orders} and {@code cart-rejections}, read back with
 * {@code read_committed}, are compared exactly with {@link CartOracle}, a plain-Java fold of the same
 * commands as read back from {@code cart-events}, in partition order; then the HTTP answers. Poison
 * records on {@code cart-events} in the middle of the traffic ({@link PoisonRecords}, and a command
 * under another user's key) must each end on the dead-letter topic without disturbing the fold.
 *
 * <p>Prices are read by event time from a global versioned store, which is not synchronised with the
 * cart commands (a global store never is). To make the run exact, every product version of the replay
 * is published first and the test waits until the store holds each product's last version; only then
 * do the cart commands go out, paced like traffic. What each add costs then depends only on event
 * times, as the oracle computes it.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(FreshStateDirectory.class)
class CartPipelineTest {

    private static final Duration PIPELINE_BOUND = Duration.ofMinutes(3);

    /**
     * The last two hours of shop traffic for 500 users. Recent, not a fixed date: record timestamps are
     * event times, and the broker deletes records older than a topic's {@code retention.ms} (7 days by
     * default) and refuses timestamps more than an hour ahead.
     */
    static final GeneratorConfig REPLAY = GeneratorConfig.defaults()
            .withStart(Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofHours(2)))
            .withSeed(20261122L)
            .withUsers(500)
            .withDuration(Duration.ofHours(2));

    /** Two hours in 12 s: like traffic rather than a backlog. */
    private static final double REPLAY_SPEED = 600;

    @Inject
    KafkaStreams streams;

    @Inject
    CartSettings settings;

    private CartOracle.Result oracle;

    /** Each test starts once the service is ready, whatever ran before it. */
    @BeforeEach
    void awaitReady() {
        ServiceReadiness.await(URI.create("http://localhost:" + RestAssured.port), Duration.ofSeconds(90));
    }

    /**
     * One scenario, in this order: replayed cart commands with poison and second deliveries; carts, orders and
     * rejections equal the fold of the commands; duplicates and rejections are counted in the metrics; the queries
     * answer what the fold computed; unknown keys (of known users too) and bad requests get JSON errors.
     */
    @Test
    void replayedCommandsEqualTheFoldInTopicsMetricsAndQueries() throws InterruptedException {
        cartsOrdersAndRejectionsEqualTheFoldOfTheCommands();
        duplicatesAndRejectionsAreCountedInTheMetrics();
        queriesAnswerWhatTheFoldComputed();
        unknownKeysAndBadRequestsGetJsonErrors();
    }

    private void cartsOrdersAndRejectionsEqualTheFoldOfTheCommands() throws InterruptedException {
        List<GeneratedEvent> replay = new ShopTrafficGenerator(REPLAY).replay();
        List<GeneratedEvent> catalogue = onTopic(replay, TopicCatalogue.PRODUCTS.name());
        List<GeneratedEvent> cartCommands = onTopic(replay, TopicCatalogue.CART_EVENTS.name());
        assertThat(cartCommands).as("second deliveries in the replay").anyMatch(e -> e.delivery() == Delivery.REDELIVERED);

        Awaitility.await("Kafka Streams to run").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> streams.state() == KafkaStreams.State.RUNNING);
        // Poison on cart-events in the middle of the traffic, and a command under another user's key:
        // every one of them must end on the dead-letter topic, and the fold of the valid commands must hold.
        String bootstrap = KafkaTestResource.bootstrapServers();
        GeneratedEvent some = cartCommands.get(0);
        CartEvent command = (CartEvent) some.value();
        List<PoisonRecords.Poison> poisons = new java.util.ArrayList<>(PoisonRecords.forTopic(TopicCatalogue.CART_EVENTS.name(),
                some.key(), command, "timestamp", "eventId", "type", true, true));
        poisons.add(new PoisonRecords.Poison("key of another user", TopicCatalogue.CART_EVENTS.name(),
                "u-someone-else".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                JsonSerde.of(CartEvent.class).serialize(TopicCatalogue.CART_EVENTS.name(), new CartEvent("misrouted-1",
                        command.userId(), command.type(), command.productId(), command.quantity(), command.timestamp())),
                "must be keyed by userId"));
        List<PoisonRecords.Sent> poisoned;
        try (EventPublisher publisher = new EventPublisher(KafkaTestResource.clientConfig(ServiceAcls.EVENT_GENERATOR))) {
            publisher.publishAll(catalogue);
            awaitCatalogue(catalogue);
            publisher.publishPaced(cartCommands.subList(0, cartCommands.size() / 2), REPLAY_SPEED);
            poisoned = PoisonRecords.publish(bootstrap, poisons);
            publisher.publishPaced(cartCommands.subList(cartCommands.size() / 2, cartCommands.size()), REPLAY_SPEED);
        }

        List<TopicRecord<String, CartEvent>> commands = PoisonRecords.validRecords(bootstrap, TopicCatalogue.CART_EVENTS.name(),
                        CartEvent.class).stream().filter(r -> r.key().equals(r.value().userId())).toList();
        List<TopicRecord<String, Product>> products = read(TopicCatalogue.PRODUCTS.name(), Product.class);
        assertThat(commands).as("commands read back").hasSameSizeAs(cartCommands);
        assertThat(products).as("product versions read back").hasSameSizeAs(catalogue);
        Duration span = Duration.between(REPLAY.start(), cartCommands.get(cartCommands.size() - 1).deliveryTime());
        assertThat(span).as("the replay stays within the de-duplication retention").isLessThan(settings.dedupRetention());
        oracle = CartOracle.compute(commands, products, settings.dedupRetention());
        assertThat(oracle.duplicates()).as("second deliveries the oracle ignores").isPositive();
        assertThat(oracle.orderCount()).as("orders").isGreaterThan(50);
        assertThat(oracle.byReason()).as("rejections of the generator's invalid commands")
                .hasEntrySatisfying(RejectionReason.EMPTY_CART, n -> assertThat(n).isPositive())
                .hasEntrySatisfying(RejectionReason.NOT_IN_CART, n -> assertThat(n).isPositive());

        Awaitility.await("orders to equal the fold (" + oracle.orderCount() + " orders)")
                .atMost(PIPELINE_BOUND).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(byUser(read(TopicCatalogue.ORDERS.name(), dev.streamtemplate.cart.Order.class),
                        Function.identity())).isEqualTo(oracle.orders()));
        Awaitility.await("cart-rejections to equal the fold (" + oracle.rejectionCount() + " rejections)")
                .atMost(PIPELINE_BOUND).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(byUser(read(TopicCatalogue.CART_REJECTIONS.name(), CartRejection.class),
                        r -> new CartOracle.Rejection(r.command(), r.reason()))).isEqualTo(oracle.rejections()));
        Awaitility.await("every carts record to equal the fold")
                .atMost(PIPELINE_BOUND).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(byUser(read(TopicCatalogue.CARTS.name(), Cart.class), Function.identity()))
                        .isEqualTo(oracle.cartChanges()));
        assertThat(new TopicReader<>(KafkaTestResource.bootstrapServers(), new StringDeserializer(), JsonSerde.of(Cart.class))
                .readLatestByKey(TopicCatalogue.CARTS.name()))
                .as("carts as a table: the latest cart per user, tombstones removing").isEqualTo(oracle.carts());
        Awaitility.await("a dead letter for each of " + poisoned.size() + " poison records")
                .atMost(PIPELINE_BOUND).pollInterval(Duration.ofSeconds(1))
                .until(() -> PoisonRecords.deadLetters(bootstrap, TopicCatalogue.SHOPPING_CART_DLQ.name()).size() >= poisoned.size());
        List<TopicRecord<byte[], byte[]>> deadLetters = PoisonRecords.deadLetters(bootstrap, TopicCatalogue.SHOPPING_CART_DLQ.name());
        for (PoisonRecords.Sent sent : poisoned) {
            assertThat(sent.deadLetterIn(deadLetters)).as("dead letter of the %s", sent.poison().kind())
                    .hasValueSatisfying(letter -> assertThat(PoisonRecords.header(letter, "__streams.errors.message"))
                            .contains(sent.poison().expectation()));
        }
        assertThat(deadLetters).as("dead letters: one per poison record").hasSameSizeAs(poisoned);
        System.out.printf("poison: %d records on cart-events, %d dead letters%n", poisoned.size(), deadLetters.size());

        // how many order lines were priced by a product version that was replaced later in the replay
        Map<String, Long> lastPrice = new TreeMap<>();
        products.forEach(p -> lastPrice.put(p.key(), p.value().priceCents()));
        long pricedBeforeAChange = oracle.orders().values().stream().flatMap(List::stream).flatMap(o -> o.lines().stream())
                .filter(line -> line.unitPriceCents() != lastPrice.get(line.productId())).count();
        System.out.printf("replay: %s%ncart commands %d (second deliveries %d), product versions %d; fold: carts %d,"
                        + " cart changes %d, orders %d (lines priced before a later price change: %d), rejections %d %s,"
                        + " duplicates ignored %d%n", REPLAY, commands.size(),
                cartCommands.stream().filter(e -> e.delivery() == Delivery.REDELIVERED).count(), products.size(),
                oracle.carts().size(), oracle.cartChanges().values().stream().mapToLong(List::size).sum(),
                oracle.orderCount(), pricedBeforeAChange, oracle.rejectionCount(), oracle.byReason(), oracle.duplicates());
    }

    private void duplicatesAndRejectionsAreCountedInTheMetrics() {
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metric(metrics, "cart_duplicates_total")).as("cart_duplicates_total").isEqualTo(oracle.duplicates());
        oracle.byReason().forEach((reason, count) -> assertThat(metric(metrics, "cart_rejections_total{reason=\"" + reason + "\""))
                .as("cart_rejections_total of %s", reason).isEqualTo(count.doubleValue()));
        assertThat(metrics).contains("kafka_stream_");
    }

    private void queriesAnswerWhatTheFoldComputed() {
        oracle.carts().values().stream().limit(25).forEach(expected -> assertThat(given().when()
                .get("/users/{u}/cart", expected.userId()).then().statusCode(200).contentType(ContentType.JSON)
                .extract().as(Cart.class)).isEqualTo(expected));

        Map<String, List<dev.streamtemplate.cart.Order>> orders = oracle.orders();
        orders.entrySet().stream().limit(25).forEach(ofUser -> {
            List<dev.streamtemplate.cart.Order> expected = ofUser.getValue().stream()
                    .sorted(Comparator.comparing(dev.streamtemplate.cart.Order::placedAt)
                            .thenComparing(dev.streamtemplate.cart.Order::orderId)).toList();
            assertThat(List.of(given().when().get("/users/{u}/orders", ofUser.getKey()).then().statusCode(200)
                    .contentType(ContentType.JSON).extract().as(dev.streamtemplate.cart.Order[].class)))
                    .isEqualTo(expected);
            dev.streamtemplate.cart.Order first = expected.get(0);
            assertThat(given().when().get("/users/{u}/orders/{o}", first.userId(), first.orderId()).then().statusCode(200)
                    .extract().as(dev.streamtemplate.cart.Order.class)).isEqualTo(first);
        });

        // a user whose cart was emptied (by a checkout) has no cart: 404; and no orders is an empty list
        String emptied = oracle.cartChanges().entrySet().stream()
                .filter(e -> e.getValue().get(e.getValue().size() - 1) == null).map(Map.Entry::getKey)
                .findFirst().orElseThrow();
        given().when().get("/users/{u}/cart", emptied).then().statusCode(404).contentType(ContentType.JSON)
                .body("status", equalTo(404)).body("message", equalTo("user '" + emptied + "' has no cart (no items)"));
        given().when().get("/users/{u}/orders", "no-such-user").then().statusCode(200).contentType(ContentType.JSON)
                .body("size()", equalTo(0));
    }

    private void unknownKeysAndBadRequestsGetJsonErrors() {
        String someone = oracle.orders().keySet().iterator().next();
        String unknownOrder = "o-00000000-0000-3000-8000-000000000000";
        given().when().get("/users/{u}/orders/{o}", someone, unknownOrder).then().statusCode(404).contentType(ContentType.JSON)
                .body("status", equalTo(404)).body("message", equalTo("user '" + someone + "' has no order '" + unknownOrder + "'"));
        // another user's order is not this user's
        String other = oracle.orders().keySet().stream().filter(u -> !u.equals(someone)).findFirst().orElseThrow();
        given().when().get("/users/{u}/orders/{o}", someone, oracle.orders().get(other).get(0).orderId()).then().statusCode(404);
        given().when().get("/users/{u}/cart", "no-such-user").then().statusCode(404).contentType(ContentType.JSON)
                .body("message", equalTo("user 'no-such-user' has no cart (no items)"));
        given().when().get("/users/{u}/orders/{o}", someone, "42").then().statusCode(400).contentType(ContentType.JSON)
                .body("status", equalTo(400)).body("message", containsString("'orderId' must be 'o-' and a UUID"));
        given().when().get("/users/{u}/cart", "u".repeat(600)).then().statusCode(400).contentType(ContentType.JSON)
                .body("status", equalTo(400)).body("message", containsString("longer than 512"));
        given().when().get("/users/{u}/orders", "u".repeat(600)).then().statusCode(400).contentType(ContentType.JSON);
        given().when().get("/users/{u}/cart", " ").then().statusCode(400).contentType(ContentType.JSON)
                .body("message", equalTo("'userId' is required"));
        given().when().delete("/users/u-0001/cart").then().statusCode(405).contentType(ContentType.JSON)
                .body("status", equalTo(405));
        given().when().get("/carts").then().statusCode(404).contentType(ContentType.JSON).body("status", equalTo(404));
    }

    @Test
    void healthReflectsKafkaStreams() {
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body(containsString("Kafka Streams stores queryable"));
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
    }

    /**
     * Waits until the global store holds the last published version of every product (IQv1: the
     * interactive queries v2 do not serve global stores yet).
     */
    private void awaitCatalogue(List<GeneratedEvent> catalogue) {
        Map<String, Instant> last = new TreeMap<>();
        catalogue.forEach(e -> last.put(e.key(), ((Product) e.value()).updatedAt()));
        Awaitility.await("the global product store to hold the last of " + catalogue.size() + " versions of "
                        + last.size() + " products")
                .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .ignoreException(InvalidStateStoreException.class)
                .until(() -> {
                    ReadOnlyKeyValueStore<String, ProductHistory> store = streams.store(StoreQueryParameters
                            .fromNameAndType(CartTopology.PRODUCTS_STORE, QueryableStoreTypes.<String, ProductHistory>keyValueStore()));
                    return last.entrySet().stream().allMatch(p -> {
                        ProductHistory history = store.get(p.getKey());
                        return history != null && history.newest().validFrom().equals(p.getValue());
                    });
                });
    }

    private static List<GeneratedEvent> onTopic(List<GeneratedEvent> events, String topic) {
        return events.stream().filter(e -> e.topic().equals(topic)).toList();
    }

    /** The values of each key, in partition order, mapped. */
    static <V, W> Map<String, List<W>> byUser(List<TopicRecord<String, V>> records, Function<V, W> mapping) {
        Map<String, List<W>> byUser = new LinkedHashMap<>();
        records.forEach(r -> byUser.computeIfAbsent(r.key(), k -> new java.util.ArrayList<>())
                .add(r.value() == null ? null : mapping.apply(r.value())));
        return byUser;
    }

    private static double metric(String metrics, String prefix) {
        return metrics.lines().filter(l -> l.startsWith(prefix)).findFirst()
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .orElseThrow(() -> new AssertionError("no metric " + prefix + " in /q/metrics"));
    }

    static <V> List<TopicRecord<String, V>> read(String topic, Class<V> type) {
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
                CartQueryResource.class, QueryRouter.class);
        assertThat(routes).contains("GET /users/{userId}/cart", "GET /users/{userId}/orders", "GET /users/{userId}/orders/{orderId}", "GET /streams/instances", "GET /streams/instance");
    }
}
