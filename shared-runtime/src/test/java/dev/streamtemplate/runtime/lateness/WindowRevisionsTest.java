package dev.streamtemplate.runtime.lateness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.SessionWindows;
import org.apache.kafka.streams.kstream.SlidingWindows;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link WindowRevisions} behind Kafka Streams' own windowed counts, emitting on every update with the allowed
 * lateness as grace, in a TopologyTestDriver (one task, so one stream time). Grace 1 min, allowed lateness 10 min.
 * Output lines: {@code key [start, end] rN count} or {@code key [start, end] retracted}, times as HH:mm:ss.
 */
class WindowRevisionsTest {

    private static final Duration GRACE = Duration.ofMinutes(1);
    private static final Duration ALLOWED = Duration.ofMinutes(10);
    private static final Duration RETENTION = Duration.ofHours(1);
    private static final String STORE = "revisions";

    @TempDir
    Path stateDir;
    private TopologyTestDriver driver;
    private TestInputTopic<String, String> input;
    private TestOutputTopic<String, String> output;

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    @Test
    void tumblingWindowsGetRevisionZeroAtCloseThenACorrectionPerLateRecord() {
        open(grouped -> grouped.windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMinutes(1), ALLOWED))
                        .emitStrategy(EmitStrategy.onWindowUpdate()).count(counts()),
                () -> WindowRevisions.timeWindows(STORE, GRACE.toMillis(), ALLOWED.toMillis(), Serdes.String(), Serdes.Long()));
        send("a", "10:00:10");
        send("a", "10:00:20");
        send("a", "10:01:30"); // stream time 10:01:30: [10:00, 10:01) is still open for 30 s
        send("a", "10:00:50"); // out of order within grace: counted before the first result
        assertThat(output.readValuesToList()).as("nothing before end + grace").isEmpty();

        send("b", "10:02:00"); // stream time reaches 10:01 + 1 min: revision 0
        assertThat(output.readValuesToList()).containsExactly("a [10:00:00, 10:01:00] r0 3");

        send("a", "10:00:40"); // late, within the allowed lateness: a correction at once
        send("a", "10:00:59");
        send("b", "10:08:00");
        send("a", "09:58:10"); // a window that closed empty: its first result, late
        assertThat(output.readValuesToList()).containsExactly(
                "a [10:00:00, 10:01:00] r1 4",
                "a [10:00:00, 10:01:00] r2 5",
                "a [10:01:00, 10:02:00] r0 1",
                "b [10:02:00, 10:03:00] r0 1",
                "a [09:58:00, 09:59:00] r0 1");
        assertThat(storeEntries()).as("held or emitted windows within the allowed lateness").isEqualTo(5);

        send("b", "10:20:00"); // every window above is now beyond the allowed lateness
        assertThat(output.readValuesToList()).containsExactly("b [10:08:00, 10:09:00] r0 1");
        assertThat(storeEntries()).as("only [10:20, 10:21) of b is left").isEqualTo(1);
    }

    @Test
    void aLateRecordCorrectsItsClosedHoppingWindowsAndCountsInTheOpenOnes() {
        open(grouped -> grouped.windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMinutes(3), ALLOWED)
                                .advanceBy(Duration.ofMinutes(1)))
                        .emitStrategy(EmitStrategy.onWindowUpdate()).count(counts()),
                () -> WindowRevisions.timeWindows(STORE, GRACE.toMillis(), ALLOWED.toMillis(), Serdes.String(), Serdes.Long()));
        send("a", "10:00:30"); // in [09:58, 10:01), [09:59, 10:02), [10:00, 10:03)
        send("b", "10:02:00"); // closes [09:58, 10:01) of a (10:01 + 1 min grace)
        assertThat(output.readValuesToList()).containsExactly("a [09:58:00, 10:01:00] r0 1");

        send("a", "10:00:45"); // late for [09:58, 10:01), on time for the other two
        send("b", "10:06:00"); // due: every window ending by 10:05, in order of end, start and key
        assertThat(output.readValuesToList()).containsExactly(
                "a [09:58:00, 10:01:00] r1 2",
                "a [09:59:00, 10:02:00] r0 2",
                "a [10:00:00, 10:03:00] r0 2",
                "b [10:00:00, 10:03:00] r0 1",
                "b [10:01:00, 10:04:00] r0 1",
                "b [10:02:00, 10:05:00] r0 1");
    }

    @Test
    void slidingWindowsAreDueWhenStreamTimePassesTheirInclusiveEnd() {
        open(grouped -> grouped.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(Duration.ofMinutes(5), ALLOWED))
                        .emitStrategy(EmitStrategy.onWindowUpdate()).count(counts()),
                () -> WindowRevisions.slidingWindows(STORE, GRACE.toMillis(), ALLOWED.toMillis(), Serdes.String(), Serdes.Long()));
        send("a", "10:00:00"); // window [09:55, 10:00]
        send("b", "10:01:00"); // stream time = end + grace: not yet passed
        assertThat(output.readValuesToList()).isEmpty();
        send("b", "10:01:00.001");
        assertThat(output.readValuesToList()).containsExactly("a [09:55:00, 10:00:00] r0 1");

        send("a", "09:58:00"); // late: [09:55, 10:00] now holds both, a new window [09:53, 09:58] holds one
        assertThat(output.readValuesToList()).as("in Kafka Streams' order: existing windows first").containsExactly(
                "a [09:55:00, 10:00:00] r1 2",
                "a [09:53:00, 09:58:00] r0 1");
    }

    @Test
    void aLateRecordThatMergesClosedSessionsRetractsThemAndContinuesTheRevisionsOfTheFirst() {
        openSessions();
        send("a", "10:00:00");
        send("a", "10:08:00"); // 8 min later: a second session
        send("b", "10:20:00"); // both of a's sessions are due (end + 5 min gap + 1 min grace passed)
        assertThat(output.readValuesToList()).containsExactly(
                "a [10:00:00, 10:00:00] r0 1",
                "a [10:08:00, 10:08:00] r0 1");

        // late, and [10:00] alone is beyond the allowed lateness (10:00 < 10:20 - 10 min - 5 min gap), but the merged
        // session ends at 10:08, within it: Kafka Streams merges
        send("a", "10:04:00");
        assertThat(output.readValuesToList()).as("the later session retracted, the first corrected").containsExactly(
                "a [10:08:00, 10:08:00] retracted",
                "a [10:00:00, 10:08:00] r1 3");

        send("a", "10:11:00"); // late again: extends [10:00, 10:08] to 10:11, same start
        assertThat(output.readValuesToList()).containsExactly("a [10:00:00, 10:11:00] r2 4");
    }

    @Test
    void anEmittedSessionExtendedAtItsEndIsCorrectedAtOnce() {
        openSessions();
        send("a", "10:00:00");
        send("b", "10:06:00.001"); // [10:00] is due: end + 5 min gap + 1 min grace passed
        assertThat(output.readValuesToList()).containsExactly("a [10:00:00, 10:00:00] r0 1");

        send("a", "10:04:00"); // [10:00, 10:04], the same start: a correction now, though not due before 10:10
        assertThat(output.readValuesToList()).containsExactly("a [10:00:00, 10:04:00] r1 2");
    }

    @Test
    void aSessionMergedBeforeItWasDueIsNeverRetracted() {
        openSessions();
        send("a", "10:00:00");
        send("a", "10:05:30"); // 5.5 min later: a second session; [10:00] is due only after 10:06
        send("a", "10:03:00"); // merges both while they are open
        send("b", "10:30:00");
        assertThat(output.readValuesToList()).containsExactly("a [10:00:00, 10:05:30] r0 3");
    }

    private void open(Function<KGroupedStream<String, String>, KTable<Windowed<String>, Long>> aggregation,
                      Supplier<WindowRevisions<String, Long>> revisions) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(WindowRevisions.storeBuilder(STORE));
        aggregation.apply(builder.stream("in", Consumed.with(Serdes.String(), Serdes.String()))
                        .groupByKey(Grouped.with(Serdes.String(), Serdes.String())))
                .toStream()
                .process(revisions::get, Named.as("revisions"), STORE)
                .map((window, revision) -> KeyValue.pair(window.key(), describe(window, revision)))
                .to("out", Produced.with(Serdes.String(), Serdes.String()));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "window-revisions-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(builder.build(), props);
        input = driver.createInputTopic("in", new StringSerializer(), new StringSerializer());
        output = driver.createOutputTopic("out", new StringDeserializer(), new StringDeserializer());
    }

    private static Materialized<String, Long, org.apache.kafka.streams.state.WindowStore<Bytes, byte[]>> counts() {
        return Materialized.<String, Long, org.apache.kafka.streams.state.WindowStore<Bytes, byte[]>>as("counts")
                .withCachingDisabled().withRetention(RETENTION);
    }

    /** Session counts with a 5 min gap. */
    private void openSessions() {
        Duration gap = Duration.ofMinutes(5);
        open(grouped -> grouped.windowedBy(SessionWindows.ofInactivityGapAndGrace(gap, ALLOWED))
                        .emitStrategy(EmitStrategy.onWindowUpdate()).count(sessionCounts()),
                () -> WindowRevisions.sessionWindows(STORE, gap.toMillis(), GRACE.toMillis(), RETENTION.toMillis(),
                        Serdes.String(), Serdes.Long()));
    }

    private static Materialized<String, Long, org.apache.kafka.streams.state.SessionStore<Bytes, byte[]>> sessionCounts() {
        return Materialized.<String, Long, org.apache.kafka.streams.state.SessionStore<Bytes, byte[]>>as("counts")
                .withCachingDisabled().withRetention(RETENTION);
    }

    private static String describe(Windowed<String> window, Revision<Long> revision) {
        String span = window.key() + " [" + time(window.window().start()) + ", " + time(window.window().end()) + "]";
        return revision == null ? span + " retracted" : span + " r" + revision.revision() + " " + revision.value();
    }

    private static String time(long epochMs) {
        return Instant.ofEpochMilli(epochMs).toString().substring(11, 19);
    }

    /** A record of {@code key} at {@code time} ({@code HH:mm:ss} or {@code HH:mm:ss.SSS}, UTC). */
    private void send(String key, String time) {
        input.pipeInput(key, "x", Instant.parse("2026-12-05T" + time + "Z"));
    }

    private long storeEntries() {
        KeyValueStore<Bytes, byte[]> store = driver.getKeyValueStore(STORE);
        List<Object> entries = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> all = store.all()) {
            all.forEachRemaining(entries::add);
        }
        return entries.size();
    }
}
