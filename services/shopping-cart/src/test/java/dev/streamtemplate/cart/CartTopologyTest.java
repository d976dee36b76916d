package dev.streamtemplate.cart;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtemplate.schemas.CartEvent;
import dev.streamtemplate.schemas.CartEventType;
import dev.streamtemplate.schemas.JsonSerde;
import dev.streamtemplate.schemas.Product;
import dev.streamtemplate.schemas.TopicCatalogue;
import dev.streamtemplate.testing.ServiceStreamsConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command, every rejection, duplicates and prices with Kafka's TopologyTestDriver. Record
 * caches are off and the driver processes each record at once, so the outputs below are exact; they
 * follow from the rules in {@link CartFold} and {@link CartCommandProcessor}. The global product
 * store is fed through the {@code products} input topic, like in production.
 */
class CartTopologyTest {

    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
    private static final Product LAMP = product("p-1", "Compact Lamp", 2999, "EUR", T0);
    private static final Product BOOK = product("p-2", "Quiet Book", 1499, "USD", T0);

    private TopologyTestDriver driver;
    private SimpleMeterRegistry registry;
    private TestInputTopic<String, Product> products;
    private TestInputTopic<String, CartEvent> commands;
    private TestInputTopic<byte[], byte[]> rawCommands;
    private TestOutputTopic<String, Cart> carts;
    private TestOutputTopic<String, Order> orders;
    private TestOutputTopic<String, CartRejection> rejections;
    private TestOutputTopic<byte[], byte[]> deadLetters;

    @TempDir
    java.nio.file.Path stateDir;

