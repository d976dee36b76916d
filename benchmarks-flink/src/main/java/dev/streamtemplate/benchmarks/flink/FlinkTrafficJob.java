package dev.streamtemplate.benchmarks.flink;

import dev.streamtemplate.schemas.JsonSerde;
import dev.streamtemplate.schemas.PageView;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.EventTimeSessionWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The job a user might pick Flink for instead of traffic-analytics, on the same broker and data: per-page page-view
 * counts in one-minute tumbling windows and per-user sessions (30-minute inactivity gap), over event time, as
 * traffic-analytics computes them. Not part of the template; ThroughputBenchmark runs it as a child JVM.
 *
 * <p>A local MiniCluster at parallelism 1 with Flink's default state backend (on the heap, each checkpoint a full
 * snapshot), checkpoints every {@code checkpoint-millis} to files under {@code java.io.tmpdir}. The Kafka source reads {@code page-views} with {@code read_committed} from the earliest
 * offsets to the end offsets it finds at start (a bounded backlog) and commits its offsets to group {@code group} at
 * each checkpoint, which ThroughputBenchmark's drain measurement reads. Event time is the view's {@code timestamp};
 * the watermark trails the largest event time seen by {@code grace-minutes} (Flink's bounded out-of-orderness, the
 * counterpart of Kafka Streams' grace period), and windows fire when it passes their end. The sinks write with
 * exactly-once transactions, committed at each checkpoint (the last one by the final checkpoint of the bounded job):
 * key page, value {@code {"page","windowStart","windowEnd","count"}} to {@code tumbling-topic}, and key user, value
 * {@code {"userId","start","end","pageViews"}} ({@code end}: the session's last view, as in Kafka Streams) to
 * {@code sessions-topic}, instants in ISO-8601.
 *
 * <p>When the job has finished, the process prints {@code flink job finished} and waits to be stopped, so that its
 * CPU time and peak RSS can still be read.
 *
 * <p>Arguments: {@code bootstrap-servers group grace-minutes checkpoint-millis tumbling-topic sessions-topic}.
 */
public final class FlinkTrafficJob {

    /** traffic-analytics' {@code traffic.tumbling-size}. */
    static final Duration TUMBLING_SIZE = Duration.ofMinutes(1);
    /** traffic-analytics' {@code traffic.session-gap}. */
    static final Duration SESSION_GAP = Duration.ofMinutes(30);

    private FlinkTrafficJob() {
    }

    /**
     * Runs the job, then waits to be stopped (SIGTERM).
     *
     * @param args {@code bootstrap-servers group grace-minutes checkpoint-millis tumbling-topic sessions-topic}
     * @throws Exception when the job fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: FlinkTrafficJob bootstrap-servers group grace-minutes checkpoint-millis"
                    + " tumbling-topic sessions-topic");
            System.exit(2);
        }
        String bootstrap = args[0];
        String group = args[1];
        Duration grace = Duration.ofMinutes(Long.parseLong(args[2]));
        long checkpointMillis = Long.parseLong(args[3]);

        Configuration config = new Configuration();
        // files, not the JobManager's memory, whose snapshots may not exceed 5 MB
        config.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        config.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                Path.of(System.getProperty("java.io.tmpdir"), "flink-checkpoints-" + group).toUri().toString());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(1);
        env.enableCheckpointing(checkpointMillis);

        KafkaSource<PageView> source = KafkaSource.<PageView>builder()
                .setBootstrapServers(bootstrap)
                .setTopics("page-views")
                .setGroupId(group)
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setBounded(OffsetsInitializer.latest())
                .setProperty("isolation.level", "read_committed")
                .setProperty("commit.offsets.on.checkpoint", "true")
                .setDeserializer(KafkaRecordDeserializationSchema.valueOnly(new PageViewSchema()))
                .build();
        DataStream<PageView> views = env.fromSource(source, WatermarkStrategy.<PageView>forBoundedOutOfOrderness(grace)
                .withTimestampAssigner((view, kafkaTimestamp) -> view.timestamp().toEpochMilli()), "page-views");

        views.keyBy(PageView::page)
                .window(TumblingEventTimeWindows.of(TUMBLING_SIZE))
                .aggregate(new CountViews(), new PageCount())
                .sinkTo(sink(bootstrap, group, args[4]));
        views.keyBy(PageView::userId)
                .window(EventTimeSessionWindows.withGap(SESSION_GAP))
                .aggregate(new CountViews(), new Session())
                .sinkTo(sink(bootstrap, group, args[5]));

        env.execute(group);
        System.out.println("flink job finished");
        System.out.flush();
        new CountDownLatch(1).await(); // until stopped
    }

    private static KafkaSink<Tuple2<String, String>> sink(String bootstrap, String group, String topic) {
        return KafkaSink.<Tuple2<String, String>>builder()
                .setBootstrapServers(bootstrap)
                .setRecordSerializer(new KeyValueSerializer(topic))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(group + "-" + topic)
                // the sink's default (1 h) is over the broker's transaction.max.timeout.ms (15 min)
                .setProperty("transaction.timeout.ms", "600000")
                .build();
    }

    /** A page view from the JSON of {@code page-views}, read by the services' serde. */
    static final class PageViewSchema implements DeserializationSchema<PageView> {
        private transient JsonSerde<PageView> serde;

        @Override
        public PageView deserialize(byte[] message) {
            if (serde == null) {
                serde = JsonSerde.of(PageView.class);
            }
            return serde.deserializer().deserialize("page-views", message);
        }

        @Override
        public boolean isEndOfStream(PageView nextElement) {
            return false;
        }

        @Override
        public TypeInformation<PageView> getProducedType() {
            return TypeInformation.of(PageView.class);
        }
    }

    /** Counts the views of a window. */
    static final class CountViews implements AggregateFunction<PageView, Long, Long> {
        @Override
        public Long createAccumulator() {
            return 0L;
        }

        @Override
        public Long add(PageView view, Long count) {
            return count + 1;
        }

        @Override
        public Long getResult(Long count) {
            return count;
        }

        @Override
        public Long merge(Long a, Long b) {
            return a + b;
        }
    }

    /** A page's count in a tumbling window, as key and JSON value. */
    static final class PageCount extends ProcessWindowFunction<Long, Tuple2<String, String>, String, TimeWindow> {
        @Override
        public void process(String page, Context context, Iterable<Long> counts, Collector<Tuple2<String, String>> out) {
            long count = counts.iterator().next();
            out.collect(Tuple2.of(page, "{\"page\":\"" + page + "\",\"windowStart\":\""
                    + Instant.ofEpochMilli(context.window().getStart()) + "\",\"windowEnd\":\""
                    + Instant.ofEpochMilli(context.window().getEnd()) + "\",\"count\":" + count + "}"));
        }
    }

    /** A user's session, as key and JSON value; its end is the last view's time, as Kafka Streams reports it. */
    static final class Session extends ProcessWindowFunction<Long, Tuple2<String, String>, String, TimeWindow> {
        @Override
        public void process(String user, Context context, Iterable<Long> counts, Collector<Tuple2<String, String>> out) {
            long count = counts.iterator().next();
            out.collect(Tuple2.of(user, "{\"userId\":\"" + user + "\",\"start\":\""
                    + Instant.ofEpochMilli(context.window().getStart()) + "\",\"end\":\""
                    + Instant.ofEpochMilli(context.window().getEnd() - SESSION_GAP.toMillis()) + "\",\"pageViews\":"
                    + count + "}"));
        }
    }

    /** Writes a (key, JSON value) pair to one topic, both as UTF-8. */
    static final class KeyValueSerializer implements KafkaRecordSerializationSchema<Tuple2<String, String>> {
        private final String topic;

        KeyValueSerializer(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(Tuple2<String, String> element, KafkaSinkContext context,
                                                        Long timestamp) {
            return new ProducerRecord<>(topic, null, timestamp, element.f0.getBytes(StandardCharsets.UTF_8),
                    element.f1.getBytes(StandardCharsets.UTF_8));
        }
    }
}
