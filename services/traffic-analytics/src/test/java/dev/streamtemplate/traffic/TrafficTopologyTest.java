package dev.streamtemplate.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtemplate.runtime.lateness.LateEvent;
import dev.streamtemplate.runtime.lateness.LatePolicy;
import dev.streamtemplate.schemas.JsonSerde;
import dev.streamtemplate.schemas.PageView;
import dev.streamtemplate.schemas.Purchase;
import dev.streamtemplate.schemas.TopicCatalogue;
import dev.streamtemplate.testing.ServiceStreamsConfig;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
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
    private double expectedDropped = 0;
    private SimpleMeterRegistry registry;
    private final SimpleMeterRegistry deadLetters = new SimpleMeterRegistry();
    private TopologyTestDriver driver;
    private TestInputTopic<String, PageView> pageViews;
    private TestInputTopic<String, Purchase> purchases;
    private TestOutputTopic<String, PageViewCountRevision> tumbling;
    private TestOutputTopic<String, PageViewCountRevision> hopping;
    private TestOutputTopic<String, UserSessionRevision> sessions;
    private TestOutputTopic<String, PurchaseBurstRevision> bursts;
    private TestOutputTopic<String, LateEvent> late;

    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path stateDir;

    @BeforeEach
    void start() {
        // the exception handlers count dead letters in Micrometer's global registry
        Metrics.addRegistry(deadLetters);
        open(TestSettings.defaults());
    }

    /** Builds the topology from {@code settings} and opens a driver on it, closing the one open before. */
    private void open(TestSettings settings) {
        if (driver != null) {
            driver.close();
        }
        registry = new SimpleMeterRegistry();
        // production configuration (exception handlers, dead-letter topic, timestamp extractor), and:
        Properties props = ServiceStreamsConfig.forTopologyTest(stateDir);
        // emit final results at every record, not at most once per wall-clock second
        props.put(StreamsConfig.InternalConfig.EMIT_INTERVAL_MS_KSTREAMS_WINDOWED_AGGREGATION, 0L);
        driver = new TopologyTestDriver(TrafficTopology.build(settings, registry), props);
        var key = new StringSerializer();
        pageViews = driver.createInputTopic(TopicCatalogue.PAGE_VIEWS.name(), key, JsonSerde.of(PageView.class));
        purchases = driver.createInputTopic(TopicCatalogue.PURCHASES.name(), key, JsonSerde.of(Purchase.class));
        var keyOut = new StringDeserializer();
        tumbling = driver.createOutputTopic(TopicCatalogue.PAGE_VIEWS_TUMBLING.name(), keyOut, JsonSerde.of(PageViewCountRevision.class));
        hopping = driver.createOutputTopic(TopicCatalogue.PAGE_VIEWS_HOPPING.name(), keyOut, JsonSerde.of(PageViewCountRevision.class));
        sessions = driver.createOutputTopic(TopicCatalogue.USER_SESSIONS.name(), keyOut, JsonSerde.of(UserSessionRevision.class));
        bursts = driver.createOutputTopic(TopicCatalogue.PURCHASE_BURSTS.name(), keyOut, JsonSerde.of(PurchaseBurstRevision.class));
        late = driver.createOutputTopic(TopicCatalogue.LATE_EVENTS.name(), keyOut, JsonSerde.of(LateEvent.class));
    }

    @AfterEach
    void stop() {
        try {
            assertThat(droppedRecords()).as("Kafka Streams' dropped-records-total").isEqualTo(expectedDropped);
        } finally {
            driver.close();
            Metrics.removeRegistry(deadLetters);
        }
    }

    @Test
    void unreadableAndIncompleteRecordsGoToTheDeadLetterTopicAndValidOnesFlow() {
        var raw = driver.createInputTopic(TopicCatalogue.PAGE_VIEWS.name(), new StringSerializer(), new StringSerializer());
        var dlq = driver.createOutputTopic(TopicCatalogue.TRAFFIC_ANALYTICS_DLQ.name(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer());
        view("u-1", "/a", "10:00:10");
        raw.pipeInput("u-1", "{\"eventId\": ");                  // not JSON
        raw.pipeInput("u-1", "{\"eventId\":\"e\",\"userId\":\"u-1\",\"timestamp\":\"2026-11-21T10:00:20Z\"}"); // no page
        raw.pipeInput("u-1", (String) null);                          // tombstone on an event topic
        pageViews.pipeInput(null, new PageView("v-x", "u-9", "/a", null, null, at("10:00:30"))); // no key
        view("u-2", "/a", "10:00:40");
        view("u-2", "/b", "10:02:00");

        var dead = dlq.readRecordsToList();
        assertThat(dead).hasSize(4);
        assertThat(dead).allSatisfy(r -> {
            assertThat(header(r, "__streams.errors.topic")).isEqualTo(TopicCatalogue.PAGE_VIEWS.name());
            assertThat(header(r, "__streams.errors.partition")).isEqualTo("0");
            assertThat(header(r, "__streams.errors.offset")).isNotBlank();
        });
        assertThat(dead).extracting(r -> header(r, "__streams.errors.message")).satisfiesExactly(
                m -> assertThat(m).contains("not valid JSON"),
                m -> assertThat(m).contains("'page'"),
                m -> assertThat(m).contains("has no value"),
                m -> assertThat(m).contains("has no key"));
        assertThat(tumbling.readValuesToList()).containsExactly(new PageViewCountRevision("/a", at("10:00:00"), at("10:01:00"), 2, 0));
        assertThat(deadLetters.find("dead.letters").counters()).as("dead_letters_total by topic, exception and stage")
                .extracting(c -> c.getId().getTag("topic") + " " + c.getId().getTag("exception") + " "
                        + c.getId().getTag("stage") + " " + c.count())
                .containsExactlyInAnyOrder(
                        "page-views dev.streamtemplate.schemas.MalformedEventException deserialization 2.0", // not JSON, no page
                        "page-views dev.streamtemplate.runtime.errors.IncompleteRecordException processing 2.0"); // null value, no key
        // Kafka Streams counts every record its exception handlers skipped (here: sent to the
        // dead-letter topic) as dropped; the late-event routers drop nothing
        expectedDropped = 4;
    }

    @Test
    void eventTimeGaugesFollowEachAggregationsStreamTime() {
        assertThat(gauge("aggregation.stream.time", TrafficTopology.TUMBLING_AGGREGATION)).as("before any record").isNaN();
        view("u-1", "/a", "10:00:10");
        view("u-2", "/b", "10:03:20");
        view("u-3", "/a", "10:01:00"); // out of order: stream time stays 10:03:20
        buy("u-1", "10:02:30"); // the test driver runs the whole topology as one task, whose stream time this is not

        for (String aggregation : TrafficTopology.AGGREGATIONS) {
            assertThat(gauge("aggregation.stream.time", aggregation)).as(aggregation).isEqualTo(at("10:03:20").getEpochSecond());
        }

        // wall clock minus stream time, and minus the oldest open window's start (1 min tumbling, 5 min hopping
        // advancing by 1 min, 10 min sliding, 30 min session gap; 1 min grace each)
        assertAge("aggregation.watermark.lag", TrafficTopology.TUMBLING_AGGREGATION, at("10:03:20"));
        assertAge("aggregation.oldest.open.window.age", TrafficTopology.TUMBLING_AGGREGATION, at("10:02:00"));
        assertAge("aggregation.oldest.open.window.age", TrafficTopology.HOPPING_AGGREGATION, at("09:58:00"));
        assertAge("aggregation.oldest.open.window.age", TrafficTopology.BURSTS_AGGREGATION, at("09:52:20"));
        assertAge("aggregation.oldest.open.window.age", TrafficTopology.USER_SESSIONS_AGGREGATION, at("09:32:20"));
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
                new PageViewCountRevision("/a", at("10:00:00"), at("10:01:00"), 3, 0));
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

        List<PageViewCountRevision> counts = hopping.readValuesToList().stream().filter(c -> c.page().equals("/a")).toList();
        assertThat(counts).containsExactly(
                new PageViewCountRevision("/a", at("09:56:00"), at("10:01:00"), 1, 0),
                new PageViewCountRevision("/a", at("09:57:00"), at("10:02:00"), 1, 0),
                new PageViewCountRevision("/a", at("09:58:00"), at("10:03:00"), 2, 0),
                new PageViewCountRevision("/a", at("09:59:00"), at("10:04:00"), 3, 0),
                new PageViewCountRevision("/a", at("10:00:00"), at("10:05:00"), 3, 0),
                new PageViewCountRevision("/a", at("10:01:00"), at("10:06:00"), 2, 0),
                new PageViewCountRevision("/a", at("10:02:00"), at("10:07:00"), 2, 0),
                new PageViewCountRevision("/a", at("10:03:00"), at("10:08:00"), 1, 0));
        assertThat(late.readValuesToList()).filteredOn(e -> e.aggregation().equals(TrafficTopology.HOPPING_AGGREGATION))
                .singleElement()
                .satisfies(e -> {
                    // the earliest window, closed at 10:05 + 1 min grace; stream time 10:11
                    assertThat(e.windowStart()).isEqualTo(at("10:00:00"));
                    assertThat(e.windowEnd()).isEqualTo(at("10:05:00"));
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
                new PurchaseBurstRevision("u-1", at("09:59:00"), at("10:09:00"), 3, 0));
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
                new UserSessionRevision("u-1", at("10:00:00"), at("10:35:00"), 4, 0));
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
    void anOldViewThatMergesIntoAnOpenSessionIsCounted() {
        view("u-1", "/a", "10:00:00");
        view("u-1", "/b", "10:40:00"); // 40 min later: a second session
        view("u-2", "/a", "11:10:00"); // stream time 11:10: sessions ending before 10:39 close
        // 10:20 is before 10:39, but it bridges both sessions and the merged one ends at 10:40
        view("u-1", "/c", "10:20:00");
        view("u-2", "/a", "12:30:00"); // closes everything above

        assertThat(late.readValuesToList()).filteredOn(e -> e.aggregation().equals(TrafficTopology.USER_SESSIONS_AGGREGATION)).isEmpty();
        // [10:00, 10:00] had closed and was emitted before the merge; Kafka Streams then emits the merged session,
        // under the same window key: the topic, read as a table, holds the merged one
        assertThat(sessions.readKeyValuesToList()).filteredOn(r -> r.value.userId().equals("u-1")).containsExactly(
                KeyValue.pair("u-1@2026-11-21T10:00:00Z", new UserSessionRevision("u-1", at("10:00:00"), at("10:00:00"), 1, 0)),
                KeyValue.pair("u-1@2026-11-21T10:00:00Z", new UserSessionRevision("u-1", at("10:00:00"), at("10:40:00"), 3, 0)));
    }

    @Test
    void anOldViewWhoseSessionsHaveAllClosedIsLate() {
        view("u-1", "/a", "10:00:00");
        view("u-1", "/b", "10:40:00");
        view("u-2", "/a", "11:12:00"); // stream time 11:12: sessions ending before 10:41 close
        view("u-1", "/c", "10:20:00"); // would merge into [10:00, 10:40], which ends before 10:41

        assertThat(late.readValuesToList()).filteredOn(e -> e.aggregation().equals(TrafficTopology.USER_SESSIONS_AGGREGATION))
                .singleElement().satisfies(e -> {
                    assertThat(e.windowStart()).isEqualTo(at("10:00:00"));
                    assertThat(e.windowEnd()).isEqualTo(at("10:40:00"));
                    assertThat(e.latenessMs()).isEqualTo(java.time.Duration.ofMinutes(1).toMillis());
                });
    }

    @Test
    void underTheDropPolicyLateRecordsOfEveryWindowKindAreCountedAndWrittenNowhere() {
        open(TestSettings.defaults().withLatePolicy(LatePolicy.DROP));
        view("u-1", "/a", "10:00:10");
        buy("u-1", "10:00:00");
        buy("u-1", "10:30:00"); // stream time 10:30 closes the sliding windows of 10:00
        view("u-2", "/b", "10:40:00"); // stream time 10:40: [10:00, 10:01) and u-1's session [10:00:10] closed
        // the test driver runs the topology as one task: one stream time, 10:40, for every aggregation
        view("u-3", "/a", "10:00:20"); // late everywhere: [10:00, 10:01) and [09:56, 10:01) closed at 10:02, and
                                       // a session of its own would end before 10:40 - 31 min
        view("u-1", "/c", "09:05:00"); // late everywhere: no session of u-1 within 30 min of it
        buy("u-1", "10:05:00");        // late for sliding: its own window [09:55, 10:05] closed at 10:06

        assertThat(late.readValuesToList()).as("late-events under drop").isEmpty();
        assertThat(tumbling.readValuesToList()).filteredOn(c -> c.page().equals("/a"))
                .containsExactly(new PageViewCountRevision("/a", at("10:00:00"), at("10:01:00"), 1, 0));
        assertThat(sessions.readValuesToList()).filteredOn(s -> s.userId().equals("u-1"))
                .containsExactly(new UserSessionRevision("u-1", at("10:00:10"), at("10:00:10"), 1, 0));
        assertThat(lateCount(TrafficTopology.TUMBLING_AGGREGATION, LatePolicy.DROP)).isEqualTo(2.0);
        assertThat(lateCount(TrafficTopology.HOPPING_AGGREGATION, LatePolicy.DROP)).isEqualTo(2.0);
        assertThat(lateCount(TrafficTopology.USER_SESSIONS_AGGREGATION, LatePolicy.DROP)).isEqualTo(2.0);
        assertThat(lateCount(TrafficTopology.BURSTS_AGGREGATION, LatePolicy.DROP)).isEqualTo(1.0);
        assertThat(registry.find("late.events").tag("policy", LatePolicy.SIDE_OUTPUT.configName()).counters())
                .as("no side-output series under drop").isEmpty();
        // expectedDropped stays 0: Kafka Streams itself dropped nothing, the routers did
    }

    @Test
    void underUpdateALateViewCorrectsItsTumblingWindowUntilTheAllowedLatenessEnds() {
        open(TestSettings.defaults().withLatePolicy(TrafficTopology.TUMBLING_AGGREGATION, LatePolicy.UPDATE));
        var results = driver.createOutputTopic(TopicCatalogue.PAGE_VIEWS_TUMBLING.name(), new StringDeserializer(),
                JsonSerde.of(PageViewCountRevision.class));
        view("u-1", "/a", "10:00:10");
        view("u-2", "/a", "10:00:50");
        view("u-1", "/b", "10:02:00"); // stream time 10:02: [10:00, 10:01) closes, its first final result is out
        view("u-3", "/a", "10:00:30"); // after the grace period: a correction
        view("u-4", "/z", "13:00:00"); // stream time 13:00: [10:02, 10:03) of /b closes
        view("u-5", "/a", "10:00:40"); // three hours after the window closed, within the allowed 6 h
        view("u-4", "/z", "16:59:00"); // the allowed lateness of [10:00, 10:01) ended at 16:01
        view("u-6", "/a", "10:00:20"); // too late even for update: to late-events

        assertThat(results.readKeyValuesToList()).containsExactly(
                KeyValue.pair("/a@2026-11-21T10:00:00Z", new PageViewCountRevision("/a", at("10:00:00"), at("10:01:00"), 2, 0)),
                KeyValue.pair("/a@2026-11-21T10:00:00Z", new PageViewCountRevision("/a", at("10:00:00"), at("10:01:00"), 3, 1)),
                KeyValue.pair("/b@2026-11-21T10:02:00Z", new PageViewCountRevision("/b", at("10:02:00"), at("10:03:00"), 1, 0)),
                KeyValue.pair("/a@2026-11-21T10:00:00Z", new PageViewCountRevision("/a", at("10:00:00"), at("10:01:00"), 4, 2)),
                KeyValue.pair("/z@2026-11-21T13:00:00Z", new PageViewCountRevision("/z", at("13:00:00"), at("13:01:00"), 1, 0)));
        assertThat(late.readValuesToList()).filteredOn(e -> e.aggregation().equals(TrafficTopology.TUMBLING_AGGREGATION))
                .singleElement().satisfies(e -> {
                    assertThat(e.eventTime()).isEqualTo(at("10:00:20"));
                    assertThat(e.windowStart()).isEqualTo(at("10:00:00"));
                    assertThat(e.latenessMs()).as("16:59 minus 10:01 + 6 h").isEqualTo(java.time.Duration.ofMinutes(58).toMillis());
                });
        assertThat(lateCount(TrafficTopology.TUMBLING_AGGREGATION, LatePolicy.UPDATE)).isEqualTo(1.0);
        // what queries answer from: the store holds the corrected count
        assertThat(driver.<String, Long>getWindowStore(TrafficTopology.TUMBLING_STORE).fetch("/a", at("10:00:00").toEpochMilli()))
                .isEqualTo(4L);
    }

    @Test
    void underUpdateALateViewCorrectsItsClosedHoppingWindowsAndCountsInItsOpenOnes() {
        open(TestSettings.defaults().withLatePolicy(TrafficTopology.HOPPING_AGGREGATION, LatePolicy.UPDATE));
        var results = driver.createOutputTopic(TopicCatalogue.PAGE_VIEWS_HOPPING.name(), new StringDeserializer(),
                JsonSerde.of(PageViewCountRevision.class));
        view("u-1", "/a", "10:00:30"); // in [09:56, 10:01) .. [10:00, 10:05)
        view("u-2", "/z", "10:08:00"); // stream time 10:08: windows ending by 10:07 close
        // in [10:00, 10:05) (closed, emitted), [10:01, 10:06) and [10:02, 10:07) (closed, new), [10:03, 10:08) and
        // [10:04, 10:09) (open); side-output would have sent it whole to late-events
        view("u-3", "/a", "10:04:30");
        view("u-2", "/z", "10:20:00"); // closes them all

        assertThat(results.readValuesToList()).filteredOn(c -> c.page().equals("/a")).containsExactly(
                new PageViewCountRevision("/a", at("09:56:00"), at("10:01:00"), 1, 0),
                new PageViewCountRevision("/a", at("09:57:00"), at("10:02:00"), 1, 0),
                new PageViewCountRevision("/a", at("09:58:00"), at("10:03:00"), 1, 0),
                new PageViewCountRevision("/a", at("09:59:00"), at("10:04:00"), 1, 0),
                new PageViewCountRevision("/a", at("10:00:00"), at("10:05:00"), 1, 0),
                new PageViewCountRevision("/a", at("10:00:00"), at("10:05:00"), 2, 1),
                new PageViewCountRevision("/a", at("10:01:00"), at("10:06:00"), 1, 0),
                new PageViewCountRevision("/a", at("10:02:00"), at("10:07:00"), 1, 0),
                new PageViewCountRevision("/a", at("10:03:00"), at("10:08:00"), 1, 0),
                new PageViewCountRevision("/a", at("10:04:00"), at("10:09:00"), 1, 0));
        assertThat(late.readValuesToList()).filteredOn(e -> e.aggregation().equals(TrafficTopology.HOPPING_AGGREGATION)).isEmpty();
    }

    @Test
    void underUpdateALatePurchaseTurnsAClosedSlidingWindowIntoABurst() {
        open(TestSettings.defaults().withLatePolicy(TrafficTopology.BURSTS_AGGREGATION, LatePolicy.UPDATE)
                .withAllowedLateness(java.time.Duration.ofHours(1)));
        var results = driver.createOutputTopic(TopicCatalogue.PURCHASE_BURSTS.name(), new StringDeserializer(),
                JsonSerde.of(PurchaseBurstRevision.class));
        buy("u-1", "10:00:00");
        buy("u-1", "10:09:00");
        buy("u-1", "10:30:00"); // closes [09:59, 10:09], two purchases: no burst
        buy("u-1", "10:05:00"); // after the grace period, within the allowed hour: [09:59, 10:09] holds three
        buy("u-1", "11:40:00");
        buy("u-1", "10:20:00"); // its windows' allowed lateness ended at 11:30 at the latest: to late-events

        assertThat(results.readKeyValuesToList()).containsExactly(KeyValue.pair("u-1@2026-11-21T09:59:00Z",
                new PurchaseBurstRevision("u-1", at("09:59:00"), at("10:09:00"), 3, 1)));
        assertThat(late.readValuesToList()).singleElement().satisfies(e -> {
            assertThat(e.aggregation()).isEqualTo(TrafficTopology.BURSTS_AGGREGATION);
            assertThat(e.eventTime()).isEqualTo(at("10:20:00"));
        });
    }

    @Test
    void underUpdateALateViewMergingClosedSessionsRetractsThemAndCorrectsTheMergedOne() {
        open(TestSettings.defaults().withLatePolicy(TrafficTopology.USER_SESSIONS_AGGREGATION, LatePolicy.UPDATE));
        var results = driver.createOutputTopic(TopicCatalogue.USER_SESSIONS.name(), new StringDeserializer(),
                JsonSerde.of(UserSessionRevision.class));
        view("u-1", "/a", "10:00:00");
        view("u-1", "/b", "10:40:00"); // 40 min later: a second session
        view("u-2", "/a", "12:00:00"); // stream time 12:00: both sessions of u-1 closed
        view("u-1", "/c", "10:20:00"); // bridges them: [10:00, 10:40], same start as the first
        view("u-1", "/d", "09:45:00"); // extends it to an earlier start: a new key

        assertThat(results.readKeyValuesToList()).filteredOn(r -> r.key.startsWith("u-1@")).containsExactly(
                KeyValue.pair("u-1@2026-11-21T10:00:00Z", new UserSessionRevision("u-1", at("10:00:00"), at("10:00:00"), 1, 0)),
                KeyValue.pair("u-1@2026-11-21T10:40:00Z", new UserSessionRevision("u-1", at("10:40:00"), at("10:40:00"), 1, 0)),
                KeyValue.pair("u-1@2026-11-21T10:40:00Z", null),
                KeyValue.pair("u-1@2026-11-21T10:00:00Z", new UserSessionRevision("u-1", at("10:00:00"), at("10:40:00"), 3, 1)),
                KeyValue.pair("u-1@2026-11-21T10:00:00Z", null),
                KeyValue.pair("u-1@2026-11-21T09:45:00Z", new UserSessionRevision("u-1", at("09:45:00"), at("10:40:00"), 4, 0)));
        assertThat(late.readValuesToList()).filteredOn(e -> e.aggregation().equals(TrafficTopology.USER_SESSIONS_AGGREGATION)).isEmpty();
    }

    @Test
    void anAllowedLatenessShorterThanTheGraceFailsTheBuild() {
        TestSettings settings = TestSettings.defaults().withLatePolicy(TrafficTopology.TUMBLING_AGGREGATION, LatePolicy.UPDATE)
                .withAllowedLateness(java.time.Duration.ofSeconds(30));
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> TrafficTopology.build(settings, new SimpleMeterRegistry()))
                .withMessageContaining("allowed lateness PT30S is shorter than the grace period PT1M");
    }

    @Test
    void anAllowedLatenessTheStoreRetentionCannotHoldFailsTheBuildNamingTheSettings() {
        // sliding windows need twice the span plus the grace: 20 min + 23 h 45 min > 24 h
        TestSettings settings = TestSettings.defaults().withLatePolicy(TrafficTopology.BURSTS_AGGREGATION, LatePolicy.UPDATE)
                .withAllowedLateness(java.time.Duration.ofHours(23).plusMinutes(45));
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> TrafficTopology.build(settings, new SimpleMeterRegistry()))
                .withMessageContaining(TrafficTopology.BURSTS_AGGREGATION + ": the store retention PT24H is shorter than PT20M")
                .withMessageContaining("traffic.allowed-lateness");
        // the same lateness fits tumbling windows: 1 min + 23 h 45 min
        TrafficTopology.build(TestSettings.defaults().withLatePolicy(TrafficTopology.TUMBLING_AGGREGATION, LatePolicy.UPDATE)
                .withAllowedLateness(java.time.Duration.ofHours(23).plusMinutes(45)), new SimpleMeterRegistry());
    }

    @Test
    void aLatePolicyForAnAggregationThatDoesNotExistFailsTheBuild() {
        TestSettings misspelt = TestSettings.defaults().withLatePolicy("page-view-tumbling", LatePolicy.DROP);
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> TrafficTopology.build(misspelt, new SimpleMeterRegistry()))
                .withMessageContaining("[page-view-tumbling]")
                .withMessageContaining(TrafficTopology.TUMBLING_AGGREGATION);
    }

    private void view(String user, String page, String time) {
        String id = "v-" + ids.incrementAndGet();
        pageViews.pipeInput(user, new PageView(id, user, page, null, null, at(time)));
    }

    private void buy(String user, String time) {
        String id = "b-" + ids.incrementAndGet();
        purchases.pipeInput(user, new Purchase(id, "o-" + id, user, "p-1", 1, 100, "EUR", at(time)));
    }

    private static String header(org.apache.kafka.streams.test.TestRecord<byte[], byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), java.nio.charset.StandardCharsets.UTF_8);
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

    private double gauge(String name, String aggregation) {
        return registry.get(name).tag("aggregation", aggregation).gauge().value();
    }

    /** The gauge reads the wall clock minus {@code since}, in seconds, as of some instant during the read. */
    private void assertAge(String name, String aggregation, Instant since) {
        long before = System.currentTimeMillis();
        double age = gauge(name, aggregation);
        long after = System.currentTimeMillis();
        assertThat(age).as("%s of %s", name, aggregation)
                .isBetween((before - since.toEpochMilli()) / 1000.0, (after - since.toEpochMilli()) / 1000.0);
    }

    private double lateCount(String aggregation) {
        return lateCount(aggregation, LatePolicy.SIDE_OUTPUT);
    }

    private double lateCount(String aggregation, LatePolicy policy) {
        return registry.get("late.events").tag("aggregation", aggregation).tag("policy", policy.configName())
                .counter().count();
    }
}
