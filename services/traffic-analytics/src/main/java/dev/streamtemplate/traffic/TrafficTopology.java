package dev.streamtemplate.traffic;

import static dev.streamtemplate.schemas.TopicCatalogue.LATE_EVENTS;
import static dev.streamtemplate.schemas.TopicCatalogue.PAGE_VIEWS;
import static dev.streamtemplate.schemas.TopicCatalogue.PAGE_VIEWS_HOPPING;
import static dev.streamtemplate.schemas.TopicCatalogue.PAGE_VIEWS_TUMBLING;
import static dev.streamtemplate.schemas.TopicCatalogue.PURCHASES;
import static dev.streamtemplate.schemas.TopicCatalogue.PURCHASE_BURSTS;
import static dev.streamtemplate.schemas.TopicCatalogue.USER_SESSIONS;

import dev.streamtemplate.runtime.errors.KeyAndValueRequired;
import dev.streamtemplate.runtime.lateness.LateDataHandling;
import dev.streamtemplate.runtime.lateness.LateEvents;
import dev.streamtemplate.runtime.lateness.WindowClosure;
import dev.streamtemplate.schemas.JsonSerde;
import dev.streamtemplate.schemas.PageView;
import dev.streamtemplate.schemas.Purchase;
import dev.streamtemplate.schemas.WindowKey;
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
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.SessionWindows;
import org.apache.kafka.streams.kstream.SlidingWindows;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.SessionStore;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The whole of traffic-analytics: four windowed aggregations over event time, each with its late-data policy.
 *
 * <pre>
 * page-views (key userId) ─┬─ user-sessions ........ session windows, gap 30 min ─────────▶ user-sessions
 *                          └─ key by page ─▶ repartition "page-views-by-page"
 *                                ├─ page-views-tumbling  tumbling 1 min ──────────────────▶ page-views-per-minute
 *                                └─ page-views-hopping   hopping 5 min, advance 1 min ───▶ page-views-hopping
 * purchases  (key userId) ─── purchase-bursts ...... sliding 10 min, count >= threshold ─▶ purchase-bursts
 * every router: records whose windows have closed ─────────▶ late-events, or counted only (drop)
 * </pre>
 * <p>Event time from the payload; one configured grace for all windows. Each output is a table keyed by window
 * ({@link WindowKey}, {@code <key>@<windowStart>}) whose values carry a {@code revision}. Per aggregation
 * ({@link LateDataHandling}, {@code traffic.late-policy.<aggregation>}): under {@code side-output} (the default) and
 * {@code drop} a window emits its final result once when it closes (KIP-825 {@code onWindowClose}), revision 0, and the
 * router in front of the aggregation sends records for closed windows to {@code late-events} or only counts them;
 * under {@code update} windows take records for {@code traffic.allowed-lateness} and each correction is emitted as the
 * next revision, a session merged away is retracted with a tombstone, and only records beyond the allowed lateness go
 * to {@code late-events}. Records without key or value, like unreadable ones, go to {@code traffic-analytics-dlq}.
 * Every processor, store and topic is named. See the root README.md, Semantics, and docs/metrics.md.
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

    /** The configuration key of the allowed lateness under {@code update}, for error messages. */
    private static final String ALLOWED_LATENESS = "traffic.allowed-lateness";

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
        LateDataHandling sessionsLate = settings.lateData(USER_SESSIONS_AGGREGATION, settings.grace());
        sessionsLate.requireRetention(settings.storeRetention(), settings.sessionGap(), ALLOWED_LATENESS);
        SessionWindows sessionWindows = SessionWindows.ofInactivityGapAndGrace(settings.sessionGap(), sessionsLate.windowGrace());
        KStream<Windowed<String>, Long> sessions = sessionsLate.divertLate(pageViews,
                        context -> WindowClosure.sessionWindows(sessionWindows, context.<SessionStore<String, Long>>getStateStore(SESSIONS_STORE)),
                        LATE_EVENTS.name(), STRING, registry)
                .groupByKey(Grouped.with(USER_SESSIONS_AGGREGATION + "-grouped", STRING, PAGE_VIEW))
                .windowedBy(sessionWindows)
                .emitStrategy(sessionsLate.emitStrategy())
                .aggregate(() -> 0L, (user, view, count) -> count + 1, (user, left, right) -> left + right,
                        Named.as(USER_SESSIONS_AGGREGATION + "-aggregate"),
                        sessionsLate.store(Materialized.<String, Long, SessionStore<Bytes, byte[]>>as(SESSIONS_STORE)
                                .withKeySerde(STRING).withValueSerde(Serdes.Long())
                                .withRetention(settings.storeRetention())))
                .toStream(Named.as(USER_SESSIONS_AGGREGATION + "-changes"));
        sessionsLate.sessionWindowResults(builder, sessions, settings.sessionGap(), settings.storeRetention(), STRING, Serdes.Long())
                .map((session, result) -> KeyValue.pair(windowKey(session), result == null ? null
                                : new UserSessionRevision(session.key(), session.window().startTime(),
                                session.window().endTime(), result.value(), result.revision())),
                        Named.as(USER_SESSIONS_AGGREGATION + "-to-session"))
                .to(USER_SESSIONS.name(), Produced.with(STRING, JsonSerde.of(UserSessionRevision.class))
                        .withName(USER_SESSIONS_AGGREGATION + "-sink"));

        // Page views per page: re-key by page through an explicitly named repartition topic.
        KStream<String, PageView> byPage = pageViews
                .selectKey((user, view) -> view.page(), Named.as("page-views-key-by-page"))
                .repartition(Repartitioned.with(STRING, PAGE_VIEW).withName(BY_PAGE_REPARTITION));

        LateDataHandling tumblingLate = settings.lateData(TUMBLING_AGGREGATION, settings.grace());
        tumblingLate.requireRetention(settings.storeRetention(), settings.tumblingSize(), ALLOWED_LATENESS);
        TimeWindows tumbling = TimeWindows.ofSizeAndGrace(settings.tumblingSize(), tumblingLate.windowGrace());
        countPerPage(builder, byPage, tumblingLate, tumbling, TUMBLING_STORE, PAGE_VIEWS_TUMBLING.name(), settings, registry);

        LateDataHandling hoppingLate = settings.lateData(HOPPING_AGGREGATION, settings.grace());
        hoppingLate.requireRetention(settings.storeRetention(), settings.hoppingSize(), ALLOWED_LATENESS);
        TimeWindows hopping = TimeWindows.ofSizeAndGrace(settings.hoppingSize(), hoppingLate.windowGrace())
                .advanceBy(settings.hoppingAdvance());
        countPerPage(builder, byPage, hoppingLate, hopping, HOPPING_STORE, PAGE_VIEWS_HOPPING.name(), settings, registry);

        // Purchase bursts: purchases of a user within any sliding span.
        LateDataHandling burstsLate = settings.lateData(BURSTS_AGGREGATION, settings.grace());
        burstsLate.requireRetention(settings.storeRetention(), settings.slidingSpan().multipliedBy(2), ALLOWED_LATENESS);
        SlidingWindows sliding = SlidingWindows.ofTimeDifferenceAndGrace(settings.slidingSpan(), burstsLate.windowGrace());
        KStream<String, Purchase> purchases = builder.stream(PURCHASES.name(),
                        Consumed.with(STRING, PURCHASE).withName("purchases-source"))
                .mapValues(new KeyAndValueRequired<>(PURCHASES.name()), Named.as("purchases-key-and-value-required"));
        KStream<Windowed<String>, Long> purchaseCounts = burstsLate.divertLate(purchases,
                        context -> WindowClosure.slidingWindows(sliding), LATE_EVENTS.name(), STRING, registry)
                .groupByKey(Grouped.with(BURSTS_AGGREGATION + "-grouped", STRING, PURCHASE))
                .windowedBy(sliding)
                .emitStrategy(burstsLate.emitStrategy())
                .count(Named.as(BURSTS_AGGREGATION + "-count"),
                        burstsLate.store(Materialized.<String, Long, WindowStore<Bytes, byte[]>>as(SLIDING_STORE)
                                .withKeySerde(STRING).withValueSerde(Serdes.Long())
                                .withRetention(settings.storeRetention())))
                .toStream(Named.as(BURSTS_AGGREGATION + "-changes"));
        burstsLate.slidingWindowResults(builder, purchaseCounts, STRING, Serdes.Long())
                .filter((window, result) -> result != null && settings.isBurst(result.value()),
                        Named.as(BURSTS_AGGREGATION + "-threshold"))
                .map((window, result) -> KeyValue.pair(windowKey(window), new PurchaseBurstRevision(window.key(),
                                window.window().startTime(), window.window().endTime(), result.value(), result.revision())),
                        Named.as(BURSTS_AGGREGATION + "-to-burst"))
                .to(PURCHASE_BURSTS.name(), Produced.with(STRING, JsonSerde.of(PurchaseBurstRevision.class))
                        .withName(BURSTS_AGGREGATION + "-sink"));

        // the session router reads the sessions it would merge with from the aggregation's store
        return LateEvents.connectStore(builder.build(), USER_SESSIONS_AGGREGATION, SESSIONS_STORE);
    }

    private static void countPerPage(StreamsBuilder builder, KStream<String, PageView> byPage, LateDataHandling late,
                                     TimeWindows windows, String store, String outputTopic, TrafficSettings settings,
                                     MeterRegistry registry) {
        String aggregation = late.aggregation();
        KStream<Windowed<String>, Long> counts = late.divertLate(byPage,
                        context -> WindowClosure.timeWindows(windows), LATE_EVENTS.name(), STRING, registry)
                .groupByKey(Grouped.with(aggregation + "-grouped", STRING, PAGE_VIEW))
                .windowedBy(windows)
                .emitStrategy(late.emitStrategy())
                .count(Named.as(aggregation + "-count"),
                        late.store(Materialized.<String, Long, WindowStore<Bytes, byte[]>>as(store)
                                .withKeySerde(STRING).withValueSerde(Serdes.Long())
                                .withRetention(settings.storeRetention())))
                .toStream(Named.as(aggregation + "-changes"));
        late.timeWindowResults(builder, counts, STRING, Serdes.Long())
                .map((window, result) -> KeyValue.pair(windowKey(window), result == null ? null
                                : new PageViewCountRevision(window.key(), window.window().startTime(),
                                window.window().endTime(), result.value(), result.revision())),
                        Named.as(aggregation + "-to-count"))
                .to(outputTopic, Produced.with(STRING, JsonSerde.of(PageViewCountRevision.class)).withName(aggregation + "-sink"));
    }

    /** The output key of a window: {@code <key>@<windowStart>} ({@link WindowKey}). */
    private static String windowKey(Windowed<String> window) {
        return new WindowKey(window.key(), window.window().startTime()).toString();
    }
}
