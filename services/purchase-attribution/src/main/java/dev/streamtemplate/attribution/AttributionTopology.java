package dev.streamtemplate.attribution;

import static dev.streamtemplate.schemas.TopicCatalogue.ATTRIBUTED_PURCHASES;
import static dev.streamtemplate.schemas.TopicCatalogue.ATTRIBUTED_REVENUE;
import static dev.streamtemplate.schemas.TopicCatalogue.LATE_EVENTS;
import static dev.streamtemplate.schemas.TopicCatalogue.PAGE_VIEWS;
import static dev.streamtemplate.schemas.TopicCatalogue.PURCHASES;

import dev.streamtemplate.runtime.errors.KeyAndValueRequired;
import dev.streamtemplate.runtime.lateness.LateDataHandling;
import dev.streamtemplate.runtime.lateness.LateEvents;
import dev.streamtemplate.runtime.lateness.LatePolicy;
import dev.streamtemplate.runtime.lateness.WindowClosure;
import dev.streamtemplate.schemas.JsonSerde;
import dev.streamtemplate.schemas.PageView;
import dev.streamtemplate.schemas.Purchase;
import dev.streamtemplate.schemas.WindowKey;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.StreamJoined;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The whole of purchase-attribution, top to bottom: last-touch attribution of purchases to product
 * page views with a windowed stream-stream join, and attributed revenue per landing page per hour.
 *
 * <pre>
 * purchases  (key userId) ─ key by user|product ─▶ repartition "purchases-by-user-product"
 *   ─ purchases whose join window has closed ──────────────────────────────────────▶ late-events
 *   ─ on-time purchases ─┬─ the purchase alone ───────────────────────────────────────────┐
 *                        └─ inner join: views 0..60 min before it (grace 1 min) ─ purchase+view ┤
 * page-views (key userId) ─ product pages only ─ key by user|product ─▶ repartition      │
 *   "product-views-by-user-product" ─ views too old to join any open purchase ─▶ late-events │
 *   ─ into the join ─────────────────────────────────────────────────────────────────────┘
 *   merged ─ per purchase, the latest view or none, final when its join window has closed
 *   (a 1 ms window at the purchase's time with the join's grace) ─ per purchase id, changes only
 *   (AttributionRevisions) ───────────────────────────────────────────────────────▶ attributed-purchases
 *   ─ + amount to the new page, − to the old one, key by page ─▶ repartition "attributed-by-page"
 *   ─ revenue per page per hour, per currency, final on window close (grace: grace + settle)
 *                                                                              ─▶ attributed-revenue-hourly
 * </pre>
 *
 * <p>Contract: one final record per on-time purchase on {@code attributed-purchases} (key: purchase id), attributed to
 * the latest product view of the same user and product at most {@code attribution.lookback} before it, or
 * unattributed; emitted when the purchase's 1 ms window closes ({@code purchase time + grace} behind stream time).
 * Revenue per page and window on {@code attributed-revenue-hourly} (key: {@code page@windowStart}). Late purchases and
 * views, and attributions too late for their revenue hour, go to {@code late-events} (or are only counted where
 * {@code attribution.late-policy.<aggregation>} is {@code drop}). Under {@code update} (the three join routers together)
 * the join and the windows take records for {@code attribution.allowed-lateness}: late purchases and views correct
 * the attributions as further revisions, and the revenue windows the amounts. Why an inner join plus "the purchase
 * alone" and not {@code KStream#leftJoin} (KAFKA-19536), each late-record rule and what {@code update} cannot do:
 * {@code docs/design/purchase-attribution.md}.
 * Processors, stores and repartition topics are named here; changelogs are
 * {@code purchase-attribution-<store>-changelog}.
 */
@ApplicationScoped
public class AttributionTopology {

    /** The join's window stores are {@code <this>-this-join-store} and {@code <this>-other-join-store}; they keep records for lookback + grace. */
    public static final String JOIN = "purchase-view-join";
    /** Store of the per-purchase attribution windows ({@link LastTouches}). */
    public static final String ATTRIBUTION_STORE = "purchase-attribution-store";
    /** Store of the revenue windows, queried by {@code GET /revenue}. */
    public static final String REVENUE_STORE = "attributed-revenue-store";
    /** Aggregation name of the per-purchase attribution, in late events and {@code late.events}. */
    public static final String ATTRIBUTION = "purchase-attribution";
    /** Aggregation name of the late-purchase router in front of the join. */
    public static final String PURCHASES_LATE = "attribution-purchases";
    /** Aggregation name of the late-view router in front of the join. */
    public static final String VIEWS = "attribution-views";
    /** Aggregation name of the revenue windows. */
    public static final String REVENUE = "attributed-revenue";
    /** Every late-event router's name, the names {@code attribution.late-policy.<aggregation>} may use. */
    public static final List<String> AGGREGATIONS = List.of(PURCHASES_LATE, VIEWS, ATTRIBUTION, REVENUE);
    /** The routers in front of and behind the join, which share its grace ({@link #requireJoinPolicies}). */
    public static final List<String> JOIN_AGGREGATIONS = List.of(PURCHASES_LATE, VIEWS, ATTRIBUTION);
    /** The key of the allowed lateness, in messages. */
    static final String ALLOWED_LATENESS = "attribution.allowed-lateness";

