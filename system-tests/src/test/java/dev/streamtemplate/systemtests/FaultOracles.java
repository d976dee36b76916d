package dev.streamtemplate.systemtests;

import static java.util.stream.Collectors.groupingBy;
import static java.util.stream.Collectors.mapping;
import static java.util.stream.Collectors.toList;

import dev.streamtemplate.attribution.AttributedPurchase;
import dev.streamtemplate.attribution.AttributionOracle;
import dev.streamtemplate.attribution.PageRevenueRevision;
import dev.streamtemplate.cart.Cart;
import dev.streamtemplate.cart.CartOracle;
import dev.streamtemplate.cart.CartRejection;
import dev.streamtemplate.cart.Order;
import dev.streamtemplate.enrichment.Customer360;
import dev.streamtemplate.enrichment.CustomerOracle;
import dev.streamtemplate.enrichment.EnrichedPageView;
import dev.streamtemplate.enrichment.EnrichedOrderLine;
import dev.streamtemplate.generator.Delivery;
import dev.streamtemplate.generator.GeneratedEvent;
import dev.streamtemplate.runtime.lateness.LateEvent;
import dev.streamtemplate.schemas.CartEvent;
import dev.streamtemplate.schemas.JsonSerde;
import dev.streamtemplate.schemas.PageView;
import dev.streamtemplate.schemas.Product;
import dev.streamtemplate.schemas.Purchase;
import dev.streamtemplate.schemas.TopicCatalogue;
import dev.streamtemplate.schemas.UserChange;
import dev.streamtemplate.schemas.UserProfile;
import dev.streamtemplate.testing.PoisonRecords;
import dev.streamtemplate.testing.TopicReader;
import dev.streamtemplate.testing.TopicRecord;
import dev.streamtemplate.traffic.PageViewCount;
import dev.streamtemplate.traffic.PurchaseBurst;
import dev.streamtemplate.traffic.UserSession;
import dev.streamtemplate.traffic.WindowOracle;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Every derived topic of the four services after a {@link FaultScenario}, read with {@code read_committed}, next to
 * what each service's batch oracle computes over the input topics as read back (the oracles are the services' own
 * test code: {@link WindowOracle}, {@link AttributionOracle}, {@link CustomerOracle}, {@link CartOracle}). Clock
 * events are input like any other, except where a comparison says it leaves them out.
 *
 * <p>The window settings and grace periods are the ones {@link FaultScenario} gives the instances.
 */
final class FaultOracles {

    /** traffic-analytics' windows in the test (its application.properties defaults, set explicitly). */
    static final Duration TUMBLING = Duration.ofMinutes(1);
    static final Duration HOPPING = Duration.ofMinutes(5);
    static final Duration HOPPING_ADVANCE = Duration.ofMinutes(1);
    static final Duration SLIDING = Duration.ofMinutes(10);
    static final Duration SESSION_GAP = Duration.ofMinutes(30);
    static final Duration TRAFFIC_GRACE = Duration.ofMinutes(1);
    /** purchase-attribution's lookback and revenue window (its defaults). */
    static final Duration LOOKBACK = Duration.ofMinutes(60);
    static final Duration REVENUE_WINDOW = Duration.ofHours(1);
    /** shopping-cart's de-duplication retention (its default). */
    static final Duration DEDUP_RETENTION = Duration.ofHours(24);

    /** traffic-analytics' repartition topic by page: the order in which its page aggregations saw their input. */
    static final String BY_PAGE_REPARTITION = "traffic-analytics-page-views-by-page-repartition";

    private final String bootstrap;
    private final FaultScenario scenario;
    /** What to compare: each with its expected records (computed once) and how to read the actual ones (again each time). */
    private final List<Check> checks = new ArrayList<>();
    private final List<String> figures = new ArrayList<>();

    /** One comparison: a name, the oracle's records, and a read of the topic's records (mapped to comparable values). */
    private record Check(String topic, java.util.function.Supplier<Collection<?>> expected,
                         java.util.function.Supplier<Collection<?>> actual) {
        TopicComparison run() {
            Collection<?> read = actual.get();
            return TopicComparison.of(topic, expected.get(), read);
        }
    }

