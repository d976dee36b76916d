package dev.streamtemplate.attribution;

import static dev.streamtemplate.schemas.TopicCatalogue.ATTRIBUTED_PURCHASES;
import static dev.streamtemplate.schemas.TopicCatalogue.ATTRIBUTED_REVENUE;
import static dev.streamtemplate.schemas.TopicCatalogue.LATE_EVENTS;
import static dev.streamtemplate.schemas.TopicCatalogue.PAGE_VIEWS;
import static dev.streamtemplate.schemas.TopicCatalogue.PURCHASES;

import dev.streamtemplate.runtime.errors.KeyAndValueRequired;
import dev.streamtemplate.runtime.lateness.LateEventRouting;
import dev.streamtemplate.runtime.lateness.WindowClosure;
import dev.streamtemplate.schemas.JsonSerde;
import dev.streamtemplate.schemas.PageView;
import dev.streamtemplate.schemas.Purchase;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.StreamJoined;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The whole of purchase-attribution, top to bottom: last-touch attribution of purchases to product
 * page views with a stream-stream left join, and attributed revenue per landing page per hour.
 *
 * <pre>
 * purchases  (key userId) ─ key by user|product ─▶ repartition "purchases-by-user-product" ─┐
 * page-views (key userId) ─ product pages only ─ key by user|product ─▶ repartition        │
 *                                                 "product-views-by-user-product" ─────────┤
 *   left join: views 0..60 min before the purchase (grace 1 min) ◀───────────────────────┘
 *   ─ latest view per purchase (user, product, time), final once the purchase's window has closed
 *                                                                              ─▶ attributed-purchases
 *   ─ attributed only, key by page ─▶ repartition "attributed-by-page"
 *   ─ revenue per page per hour, per currency, final on window close (grace: 2 × grace + settle)
 *                                                                              ─▶ attributed-revenue-hourly
 * records too late to change any open result ──────────────────────────────────▶ late-events
 * </pre>
 *
 * <p>Semantics. A view qualifies for a purchase of the same user and product when it happened at
 * most {@code attribution.lookback} (60 min) before the purchase, and not after it (an asymmetric
 * join window: {@code JoinWindows.ofTimeDifferenceAndGrace(lookback, grace).after(0)}). The left
 * join emits one result per qualifying view as views arrive, and the purchase alone once its window
 * has closed without any (Kafka Streams' left join emits no early, spurious unjoined results since
 * 3.1, KIP-633). The results of one purchase are reduced to the latest view in a one-millisecond
 * window at the purchase's time, keyed like the join (user and product), emitted on close after
 * {@code grace + settle}: one final record per purchase. Two purchases of one product by one user in
 * the same millisecond are one purchase here. The reduction stays in the join's task, so the join's
 * results are judged against the join's own stream time, never against records of other tasks. A view that arrives after that can no longer change the purchase's attribution and goes
 * to {@code late-events} (aggregation {@code purchase-attribution}), as does a purchase that arrives
 * after its own window closed. A view so old that it cannot join any purchase still open
 * ({@code viewTime + lookback + grace < streamTime}) goes to {@code late-events} before the join
 * (aggregation {@code attribution-views}). Names of processors, stores and repartition topics are
 * fixed here; changelogs are {@code purchase-attribution-<store>-changelog}.
 */
@ApplicationScoped
public class AttributionTopology {

    /** The join's window stores are {@code <this>-this-join-store} and {@code <this>-other-join-store}. */
    public static final String JOIN = "purchase-view-join";
    /** Store of the per-purchase reduction. */
    public static final String ATTRIBUTION_STORE = "purchase-attribution-store";
    /** Store of the revenue windows, queried by {@code GET /revenue}. */
    public static final String REVENUE_STORE = "attributed-revenue-store";
    /** Aggregation name of the per-purchase reduction, in late events and {@code late.events}. */
    public static final String ATTRIBUTION = "purchase-attribution";
    /** Aggregation name of the late-view router in front of the join. */
    public static final String VIEWS = "attribution-views";
    /** Aggregation name of the revenue windows. */
    public static final String REVENUE = "attributed-revenue";

    private static final Serde<String> STRING = Serdes.String();
    private static final Serde<PageView> PAGE_VIEW = JsonSerde.of(PageView.class);
    private static final Serde<Purchase> PURCHASE = JsonSerde.of(Purchase.class);
    private static final Serde<Touch> TOUCH = JsonSerde.of(Touch.class);
    private static final Serde<AttributedPurchase> ATTRIBUTED = JsonSerde.of(AttributedPurchase.class);

    /**
     * The topology Quarkus runs.
     *
     * @param settings {@code attribution.*} configuration
     * @param registry Quarkus' meter registry, exported at {@code /q/metrics}
     */
    @Produces
    public Topology topology(AttributionSettings settings, MeterRegistry registry) {
        return build(settings, registry);
    }

