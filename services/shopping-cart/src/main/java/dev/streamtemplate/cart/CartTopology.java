package dev.streamtemplate.cart;

import static dev.streamtemplate.schemas.TopicCatalogue.CARTS;
import static dev.streamtemplate.schemas.TopicCatalogue.CART_EVENTS;
import static dev.streamtemplate.schemas.TopicCatalogue.CART_REJECTIONS;
import static dev.streamtemplate.schemas.TopicCatalogue.ORDERS;
import static dev.streamtemplate.schemas.TopicCatalogue.PRODUCTS;

import dev.streamtemplate.runtime.query.QueryableStore;
import dev.streamtemplate.schemas.CartEvent;
import dev.streamtemplate.schemas.JsonSerde;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The whole of shopping-cart, top to bottom: event sourcing. The log of cart commands
 * ({@code cart-events}) is the source of truth; carts and orders are derived from it by a fold, and
 * replaying the log rebuilds them (module README, "Rebuild from the log").
 *
 * <pre>
 * products (key productId, compacted) ── product-history ──▶ [product-history-store]  global: versions by updatedAt
 *                                                                    │ price as of the command's event time
 * cart-events (key userId) ── cart-commands ◀────────────────────────┘
 *                              [cart-event-ids-store]  window store: userId/eventId of processed commands
 *                              [carts-store]           the cart per user
 *                              [orders-store]          userId/orderId -> order
 *                                ├─ carts-sink ──────────▶ carts            the new cart; a tombstone when emptied
 *                                ├─ orders-sink ─────────▶ orders           one per checkout of a non-empty cart
 *                                └─ cart-rejections-sink ▶ cart-rejections  invalid commands, with the reason
 * </pre>
 *
 * <p>Contract: commands of a user are applied in delivery order; an {@code ADD_ITEM} is priced by the product version
 * valid at its event time (a global store of versions, {@link ProductHistory}); a second delivery of a command is
 * ignored and counted; an invalid command goes to {@code cart-rejections} with the reason; orders have deterministic
 * ids. Records without key or value, misrouted or unreadable, go to {@code shopping-cart-dlq}. Each rule, and why a
 * history in a key-value store rather than a versioned store (KIP-889): {@code docs/design/shopping-cart.md}.
 *
 * <p>Every processor, store and internal topic is named: changelogs are
 * {@code shopping-cart-<store>-changelog} for the three stores of {@code cart-commands}; the global
 * store has none (its source topic is its changelog). Built with the Processor API: the fold is one
 * processor with its stores, and it forwards each result to the named sink it belongs to.
 */
@ApplicationScoped
public class CartTopology {

    /** The versions of each product ({@link ProductHistory}) by product id; a global store. */
    public static final String PRODUCTS_STORE = "product-history-store";
    /** {@code userId/eventId} of every processed command, at its event time; a window store. */
    public static final String DEDUP_STORE = "cart-event-ids-store";
    /** The current cart per user id; no entry for an empty cart. */
    public static final String CARTS_STORE = "carts-store";
    /** Every order, keyed {@code userId/orderId}. */
    public static final String ORDERS_STORE = "orders-store";

    /** {@value #CARTS_STORE} as HTTP queries read it: by user id. */
    public static final QueryableStore.KeyValue<String, Cart> CARTS_BY_USER = QueryableStore.keyValue(CARTS_STORE, new StringSerializer());
    /**
     * {@value #ORDERS_STORE} as HTTP queries read it: by the prefix {@code userId/}, all on the user's partition
     * ({@link UserKeyPartitioner}).
     */
    public static final QueryableStore.KeyValue<String, Order> ORDERS_BY_USER = QueryableStore.keyValue(ORDERS_STORE,
            new UserKeyPartitioner<>());