    private static final Serde<String> STRING = Serdes.String();
    private static final Serde<PageView> PAGE_VIEW = JsonSerde.of(PageView.class);
    private static final Serde<Purchase> PURCHASE = JsonSerde.of(Purchase.class);
    private static final Serde<Touch> TOUCH = JsonSerde.of(Touch.class);
    private static final Serde<LastTouches> LAST_TOUCHES = JsonSerde.of(LastTouches.class);
    private static final Serde<AttributedPurchase> ATTRIBUTED = JsonSerde.of(AttributedPurchase.class);
    private static final Serde<RevenueChange> REVENUE_CHANGE = JsonSerde.of(RevenueChange.class);

    /**
     * The store HTTP queries read, with the configured window size.
     *
     * @param settings {@code attribution.*} configuration
     */
    @Produces
    @Singleton
    public AttributionStores stores(AttributionSettings settings) {
        return AttributionStores.of(settings);
    }

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
     * @param registry where each aggregation's event-time meters (late events, stream time, watermark lag) are registered
     */
    public static Topology build(AttributionSettings settings, MeterRegistry registry) {
        settings.requireKnownAggregations(AGGREGATIONS);
        requireJoinPolicies(settings);
        StreamsBuilder builder = new StreamsBuilder();
        Duration lookback = settings.lookback();
        // Under update the join and the per-purchase windows take records for the allowed lateness, not the grace.
        LateDataHandling attributionLate = settings.lateData(ATTRIBUTION, settings.grace());
        attributionLate.requireRetention(settings.storeRetention(), Duration.ofMillis(1), ALLOWED_LATENESS);
        Duration joinGrace = attributionLate.windowGrace();

        KStream<String, Purchase> purchases = builder.stream(PURCHASES.name(),
                        Consumed.with(STRING, PURCHASE).withName("purchases-source"))
                .mapValues(new KeyAndValueRequired<>(PURCHASES.name()), Named.as("purchases-key-and-value-required"))
                .selectKey((user, purchase) -> touchKey(purchase.userId(), purchase.productId()),
                        Named.as("purchases-key-by-user-product"))
                .repartition(Repartitioned.with(STRING, PURCHASE).withName("purchases-by-user-product"));
        KStream<String, Purchase> onTimePurchases = LateEvents.divertLate(purchases, PURCHASES_LATE,
                settings.latePolicy(PURCHASES_LATE), context -> WindowClosure.joinSide(0, joinGrace.toMillis()),
                LATE_EVENTS.name(), STRING, registry);

        KStream<String, PageView> views = builder.stream(PAGE_VIEWS.name(),
                        Consumed.with(STRING, PAGE_VIEW).withName("page-views-source"))
                .mapValues(new KeyAndValueRequired<>(PAGE_VIEWS.name()), Named.as("page-views-key-and-value-required"))
                .filter((user, view) -> view.productId() != null, Named.as("product-page-views"))
                .selectKey((user, view) -> touchKey(view.userId(), view.productId()), Named.as("views-key-by-user-product"))
                .repartition(Repartitioned.with(STRING, PAGE_VIEW).withName("product-views-by-user-product"));
        KStream<String, PageView> joinableViews = LateEvents.divertLate(views, VIEWS, settings.latePolicy(VIEWS),
                context -> WindowClosure.joinSide(lookback.toMillis(), joinGrace.toMillis()),
                LATE_EVENTS.name(), STRING, registry);

        // Candidates: every on-time purchase alone, and the purchase with each view the join finds.
        KStream<String, Touch> joined = onTimePurchases.join(joinableViews, Touch::new,
                JoinWindows.ofTimeDifferenceAndGrace(lookback, joinGrace).after(Duration.ZERO),
                StreamJoined.with(STRING, PURCHASE, PAGE_VIEW).withName(JOIN).withStoreName(JOIN));
        KStream<String, Touch> touches = onTimePurchases
                .mapValues(purchase -> new Touch(purchase, null), Named.as("purchase-alone"))
                .merge(joined, Named.as("purchase-candidates"));

        // One final attribution per purchase, once its join window has closed: a window of 1 ms at
        // the purchase's time closes when stream time passes time + grace, as the join's window does.
        // Same key as the join, so it stays in the join's task and shares its stream time.
        TimeWindows perPurchase = TimeWindows.ofSizeAndGrace(Duration.ofMillis(1), joinGrace);
        KStream<Windowed<String>, LastTouches> perPurchaseWindows = attributionLate.divertLate(touches,
                        context -> WindowClosure.timeWindows(perPurchase), LATE_EVENTS.name(), STRING, registry)
                .groupByKey(Grouped.with(ATTRIBUTION + "-grouped", STRING, TOUCH))
                .windowedBy(perPurchase)
                .emitStrategy(attributionLate.emitStrategy())
                .aggregate(LastTouches::none, (key, touch, state) -> state.with(touch), Named.as(ATTRIBUTION + "-latest-view"),
                        attributionLate.store(Materialized.<String, LastTouches, WindowStore<Bytes, byte[]>>as(ATTRIBUTION_STORE)
                                .withKeySerde(STRING).withValueSerde(LAST_TOUCHES)
                                .withRetention(settings.storeRetention())))
                .toStream(Named.as(ATTRIBUTION + "-changes"));
        KStream<String, AttributionChange> attributions = AttributionRevisions.of(attributionLate, builder,
                attributionLate.timeWindowResults(builder, perPurchaseWindows, STRING, LAST_TOUCHES));
        attributions.mapValues(AttributionChange::current, Named.as(ATTRIBUTION + "-current"))
                .to(ATTRIBUTED_PURCHASES.name(), Produced.with(STRING, ATTRIBUTED).withName(ATTRIBUTION + "-sink"));

        // Attributed revenue per landing page per hour, per currency. The attributions of one hour are
        // final up to a grace period after it, and reach the page's task from every join task, which
        // may be up to "settle" apart: the revenue windows wait grace + settle. A corrected attribution
        // moves its amount from the old page to the new one.
        // Under update, corrections reach a page's task up to "settle" behind the join tasks too.
        LateDataHandling revenueLate = new LateDataHandling(REVENUE, settings.latePolicy(REVENUE),
                settings.grace().plus(settings.settle()), settings.allowedLateness().plus(settings.settle()));
        revenueLate.requireRetention(settings.storeRetention(), settings.revenueWindow(), ALLOWED_LATENESS);
        TimeWindows revenueWindows = TimeWindows.ofSizeAndGrace(settings.revenueWindow(), revenueLate.windowGrace());
        KStream<String, RevenueChange> byPage = attributions
                .flatMap((purchase, change) -> change.revenueChanges(), Named.as(ATTRIBUTION + "-revenue-changes"))
                .repartition(Repartitioned.with(STRING, REVENUE_CHANGE).withName("attributed-by-page"));
        KStream<Windowed<String>, Revenue> revenue = revenueLate.divertLate(byPage,
                        context -> WindowClosure.timeWindows(revenueWindows), LATE_EVENTS.name(), STRING, registry)
                .groupByKey(Grouped.with(REVENUE + "-grouped", STRING, REVENUE_CHANGE))
                .windowedBy(revenueWindows)
                .emitStrategy(revenueLate.emitStrategy())
                .aggregate(Revenue::none, (page, change, sum) -> sum.plus(change), Named.as(REVENUE + "-sum"),
                        revenueLate.store(Materialized.<String, Revenue, WindowStore<Bytes, byte[]>>as(REVENUE_STORE)
                                .withKeySerde(STRING).withValueSerde(JsonSerde.of(Revenue.class))
                                .withRetention(settings.storeRetention())))
                .toStream(Named.as(REVENUE + "-changes"));
        revenueLate.timeWindowResults(builder, revenue, STRING, JsonSerde.of(Revenue.class))
                // a window emptied before its first result was due: nothing to retract
                .filter((window, result) -> result.revision() > 0 || result.value().purchases() > 0,
                        Named.as(REVENUE + "-not-empty"))
                .map((window, result) -> KeyValue.pair(new WindowKey(window.key(), window.window().startTime()).toString(),
                                result.value().purchases() == 0 ? null : new PageRevenueRevision(window.key(),
                                        window.window().startTime(), window.window().endTime(), result.value().cents(),
                                        result.value().purchases(), result.revision())),
                        Named.as(REVENUE + "-to-page-revenue"))
                .to(ATTRIBUTED_REVENUE.name(), Produced.with(STRING, JsonSerde.of(PageRevenueRevision.class))
                        .withName(REVENUE + "-sink"));

        return builder.build();
    }

    /**
     * The two routers in front of the join share its grace with the per-purchase windows: under {@code update} all
     * three take records for the allowed lateness, so the three policies are {@code update} together or not at all.
     * {@code attributed-revenue} is independent.
     *
     * @throws IllegalArgumentException naming the three keys when some but not all are {@code update}
     */
    static void requireJoinPolicies(AttributionSettings settings) {
        long updating = JOIN_AGGREGATIONS.stream().filter(a -> settings.latePolicy(a) == LatePolicy.UPDATE).count();
        if (updating != 0 && updating != JOIN_AGGREGATIONS.size()) {
            throw new IllegalArgumentException("attribution.late-policy." + JOIN_AGGREGATIONS
                    + " share the join's grace: set all three to update, or none");
        }
    }

    /** The join key: user and product, {@code u-0001|p-0042}. */
    static String touchKey(String userId, String productId) {
        return userId + "|" + productId;
    }

}
