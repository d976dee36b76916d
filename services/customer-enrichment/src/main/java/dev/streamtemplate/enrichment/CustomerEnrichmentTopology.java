package dev.streamtemplate.enrichment;

import static dev.streamtemplate.schemas.TopicCatalogue.CUSTOMER_360;
import static dev.streamtemplate.schemas.TopicCatalogue.ENRICHED_PAGE_VIEWS;
import static dev.streamtemplate.schemas.TopicCatalogue.ORDER_DETAILS;
import static dev.streamtemplate.schemas.TopicCatalogue.PAGE_VIEWS;
import static dev.streamtemplate.schemas.TopicCatalogue.PRODUCTS;
import static dev.streamtemplate.schemas.TopicCatalogue.PURCHASES;
import static dev.streamtemplate.schemas.TopicCatalogue.USER_CHANGES;

import dev.streamtemplate.runtime.errors.KeyAndValueRequired;
import dev.streamtemplate.runtime.errors.KeyRequired;
import dev.streamtemplate.runtime.query.QueryableStore;
import dev.streamtemplate.schemas.JsonSerde;
import dev.streamtemplate.schemas.PageView;
import dev.streamtemplate.schemas.Product;
import dev.streamtemplate.schemas.Purchase;
import dev.streamtemplate.schemas.UserChange;
import dev.streamtemplate.schemas.UserProfile;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Joined;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.TableJoined;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The whole of customer-enrichment, top to bottom: a users table built from CDC envelopes by
 * version, the product catalogue as a table, and three joins over them.
 *
 * <pre>
 * user-changes (key userId) ── drop tombstones ── apply by version [user-versions-store] ─▶ users [users-store]
 * products (key productId) ───────────────────────────────────────────────────────────▶ products [products-store]
 *
 * page-views (key userId) ── left join users (stream-table) ─┬─ other pages ───────────────────────────┬─▶ enriched-page-views
 *                                                           └─ product pages ─▶ repartition           │
 *                                                                "page-views-by-product" ─ left join ──┘
 *                                                                products (stream-table), key back to userId
 * purchases (key userId) ── aggregate per user [purchase-stats-store]
 * users ── left join purchase stats (table-table, same key) [customer-360-store] ─────────────────▶ customer-360
 * purchases ── key orderId/productId ─▶ repartition "purchases-by-order-line" ─▶ order lines [order-lines-store]
 *   ── left foreign-key join products by productId (KIP-213) [order-details-store] ──────────────▶ order-details
 * </pre>
 *
 * <p>Contract: the users table applies CDC envelopes by {@code version} (nothing resurrects a deleted user); every
 * valid page view is emitted once, enriched with the user and product known when it is processed; customer-360 holds
 * a row exactly while the user has a live profile; order-details follow product changes by foreign key. Records
 * without key or value, and unreadable ones, go to {@code customer-enrichment-dlq}. Each rule, and why products are a
 * {@code KTable} and not a {@code GlobalKTable}: {@code docs/design/customer-enrichment.md}.
 *
 * <p>Every processor, store and internal topic is named: changelogs are
 * {@code customer-enrichment-<store>-changelog}, the repartition topics
 * {@code customer-enrichment-page-views-by-product-repartition} and
 * {@code customer-enrichment-purchases-by-order-line-repartition}, and the foreign-key join's topics
 * are derived from {@value #ORDER_DETAILS_JOIN}.
 */
@ApplicationScoped
public class CustomerEnrichmentTopology {

    /** The latest applied CDC version per user id, deletes included ({@link UserVersion}). */
    public static final String USER_VERSIONS_STORE = "user-versions-store";
    /** Live user profiles by user id. */
    public static final String USERS_STORE = "users-store";
    /** The product catalogue by product id. */
    public static final String PRODUCTS_STORE = "products-store";
    /** Purchase statistics by user id. */
    public static final String PURCHASE_STATS_STORE = "purchase-stats-store";
    /** {@link Customer360} rows by user id. */
    public static final String CUSTOMER_360_STORE = "customer-360-store";
    /** The latest purchase per order line, key {@code orderId/productId}. */
    public static final String ORDER_LINES_STORE = "order-lines-store";
    /** {@link EnrichedOrderLine}s with their products, key {@code orderId/productId}. */
    public static final String ORDER_DETAILS_STORE = "order-details-store";

    /** {@value #CUSTOMER_360_STORE} as HTTP queries read it: by user id. */
    public static final QueryableStore.KeyValue<String, Customer360> CUSTOMERS_BY_USER =
            QueryableStore.keyValue(CUSTOMER_360_STORE, new StringSerializer());
    /**
     * {@value #ORDER_DETAILS_STORE} as HTTP queries read it: the lines of an order by the prefix
     * {@link OrderPartitioner#forOrder}, all on the partition {@link OrderPartitioner} gives the order id.
     */
    public static final QueryableStore.KeyValue<String, EnrichedOrderLine> ORDER_LINES_BY_ORDER =
            QueryableStore.keyValue(ORDER_DETAILS_STORE, new OrderPartitioner<>());

    /** Repartition of product page views by product id: {@code <application.id>-page-views-by-product-repartition}. */
    public static final String BY_PRODUCT_REPARTITION = "page-views-by-product";
    /** Repartition of purchases by order line: {@code <application.id>-purchases-by-order-line-repartition}. */
    public static final String BY_ORDER_LINE_REPARTITION = "purchases-by-order-line";
    /** Name of the foreign-key join; prefixes its subscription topics and processors. */
    public static final String ORDER_DETAILS_JOIN = "order-details-fk-join";

    private static final Serde<String> STRING = Serdes.String();
    private static final Serde<PageView> PAGE_VIEW = JsonSerde.of(PageView.class);
    private static final Serde<Purchase> PURCHASE = JsonSerde.of(Purchase.class);
    private static final Serde<UserChange> USER_CHANGE = JsonSerde.of(UserChange.class);
    private static final Serde<UserProfile> PROFILE = JsonSerde.of(UserProfile.class);
    private static final Serde<Product> PRODUCT = JsonSerde.of(Product.class);
    private static final Serde<EnrichedPageView> ENRICHED = JsonSerde.of(EnrichedPageView.class);
    private static final Serde<PurchaseStats> STATS = JsonSerde.of(PurchaseStats.class);
    private static final Serde<Customer360> CUSTOMER = JsonSerde.of(Customer360.class);
    private static final Serde<EnrichedOrderLine> ORDER_LINE = JsonSerde.of(EnrichedOrderLine.class);

    /** The topology Quarkus runs. */
    @Produces
    public Topology topology() {
        return build();
    }

    /** Builds the topology; it has no settings. */
    public static Topology build() {
        StreamsBuilder builder = new StreamsBuilder();

        // Users: CDC envelopes applied by version; the null values forwarded for deletes delete rows.
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(USER_VERSIONS_STORE),
                STRING, JsonSerde.of(UserVersion.class)));
        KTable<String, UserProfile> users = builder.stream(USER_CHANGES.name(),
                        Consumed.with(STRING, USER_CHANGE).withName("user-changes-source"))
                .mapValues(new KeyRequired<>(USER_CHANGES.name()), Named.as("user-changes-key-required"))
                // the tombstone after a DELETE is for compaction; the DELETE already removed the row
                .filter((user, change) -> change != null, Named.as("user-changes-skip-tombstones"))
                .processValues(UserChangeApplier::new, Named.as("user-changes-apply-by-version"), USER_VERSIONS_STORE)
                .toTable(Named.as("users-table"), Materialized.<String, UserProfile, KeyValueStore<Bytes, byte[]>>as(USERS_STORE)
                        .withKeySerde(STRING).withValueSerde(PROFILE));

        // Products: a table (a null value deletes); a record without a key goes to the dead-letter topic.
        KTable<String, Product> products = builder.stream(PRODUCTS.name(),
                        Consumed.with(STRING, PRODUCT).withName("products-source"))
                .mapValues(new KeyRequired<>(PRODUCTS.name()), Named.as("products-key-required"))
                .toTable(Named.as("products-table"), Materialized.<String, Product, KeyValueStore<Bytes, byte[]>>as(PRODUCTS_STORE)
                        .withKeySerde(STRING).withValueSerde(PRODUCT));

        // Enriched page views: stream-table join with users (same key), then product pages by product.
        KStream<String, PageView> pageViews = builder.stream(PAGE_VIEWS.name(),
                        Consumed.with(STRING, PAGE_VIEW).withName("page-views-source"))
                .mapValues(new KeyAndValueRequired<>(PAGE_VIEWS.name()), Named.as("page-views-key-and-value-required"));
        Map<String, KStream<String, EnrichedPageView>> byPage = pageViews
                .leftJoin(users, EnrichedPageView::of, Joined.<String, PageView, UserProfile>as("page-views-with-user")
                        .withKeySerde(STRING).withValueSerde(PAGE_VIEW).withOtherValueSerde(PROFILE))
                .split(Named.as("page-views-"))
                .branch((user, view) -> view.view().productId() != null, Branched.as("product"))
                .defaultBranch(Branched.as("other"));
        KStream<String, EnrichedPageView> productViews = byPage.get("page-views-product")
                .selectKey((user, view) -> view.view().productId(), Named.as("page-views-key-by-product"))
                .repartition(Repartitioned.with(STRING, ENRICHED).withName(BY_PRODUCT_REPARTITION)
                        .withNumberOfPartitions(PRODUCTS.partitions()))
                .leftJoin(products, EnrichedPageView::withProduct, Joined.<String, EnrichedPageView, Product>as("page-views-with-product")
                        .withKeySerde(STRING).withValueSerde(ENRICHED).withOtherValueSerde(PRODUCT))
                .selectKey((product, view) -> view.view().userId(), Named.as("page-views-key-by-user"));
        productViews.merge(byPage.get("page-views-other"), Named.as("page-views-enriched"))
                .to(ENRICHED_PAGE_VIEWS.name(), Produced.with(STRING, ENRICHED).withName("enriched-page-views-sink"));

        // customer-360: users left-joined with purchase statistics, both keyed by user id.
        KStream<String, Purchase> purchases = builder.stream(PURCHASES.name(),
                        Consumed.with(STRING, PURCHASE).withName("purchases-source"))
                .mapValues(new KeyAndValueRequired<>(PURCHASES.name()), Named.as("purchases-key-and-value-required"));
        KTable<String, PurchaseStats> stats = purchases
                .groupByKey(Grouped.with("purchase-stats-grouped", STRING, PURCHASE))
                .aggregate(PurchaseStats::none, (user, purchase, total) -> total.add(purchase),
                        Named.as("purchase-stats-aggregate"),
                        Materialized.<String, PurchaseStats, KeyValueStore<Bytes, byte[]>>as(PURCHASE_STATS_STORE)
                                .withKeySerde(STRING).withValueSerde(STATS));
        users.leftJoin(stats, Customer360::of, Named.as("customer-360-join"),
                        Materialized.<String, Customer360, KeyValueStore<Bytes, byte[]>>as(CUSTOMER_360_STORE)
                                .withKeySerde(STRING).withValueSerde(CUSTOMER))
                .toStream(Named.as("customer-360-changes"))
                .to(CUSTOMER_360.name(), Produced.with(STRING, CUSTOMER).withName("customer-360-sink"));

        // order-details: order lines (partitioned by order id) joined with products by foreign key.
        OrderPartitioner<Purchase> byOrder = new OrderPartitioner<>();
        KTable<String, Purchase> orderLines = purchases
                .selectKey((user, purchase) -> EnrichedOrderLine.key(purchase.orderId(), purchase.productId()),
                        Named.as("purchases-key-by-order-line"))
                .repartition(Repartitioned.with(STRING, PURCHASE).withName(BY_ORDER_LINE_REPARTITION)
                        .withStreamPartitioner(byOrder))
                .toTable(Named.as("order-lines-table"), Materialized.<String, Purchase, KeyValueStore<Bytes, byte[]>>as(ORDER_LINES_STORE)
                        .withKeySerde(STRING).withValueSerde(PURCHASE));
        orderLines.leftJoin(products, Purchase::productId, EnrichedOrderLine::of,
                        TableJoined.<String, String>as(ORDER_DETAILS_JOIN).withPartitioner(new OrderPartitioner<>()),
                        Materialized.<String, EnrichedOrderLine, KeyValueStore<Bytes, byte[]>>as(ORDER_DETAILS_STORE)
                                .withKeySerde(STRING).withValueSerde(ORDER_LINE))
                .toStream(Named.as("order-details-changes"))
                .to(ORDER_DETAILS.name(), Produced.with(STRING, ORDER_LINE).withName("order-details-sink")
                        .withStreamPartitioner(new OrderPartitioner<>()));

        return builder.build();
    }
}
