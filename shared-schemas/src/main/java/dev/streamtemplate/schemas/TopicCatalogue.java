package dev.streamtemplate.schemas;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every topic of the shop's event flow: its name, partition count and cleanup policy. The local
 * stack and the tests create topics from here, and services name them from here, so a topic is
 * spelled once.
 *
 * <p>Input topics are keyed by {@code userId} except {@code products} (keyed by {@code productId}).
 * {@code products} and {@code user-changes} are compacted: the latest record per key is the current
 * state, and a tombstone removes the key.
 */
public final class TopicCatalogue {

    /** How old records leave a topic ({@code cleanup.policy}). */
    public enum CleanupPolicy {
        DELETE("delete"), COMPACT("compact");

        private final String configValue;

        CleanupPolicy(String configValue) {
            this.configValue = configValue;
        }

        /** The value of the topic's {@code cleanup.policy} setting. */
        public String configValue() {
            return configValue;
        }
    }

    /**
     * One topic.
     *
     * @param name       the topic name
     * @param partitions partition count
     * @param cleanup    cleanup policy
     * @param valueType  the type of its values, for documentation and tooling
     */
    public record TopicSpec(String name, int partitions, CleanupPolicy cleanup, Class<?> valueType) {

        /** The topic-level configs to create it with. */
        public Map<String, String> configs() {
            return Map.of("cleanup.policy", cleanup.configValue());
        }
    }

    /** Page views, keyed by user id. */
    public static final TopicSpec PAGE_VIEWS = new TopicSpec("page-views", 4, CleanupPolicy.DELETE, PageView.class);
    /** Purchases, keyed by user id. */
    public static final TopicSpec PURCHASES = new TopicSpec("purchases", 4, CleanupPolicy.DELETE, Purchase.class);
    /** Shopping-cart commands, keyed by user id. */
    public static final TopicSpec CART_EVENTS = new TopicSpec("cart-events", 4, CleanupPolicy.DELETE, CartEvent.class);
    /** CDC envelopes of the users table, keyed by user id; compacted. */
    public static final TopicSpec USER_CHANGES = new TopicSpec("user-changes", 4, CleanupPolicy.COMPACT, UserChange.class);
    /** The product catalogue, keyed by product id; compacted. */
    public static final TopicSpec PRODUCTS = new TopicSpec("products", 2, CleanupPolicy.COMPACT, Product.class);

    /** The topics the event generator writes. */
    public static final List<TopicSpec> INPUT_TOPICS = List.of(PAGE_VIEWS, PURCHASES, CART_EVENTS, USER_CHANGES, PRODUCTS);

    /** traffic-analytics: page views per page per tumbling window (final counts), keyed by page. */
    public static final TopicSpec PAGE_VIEWS_TUMBLING = new TopicSpec("page-views-per-minute", 4, CleanupPolicy.DELETE, Object.class);
    /** traffic-analytics: page views per page per hopping window (final counts), keyed by page. */
    public static final TopicSpec PAGE_VIEWS_HOPPING = new TopicSpec("page-views-hopping", 4, CleanupPolicy.DELETE, Object.class);
    /** traffic-analytics: sliding windows in which a user reached the purchase-burst threshold, keyed by user id. */
    public static final TopicSpec PURCHASE_BURSTS = new TopicSpec("purchase-bursts", 4, CleanupPolicy.DELETE, Object.class);
    /** traffic-analytics: closed browsing sessions, keyed by user id. */
    public static final TopicSpec USER_SESSIONS = new TopicSpec("user-sessions", 4, CleanupPolicy.DELETE, Object.class);
    /** Records that arrived after every window they belong to had closed, with the window and lateness. */
    public static final TopicSpec LATE_EVENTS = new TopicSpec("late-events", 4, CleanupPolicy.DELETE, Object.class);
    /** traffic-analytics' dead-letter topic (Kafka Streams' built-in DLQ, KIP-1034). */
    public static final TopicSpec TRAFFIC_ANALYTICS_DLQ = new TopicSpec("traffic-analytics-dlq", 1, CleanupPolicy.DELETE, byte[].class);

    /** The topics traffic-analytics writes. */
    public static final List<TopicSpec> TRAFFIC_ANALYTICS_OUTPUTS = List.of(PAGE_VIEWS_TUMBLING, PAGE_VIEWS_HOPPING,
            PURCHASE_BURSTS, USER_SESSIONS, LATE_EVENTS, TRAFFIC_ANALYTICS_DLQ);