    /** Source of {@code products} for the global store. */
    public static final String PRODUCTS_SOURCE = "products-source";
    /** The global store's update processor: {@link ProductHistoryRecorder}. */
    public static final String PRODUCT_HISTORY = "product-history";
    /** Source of {@code cart-events}. */
    public static final String CART_EVENTS_SOURCE = "cart-events-source";
    /** The fold: {@link CartCommandProcessor}. */
    public static final String CART_COMMANDS = "cart-commands";
    /** Sink to {@code carts}. */
    public static final String CARTS_SINK = "carts-sink";
    /** Sink to {@code orders}. */
    public static final String ORDERS_SINK = "orders-sink";
    /** Sink to {@code cart-rejections}. */
    public static final String REJECTIONS_SINK = "cart-rejections-sink";

    /** Each processed id is a point in time; the window size only has to fit in the retention. */
    private static final Duration DEDUP_WINDOW = Duration.ofMillis(1);

    private static final Serde<String> STRING = Serdes.String();
    private static final JsonSerde<ProductHistory> PRODUCT_HISTORY_SERDE = JsonSerde.of(ProductHistory.class);
    private static final JsonSerde<CartEvent> CART_EVENT = JsonSerde.of(CartEvent.class);
    private static final JsonSerde<Cart> CART = JsonSerde.of(Cart.class);
    private static final JsonSerde<Order> ORDER = JsonSerde.of(Order.class);
    private static final JsonSerde<CartRejection> REJECTION = JsonSerde.of(CartRejection.class);

    /**
     * The topology Quarkus runs.
     *
     * @param settings {@code cart.*} configuration
     * @param registry Quarkus' meter registry, exported at {@code /q/metrics}
     */
    @Produces
    public Topology topology(CartSettings settings, MeterRegistry registry) {
        return build(settings, registry);
    }

    /**
     * Builds the topology.
     *
     * @param settings de-duplication and price-history retention
     * @param registry where {@code cart.duplicates}, {@code cart.rejections} (tag {@code reason}) and
     *                 {@code cart.malformed.products} are registered
     */
    public static Topology build(CartSettings settings, MeterRegistry registry) {
        CartMetrics metrics = CartMetrics.register(registry);
        Duration dedupRetention = settings.dedupRetention();
        Topology topology = new Topology();

        // The catalogue: the versions of every product, on every instance. A global store has no
        // changelog: its source topic is one.
        Duration priceHistory = settings.priceHistoryRetention();
        topology.addGlobalStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PRODUCTS_STORE),
                                STRING, PRODUCT_HISTORY_SERDE).withLoggingDisabled(),
                PRODUCTS_SOURCE, STRING.deserializer(), new ProductRecord.ValueDeserializer(), PRODUCTS.name(),
                PRODUCT_HISTORY, () -> new ProductHistoryRecorder(priceHistory, metrics));

        // The fold over the cart commands, with its three stores.
        topology.addSource(CART_EVENTS_SOURCE, STRING.deserializer(), CART_EVENT, CART_EVENTS.name());
        topology.addProcessor(CART_COMMANDS, () -> new CartCommandProcessor(dedupRetention, metrics), CART_EVENTS_SOURCE);
        topology.addStateStore(Stores.windowStoreBuilder(
                Stores.persistentWindowStore(DEDUP_STORE, dedupRetention, DEDUP_WINDOW, false), STRING, STRING), CART_COMMANDS);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CARTS_STORE), STRING, CART),
                CART_COMMANDS);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ORDERS_STORE), STRING, ORDER),
                CART_COMMANDS);

        // Its three outputs, each keyed by user id.
        topology.addSink(CARTS_SINK, CARTS.name(), STRING.serializer(), CART, CART_COMMANDS);
        topology.addSink(ORDERS_SINK, ORDERS.name(), STRING.serializer(), ORDER, CART_COMMANDS);
        topology.addSink(REJECTIONS_SINK, CART_REJECTIONS.name(), STRING.serializer(), REJECTION, CART_COMMANDS);
        return topology;
    }
}
