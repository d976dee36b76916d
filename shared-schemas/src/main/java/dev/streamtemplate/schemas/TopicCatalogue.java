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
 * state, and a tombstone removes the key. So are the derived tables ({@code customer-360}, {@code carts}, ...) and
 * traffic-analytics' windowed results, keyed by window ({@link WindowKey}).
 */
public final class TopicCatalogue {

    /** How old records leave a topic ({@code cleanup.policy}). */
    public enum CleanupPolicy {
        DELETE("delete"), COMPACT("compact"),
        /** Compacted to the latest record per key, and records older than the retention deleted (KIP-71). */
        COMPACT_DELETE("compact,delete");

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
     */
    public record TopicSpec(String name, int partitions, CleanupPolicy cleanup) {

        /** The topic-level configs to create it with. */
        public Map<String, String> configs() {
            return Map.of("cleanup.policy", cleanup.configValue());
        }
    }

    /** Page views, keyed by user id. */
    public static final TopicSpec PAGE_VIEWS = new TopicSpec("page-views", 4, CleanupPolicy.DELETE);
    /** Purchases, keyed by user id. */
    public static final TopicSpec PURCHASES = new TopicSpec("purchases", 4, CleanupPolicy.DELETE);
    /** Shopping-cart commands, keyed by user id. */
    public static final TopicSpec CART_EVENTS = new TopicSpec("cart-events", 4, CleanupPolicy.DELETE);
    /** CDC envelopes of the users table, keyed by user id; compacted. */
    public static final TopicSpec USER_CHANGES = new TopicSpec("user-changes", 4, CleanupPolicy.COMPACT);
    /** The product catalogue, keyed by product id; compacted. */
    public static final TopicSpec PRODUCTS = new TopicSpec("products", 2, CleanupPolicy.COMPACT);

    /** The topics the event generator writes. */
    public static final List<TopicSpec> INPUT_TOPICS = List.of(PAGE_VIEWS, PURCHASES, CART_EVENTS, USER_CHANGES, PRODUCTS);

    // traffic-analytics' windowed results are tables: keyed by window (WindowKey: page or user id and window start),
    // the latest record per key is the window's result (a later revision corrects an earlier one, a tombstone retracts
    // a session), so they are compacted, and deleted after the retention.
    /** traffic-analytics: page views per page per tumbling window (final counts and their corrections), keyed by {@link WindowKey}. */
    public static final TopicSpec PAGE_VIEWS_TUMBLING = new TopicSpec("page-views-per-minute", 4, CleanupPolicy.COMPACT_DELETE);
    /** traffic-analytics: page views per page per hopping window (final counts and their corrections), keyed by {@link WindowKey}. */
    public static final TopicSpec PAGE_VIEWS_HOPPING = new TopicSpec("page-views-hopping", 4, CleanupPolicy.COMPACT_DELETE);
    /** traffic-analytics: sliding windows in which a user reached the purchase-burst threshold, keyed by {@link WindowKey}. */
    public static final TopicSpec PURCHASE_BURSTS = new TopicSpec("purchase-bursts", 4, CleanupPolicy.COMPACT_DELETE);
    /** traffic-analytics: closed browsing sessions, keyed by {@link WindowKey} (user id and session start). */
    public static final TopicSpec USER_SESSIONS = new TopicSpec("user-sessions", 4, CleanupPolicy.COMPACT_DELETE);
    /** Records that arrived after every window they belong to had closed, with the window and lateness. */
    public static final TopicSpec LATE_EVENTS = new TopicSpec("late-events", 4, CleanupPolicy.DELETE);
    /** traffic-analytics' dead-letter topic (Kafka Streams' built-in DLQ, KIP-1034). */
    public static final TopicSpec TRAFFIC_ANALYTICS_DLQ = new TopicSpec("traffic-analytics-dlq", 1, CleanupPolicy.DELETE);

    /** The topics traffic-analytics writes. */
    public static final List<TopicSpec> TRAFFIC_ANALYTICS_OUTPUTS = List.of(PAGE_VIEWS_TUMBLING, PAGE_VIEWS_HOPPING,
            PURCHASE_BURSTS, USER_SESSIONS, LATE_EVENTS, TRAFFIC_ANALYTICS_DLQ);

