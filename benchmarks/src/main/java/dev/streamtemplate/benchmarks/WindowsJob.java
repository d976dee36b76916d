package dev.streamtemplate.benchmarks;

import dev.streamtemplate.schemas.EventTimeExtractor;
import dev.streamtemplate.schemas.JsonSerde;
import dev.streamtemplate.schemas.PageView;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.SessionWindows;
import org.apache.kafka.streams.kstream.TimeWindows;

/**
 * The Flink peer's job ({@code benchmarks-flink}) in Kafka Streams, run as its own JVM until it is stopped: per-page
 * page-view counts in one-minute tumbling windows (through a repartition topic keyed by page) and per-user sessions
 * (30-minute gap), both emitted on window close (KIP-825) with one grace period, as traffic-analytics computes them
 * but without its hopping and sliding windows, its late-event routing or its window keys and revisions. It writes the
 * same JSON as the Flink job, keyed by page and by user id:
 * {@code {"page","windowStart","windowEnd","count"}} and {@code {"userId","start","end","pageViews"}}, ISO-8601.
 *
 * <p>Arguments: {@code <bootstrap servers> <application.id> <grace minutes> <tumbling topic> <sessions topic>}.
 * exactly_once_v2, one stream thread, a 100 ms commit interval, Kafka Streams' default stores for emit on window close
 * (RocksDB; the window store cached, the session store not: {@code SessionStoreMaterializer} leaves the cache out).
 */
public final class WindowsJob {

    private WindowsJob() {
    }

    /**
     * Runs the job until the JVM is stopped (SIGTERM closes Kafka Streams).
     *
     * @param args {@code <bootstrap servers> <application.id> <grace minutes> <tumbling topic> <sessions topic>}
     * @throws IllegalArgumentException when there are not five arguments
     * @throws InterruptedException when interrupted while running
     */
    public static void main(String[] args) throws InterruptedException {
        if (args.length != 5) {
            throw new IllegalArgumentException("arguments: <bootstrap servers> <application.id> <grace minutes>"
                    + " <tumbling topic> <sessions topic>");
        }
        Duration grace = Duration.ofMinutes(Long.parseLong(args[2]));
        Properties config = new Properties();
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, args[1]);
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        config.put(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG, EventTimeExtractor.class);
        config.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/windows-" + args[1]);
        JsonSerde<PageView> views = JsonSerde.of(PageView.class);
        StreamsBuilder builder = new StreamsBuilder();
        KStream<String, PageView> pageViews = builder.stream("page-views", Consumed.with(Serdes.String(), views));
        pageViews.groupByKey(Grouped.with(Serdes.String(), views))
                .windowedBy(SessionWindows.ofInactivityGapAndGrace(Duration.ofMinutes(30), grace))
                .emitStrategy(EmitStrategy.onWindowClose())
                .count()
                .toStream()
                .map((session, count) -> KeyValue.pair(session.key(), "{\"userId\":\"" + session.key() + "\",\"start\":\""
                        + session.window().startTime() + "\",\"end\":\"" + session.window().endTime()
                        + "\",\"pageViews\":" + count + "}"))
                .to(args[4], Produced.with(Serdes.String(), Serdes.String()));
        pageViews.selectKey((user, view) -> view.page())
                .repartition(Repartitioned.with(Serdes.String(), views).withName("page-views-by-page"))
                .groupByKey(Grouped.with(Serdes.String(), views))
                .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMinutes(1), grace))
                .emitStrategy(EmitStrategy.onWindowClose())
                .count()
                .toStream()
                .map((window, count) -> KeyValue.pair(window.key(), "{\"page\":\"" + window.key() + "\",\"windowStart\":\""
                        + window.window().startTime() + "\",\"windowEnd\":\"" + window.window().endTime()
                        + "\",\"count\":" + count + "}"))
                .to(args[3], Produced.with(Serdes.String(), Serdes.String()));
        KafkaStreams streams = new KafkaStreams(builder.build(), config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            streams.close();
            stopped.countDown();
        }, "windows-shutdown"));
        streams.start();
        stopped.await();
    }
}