    private final List<TopicRecord<String, PageView>> pageViews;
    private final List<TopicRecord<String, Purchase>> purchases;

    private FaultOracles(FaultScenario scenario) {
        this.scenario = scenario;
        this.bootstrap = scenario.bootstrapServers();
        this.pageViews = PoisonRecords.validRecords(bootstrap, TopicCatalogue.PAGE_VIEWS.name(), PageView.class);
        this.purchases = PoisonRecords.validRecords(bootstrap, TopicCatalogue.PURCHASES.name(), Purchase.class);
    }

    /**
     * Reads the input topics back and computes every oracle, once: after the scenario, the input no longer changes
     * (the derived topics may, while the services finish).
     */
    static FaultOracles compute(FaultScenario scenario) {
        FaultOracles oracles = new FaultOracles(scenario);
        oracles.trafficAnalytics();
        oracles.purchaseAttribution();
        oracles.customerEnrichment();
        oracles.shoppingCart();
        return oracles;
    }

    /** Reads every derived topic and compares it with its oracle, in a fixed order. */
    List<TopicComparison> compare() {
        return checks.stream().map(Check::run).toList();
    }

    /** The sizes of what was compared, one line per service. */
    List<String> figures() {
        return List.copyOf(figures);
    }


    /** How many clock purchases at {@code at} {@code attributed-purchases} holds (the clock steps wait on it). */
    static long clockAttributions(String bootstrap, Instant at) {
        return read(bootstrap, TopicCatalogue.ATTRIBUTED_PURCHASES.name(), AttributedPurchase.class).stream()
                .filter(r -> ClosingClock.isClockUser(r.value().purchase().userId()) && r.value().purchase().timestamp().equals(at))
                .count();
    }

    // --- traffic-analytics ---

    private void trafficAnalytics() {
        // the repartition topic, each page view once (a duplicate there, possible without exactly-once, is the same
        // input twice: the oracle counts it once and the first comparison reports it)
        List<TopicRecord<String, PageView>> repartitioned = read(bootstrap, BY_PAGE_REPARTITION, PageView.class);
        List<String> viewIds = ids(pageViews);
        check(BY_PAGE_REPARTITION + " (internal)", () -> viewIds,
                () -> ids(read(bootstrap, BY_PAGE_REPARTITION, PageView.class)));
        Set<String> seen = new HashSet<>();
        List<TopicRecord<String, PageView>> byPage = repartitioned.stream().filter(r -> seen.add(r.value().eventId())).toList();

        long grace = TRAFFIC_GRACE.toMillis();
        WindowOracle.Result tumbling = WindowOracle.timeWindows(partitions(byPage, PageView::page), TUMBLING.toMillis(),
                TUMBLING.toMillis(), grace);
        WindowOracle.Result hopping = WindowOracle.timeWindows(partitions(byPage, PageView::page), HOPPING.toMillis(),
                HOPPING_ADVANCE.toMillis(), grace);
        WindowOracle.Result sessions = WindowOracle.sessionWindows(partitions(pageViews, PageView::userId),
                SESSION_GAP.toMillis(), grace);
        WindowOracle.Result bursts = WindowOracle.slidingWindows(partitions(purchases, Purchase::userId),
                SLIDING.toMillis(), grace, FaultScenario.BURST_THRESHOLD);

        check(TopicCatalogue.PAGE_VIEWS_TUMBLING.name(), tumbling::emitted,
                () -> counts(TopicCatalogue.PAGE_VIEWS_TUMBLING.name()));
        check(TopicCatalogue.PAGE_VIEWS_HOPPING.name(), hopping::emitted,
                () -> counts(TopicCatalogue.PAGE_VIEWS_HOPPING.name()));
        check(TopicCatalogue.USER_SESSIONS.name(), sessions::emitted,
                () -> read(bootstrap, TopicCatalogue.USER_SESSIONS.name(), UserSession.class).stream()
                        .map(r -> new WindowOracle.Window(r.value().userId(), r.value().start().toEpochMilli(),
                                r.value().end().toEpochMilli(), r.value().pageViews())).toList());
        check(TopicCatalogue.PURCHASE_BURSTS.name(), bursts::emitted,
                () -> read(bootstrap, TopicCatalogue.PURCHASE_BURSTS.name(), PurchaseBurst.class).stream()
                        .map(r -> new WindowOracle.Window(r.value().userId(), r.value().windowStart().toEpochMilli(),
                                r.value().windowEnd().toEpochMilli(), r.value().purchases())).toList());

        Map<String, WindowOracle.Result> byAggregation = new LinkedHashMap<>();
        byAggregation.put("page-views-tumbling", tumbling);
        byAggregation.put("page-views-hopping", hopping);
        byAggregation.put("user-sessions", sessions);
        byAggregation.put("purchase-bursts", bursts);
        byAggregation.forEach((aggregation, result) -> check("late-events (" + aggregation + ")", result::late,
                () -> lateEvents().getOrDefault(aggregation, List.of()).stream().map(v -> new WindowOracle.Late(
                        eventId(v), v.windowStart().toEpochMilli(), v.windowEnd().toEpochMilli(), v.latenessMs())).toList()));

        checks.add(deadLetters(TopicCatalogue.TRAFFIC_ANALYTICS_DLQ.name(),
                Set.of(TopicCatalogue.PAGE_VIEWS.name(), TopicCatalogue.PURCHASES.name())));
        figures.add(String.format("traffic-analytics: %,d page views, %,d purchases; windows emitted: tumbling %,d,"
                        + " hopping %,d, sessions %,d, bursts %,d; late: tumbling %,d, hopping %,d, sessions %,d, bursts %,d",
                pageViews.size(), purchases.size(), tumbling.emitted().size(), hopping.emitted().size(),
                sessions.emitted().size(), bursts.emitted().size(), tumbling.late().size(), hopping.late().size(),
                sessions.late().size(), bursts.late().size()));
    }