    private void start(CartSettings settings) {
        // production configuration (exception handlers, dead-letter topic, timestamp extractor), and:
        Properties props = ServiceStreamsConfig.forTopologyTest(stateDir);
        // no record cache: every update reaches the output topics at once
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0L);
        registry = new SimpleMeterRegistry();
        driver = new TopologyTestDriver(CartTopology.build(settings, registry), props);
        StringSerializer key = new StringSerializer();
        products = driver.createInputTopic(TopicCatalogue.PRODUCTS.name(), key, JsonSerde.of(Product.class));
        commands = driver.createInputTopic(TopicCatalogue.CART_EVENTS.name(), key, JsonSerde.of(CartEvent.class));
        rawCommands = driver.createInputTopic(TopicCatalogue.CART_EVENTS.name(), new ByteArraySerializer(), new ByteArraySerializer());
        StringDeserializer keyOut = new StringDeserializer();
        carts = driver.createOutputTopic(TopicCatalogue.CARTS.name(), keyOut, JsonSerde.of(Cart.class));
        orders = driver.createOutputTopic(TopicCatalogue.ORDERS.name(), keyOut, JsonSerde.of(Order.class));
        rejections = driver.createOutputTopic(TopicCatalogue.CART_REJECTIONS.name(), keyOut, JsonSerde.of(CartRejection.class));
        deadLetters = driver.createOutputTopic(TopicCatalogue.SHOPPING_CART_DLQ.name(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        publish(LAMP);
        publish(BOOK);
    }

    private void start() {
        start(TestCartSettings.defaults());
    }

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.close();
        }
    }

    // ---- commands ----

    @Test
    void addingTakesThePriceAndAddingAgainAddsUnitsAtThatPrice() {
        start();
        add("u-1", "a-1", "p-1", 2, at(1));
        add("u-1", "a-2", "p-2", 1, at(2));
        add("u-1", "a-3", "p-1", 1, at(3));

        CartItem lamp = new CartItem("p-1", 2, 2999, "EUR", at(1));
        CartItem book = new CartItem("p-2", 1, 1499, "USD", at(2));
        assertThat(carts.readKeyValuesToList()).containsExactly(
                KeyValue.pair("u-1", new Cart("u-1", List.of(lamp), Map.of("EUR", 5998L), at(1))),
                KeyValue.pair("u-1", new Cart("u-1", List.of(lamp, book), Map.of("EUR", 5998L, "USD", 1499L), at(2))),
                KeyValue.pair("u-1", new Cart("u-1", List.of(lamp.withQuantity(3), book), Map.of("EUR", 8997L, "USD", 1499L), at(3))));
        assertThat(cartsStore().get("u-1").items()).extracting(CartItem::quantity).containsExactly(3, 1);
        assertThat(rejections.isEmpty()).isTrue();
        assertThat(orders.isEmpty()).isTrue();
    }

    @Test
    void removingTakesUnitsOrTheWholeItemAndTheLastItemEmptiesTheCartWithATombstone() {
        start();
        add("u-1", "a-1", "p-1", 3, at(1));
        add("u-1", "a-2", "p-2", 1, at(2));
        carts.readValuesToList();

        remove("u-1", "r-1", "p-1", 2, at(3));     // 3 - 2 = 1 unit left
        remove("u-1", "r-2", "p-1", 1, at(4));     // the last unit: the item goes
        remove("u-1", "r-3", "p-2", null, at(5));  // all units of the last item: the cart goes

        assertThat(carts.readKeyValuesToList()).containsExactly(
                KeyValue.pair("u-1", new Cart("u-1", List.of(new CartItem("p-1", 1, 2999, "EUR", at(1)),
                        new CartItem("p-2", 1, 1499, "USD", at(2))), Map.of("EUR", 2999L, "USD", 1499L), at(3))),
                KeyValue.pair("u-1", new Cart("u-1", List.of(new CartItem("p-2", 1, 1499, "USD", at(2))),
                        Map.of("USD", 1499L), at(4))),
                KeyValue.pair("u-1", null));
        assertThat(cartsStore().get("u-1")).as("no empty cart in the store").isNull();
        assertThat(rejections.isEmpty()).isTrue();
    }

    @Test
    void checkoutPlacesAnOrderWithADeterministicIdAndEmptiesTheCart() {
        start();
        add("u-1", "a-1", "p-1", 2, at(1));
        add("u-1", "a-2", "p-2", 3, at(2));
        carts.readValuesToList();
        checkout("u-1", "c-1", at(3));

        Order expected = new Order("o-4ffceb31-02fe-3133-9b08-28c87f6eec7c", "u-1", "c-1",
                List.of(new OrderLine("p-1", 2, 2999, "EUR", 5998), new OrderLine("p-2", 3, 1499, "USD", 4497)),
                Map.of("EUR", 5998L, "USD", 4497L), at(3));
        TestRecord<String, Order> order = orders.readRecord();
        assertThat(order.key()).isEqualTo("u-1");
        assertThat(order.value()).isEqualTo(expected);
        assertThat(order.timestamp()).as("the checkout's event time").isEqualTo(at(3).toEpochMilli());
        assertThat(Order.idFor("u-1", "c-1")).as("a name-based UUID of user and checkout event id")
                .isEqualTo(expected.orderId());
        assertThat(Order.idFor("u-2", "c-1")).isNotEqualTo(expected.orderId());
        assertThat(carts.readKeyValuesToList()).containsExactly(KeyValue.pair("u-1", null));
        assertThat(cartsStore().get("u-1")).isNull();
        assertThat(ordersStore().get("u-1/" + expected.orderId())).isEqualTo(expected);
        assertThat(orders.isEmpty()).isTrue();
    }

    @Test
    void anAddAfterACheckoutStartsANewCartAtTheNewPrice() {
        start();
        add("u-1", "a-1", "p-1", 1, at(1));
        checkout("u-1", "c-1", at(2));
        publish(product("p-1", "Compact Lamp", 3499, "EUR", at(3)));
        add("u-1", "a-2", "p-1", 1, at(4));
        checkout("u-1", "c-2", at(5));

        assertThat(carts.readKeyValuesToList()).containsExactly(
                KeyValue.pair("u-1", new Cart("u-1", List.of(new CartItem("p-1", 1, 2999, "EUR", at(1))), Map.of("EUR", 2999L), at(1))),
                KeyValue.pair("u-1", null),
                KeyValue.pair("u-1", new Cart("u-1", List.of(new CartItem("p-1", 1, 3499, "EUR", at(4))), Map.of("EUR", 3499L), at(4))),
                KeyValue.pair("u-1", null));
        assertThat(orders.readValuesToList()).extracting(Order::orderId, Order::totalCents).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Order.idFor("u-1", "c-1"), Map.of("EUR", 2999L)),
                org.assertj.core.groups.Tuple.tuple(Order.idFor("u-1", "c-2"), Map.of("EUR", 3499L)));
    }

    @Test
    void cartsOfUsersAreIndependent() {
        start();
        add("u-1", "a-1", "p-1", 1, at(1));
        add("u-2", "a-2", "p-2", 1, at(2));
        checkout("u-2", "c-2", at(3));

        assertThat(cartsStore().get("u-1").items()).extracting(CartItem::productId).containsExactly("p-1");
        assertThat(cartsStore().get("u-2")).isNull();
        assertThat(orders.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("u-2");
    }

    // ---- prices ----

    @Test
    void aPriceChangeBetweenAddAndCheckoutDoesNotRepriceTheCart() {
        start();
        add("u-1", "a-1", "p-1", 1, at(1));
        publish(product("p-1", "Compact Lamp", 3999, "EUR", at(2)));  // dearer from minute 2
        add("u-1", "a-2", "p-1", 1, at(3));                            // more units at the locked price
        checkout("u-1", "c-1", at(4));

        assertThat(orders.readValue().lines()).containsExactly(new OrderLine("p-1", 2, 2999, "EUR", 5998));

        add("u-1", "a-3", "p-1", 1, at(5));                            // a new cart: the price of minute 5
        assertThat(cartsStore().get("u-1").items()).containsExactly(new CartItem("p-1", 1, 3999, "EUR", at(5)));
    }

    @Test
    void aProductRemovedCompletelyAndAddedAgainTakesThePriceOfTheNewAdd() {
        start();
        add("u-1", "a-1", "p-1", 1, at(1));
        add("u-1", "a-2", "p-2", 1, at(1));
        publish(product("p-1", "Compact Lamp", 1999, "EUR", at(2)));  // cheaper from minute 2
        remove("u-1", "r-1", "p-1", null, at(3));
        add("u-1", "a-3", "p-1", 1, at(4));

        assertThat(cartsStore().get("u-1").item("p-1")).isEqualTo(new CartItem("p-1", 1, 1999, "EUR", at(4)));
    }

    @Test
    void theAddIsPricedAsOfItsEventTimeWhateverOrderTheTopicsAreReadIn() {
        start();
        // published before the add is processed, but valid only from minute 10
        publish(product("p-1", "Compact Lamp", 4999, "EUR", at(10)));
        add("u-1", "a-1", "p-1", 1, at(5));
        add("u-2", "a-2", "p-1", 1, at(11));
        // valid from minute 3, but published after the add was processed: the add keeps its price
        publish(product("p-2", "Quiet Book", 999, "USD", at(3)));
        add("u-1", "a-3", "p-2", 1, at(4));

        assertThat(cartsStore().get("u-1").items()).containsExactly(
                new CartItem("p-1", 1, 2999, "EUR", at(5)), new CartItem("p-2", 1, 999, "USD", at(4)));
        assertThat(cartsStore().get("u-2").item("p-1").unitPriceCents()).isEqualTo(4999);

        add("u-3", "a-4", "p-2", 1, at(2));
        assertThat(cartsStore().get("u-3").item("p-2").unitPriceCents()).as("version of minute 0").isEqualTo(1499);
    }

    @Test
    void aDeletedProductCannotBeAddedAndMalformedOrKeylessProductRecordsAreSkippedAndCounted() {
        start();
        add("u-1", "a-1", "p-1", 1, at(1));
        products.pipeInput(new TestRecord<>("p-1", null, at(10)));      // tombstone: deleted
        driver.createInputTopic(TopicCatalogue.PRODUCTS.name(), new StringSerializer(), new StringSerializer())
                .pipeInput("p-2", "{\"productId\":\"p-2\",\"priceCents\":\"free\"}");
        products.pipeInput(new TestRecord<>(null, product("p-2", "Keyless Book", 1, "USD", at(15))));
        CartEvent deleted = add("u-2", "a-2", "p-1", 1, at(20));
        add("u-2", "a-3", "p-2", 1, at(21));                              // p-2 kept its last good version

        assertThat(cartsStore().get("u-1").items()).as("the cart keeps what it has").hasSize(1);
        assertThat(rejections.readValuesToList()).extracting(CartRejection::command, CartRejection::reason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(deleted, RejectionReason.UNKNOWN_PRODUCT));
        assertThat(cartsStore().get("u-2").items()).containsExactly(new CartItem("p-2", 1, 1499, "USD", at(21)));
        assertThat(registry.get("cart.malformed.products").counter().count()).as("the malformed and the key-less record")
                .isEqualTo(2);
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    // ---- rejections ----

    @Test
    void invalidCommandsLeaveTheCartUnchangedAndAreRejectedWithTheReason() {
        start();
        publish(product("p-9", "Late Lamp", 500, "EUR", at(30)));     // exists from minute 30 only
        add("u-1", "a-1", "p-1", 2, at(1));
        Cart cart = cartsStore().get("u-1");
        carts.readValuesToList();

        CartEvent zero = add("u-1", "a-2", "p-1", 0, at(2));
        CartEvent negative = add("u-1", "a-3", "p-2", -1, at(3));
        CartEvent unknown = add("u-1", "a-4", "p-404", 1, at(4));
        CartEvent notYet = add("u-1", "a-5", "p-9", 1, at(5));
        CartEvent absent = remove("u-1", "r-1", "p-2", null, at(6));
        CartEvent removeZero = remove("u-1", "r-2", "p-1", 0, at(7));
        CartEvent tooMany = remove("u-1", "r-3", "p-1", 3, at(8));
        CartEvent emptyCheckout = checkout("u-2", "c-1", at(9));
        CartEvent emptyRemove = remove("u-2", "r-4", "p-1", 1, at(10));

        assertThat(carts.isEmpty()).as("no cart changed").isTrue();
        assertThat(orders.isEmpty()).isTrue();
        assertThat(cartsStore().get("u-1")).isEqualTo(cart);
        assertThat(cartsStore().get("u-2")).isNull();
        List<KeyValue<String, CartRejection>> rejected = rejections.readKeyValuesToList();
        assertThat(rejected).extracting(kv -> kv.key, kv -> kv.value.command(), kv -> kv.value.reason()).containsExactly(
                org.assertj.core.groups.Tuple.tuple("u-1", zero, RejectionReason.INVALID_QUANTITY),
                org.assertj.core.groups.Tuple.tuple("u-1", negative, RejectionReason.INVALID_QUANTITY),
                org.assertj.core.groups.Tuple.tuple("u-1", unknown, RejectionReason.UNKNOWN_PRODUCT),
                org.assertj.core.groups.Tuple.tuple("u-1", notYet, RejectionReason.UNKNOWN_PRODUCT),
                org.assertj.core.groups.Tuple.tuple("u-1", absent, RejectionReason.NOT_IN_CART),
                org.assertj.core.groups.Tuple.tuple("u-1", removeZero, RejectionReason.INVALID_QUANTITY),
                org.assertj.core.groups.Tuple.tuple("u-1", tooMany, RejectionReason.QUANTITY_EXCEEDS_CART),
                org.assertj.core.groups.Tuple.tuple("u-2", emptyCheckout, RejectionReason.EMPTY_CART),
                org.assertj.core.groups.Tuple.tuple("u-2", emptyRemove, RejectionReason.NOT_IN_CART));
        assertThat(rejected.get(2).value.message()).isEqualTo("product 'p-404' is not in the catalogue as of " + at(4));
        assertThat(rejected.get(6).value.message()).isEqualTo("cannot remove 3 units of 'p-1': the cart holds 2");
        assertThat(rejected.get(7).value.message()).isEqualTo("the cart is empty; there is nothing to check out");
        assertThat(rejectionCount(RejectionReason.INVALID_QUANTITY)).isEqualTo(3);
        assertThat(rejectionCount(RejectionReason.UNKNOWN_PRODUCT)).isEqualTo(2);
        assertThat(rejectionCount(RejectionReason.NOT_IN_CART)).isEqualTo(2);
        assertThat(rejectionCount(RejectionReason.QUANTITY_EXCEEDS_CART)).isEqualTo(1);
        assertThat(rejectionCount(RejectionReason.EMPTY_CART)).isEqualTo(1);
        assertThat(rejectionCount(RejectionReason.TOO_LATE)).isZero();
        assertThat(deadLetters.isEmpty()).as("rejections are not errors").isTrue();
    }

    @Test
    void aCheckoutOfACartEmptiedByRemovalsIsRejected() {
        start();
        add("u-1", "a-1", "p-1", 1, at(1));
        remove("u-1", "r-1", "p-1", 1, at(2));
        CartEvent checkout = checkout("u-1", "c-1", at(3));

        assertThat(rejections.readValuesToList()).extracting(CartRejection::command, CartRejection::reason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(checkout, RejectionReason.EMPTY_CART));
        assertThat(orders.isEmpty()).isTrue();
    }

    // ---- duplicates ----

    @Test
    void aSecondDeliveryOfAnyCommandIsIgnoredAndCounted() {
        start();
        CartEvent add = add("u-1", "a-1", "p-1", 1, at(1));
        commands.pipeInput("u-1", add);                                  // the add again: not 2 units
        CartEvent empty = checkout("u-2", "c-0", at(1));                  // rejected once ...
        commands.pipeInput("u-2", empty);                                 // ... not twice
        CartEvent checkout = checkout("u-1", "c-1", at(2));
        add("u-1", "a-2", "p-2", 1, at(3));
        commands.pipeInput("u-1", checkout);                              // late second checkout: no second order
        commands.pipeInput("u-1", add);                                   // nor a lamp in the new cart

        assertThat(orders.readValuesToList()).hasSize(1).first().extracting(Order::lines)
                .isEqualTo(List.of(new OrderLine("p-1", 1, 2999, "EUR", 2999)));
        assertThat(rejections.readValuesToList()).extracting(CartRejection::command).containsExactly(empty);
        assertThat(cartsStore().get("u-1").items()).containsExactly(new CartItem("p-2", 1, 1499, "USD", at(3)));
        assertThat(carts.readValuesToList()).hasSize(3); // add, checkout (tombstone), add: nothing for the duplicates
        assertThat(registry.get("cart.duplicates").counter().count()).isEqualTo(4);
    }

    @Test
    void anEventIdIsADuplicateOnlyForTheSameUser() {
        start();
        add("u-1", "same-id", "p-1", 1, at(1));
        add("u-2", "same-id", "p-1", 1, at(1));

        assertThat(cartsStore().get("u-2")).as("another user's command with the same id is applied").isNotNull();
        assertThat(registry.get("cart.duplicates").counter().count()).isZero();
    }

    @Test
    void aCommandOlderThanTheDedupRetentionIsRejectedTooLateEvenAsASecondDelivery() {
        start(new TestCartSettings(Duration.ofHours(1), Duration.ofDays(7)));
        CartEvent first = add("u-1", "a-1", "p-1", 1, at(0));
        add("u-2", "a-2", "p-1", 1, at(120));                             // stream time: minute 120
        commands.pipeInput("u-1", first);                                 // 120 minutes old: beyond 1 hour
        CartEvent old = add("u-1", "a-3", "p-2", 1, at(59));              // 61 minutes old
        add("u-1", "a-4", "p-2", 1, at(60));                              // exactly 1 hour old: still remembered

        assertThat(rejections.readValuesToList()).extracting(CartRejection::command, CartRejection::reason).containsExactly(
                org.assertj.core.groups.Tuple.tuple(first, RejectionReason.TOO_LATE),
                org.assertj.core.groups.Tuple.tuple(old, RejectionReason.TOO_LATE));
        assertThat(cartsStore().get("u-1").items()).containsExactly(
                new CartItem("p-1", 1, 2999, "EUR", at(0)), new CartItem("p-2", 1, 1499, "USD", at(60)));
        assertThat(rejectionCount(RejectionReason.TOO_LATE)).isEqualTo(2);
        assertThat(registry.get("cart.duplicates").counter().count()).isZero();
    }

    // ---- bad records ----

    @Test
    void unreadableIncompleteAndMisroutedRecordsGoToTheDeadLetterTopicAndProcessingContinues() {
        start();
        rawCommands.pipeInput("u-1".getBytes(StandardCharsets.UTF_8), "{\"eventId\":".getBytes(StandardCharsets.UTF_8));
        commands.pipeInput(new TestRecord<>(null, command("u-1", "n-1", CartEventType.CHECKOUT, null, null, at(1))));
        commands.pipeInput(new TestRecord<>("u-1", null, at(1)));
        commands.pipeInput("u-2", command("u-1", "m-1", CartEventType.ADD_ITEM, "p-1", 1, at(1)));
        add("u-1", "a-1", "p-1", 1, at(2));

        List<TestRecord<byte[], byte[]>> dead = deadLetters.readRecordsToList();
        assertThat(dead).hasSize(4);
        assertThat(dead).allSatisfy(r -> assertThat(header(r, "__streams.errors.topic")).isEqualTo("cart-events"));
        assertThat(header(dead.get(3), "__streams.errors.exception")).isEqualTo(MisroutedCommandException.class.getName());
        assertThat(cartsStore().get("u-1").items()).hasSize(1);
        assertThat(cartsStore().get("u-2")).isNull();
        assertThat(rejections.isEmpty()).isTrue();
    }

    @Test
    void everyProcessorStoreAndTopicIsNamed() {
        TopologyDescription description = CartTopology.build(TestCartSettings.defaults(), new SimpleMeterRegistry()).describe();
        assertThat(description.toString()).contains("Source: cart-events-source (topics: [cart-events])",
                "Sink: carts-sink (topic: carts)", "Sink: orders-sink (topic: orders)",
                "Sink: cart-rejections-sink (topic: cart-rejections)", "Source: products-source (topics: [products])",
                "Processor: product-history (stores: [product-history-store])");
        TopologyDescription.Processor fold = description.subtopologies().stream()
                .flatMap(sub -> sub.nodes().stream())
                .filter(node -> node.name().equals(CartTopology.CART_COMMANDS))
                .map(TopologyDescription.Processor.class::cast)
                .findFirst().orElseThrow();
        assertThat(fold.stores()).containsExactlyInAnyOrder("cart-event-ids-store", "carts-store", "orders-store");
        assertThat(fold.successors()).extracting(TopologyDescription.Node::name)
                .containsExactlyInAnyOrder("carts-sink", "orders-sink", "cart-rejections-sink");
        assertThat(description.globalStores()).hasSize(1);
    }

    // ---- helpers ----

    private CartEvent add(String user, String id, String product, int quantity, Instant at) {
        return send(command(user, id, CartEventType.ADD_ITEM, product, quantity, at));
    }

    private CartEvent remove(String user, String id, String product, Integer quantity, Instant at) {
        return send(command(user, id, CartEventType.REMOVE_ITEM, product, quantity, at));
    }

    private CartEvent checkout(String user, String id, Instant at) {
        return send(command(user, id, CartEventType.CHECKOUT, null, null, at));
    }

    private CartEvent send(CartEvent command) {
        commands.pipeInput(command.userId(), command);
        return command;
    }

    private static CartEvent command(String user, String id, CartEventType type, String product, Integer quantity, Instant at) {
        return new CartEvent(id, user, type, product, quantity, at);
    }

    private void publish(Product product) {
        products.pipeInput(product.productId(), product);
    }

    private static Product product(String id, String name, long priceCents, String currency, Instant at) {
        return new Product(id, name, "home", priceCents, currency, at);
    }

    /** {@code minutes} after {@link #T0}. */
    private static Instant at(int minutes) {
        return T0.plus(Duration.ofMinutes(minutes));
    }

    private KeyValueStore<String, Cart> cartsStore() {
        return driver.getKeyValueStore(CartTopology.CARTS_STORE);
    }

    private KeyValueStore<String, Order> ordersStore() {
        return driver.getKeyValueStore(CartTopology.ORDERS_STORE);
    }

    private double rejectionCount(RejectionReason reason) {
        return registry.get("cart.rejections").tag("reason", reason.name()).counter().count();
    }

    private static String header(TestRecord<byte[], byte[]> record, String key) {
        Header header = record.headers().lastHeader(key);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
