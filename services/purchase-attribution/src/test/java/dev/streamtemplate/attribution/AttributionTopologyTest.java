package dev.streamtemplate.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtemplate.runtime.lateness.LateEvent;
import dev.streamtemplate.runtime.lateness.LatePolicy;
import dev.streamtemplate.schemas.JsonSerde;
import dev.streamtemplate.schemas.PageView;
import dev.streamtemplate.schemas.Purchase;
import dev.streamtemplate.schemas.TopicCatalogue;
import dev.streamtemplate.testing.ServiceStreamsConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The join's edge cases with TopologyTestDriver. Settings: lookback 60 min, grace 1 min, settle
 * 1 min, revenue windows of 1 hour, which wait grace + settle = 2 min. A purchase's attribution is
 * final once stream time has passed its time + 1 min; {@link #advanceTo} moves stream time with a view
 * and a purchase of a clock user. TopologyTestDriver runs every sub-topology in one task, so all share
 * one stream time, which runs ahead of what a downstream task sees in a deployment (the results of
 * upstream windows arrive later than the records that closed them): tests advance time in steps no
 * longer than the downstream grace periods.
 */
class AttributionTopologyTest {

    private static final AttributionSettings SETTINGS = settings(Map.of());

    private static AttributionSettings settings(Map<String, LatePolicy> policies) {
        return new AttributionSettings() {
            public Duration lookback() { return Duration.ofMinutes(60); }
            public Duration grace() { return Duration.ofMinutes(1); }
            public Duration settle() { return Duration.ofMinutes(1); }
            public Duration revenueWindow() { return Duration.ofHours(1); }
            public Duration storeRetention() { return Duration.ofHours(24); }
            public Map<String, LatePolicy> latePolicies() { return policies; }
            public Duration allowedLateness() { return Duration.ofHours(6); }
        };
    }

    @TempDir
    Path stateDir;

    private static final String CLOCK = "u-clock";
    private final AtomicInteger ids = new AtomicInteger();
    private TopologyTestDriver driver;
    private TestInputTopic<String, PageView> views;
    private TestInputTopic<String, Purchase> purchases;
    private TestOutputTopic<String, AttributedPurchase> attributed;
    private TestOutputTopic<String, PageRevenueRevision> revenue;
    private TestOutputTopic<String, LateEvent> late;

    @BeforeEach
    void start() {
        start(SETTINGS, stateDir);
    }

    /** Under {@code update} for all four routers (allowed lateness 6 h), in place of {@link #start()}'s driver. */
    private void startUnderUpdate() {
        driver.close();
        start(settings(Map.of(AttributionTopology.PURCHASES_LATE, LatePolicy.UPDATE, AttributionTopology.VIEWS,
                LatePolicy.UPDATE, AttributionTopology.ATTRIBUTION, LatePolicy.UPDATE, AttributionTopology.REVENUE,
                LatePolicy.UPDATE)), stateDir.resolve("update"));
    }

    private void start(AttributionSettings settings, Path dir) {
        // production configuration (exception handlers, dead-letter topic, timestamp extractor), and:
        Properties props = ServiceStreamsConfig.forTopologyTest(dir);
        // emit final results at every record, not at most once per wall-clock second
        props.put(StreamsConfig.InternalConfig.EMIT_INTERVAL_MS_KSTREAMS_WINDOWED_AGGREGATION, 0L);
        driver = new TopologyTestDriver(AttributionTopology.build(settings, new SimpleMeterRegistry()), props);
        views = driver.createInputTopic(TopicCatalogue.PAGE_VIEWS.name(), new StringSerializer(), JsonSerde.of(PageView.class));
        purchases = driver.createInputTopic(TopicCatalogue.PURCHASES.name(), new StringSerializer(), JsonSerde.of(Purchase.class));
        attributed = driver.createOutputTopic(TopicCatalogue.ATTRIBUTED_PURCHASES.name(), new StringDeserializer(),
                JsonSerde.of(AttributedPurchase.class));
        revenue = driver.createOutputTopic(TopicCatalogue.ATTRIBUTED_REVENUE.name(), new StringDeserializer(),
                JsonSerde.of(PageRevenueRevision.class));
        late = driver.createOutputTopic(TopicCatalogue.LATE_EVENTS.name(), new StringDeserializer(), JsonSerde.of(LateEvent.class));
    }

    @AfterEach
    void stop() {
        try {
            double dropped = driver.metrics().entrySet().stream()
                    .filter(e -> e.getKey().name().equals("dropped-records-total"))
                    .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
            assertThat(dropped).as("Kafka Streams' dropped-records-total").isZero();
        } finally {
            driver.close();
        }
    }

    @Test
    void theJoinsThreeRoutersAreUpdateTogetherOrNotAtAll() {
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> AttributionTopology.build(settings(Map.of(AttributionTopology.ATTRIBUTION, LatePolicy.UPDATE)),
                        new SimpleMeterRegistry()))
                .withMessageContaining("set all three to update, or none");
    }

    @Test
    void underUpdateALateViewThatWinsCorrectsTheAttributionAndMovesItsRevenue() {
        startUnderUpdate();
        PageView first = view("u-1", "p-1", "/products/p-1", at("09:30:00"));
        Purchase purchase = buy("u-1", "p-1", at("10:00:00"), 1999, "EUR");
        // steps shorter than the revenue windows' 2 min; the 10:00 hour's first result is due after 11:02
        for (String time : List.of("10:01:01", "10:02:30", "11:01:30", "11:02:40", "11:03:45")) {
            advanceTo(time);
        }
        PageView losing = view("u-1", "p-1", "/products/p-1", at("09:20:00")); // 1 h 44 min late, earlier than the winner
        PageView winning = view("u-1", "p-1", "/landing/spring-sale", at("09:45:00")); // late, later than the winner
        advanceTo("11:04:50");

        assertThat(late.readValuesToList()).as("nothing is beyond the allowed lateness").isEmpty();
        assertThat(attributed.readKeyValuesToList()).filteredOn(r -> !r.value.purchase().userId().equals(CLOCK))
                .as("revision 0 to the first view, one correction to the winning view, none for the losing view %s",
                        losing.eventId())
                .extracting(r -> r.key, r -> r.value.viewEventId(), r -> r.value.revision())
                .containsExactly(org.assertj.core.groups.Tuple.tuple(purchase.eventId(), first.eventId(), 0),
                        org.assertj.core.groups.Tuple.tuple(purchase.eventId(), winning.eventId(), 1));
        assertThat(revenue.readKeyValuesToList()).filteredOn(r -> !r.key.startsWith("/products/p-clock"))
                .as("the hour's revenue moves from the first view's page (a tombstone) to the winning view's")
                .containsExactly(
                        new org.apache.kafka.streams.KeyValue<>("/products/p-1@2026-11-21T10:00:00Z",
                                new PageRevenueRevision("/products/p-1", at("10:00:00"), at("11:00:00"), Map.of("EUR", 1999L), 1, 0)),
                        new org.apache.kafka.streams.KeyValue<>("/products/p-1@2026-11-21T10:00:00Z", null),
                        new org.apache.kafka.streams.KeyValue<>("/landing/spring-sale@2026-11-21T10:00:00Z",
                                new PageRevenueRevision("/landing/spring-sale", at("10:00:00"), at("11:00:00"), Map.of("EUR", 1999L), 1, 0)));
    }

    @Test
    void underUpdateACorrectionBeforeTheHourIsDueLeavesNoRecordOnTheOldPage() {
        startUnderUpdate();
        view("u-1", "p-1", "/products/p-1", at("09:30:00"));
        buy("u-1", "p-1", at("10:00:00"), 1999, "EUR");
        advanceTo("10:01:01"); // the attribution's revision 0: the 10:00 hour of /products/p-1 gets the amount
        PageView winning = view("u-1", "p-1", "/landing/spring-sale", at("09:45:00")); // late for the attribution only
        for (String time : List.of("10:02:30", "11:01:30", "11:02:40", "11:03:45")) {
            advanceTo(time);
        }

        assertThat(attributions()).extracting(AttributedPurchase::revision, AttributedPurchase::page)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0, "/products/p-1"),
                        org.assertj.core.groups.Tuple.tuple(1, winning.page()));
        assertThat(revenue.readKeyValuesToList()).filteredOn(r -> !r.key.startsWith("/products/p-clock"))
                .as("the old page's hour came to no purchases before its first result: not written")
                .containsExactly(new org.apache.kafka.streams.KeyValue<>("/landing/spring-sale@2026-11-21T10:00:00Z",
                        new PageRevenueRevision("/landing/spring-sale", at("10:00:00"), at("11:00:00"), Map.of("EUR", 1999L), 1, 0)));
    }

    @Test
    void underUpdateALatePurchaseIsAttributedFromTheViewsTheJoinHolds() {
        startUnderUpdate();
        PageView view = view("u-1", "p-1", "/products/p-1", at("09:30:00"));
        for (String time : List.of("10:00:00", "10:30:00", "11:00:00", "11:30:00", "12:00:00")) {
            advanceTo(time);
        }
        Purchase purchase = buy("u-1", "p-1", at("10:00:00"), 700, "USD"); // 2 h late, within the allowed 6 h
        advanceTo("12:01:00");

        assertThat(late.readValuesToList()).isEmpty();
        assertThat(attributions()).singleElement().satisfies(a -> {
            assertThat(a.purchase()).isEqualTo(purchase);
            assertThat(a.viewEventId()).isEqualTo(view.eventId());
            assertThat(a.revision()).isZero();
        });
        assertThat(revenue.readValuesToList()).filteredOn(r -> !r.page().equals("/products/p-clock"))
                .as("the hour closed long ago: its first result at once")
                .containsExactly(new PageRevenueRevision("/products/p-1", at("10:00:00"), at("11:00:00"), Map.of("USD", 700L), 1, 0));
    }

    @Test
    void underUpdateAPurchaseOrViewBeyondTheAllowedLatenessGoesToLateEvents() {
        startUnderUpdate();
        for (int hour = 10; hour <= 17; hour++) {
            advanceTo(hour + ":00:00");
        }
        buy("u-1", "p-1", at("10:59:59")); // 6 h 0 min 1 s late
        view("u-2", "p-2", "/products/p-2", at("09:59:59")); // joins purchases until 10:59:59 + 6 h
        advanceTo("17:00:30");

        assertThat(late.readValuesToList()).extracting(LateEvent::aggregation, LateEvent::latenessMs)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(AttributionTopology.PURCHASES_LATE, 1000L),
                        org.assertj.core.groups.Tuple.tuple(AttributionTopology.VIEWS, 1000L));
        assertThat(attributions()).isEmpty();
    }

    @Test
    void aViewExactlySixtyMinutesBeforeCountsAndOneMillisecondEarlierDoesNot() {
        PageView inside = view("u-1", "p-1", at("10:00:00"));
        buy("u-1", "p-1", at("11:00:00"));
        view("u-2", "p-2", at("09:59:59.999"));
        buy("u-2", "p-2", at("11:00:00"));
        advanceTo("11:01:01"); // both windows closed at 11:01

        assertThat(attributions()).extracting(a -> a.purchase().userId(), AttributedPurchase::viewEventId,
                        AttributedPurchase::minutesBefore)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("u-1", inside.eventId(), 60L),
                        org.assertj.core.groups.Tuple.tuple("u-2", null, null));
    }

    @Test
    void theLatestOfSeveralViewsWinsWhateverTheArrivalOrder() {
        view("u-1", "p-1", at("10:10:00"));
        PageView last = view("u-1", "p-1", at("10:40:00"));
        view("u-1", "p-1", at("10:20:00")); // out of order, earlier than the last
        buy("u-1", "p-1", at("10:50:00"));
        advanceTo("10:51:01");

        assertThat(attributions()).singleElement().satisfies(a -> {
            assertThat(a.attributed()).isTrue();
            assertThat(a.viewEventId()).isEqualTo(last.eventId());
            assertThat(a.page()).isEqualTo("/products/p-1");
            assertThat(a.minutesBefore()).isEqualTo(10L);
        });
    }

    @Test
    void aPurchaseBeforeAnyViewIsUnattributedAndNotReportedEarly() {
        buy("u-1", "p-1", at("10:00:00"));
        view("u-1", "p-1", at("10:00:30")); // after the purchase: does not qualify
        advanceTo("10:01:00");
        assertThat(attributions()).as("nothing before the grace period has passed").isEmpty();

        advanceTo("10:01:01");
        assertThat(attributions()).singleElement().satisfies(a -> {
            assertThat(a.attributed()).isFalse();
            assertThat(a.page()).isNull();
        });
    }

    @Test
    void anOutOfOrderViewWithinGraceStillAttributes() {
        buy("u-1", "p-1", at("10:00:00"));
        advanceTo("10:00:50");
        PageView view = view("u-1", "p-1", at("09:45:00")); // arrives after the purchase, within grace
        advanceTo("10:01:01");
        assertThat(attributions()).singleElement()
                .satisfies(a -> assertThat(a.viewEventId()).isEqualTo(view.eventId()));
        assertThat(late.readValuesToList()).isEmpty();
    }

    @Test
    void aViewArrivingAfterThePurchasesWindowClosedIsLateForIt() {
        Purchase purchase = buy("u-1", "p-1", at("10:00:00"));
        advanceTo("10:01:30"); // the purchase's window closed at 10:01: final, unattributed
        PageView view = view("u-1", "p-1", at("09:50:00")); // could still join purchases until 10:51
        advanceTo("10:03:00");

        assertThat(attributions()).singleElement().satisfies(a -> {
            assertThat(a.purchase()).isEqualTo(purchase);
            assertThat(a.attributed()).isFalse();
        });
        assertThat(late.readValuesToList()).singleElement().satisfies(e -> {
            assertThat(e.aggregation()).isEqualTo(AttributionTopology.ATTRIBUTION);
            assertThat(e.key()).isEqualTo("u-1|p-1");
            assertThat(e.eventTime()).isEqualTo(at("10:00:00"));
            assertThat(e.streamTime()).isEqualTo(at("10:01:30"));
            assertThat(((Map<?, ?>) ((Map<?, ?>) e.value()).get("view")).get("eventId")).isEqualTo(view.eventId());
        });
    }

    @Test
    void twoPurchasesOfOneProductInTheSameMillisecondAreAttributedSeparately() {
        PageView view = view("u-1", "p-1", at("09:30:00"));
        Purchase first = buy("u-1", "p-1", at("10:00:00"));
        Purchase second = buy("u-1", "p-1", at("10:00:00"));
        advanceTo("10:01:01");

        assertThat(attributions()).extracting(AttributedPurchase::purchase, AttributedPurchase::viewEventId)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(first, view.eventId()),
                        org.assertj.core.groups.Tuple.tuple(second, view.eventId()));
    }

    @Test
    void lateViewsAndPurchasesGoToLateEvents() {
        advanceTo("12:00:00");
        PageView old = view("u-1", "p-1", at("10:30:00")); // 10:30 + 60 + 1 min < 12:00: can join nothing open
        buy("u-2", "p-2", at("11:00:00")); // its window closed at 11:01
        advanceTo("12:05:00");

        List<LateEvent> lateEvents = late.readValuesToList();
        assertThat(lateEvents).filteredOn(e -> e.aggregation().equals(AttributionTopology.VIEWS))
                .singleElement().satisfies(e -> {
                    assertThat(((Map<?, ?>) e.value()).get("eventId")).isEqualTo(old.eventId());
                    assertThat(e.latenessMs()).isEqualTo(Duration.ofMinutes(29).toMillis());
                });
        assertThat(lateEvents).filteredOn(e -> e.aggregation().equals(AttributionTopology.PURCHASES_LATE))
                .singleElement().satisfies(e -> {
                    assertThat(e.key()).isEqualTo("u-2|p-2");
                    assertThat(e.latenessMs()).isEqualTo(Duration.ofMinutes(59).toMillis());
                });
        assertThat(lateEvents).filteredOn(e -> e.aggregation().equals(AttributionTopology.ATTRIBUTION)).isEmpty();
        assertThat(lateEvents).filteredOn(e -> e.aggregation().equals(AttributionTopology.REVENUE)).isEmpty();
        assertThat(attributions()).noneMatch(a -> a.purchase().userId().equals("u-2"));
    }

    @Test
    void revenuePerLandingPagePerHourIsSummedPerCurrencyOnWindowClose() {
        view("u-1", "p-1", at("10:00:00"));
        buy("u-1", "p-1", at("10:10:00"), 1999, "EUR");
        buy("u-1", "p-1", at("10:20:00"), 500, "EUR");
        view("u-2", "p-1", at("10:30:00"));
        buy("u-2", "p-1", at("10:40:00"), 700, "USD");
        buy("u-3", "p-3", at("10:45:00"), 999, "EUR"); // no view: not in the revenue
        // Steps shorter than the revenue windows' 2 min: attributions up to 10:45 are final at
        // 10:46:01; the 10:00 hour closes at 11:02 when the clock's attribution of 11:02:40 arrives.
        for (String time : List.of("10:46:01", "10:47:30", "11:01:30", "11:02:40", "11:03:45")) {
            advanceTo(time);
        }

        assertThat(late.readValuesToList()).isEmpty();
        assertThat(revenue.readKeyValuesToList()).filteredOn(r -> !r.value.page().equals("/products/p-clock"))
                .containsExactly(new org.apache.kafka.streams.KeyValue<>("/products/p-1@2026-11-21T10:00:00Z",
                        new PageRevenueRevision("/products/p-1", at("10:00:00"), at("11:00:00"),
                                Map.of("EUR", 2499L, "USD", 700L), 3, 0)));
    }

    private PageView view(String user, String product, Instant time) {
        return view(user, product, "/products/" + product, time);
    }

    private PageView view(String user, String product, String page, Instant time) {
        PageView view = new PageView("v-" + ids.incrementAndGet(), user, page, product, "search", time);
        views.pipeInput(user, view);
        return view;
    }

    private Purchase buy(String user, String product, Instant time) {
        return buy(user, product, time, 1000, "EUR");
    }

    private Purchase buy(String user, String product, Instant time, long cents, String currency) {
        String id = "b-" + ids.incrementAndGet();
        Purchase purchase = new Purchase(id, "o-" + id, user, product, 1, cents, currency, time);
        purchases.pipeInput(user, purchase);
        return purchase;
    }

    /** Moves stream time with a view and a purchase of the clock user, which join at once. */
    private void advanceTo(String time) {
        view(CLOCK, "p-clock", at(time));
        buy(CLOCK, "p-clock", at(time));
    }

    /** The attributions of the test's own users, not of the clock user. */
    private List<AttributedPurchase> attributions() {
        return attributed.readValuesToList().stream().filter(a -> !a.purchase().userId().equals(CLOCK)).toList();
    }

    private static Instant at(String time) {
        return Instant.parse("2026-11-21T" + (time.indexOf(':') == 1 ? "0" + time : time) + "Z");
    }
}