    // --- purchase-attribution ---

    private void purchaseAttribution() {
        Set<String> lateIds = scenario.replay().stream().filter(e -> e.delivery() == Delivery.LATE)
                .map(FaultOracles::eventIdOf).collect(Collectors.toSet());
        List<PageView> views = pageViews.stream().map(TopicRecord::value)
                .filter(v -> v.productId() != null && !ClosingClock.isClockUser(v.userId())).toList();
        List<Purchase> bought = purchases.stream().map(TopicRecord::value)
                .filter(p -> !ClosingClock.isClockUser(p.userId())).toList();
        Set<String> lateViews = views.stream().map(PageView::eventId).filter(lateIds::contains).collect(Collectors.toSet());
        Set<String> latePurchases = bought.stream().map(Purchase::eventId).filter(lateIds::contains)
                .collect(Collectors.toSet());
        AttributionOracle.Result oracle = AttributionOracle.compute(views, bought, lateViews, latePurchases, LOOKBACK,
                REVENUE_WINDOW);

        List<String> attributions = oracle.attribution().entrySet().stream().map(e -> e.getKey() + " -> " + e.getValue())
                .toList();
        check(TopicCatalogue.ATTRIBUTED_PURCHASES.name() + " (without clock users)", () -> attributions,
                () -> read(bootstrap, TopicCatalogue.ATTRIBUTED_PURCHASES.name(), AttributedPurchase.class).stream()
                        .filter(r -> !ClosingClock.isClockUser(r.value().purchase().userId()))
                        .map(r -> r.value().purchase().eventId() + " -> "
                                + (r.value().attributed() ? r.value().viewEventId() : AttributionOracle.NONE)).toList());
        List<String> revenue = oracle.revenue().entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList();
        check(TopicCatalogue.ATTRIBUTED_REVENUE.name() + " (without clock pages)", () -> revenue,
                () -> read(bootstrap, TopicCatalogue.ATTRIBUTED_REVENUE.name(), PageRevenueRevision.class).stream()
                        .filter(r -> !r.key().startsWith(PageView.PRODUCT_PAGE_PREFIX + ClosingClock.PRODUCT_PREFIX))
                        .map(r -> r.key() + " "
                                + new TreeMap<>(r.value().revenueCents())).toList());
        check("late-events (attribution-views)", () -> lateViews,
                () -> lateEvents().getOrDefault("attribution-views", List.of()).stream().map(FaultOracles::eventId).toList());
        check("late-events (attribution-purchases)", () -> latePurchases,
                () -> lateEvents().getOrDefault("attribution-purchases", List.of()).stream().map(FaultOracles::eventId)
                        .toList());
        check("late-events (purchase-attribution, attributed-revenue)", List::of, () -> {
            Map<String, List<LateEvent>> late = lateEvents();
            return java.util.stream.Stream.concat(late.getOrDefault("purchase-attribution", List.of()).stream(),
                    late.getOrDefault("attributed-revenue", List.of()).stream()).map(FaultOracles::eventId).toList();
        });
        checks.add(deadLetters(TopicCatalogue.PURCHASE_ATTRIBUTION_DLQ.name(),
                Set.of(TopicCatalogue.PAGE_VIEWS.name(), TopicCatalogue.PURCHASES.name())));
        figures.add(String.format("purchase-attribution: %,d purchases (%,d attributed, %,d late), %,d product views"
                        + " (%,d late), %,d revenue windows", bought.size(), oracle.attributedViews().size(),
                latePurchases.size(), views.size(), lateViews.size(), oracle.revenue().size()));
    }

