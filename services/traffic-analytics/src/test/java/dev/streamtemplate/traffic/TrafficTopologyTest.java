package dev.streamtemplate.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtemplate.runtime.lateness.LateEvent;
import dev.streamtemplate.schemas.EventTimeExtractor;
import dev.streamtemplate.schemas.JsonSerde;
import dev.streamtemplate.schemas.PageView;
import dev.streamtemplate.schemas.Purchase;
import dev.streamtemplate.schemas.TopicCatalogue;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.List;
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

/**
 * Each window kind with Kafka's TopologyTestDriver: in-order and out-of-order records inside the
 * grace period are counted, records beyond it go to late-events, and Kafka Streams drops nothing.
 * Defaults: tumbling 1 min, hopping 5 min / 1 min, sliding 10 min (burst at 3), session gap 30 min,
 * grace 1 min.
 */
class TrafficTopologyTest {

    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
    private final AtomicInteger ids = new AtomicInteger();
    private SimpleMeterRegistry registry;
    private TopologyTestDriver driver;
    private TestInputTopic<String, PageView> pageViews;
    private TestInputTopic<String, Purchase> purchases;
    private TestOutputTopic<String, PageViewCount> tumbling;
    private TestOutputTopic<String, PageViewCount> hopping;
    private TestOutputTopic<String, UserSession> sessions;
    private TestOutputTopic<String, PurchaseBurst> bursts;
    private TestOutputTopic<String, LateEvent> late;

    @BeforeEach
    void start() {
        registry = new SimpleMeterRegistry();
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "traffic-analytics-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG, EventTimeExtractor.class);
        // emit final results at every record, not at most once per wall-clock second
        props.put(StreamsConfig.InternalConfig.EMIT_INTERVAL_MS_KSTREAMS_WINDOWED_AGGREGATION, 0L);
        driver = new TopologyTestDriver(TrafficTopology.build(TestWindows.defaults(), registry), props);
        var key = new StringSerializer();
        pageViews = driver.createInputTopic(TopicCatalogue.PAGE_VIEWS.name(), key, JsonSerde.of(PageView.class));
        purchases = driver.createInputTopic(TopicCatalogue.PURCHASES.name(), key, JsonSerde.of(Purchase.class));
        var keyOut = new StringDeserializer();
        tumbling = driver.createOutputTopic(TopicCatalogue.PAGE_VIEWS_TUMBLING.name(), keyOut, JsonSerde.of(PageViewCount.class));
        hopping = driver.createOutputTopic(TopicCatalogue.PAGE_VIEWS_HOPPING.name(), keyOut, JsonSerde.of(PageViewCount.class));
        sessions = driver.createOutputTopic(TopicCatalogue.USER_SESSIONS.name(), keyOut, JsonSerde.of(UserSession.class));
        bursts = driver.createOutputTopic(TopicCatalogue.PURCHASE_BURSTS.name(), keyOut, JsonSerde.of(PurchaseBurst.class));
        late = driver.createOutputTopic(TopicCatalogue.LATE_EVENTS.name(), keyOut, JsonSerde.of(LateEvent.class));
    }

    @AfterEach
    void stop() {
        assertThat(droppedRecords()).as("Kafka Streams' dropped-records-total").isZero();
        driver.close();
    }

    @Test
    void tumblingCountsOutOfOrderViewsWithinGraceAndRoutesLaterOnes() {
        view("u-1", "/a", "10:00:10");
        view("u-2", "/a", "10:00:50");
        view("u-1", "/a", "10:01:05");
        view("u-3", "/a", "10:00:30"); // out of order, stream time 10:01:05 < 10:01 + 1 min grace
        assertThat(tumbling.readValuesToList()).as("nothing final before the window closes").isEmpty();

        view("u-1", "/b", "10:02:00"); // stream time reaches 10:02: window [10:00, 10:01) closes
        view("u-4", "/a", "10:00:40"); // too late for [10:00, 10:01)

        assertThat(tumbling.readValuesToList()).containsExactly(
                new PageViewCount("/a", at("10:00:00"), at("10:01:00"), 3));
        List<LateEvent> lateEvents = late.readValuesToList();
        assertThat(lateEvents).filteredOn(e -> e.aggregation().equals(TrafficTopology.TUMBLING_AGGREGATION))
                .singleElement()
                .satisfies(e -> {
                    assertThat(e.key()).isEqualTo("/a");
                    assertThat(e.eventTime()).isEqualTo(at("10:00:40"));
                    assertThat(e.windowStart()).isEqualTo(at("10:00:00"));
                    assertThat(e.windowEnd()).isEqualTo(at("10:01:00"));
                    assertThat(e.streamTime()).isEqualTo(at("10:02:00"));
                    assertThat(e.latenessMs()).isZero();
                    assertThat(e.topic()).endsWith("page-views-by-page-repartition");
                });
        assertThat(lateCount(TrafficTopology.TUMBLING_AGGREGATION)).isEqualTo(1.0);
    }