    /**
     * Builds the topology.
     *
     * @param settings lookback, grace, settle time, revenue window and store retention
     * @param registry where the {@code late.events} counter (tag {@code aggregation}) is registered
     */
    public static Topology build(AttributionSettings settings, MeterRegistry registry) {
        StreamsBuilder builder = new StreamsBuilder();
        Duration lookback = settings.lookback();
        Duration grace = settings.grace();

        KStream<String, Purchase> purchases = builder.stream(PURCHASES.name(),
                        Consumed.with(STRING, PURCHASE).withName("purchases-source"))
                .mapValues(new KeyAndValueRequired<>(PURCHASES.name()), Named.as("purchases-key-and-value-required"))
                .selectKey((user, purchase) -> touchKey(purchase.userId(), purchase.productId()),
                        Named.as("purchases-key-by-user-product"))
                .repartition(Repartitioned.with(STRING, PURCHASE).withName("purchases-by-user-product"));

        KStream<String, PageView> views = builder.stream(PAGE_VIEWS.name(),
                        Consumed.with(STRING, PAGE_VIEW).withName("page-views-source"))
                .mapValues(new KeyAndValueRequired<>(PAGE_VIEWS.name()), Named.as("page-views-key-and-value-required"))
                .filter((user, view) -> view.productId() != null, Named.as("product-page-views"))
                .selectKey((user, view) -> touchKey(view.userId(), view.productId()), Named.as("views-key-by-user-product"))
                .repartition(Repartitioned.with(STRING, PAGE_VIEW).withName("product-views-by-user-product"));
        KStream<String, PageView> joinableViews = LateEventRouting.divertLate(views, VIEWS,
                context -> WindowClosure.joinSide(lookback.toMillis(), grace.toMillis()),
                LATE_EVENTS.name(), STRING, LateEventRouting.lateEventCounter(registry, VIEWS));

        KStream<String, Touch> touches = purchases.leftJoin(joinableViews, Touch::new,
                JoinWindows.ofTimeDifferenceAndGrace(lookback, grace).after(Duration.ZERO),
                StreamJoined.with(STRING, PURCHASE, PAGE_VIEW).withName(JOIN).withStoreName(JOIN));

        // One final attribution per purchase: the latest of its touches, once its window has closed.
        // Kept in the join's task (same key, no repartition), so that the join's results are judged
        // against the join's own stream time; a purchase is its user, product and millisecond.
        TimeWindows perPurchase = TimeWindows.ofSizeAndGrace(Duration.ofMillis(1), grace.plus(settings.settle()));
        KStream<String, AttributedPurchase> attributed = LateEventRouting.divertLate(touches, ATTRIBUTION,
                        context -> WindowClosure.timeWindows(perPurchase),
                        LATE_EVENTS.name(), STRING, LateEventRouting.lateEventCounter(registry, ATTRIBUTION))
                .groupByKey(Grouped.with(ATTRIBUTION + "-grouped", STRING, TOUCH))
                .windowedBy(perPurchase)
                .emitStrategy(EmitStrategy.onWindowClose())
                .reduce(Touch::latest, Named.as(ATTRIBUTION + "-latest-view"),
                        Materialized.<String, Touch, WindowStore<Bytes, byte[]>>as(ATTRIBUTION_STORE)
                                .withKeySerde(STRING).withValueSerde(TOUCH)
                                .withRetention(settings.storeRetention()))
                .toStream(Named.as(ATTRIBUTION + "-final"))
                .map((purchase, touch) -> KeyValue.pair(touch.purchase().userId(),
                        AttributedPurchase.of(touch.purchase(), touch.view())), Named.as(ATTRIBUTION + "-to-attributed"));
        attributed.to(ATTRIBUTED_PURCHASES.name(), Produced.with(STRING, ATTRIBUTED).withName(ATTRIBUTION + "-sink"));

        // Attributed revenue per landing page per hour, per currency. Attributions become final only
        // grace + settle after their purchase, so the revenue windows wait that long on top of their grace.
        TimeWindows revenueWindows = TimeWindows.ofSizeAndGrace(settings.revenueWindow(),
                grace.plus(settings.settle()).plus(grace));
        KStream<String, AttributedPurchase> byPage = attributed
                .filter((user, purchase) -> purchase.attributed(), Named.as("attributed-only"))
                .selectKey((user, purchase) -> purchase.page(), Named.as("attributed-key-by-page"))
                .repartition(Repartitioned.with(STRING, ATTRIBUTED).withName("attributed-by-page"));
        LateEventRouting.divertLate(byPage, REVENUE, context -> WindowClosure.timeWindows(revenueWindows),
                        LATE_EVENTS.name(), STRING, LateEventRouting.lateEventCounter(registry, REVENUE))
                .groupByKey(Grouped.with(REVENUE + "-grouped", STRING, ATTRIBUTED))
                .windowedBy(revenueWindows)
                .emitStrategy(EmitStrategy.onWindowClose())
                .aggregate(Revenue::none,
                        (page, purchase, revenue) -> revenue.plus(purchase.purchase().currency(), purchase.purchase().amountCents()),
                        Named.as(REVENUE + "-sum"),
                        Materialized.<String, Revenue, WindowStore<Bytes, byte[]>>as(REVENUE_STORE)
                                .withKeySerde(STRING).withValueSerde(JsonSerde.of(Revenue.class))
                                .withRetention(settings.storeRetention()))
                .toStream(Named.as(REVENUE + "-final"))
                .map((window, revenue) -> KeyValue.pair(window.key(), new PageRevenue(window.key(),
                        window.window().startTime(), window.window().endTime(), revenue.cents(), revenue.purchases())),
                        Named.as(REVENUE + "-to-page-revenue"))
                .to(ATTRIBUTED_REVENUE.name(), Produced.with(STRING, JsonSerde.of(PageRevenue.class)).withName(REVENUE + "-sink"));

        return builder.build();
    }

    /** The join key: user and product, {@code u-0001|p-0042}. */
    static String touchKey(String userId, String productId) {
        return userId + "|" + productId;
    }

}