    // --- customer-enrichment ---

    private void customerEnrichment() {
        List<TopicRecord<String, UserChange>> changes = PoisonRecords.validTableRecords(bootstrap,
                TopicCatalogue.USER_CHANGES.name(), UserChange.class);
        List<TopicRecord<String, Product>> products = PoisonRecords.validTableRecords(bootstrap,
                TopicCatalogue.PRODUCTS.name(), Product.class);
        CustomerOracle.Result oracle = CustomerOracle.compute(changes, products, purchases);

        List<String> customers = entries(oracle.customers());
        check(TopicCatalogue.CUSTOMER_360.name() + " (latest per key)", () -> customers,
                () -> entries(latest(TopicCatalogue.CUSTOMER_360.name(), Customer360.class)));
        List<String> orderDetails = entries(oracle.orderDetails());
        check(TopicCatalogue.ORDER_DETAILS.name() + " (latest per key)", () -> orderDetails,
                () -> entries(latest(TopicCatalogue.ORDER_DETAILS.name(), EnrichedOrderLine.class)));

        List<String> views = pageViews.stream().map(r -> r.key() + " " + r.value()).toList();
        check(TopicCatalogue.ENRICHED_PAGE_VIEWS.name() + " (each page view once)", () -> views,
                () -> read(bootstrap, TopicCatalogue.ENRICHED_PAGE_VIEWS.name(), EnrichedPageView.class).stream()
                        .map(r -> r.key() + " " + r.value().view()).toList());

        // the enrichment itself, for the views of users whose profile did not change during the replay: their
        // profile, and the product as it was (a product that changed: one of its versions)
        Set<String> stable = CustomerOracle.stableUsers(changes, pageViews);
        Map<String, List<Product>> versions = products.stream().filter(r -> r.value() != null)
                .collect(groupingBy(TopicRecord::key, mapping(TopicRecord::value, toList())));
        java.util.function.Supplier<List<EnrichedPageView>> ofStable = () -> read(bootstrap,
                TopicCatalogue.ENRICHED_PAGE_VIEWS.name(), EnrichedPageView.class).stream().map(TopicRecord::value)
                .filter(v -> stable.contains(v.view().userId())).toList();
        check(TopicCatalogue.ENRICHED_PAGE_VIEWS.name() + " (enrichment, stable users)",
                () -> pageViews.stream().map(TopicRecord::value).filter(v -> stable.contains(v.userId()))
                        .map(view -> expectedEnrichment(view, oracle, versions)).toList(),
                () -> ofStable.get().stream().map(v -> withoutAVersion(v, versions)).toList());
        checks.add(deadLetters(TopicCatalogue.CUSTOMER_ENRICHMENT_DLQ.name(), Set.of(TopicCatalogue.PAGE_VIEWS.name(),
                TopicCatalogue.PURCHASES.name(), TopicCatalogue.USER_CHANGES.name())));
        figures.add(String.format("customer-enrichment: %,d user changes, %,d product versions, %,d purchases, %,d page"
                        + " views; %,d customers, %,d order lines, views of %,d stable users checked field by field",
                changes.size(), products.size(), purchases.size(), pageViews.size(), oracle.customers().size(),
                oracle.orderDetails().size(), stable.size()));
    }

