package dev.streamtemplate.benchmarks;

import dev.streamtemplate.schemas.EventTimeExtractor;
import dev.streamtemplate.schemas.JsonSerde;
import dev.streamtemplate.schemas.PageView;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The Kafka Streams baseline: a topology that only copies {@code page-views} to another topic (source → sink), the
 * least any Kafka Streams application does, run as its own JVM until it is stopped.
 *
 * <p>Arguments: {@code <bootstrap servers> <application.id> <processing.guarantee> <stream threads> json|bytes
 * <input topic> <output topic>}. {@code json} reads and writes {@link PageView} with the services' {@link JsonSerde}
 * and {@link EventTimeExtractor}, so the serde cost is the services'; {@code bytes} copies bytes, so the difference
 * between the two is that cost. Commit interval: 100 ms under either guarantee, as the benchmarked services run.
 */
public final class PassThroughJob {

    private PassThroughJob() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 7) {
            throw new IllegalArgumentException("arguments: <bootstrap servers> <application.id> <processing.guarantee>"
                    + " <stream threads> json|bytes <input topic> <output topic>");
        }
        boolean json = switch (args[4]) {
            case "json" -> true;
            case "bytes" -> false;
            default -> throw new IllegalArgumentException("the serde must be json or bytes, was " + args[4]);
        };
        Properties config = new Properties();
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, args[1]);
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, args[2]);
        config.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.parseInt(args[3]));
        config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        config.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/pass-through-" + args[1]);
        StreamsBuilder builder = new StreamsBuilder();
        if (json) {
            config.put(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG, EventTimeExtractor.class);
            JsonSerde<PageView> serde = JsonSerde.of(PageView.class);
            builder.stream(args[5], Consumed.with(Serdes.String(), serde).withName("page-views-source"))
                    .to(args[6], Produced.with(Serdes.String(), serde).withName("pass-through-sink"));
        } else {
            builder.stream(args[5], Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("bytes-source"))
                    .to(args[6], Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("pass-through-sink"));
        }
        KafkaStreams streams = new KafkaStreams(builder.build(), config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            streams.close();
            stopped.countDown();
        }, "pass-through-shutdown"));
        streams.start();
        stopped.await();
    }
}