    @Test
    void hoppingCountsEachViewInFiveWindowsAndRoutesAViewWhoseEarliestWindowClosed() {
        view("u-1", "/a", "10:00:30");
        view("u-1", "/a", "10:03:30");
        view("u-2", "/a", "10:02:10"); // out of order within grace
        view("u-2", "/z", "10:11:00"); // stream time 10:11: windows ending <= 10:10 close
        // view at 10:04:30 belongs to [10:00,10:05) .. [10:04,10:09); the earliest closed at 10:06
        view("u-3", "/a", "10:04:30");

        List<PageViewCount> counts = hopping.readValuesToList().stream().filter(c -> c.page().equals("/a")).toList();
        assertThat(counts).containsExactly(
                new PageViewCount("/a", at("09:56:00"), at("10:01:00"), 1),
                new PageViewCount("/a", at("09:57:00"), at("10:02:00"), 1),
                new PageViewCount("/a", at("09:58:00"), at("10:03:00"), 2),
                new PageViewCount("/a", at("09:59:00"), at("10:04:00"), 3),
                new PageViewCount("/a", at("10:00:00"), at("10:05:00"), 3),
                new PageViewCount("/a", at("10:01:00"), at("10:06:00"), 2),
                new PageViewCount("/a", at("10:02:00"), at("10:07:00"), 2),
                new PageViewCount("/a", at("10:03:00"), at("10:08:00"), 1));
        assertThat(late.readValuesToList()).filteredOn(e -> e.aggregation().equals(TrafficTopology.HOPPING_AGGREGATION))
                .singleElement()
                .satisfies(e -> {
                    assertThat(e.windowStart()).isEqualTo(at("10:04:00"));
                    assertThat(e.windowEnd()).isEqualTo(at("10:09:00"));
                    assertThat(e.latenessMs()).isEqualTo(java.time.Duration.ofMinutes(5).toMillis());
                });
    }

    @Test
    void slidingReportsSpansReachingTheBurstThreshold() {
        buy("u-1", "10:00:00");
        buy("u-1", "10:09:00");
        buy("u-1", "10:08:30"); // out of order within grace: [09:59, 10:09] holds all three
        buy("u-1", "10:30:00"); // closes every window above
        buy("u-1", "10:29:00"); // out of order within grace: counted, no burst
        buy("u-1", "10:05:00"); // too late: its own window [09:55, 10:05] closed at 10:06

        assertThat(bursts.readValuesToList()).containsExactly(
                new PurchaseBurst("u-1", at("09:59:00"), at("10:09:00"), 3));
        assertThat(late.readValuesToList()).singleElement().satisfies(e -> {
            assertThat(e.aggregation()).isEqualTo(TrafficTopology.BURSTS_AGGREGATION);
            assertThat(e.eventTime()).isEqualTo(at("10:05:00"));
            assertThat(e.windowEnd()).isEqualTo(at("10:05:00"));
        });
    }

    @Test
    void sessionsSplitAtTheInactivityGapAndLateViewsGoToLateEvents() {
        view("u-1", "/a", "10:00:00");
        view("u-1", "/b", "10:10:00");
        view("u-1", "/c", "10:35:00");
        view("u-1", "/d", "10:20:00"); // out of order, merges into the session
        view("u-1", "/a", "11:30:00"); // 55 min gap: a new session; stream time 11:30 closes [10:00, 10:35]
        view("u-1", "/e", "09:00:00"); // no session near it, before 11:30 - 31 min: late

        assertThat(sessions.readValuesToList()).containsExactly(
                new UserSession("u-1", at("10:00:00"), at("10:35:00"), 4));
        assertThat(late.readValuesToList()).filteredOn(e -> e.aggregation().equals(TrafficTopology.USER_SESSIONS_AGGREGATION))
                .singleElement()
                .satisfies(e -> {
                    assertThat(e.key()).isEqualTo("u-1");
                    assertThat(e.windowStart()).isEqualTo(at("09:00:00"));
                    assertThat(e.windowEnd()).isEqualTo(at("09:00:00"));
                    assertThat(e.latenessMs()).isEqualTo(java.time.Duration.ofMinutes(119).toMillis());
                });
    }

    @Test
    void aLateViewThatWouldExtendAnOpenSessionIsCounted() {
        view("u-1", "/a", "10:00:00");
        view("u-2", "/a", "10:45:00"); // another user moves stream time on
        view("u-1", "/b", "10:20:00"); // 25 min after u-1's view: extends the open session
        view("u-2", "/a", "12:00:00");
        assertThat(sessions.readValuesToList()).contains(new UserSession("u-1", at("10:00:00"), at("10:20:00"), 2));
        assertThat(late.readValuesToList()).filteredOn(e -> e.aggregation().equals(TrafficTopology.USER_SESSIONS_AGGREGATION)).isEmpty();
    }

    private void view(String user, String page, String time) {
        String id = "v-" + ids.incrementAndGet();
        pageViews.pipeInput(user, new PageView(id, user, page, null, null, at(time)));
    }

    private void buy(String user, String time) {
        String id = "b-" + ids.incrementAndGet();
        purchases.pipeInput(user, new Purchase(id, "o-" + id, user, "p-1", 1, 100, "EUR", at(time)));
    }

    private static Instant at(String time) {
        return Instant.parse("2026-11-21T" + time + "Z");
    }

    private double droppedRecords() {
        return driver.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals("dropped-records-total"))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue())
                .sum();
    }

    private double lateCount(String aggregation) {
        return registry.get("late.events").tag("aggregation", aggregation).counter().count();
    }
}