    // purchase-attribution's results are tables too: the latest record per key is the answer, corrected under the
    // update late-data policy.
    /** purchase-attribution: each purchase with the page view it is attributed to (last touch), keyed by purchase event id. */
    public static final TopicSpec ATTRIBUTED_PURCHASES = new TopicSpec("attributed-purchases", 4, CleanupPolicy.COMPACT_DELETE);
    /** purchase-attribution: attributed revenue per landing page per hour, keyed by {@link WindowKey} (page and hour). */
    public static final TopicSpec ATTRIBUTED_REVENUE = new TopicSpec("attributed-revenue-hourly", 4, CleanupPolicy.COMPACT_DELETE);
    /** purchase-attribution's dead-letter topic. */
    public static final TopicSpec PURCHASE_ATTRIBUTION_DLQ = new TopicSpec("purchase-attribution-dlq", 1, CleanupPolicy.DELETE);

    /** The topics purchase-attribution writes; {@link #LATE_EVENTS} it shares with traffic-analytics. */
    public static final List<TopicSpec> PURCHASE_ATTRIBUTION_OUTPUTS = List.of(ATTRIBUTED_PURCHASES, ATTRIBUTED_REVENUE,
            LATE_EVENTS, PURCHASE_ATTRIBUTION_DLQ);

    /** customer-enrichment: page views with the user's profile and the product, keyed by user id. */
    public static final TopicSpec ENRICHED_PAGE_VIEWS = new TopicSpec("enriched-page-views", 4, CleanupPolicy.DELETE);
    /** customer-enrichment: profile joined with purchase statistics per user; a table, compacted, keyed by user id. */
    public static final TopicSpec CUSTOMER_360 = new TopicSpec("customer-360", 4, CleanupPolicy.COMPACT);
    /** customer-enrichment: each order line with its product's current name and category; compacted, keyed by order id. */
    public static final TopicSpec ORDER_DETAILS = new TopicSpec("order-details", 4, CleanupPolicy.COMPACT);
    /** customer-enrichment's dead-letter topic. */
    public static final TopicSpec CUSTOMER_ENRICHMENT_DLQ = new TopicSpec("customer-enrichment-dlq", 1, CleanupPolicy.DELETE);

    /** The topics customer-enrichment writes. */
    public static final List<TopicSpec> CUSTOMER_ENRICHMENT_OUTPUTS = List.of(ENRICHED_PAGE_VIEWS, CUSTOMER_360, ORDER_DETAILS,
            CUSTOMER_ENRICHMENT_DLQ);

    /**
     * shopping-cart: the current cart of each user (items, quantities, prices at the time of adding);
     * a table, compacted, keyed by user id; a tombstone when a cart is emptied.
     */
    public static final TopicSpec CARTS = new TopicSpec("carts", 4, CleanupPolicy.COMPACT);
    /** shopping-cart: one record per checkout of a non-empty cart, keyed by user id. */
    public static final TopicSpec ORDERS = new TopicSpec("orders", 4, CleanupPolicy.DELETE);
    /** shopping-cart: cart commands that were not applied, with the reason, keyed by user id. */
    public static final TopicSpec CART_REJECTIONS = new TopicSpec("cart-rejections", 4, CleanupPolicy.DELETE);
    /** shopping-cart's dead-letter topic. */
    public static final TopicSpec SHOPPING_CART_DLQ = new TopicSpec("shopping-cart-dlq", 1, CleanupPolicy.DELETE);

    /** The topics shopping-cart writes. */
    public static final List<TopicSpec> SHOPPING_CART_OUTPUTS = List.of(CARTS, ORDERS, CART_REJECTIONS, SHOPPING_CART_DLQ);

    /**
     * The topics of one stream service: what it reads, what it writes, and its dead-letter topic (Kafka Streams'
     * built-in DLQ, KIP-1034). shared-runtime configures a service from here by its {@code quarkus.application.name}:
     * {@code quarkus.kafka-streams.topics} (the inputs it waits for) and
     * {@code errors.dead.letter.queue.topic.name}.
     *
     * @param application the service's application name (and Kafka Streams {@code application.id})
     * @param inputs      the topics it reads
     * @param outputs     the topics it writes, its dead-letter topic included
     * @param deadLetters its dead-letter topic
     */
    public record ServiceTopics(String application, List<TopicSpec> inputs, List<TopicSpec> outputs,
                                TopicSpec deadLetters) {
    }