    /**
     * The enrichment of a stable user's view: the user's profile and the product; for a product with several versions
     * (which of them a view meets depends on processing order) the product fields are left out on both sides.
     */
    private static EnrichedPageView expectedEnrichment(PageView view, CustomerOracle.Result oracle,
                                                       Map<String, List<Product>> versions) {
        EnrichedPageView enriched = EnrichedPageView.of(view, oracle.users().get(view.userId()));
        if (view.productId() == null) {
            return enriched;
        }
        List<Product> ofProduct = versions.getOrDefault(view.productId(), List.of());
        return ofProduct.size() > 1 ? enriched : enriched.withProduct(oracle.products().get(view.productId()));
    }

    /**
     * {@code view} without its product fields when its product has several versions and the fields are one of them
     * (otherwise as it is, so that the comparison shows it).
     */
    private static EnrichedPageView withoutAVersion(EnrichedPageView view, Map<String, List<Product>> versions) {
        List<Product> ofProduct = view.view().productId() == null ? List.of()
                : versions.getOrDefault(view.view().productId(), List.of());
        boolean aVersion = ofProduct.stream().anyMatch(p -> p.name().equals(view.productName())
                && p.category().equals(view.productCategory())
                && Long.valueOf(p.priceCents()).equals(view.productPriceCents())
                && p.currency().equals(view.productCurrency()));
        return ofProduct.size() > 1 && aVersion ? new EnrichedPageView(view.view(), view.userKnown(), view.tier(),
                view.country(), null, null, null, null) : view;
    }

    // --- shopping-cart ---

    private void shoppingCart() {
        List<TopicRecord<String, CartEvent>> commands = PoisonRecords.validRecords(bootstrap, TopicCatalogue.CART_EVENTS.name(),
                CartEvent.class).stream().filter(r -> r.key().equals(r.value().userId())).toList();
        List<TopicRecord<String, Product>> products = read(bootstrap, TopicCatalogue.PRODUCTS.name(), Product.class);
        CartOracle.Result oracle = CartOracle.compute(commands, products, DEDUP_RETENTION);

        List<String> cartChanges = oracle.cartChanges().entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .toList();
        check(TopicCatalogue.CARTS.name() + " (every change, per user in order)", () -> cartChanges,
                () -> byUser(read(bootstrap, TopicCatalogue.CARTS.name(), Cart.class), Function.identity()).entrySet()
                        .stream().map(e -> e.getKey() + " " + e.getValue()).toList());
        List<String> carts = entries(oracle.carts());
        check(TopicCatalogue.CARTS.name() + " (latest per key)", () -> carts,
                () -> entries(latest(TopicCatalogue.CARTS.name(), Cart.class)));
        List<Order> orders = oracle.orders().values().stream().flatMap(List::stream).toList();
        check(TopicCatalogue.ORDERS.name(), () -> orders,
                () -> read(bootstrap, TopicCatalogue.ORDERS.name(), Order.class).stream().map(TopicRecord::value).toList());
        List<CartOracle.Rejection> rejections = oracle.rejections().values().stream().flatMap(List::stream).toList();
        check(TopicCatalogue.CART_REJECTIONS.name(), () -> rejections,
                () -> read(bootstrap, TopicCatalogue.CART_REJECTIONS.name(), CartRejection.class).stream()
                        .map(r -> new CartOracle.Rejection(r.value().command(), r.value().reason())).toList());
        checks.add(deadLetters(TopicCatalogue.SHOPPING_CART_DLQ.name(), Set.of(TopicCatalogue.CART_EVENTS.name())));
        figures.add(String.format("shopping-cart: %,d commands (%,d second deliveries ignored), %,d product versions;"
                        + " %,d carts, %,d cart changes, %,d orders, %,d rejections", commands.size(), oracle.duplicates(),
                products.size(), oracle.carts().size(), oracle.cartChanges().values().stream().mapToLong(List::size).sum(),
                oracle.orderCount(), oracle.rejectionCount()));
    }

