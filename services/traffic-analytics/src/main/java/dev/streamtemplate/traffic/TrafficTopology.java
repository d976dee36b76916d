package dev.streamtemplate.traffic;

import static dev.streamtemplate.schemas.TopicCatalogue.LATE_EVENTS;
import static dev.streamtemplate.schemas.TopicCatalogue.PAGE_VIEWS;
import static dev.streamtemplate.schemas.TopicCatalogue.PAGE_VIEWS_HOPPING;
import static dev.streamtemplate.schemas.TopicCatalogue.PAGE_VIEWS_TUMBLING;
import static dev.streamtemplate.schemas.TopicCatalogue.PURCHASES;
import static dev.streamtemplate.schemas.TopicCatalogue.PURCHASE_BURSTS;
import static dev.streamtemplate.schemas.TopicCatalogue.USER_SESSIONS;

import dev.streamtemplate.runtime.errors.KeyAndValueRequired;
import dev.streamtemplate.runtime.lateness.LateEvents;
import dev.streamtemplate.runtime.lateness.LatePolicySettings;
import dev.streamtemplate.runtime.lateness.WindowClosure;
import dev.streamtemplate.schemas.JsonSerde;
import dev.streamtemplate.schemas.PageView;
import dev.streamtemplate.schemas.Purchase;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.SessionWindows;
import org.apache.kafka.streams.kstream.SlidingWindows;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.SessionStore;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The whole of traffic-analytics: four windowed aggregations over event time, final results on window close (KIP-825).
 *
 * <pre>
 * page-views (key userId) ─┬─ user-sessions ........ session windows, gap 30 min ─────────▶ user-sessions
 *                          └─ key by page ─▶ repartition "page-views-by-page"
 *                                ├─ page-views-tumbling  tumbling 1 min ──────────────────▶ page-views-per-minute
 *                                └─ page-views-hopping   hopping 5 min, advance 1 min ───▶ page-views-hopping
 * purchases  (key userId) ─── purchase-bursts ...... sliding 10 min, count >= threshold ─▶ purchase-bursts
 * every router: records whose windows have closed ─────────▶ late-events (side-output) or counted only (drop)
 * </pre>
 * <p>Event time from the payload; one configured grace for all windows; {@link EmitStrategy#onWindowClose()}. A
 * late-event router before each aggregation counts records whose windows have closed ({@link WindowClosure}) in
 * {@code late.events} and, under its aggregation's policy {@code side-output} (the default), sends them to
 * {@code late-events}; under {@code drop} it only counts them ({@link LatePolicySettings}). Records without key or
 * value, like unreadable ones, go to {@code traffic-analytics-dlq}. Every processor, store and topic is named. See the
 * root README.md, Semantics, and docs/metrics.md.
 */
@ApplicationScoped
public class TrafficTopology {

    /** Session windows per user: store of {@link #USER_SESSIONS_AGGREGATION}. */
    public static final String SESSIONS_STORE = "user-sessions-store";
    /** Tumbling page-view counts per page. */
    public static final String TUMBLING_STORE = "page-views-tumbling-store";
    /** Hopping page-view counts per page. */
    public static final String HOPPING_STORE = "page-views-hopping-store";
    /** Sliding purchase counts per user. */
    public static final String SLIDING_STORE = "purchase-bursts-store";

    /** Aggregation name of the sessions: prefixes processor names, tags late events and {@code late.events}. */
    public static final String USER_SESSIONS_AGGREGATION = "user-sessions";
    /** Aggregation name of the tumbling page-view counts. */
    public static final String TUMBLING_AGGREGATION = "page-views-tumbling";
    /** Aggregation name of the hopping page-view counts. */
    public static final String HOPPING_AGGREGATION = "page-views-hopping";
    /** Aggregation name of the sliding purchase counts. */
    public static final String BURSTS_AGGREGATION = "purchase-bursts";

    /** Every aggregation of the topology, the names {@code traffic.late-policy.<aggregation>} may use. */
    public static final List<String> AGGREGATIONS = List.of(USER_SESSIONS_AGGREGATION, TUMBLING_AGGREGATION,
            HOPPING_AGGREGATION, BURSTS_AGGREGATION);

    /** Name of the repartition step; the topic is {@code <application.id>-page-views-by-page-repartition}. */
    public static final String BY_PAGE_REPARTITION = "page-views-by-page";

    private static final Serde<String> STRING = Serdes.String();
    private static final Serde<PageView> PAGE_VIEW = JsonSerde.of(PageView.class);
    private static final Serde<Purchase> PURCHASE = JsonSerde.of(Purchase.class);

    /**
     * The topology Quarkus runs, built from the configured windows.
     *
     * @param settings {@code traffic.*} configuration
     * @param registry Quarkus' meter registry, exported at {@code /q/metrics}
     */
    @Produces
    public Topology topology(TrafficSettings settings, MeterRegistry registry) {
        return build(settings, registry);
    }

    /**
     * The stores HTTP queries read, with the configured window sizes.
     *
     * @param settings {@code traffic.*} configuration
     */
    @Produces
    @Singleton
    public TrafficStores stores(TrafficSettings settings) {
        return TrafficStores.of(settings);
    }

    /**
     * Builds the topology.
     *
     * @param settings window sizes, gap and grace
     * @param registry where each aggregation's event-time meters (late events, stream time, watermark lag) are registered
     */
    public static Topology build(TrafficSettings settings, MeterRegistry registry) {
        settings.requireKnownAggregations(AGGREGATIONS);
        StreamsBuilder builder = new StreamsBuilder();

        // A record without key or value goes to the dead-letter topic, like an unreadable one.
        KStream<String, PageView> pageViews = builder.stream(PAGE_VIEWS.name(),
                        Consumed.with(STRING, PAGE_VIEW).withName("page-views-source"))
                .mapValues(new KeyAndValueRequired<>(PAGE_VIEWS.name()), Named.as("page-views-key-and-value-required"));

        // Sessions per user: page views are keyed by user already, so no repartition.
        SessionWindows sessionWindows = SessionWindows.ofInactivityGapAndGrace(settings.sessionGap(), settings.grace());
        LateEvents.divertLate(pageViews, USER_SESSIONS_AGGREGATION, settings.latePolicy(USER_SESSIONS_AGGREGATION),
                        context -> WindowClosure.sessionWindows(sessionWindows, context.<SessionStore<String, Long>>getStateStore(SESSIONS_STORE)),
                        LATE_EVENTS.name(), STRING, registry)
                .groupByKey(Grouped.with(USER_SESSIONS_AGGREGATION + "-grouped", STRING, PAGE_VIEW))
                .windowedBy(sessionWindows)
                .emitStrategy(EmitStrategy.onWindowClose())
                .aggregate(() -> 0L, (user, view, count) -> count + 1, (user, left, right) -> left + right,
                        Named.as(USER_SESSIONS_AGGREGATION + "-aggregate"),
                        Materialized.<String, Long, SessionStore<Bytes, byte[]>>as(SESSIONS_STORE)
                                .withKeySerde(STRING).withValueSerde(Serdes.Long())
                                .withRetention(settings.storeRetention()))
                .toStream(Named.as(USER_SESSIONS_AGGREGATION + "-final"))
                .map((session, count) -> KeyValue.pair(session.key(), new UserSession(session.key(),
                                session.window().startTime(), session.window().endTime(), count)),
                        Named.as(USER_SESSIONS_AGGREGATION + "-to-session"))
                .to(USER_SESSIONS.name(), Produced.with(STRING, JsonSerde.of(UserSession.class))
                        .withName(USER_SESSIONS_AGGREGATION + "-sink"));

        // Page views per page: re-key by page through an explicitly named repartition topic.
        KStream<String, PageView> byPage = pageViews
                .selectKey((user, view) -> view.page(), Named.as("page-views-key-by-page"))
                .repartition(Repartitioned.with(STRING, PAGE_VIEW).withName(BY_PAGE_REPARTITION));

        TimeWindows tumbling = TimeWindows.ofSizeAndGrace(settings.tumblingSize(), settings.grace());
        countPerPage(byPage, TUMBLING_AGGREGATION, tumbling, TUMBLING_STORE, PAGE_VIEWS_TUMBLING.name(), settings, registry);

        TimeWindows hopping = TimeWindows.ofSizeAndGrace(settings.hoppingSize(), settings.grace())
                .advanceBy(settings.hoppingAdvance());
        countPerPage(byPage, HOPPING_AGGREGATION, hopping, HOPPING_STORE, PAGE_VIEWS_HOPPING.name(), settings, registry);

        // Purchase bursts: purchases of a user within any sliding span.
        SlidingWindows sliding = SlidingWindows.ofTimeDifferenceAndGrace(settings.slidingSpan(), settings.grace());
        KStream<String, Purchase> purchases = builder.stream(PURCHASES.name(),
                        Consumed.with(STRING, PURCHASE).withName("purchases-source"))
                .mapValues(new KeyAndValueRequired<>(PURCHASES.name()), Named.as("purchases-key-and-value-required"));
        LateEvents.divertLate(purchases, BURSTS_AGGREGATION, settings.latePolicy(BURSTS_AGGREGATION),
                        context -> WindowClosure.slidingWindows(sliding), LATE_EVENTS.name(), STRING, registry)
                .groupByKey(Grouped.with(BURSTS_AGGREGATION + "-grouped", STRING, PURCHASE))
                .windowedBy(sliding)
                .emitStrategy(EmitStrategy.onWindowClose())
                .count(Named.as(BURSTS_AGGREGATION + "-count"),
                        Materialized.<String, Long, WindowStore<Bytes, byte[]>>as(SLIDING_STORE)
                                .withKeySerde(STRING).withValueSerde(Serdes.Long())
                                .withRetention(settings.storeRetention()))
                .toStream(Named.as(BURSTS_AGGREGATION + "-final"))
                .filter((window, count) -> settings.isBurst(count), Named.as(BURSTS_AGGREGATION + "-threshold"))
                .map((window, count) -> KeyValue.pair(window.key(), new PurchaseBurst(window.key(),
                                window.window().startTime(), window.window().endTime(), count)),
                        Named.as(BURSTS_AGGREGATION + "-to-burst"))
                .to(PURCHASE_BURSTS.name(), Produced.with(STRING, JsonSerde.of(PurchaseBurst.class))
                        .withName(BURSTS_AGGREGATION + "-sink"));

        // the session router reads the sessions it would merge with from the aggregation's store
        return LateEvents.connectStore(builder.build(), USER_SESSIONS_AGGREGATION, SESSIONS_STORE);
    }

    private static void countPerPage(KStream<String, PageView> byPage, String aggregation, TimeWindows windows,
                                     String store, String outputTopic, TrafficSettings settings, MeterRegistry registry) {
        LateEvents.divertLate(byPage, aggregation, settings.latePolicy(aggregation),
                        context -> WindowClosure.timeWindows(windows), LATE_EVENTS.name(), STRING, registry)
                .groupByKey(Grouped.with(aggregation + "-grouped", STRING, PAGE_VIEW))
                .windowedBy(windows)
                .emitStrategy(EmitStrategy.onWindowClose())
                .count(Named.as(aggregation + "-count"),
                        Materialized.<String, Long, WindowStore<Bytes, byte[]>>as(store)
                                .withKeySerde(STRING).withValueSerde(Serdes.Long())
                                .withRetention(settings.storeRetention()))
                .toStream(Named.as(aggregation + "-final"))
                .map((window, count) -> KeyValue.pair(window.key(), new PageViewCount(window.key(),
                                window.window().startTime(), window.window().endTime(), count)),
                        Named.as(aggregation + "-to-count"))
                .to(outputTopic, Produced.with(STRING, JsonSerde.of(PageViewCount.class)).withName(aggregation + "-sink"));
    }

}