    /** traffic-analytics' topics. */
    public static final ServiceTopics TRAFFIC_ANALYTICS = new ServiceTopics("traffic-analytics",
            List.of(PAGE_VIEWS, PURCHASES), TRAFFIC_ANALYTICS_OUTPUTS, TRAFFIC_ANALYTICS_DLQ);
    /** purchase-attribution's topics. */
    public static final ServiceTopics PURCHASE_ATTRIBUTION = new ServiceTopics("purchase-attribution",
            List.of(PAGE_VIEWS, PURCHASES), PURCHASE_ATTRIBUTION_OUTPUTS, PURCHASE_ATTRIBUTION_DLQ);
    /** customer-enrichment's topics. */
    public static final ServiceTopics CUSTOMER_ENRICHMENT = new ServiceTopics("customer-enrichment",
            List.of(PAGE_VIEWS, PURCHASES, USER_CHANGES, PRODUCTS), CUSTOMER_ENRICHMENT_OUTPUTS, CUSTOMER_ENRICHMENT_DLQ);
    /** shopping-cart's topics. */
    public static final ServiceTopics SHOPPING_CART = new ServiceTopics("shopping-cart",
            List.of(CART_EVENTS, PRODUCTS), SHOPPING_CART_OUTPUTS, SHOPPING_CART_DLQ);

    /** Every stream service's topics. */
    public static final List<ServiceTopics> SERVICES = List.of(TRAFFIC_ANALYTICS, PURCHASE_ATTRIBUTION,
            CUSTOMER_ENRICHMENT, SHOPPING_CART);

    /**
     * The results live-updates pushes to users (Server-Sent Events, webhooks), each record's event type its topic's
     * name: per-minute page views, purchase bursts, attributed revenue per hour, orders and cart rejections. It reads
     * them {@code read_committed}; it is a consumer of results, not a stream service.
     */
    public static final List<TopicSpec> LIVE_UPDATES_INPUTS = List.of(PAGE_VIEWS_TUMBLING, PURCHASE_BURSTS,
            ATTRIBUTED_REVENUE, ORDERS, CART_REJECTIONS);

    /**
     * live-updates: the webhook subscriptions, keyed by subscription id, the value its callback URL, event types and
     * secret; a tombstone when one is removed. Compacted, one partition: every instance reads it whole.
     */
    public static final TopicSpec WEBHOOK_SUBSCRIPTIONS = new TopicSpec("webhook-subscriptions", 1, CleanupPolicy.COMPACT);
    /** live-updates: webhook deliveries given up after their last attempt, with the reason, keyed by subscription id. */
    public static final TopicSpec WEBHOOK_DLQ = new TopicSpec("webhook-dlq", 1, CleanupPolicy.DELETE);

    /** The topics live-updates writes. */
    public static final List<TopicSpec> LIVE_UPDATES_OUTPUTS = List.of(WEBHOOK_SUBSCRIPTIONS, WEBHOOK_DLQ);

    /**
     * Every topic: the inputs, each stream service's outputs and live-updates' own, what a fresh cluster needs before
     * the services start.
     */
    public static final List<TopicSpec> ALL = java.util.stream.Stream.of(INPUT_TOPICS.stream(),
            SERVICES.stream().flatMap(service -> service.outputs().stream()), LIVE_UPDATES_OUTPUTS.stream())
            .flatMap(topics -> topics).distinct().toList();

    private TopicCatalogue() {
    }

    /** The topics of the stream service with this application name, if it is one. */
    public static Optional<ServiceTopics> service(String application) {
        return SERVICES.stream().filter(s -> s.application().equals(application)).findFirst();
    }

    /** The input topic with this name, if it is one. */
    public static Optional<TopicSpec> input(String name) {
        return INPUT_TOPICS.stream().filter(t -> t.name().equals(name)).findFirst();
    }
}