    /** purchase-attribution: each purchase with the page view it is attributed to (last touch), keyed by user id. */
    public static final TopicSpec ATTRIBUTED_PURCHASES = new TopicSpec("attributed-purchases", 4, CleanupPolicy.DELETE, Object.class);
    /** purchase-attribution: attributed revenue per landing page per hour (final), keyed by page. */
    public static final TopicSpec ATTRIBUTED_REVENUE = new TopicSpec("attributed-revenue-hourly", 4, CleanupPolicy.DELETE, Object.class);
    /** purchase-attribution's dead-letter topic. */
    public static final TopicSpec PURCHASE_ATTRIBUTION_DLQ = new TopicSpec("purchase-attribution-dlq", 1, CleanupPolicy.DELETE, byte[].class);

    /** The topics purchase-attribution writes (besides {@link #LATE_EVENTS}). */
    public static final List<TopicSpec> PURCHASE_ATTRIBUTION_OUTPUTS = List.of(ATTRIBUTED_PURCHASES, ATTRIBUTED_REVENUE,
            PURCHASE_ATTRIBUTION_DLQ);

    /** customer-enrichment: page views with the user's profile and the product, keyed by user id. */
    public static final TopicSpec ENRICHED_PAGE_VIEWS = new TopicSpec("enriched-page-views", 4, CleanupPolicy.DELETE, Object.class);
    /** customer-enrichment: profile joined with purchase statistics per user; a table, compacted, keyed by user id. */
    public static final TopicSpec CUSTOMER_360 = new TopicSpec("customer-360", 4, CleanupPolicy.COMPACT, Object.class);
    /** customer-enrichment: each order line with its product's current name and category; compacted, keyed by order id. */
    public static final TopicSpec ORDER_DETAILS = new TopicSpec("order-details", 4, CleanupPolicy.COMPACT, Object.class);
    /** customer-enrichment's dead-letter topic. */
    public static final TopicSpec CUSTOMER_ENRICHMENT_DLQ = new TopicSpec("customer-enrichment-dlq", 1, CleanupPolicy.DELETE, byte[].class);

    /** The topics customer-enrichment writes. */
    public static final List<TopicSpec> CUSTOMER_ENRICHMENT_OUTPUTS = List.of(ENRICHED_PAGE_VIEWS, CUSTOMER_360, ORDER_DETAILS,
            CUSTOMER_ENRICHMENT_DLQ);

    /**
     * shopping-cart: the current cart of each user (items, quantities, prices at the time of adding);
     * a table, compacted, keyed by user id; a tombstone when a cart is emptied.
     */
    public static final TopicSpec CARTS = new TopicSpec("carts", 4, CleanupPolicy.COMPACT, Object.class);
    /** shopping-cart: one record per checkout of a non-empty cart, keyed by user id. */
    public static final TopicSpec ORDERS = new TopicSpec("orders", 4, CleanupPolicy.DELETE, Object.class);
    /** shopping-cart: cart commands that were not applied, with the reason, keyed by user id. */
    public static final TopicSpec CART_REJECTIONS = new TopicSpec("cart-rejections", 4, CleanupPolicy.DELETE, Object.class);
    /** shopping-cart's dead-letter topic. */
    public static final TopicSpec SHOPPING_CART_DLQ = new TopicSpec("shopping-cart-dlq", 1, CleanupPolicy.DELETE, byte[].class);

    /** The topics shopping-cart writes. */
    public static final List<TopicSpec> SHOPPING_CART_OUTPUTS = List.of(CARTS, ORDERS, CART_REJECTIONS, SHOPPING_CART_DLQ);

    /** Every topic above: what a fresh cluster needs before the services start. */
    public static final List<TopicSpec> ALL = java.util.stream.Stream.of(INPUT_TOPICS, TRAFFIC_ANALYTICS_OUTPUTS,
                    PURCHASE_ATTRIBUTION_OUTPUTS, CUSTOMER_ENRICHMENT_OUTPUTS, SHOPPING_CART_OUTPUTS)
            .flatMap(List::stream).toList();

    private TopicCatalogue() {
    }

    /** The input topic with this name, if it is one. */
    public static Optional<TopicSpec> input(String name) {
        return INPUT_TOPICS.stream().filter(t -> t.name().equals(name)).findFirst();
    }
}