    private void check(String topic, java.util.function.Supplier<Collection<?>> expected,
                       java.util.function.Supplier<Collection<?>> actual) {
        checks.add(new Check(topic, expected, actual));
    }

    // --- reading ---

    /** A service's dead letters by origin ({@code topic/partition/offset} from the KIP-1034 headers) and the poison sent there. */
    private Check deadLetters(String deadLetterTopic, Set<String> inputs) {
        List<String> expected = scenario.poisoned().stream().filter(s -> inputs.contains(s.poison().topic()))
                .map(s -> s.poison().topic() + "/" + s.metadata().partition() + "/" + s.metadata().offset()).toList();
        return new Check(deadLetterTopic + " (origins)", () -> expected,
                () -> PoisonRecords.deadLetters(bootstrap, deadLetterTopic).stream()
                        .map(letter -> PoisonRecords.header(letter, "__streams.errors.topic") + "/"
                                + PoisonRecords.header(letter, "__streams.errors.partition") + "/"
                                + PoisonRecords.header(letter, "__streams.errors.offset")).toList());
    }

    private Map<String, List<LateEvent>> lateEvents() {
        return read(bootstrap, TopicCatalogue.LATE_EVENTS.name(), LateEvent.class).stream().map(TopicRecord::value)
                .collect(groupingBy(LateEvent::aggregation, TreeMap::new, toList()));
    }

    private List<WindowOracle.Window> counts(String topic) {
        return read(bootstrap, topic, PageViewCount.class).stream()
                .map(r -> new WindowOracle.Window(r.value().page(), r.value().windowStart().toEpochMilli(),
                        r.value().windowEnd().toEpochMilli(), r.value().count())).toList();
    }

    private <V> Map<String, V> latest(String topic, Class<V> type) {
        return new TopicReader<>(bootstrap, new StringDeserializer(), JsonSerde.of(type)).readLatestByKey(topic,
                Duration.ofMinutes(2));
    }

    static <V> List<TopicRecord<String, V>> read(String bootstrap, String topic, Class<V> type) {
        return new TopicReader<>(bootstrap, new StringDeserializer(), JsonSerde.of(type)).readAll(topic,
                Duration.ofMinutes(2));
    }

    private static <V> List<String> entries(Map<String, V> table) {
        return table.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
    }

    private static <V, W> Map<String, List<W>> byUser(List<TopicRecord<String, V>> records, Function<V, W> mapping) {
        Map<String, List<W>> byUser = new LinkedHashMap<>();
        records.forEach(r -> byUser.computeIfAbsent(r.key(), k -> new ArrayList<>())
                .add(r.value() == null ? null : mapping.apply(r.value())));
        return byUser;
    }

    private static <V> List<List<WindowOracle.In>> partitions(List<TopicRecord<String, V>> records,
                                                              Function<V, String> key) {
        Map<Integer, List<WindowOracle.In>> byPartition = records.stream()
                .sorted(Comparator.comparingInt((TopicRecord<String, V> r) -> r.partition()).thenComparingLong(TopicRecord::offset))
                .collect(groupingBy(TopicRecord::partition, TreeMap::new, mapping(r -> new WindowOracle.In(
                        key.apply(r.value()), ((dev.streamtemplate.schemas.Event) r.value()).eventTime().toEpochMilli(),
                        eventIdOf(r.value())), toList())));
        return new ArrayList<>(byPartition.values());
    }

    private static List<String> ids(List<TopicRecord<String, PageView>> records) {
        return records.stream().map(r -> r.value().eventId()).toList();
    }

    private static String eventId(LateEvent event) {
        return String.valueOf(((Map<?, ?>) event.value()).get("eventId"));
    }

    private static String eventIdOf(Object value) {
        if (value instanceof GeneratedEvent event) {
            return eventIdOf(event.value());
        }
        if (value instanceof PageView view) {
            return view.eventId();
        }
        if (value instanceof Purchase purchase) {
            return purchase.eventId();
        }
        return String.valueOf(value);
    }
}
