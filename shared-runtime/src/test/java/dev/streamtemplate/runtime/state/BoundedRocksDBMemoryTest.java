package dev.streamtemplate.runtime.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;

/**
 * Every RocksDB store, key-value and windowed (one RocksDB instance per segment), reports the one shared
 * cache of the configured size; bad sizes fail with the key named. Real RocksDB, through TopologyTestDriver.
 */
class BoundedRocksDBMemoryTest {

    private static final long CACHE = 8L * 1024 * 1024;
    private static final long WRITE_BUFFERS = 2L * 1024 * 1024;

    @TempDir
    Path stateDir;

    @Test
    void everyStoreSharesOneCacheOfTheConfiguredSize() {
        try (TopologyTestDriver driver = driver(CACHE, WRITE_BUFFERS)) {
            TestInputTopic<String, String> in = driver.createInputTopic("in",
                    Serdes.String().serializer(), Serdes.String().serializer(), Instant.parse("2026-01-01T00:00:00Z"),
                    Duration.ofMinutes(7));
            for (int i = 0; i < 2_000; i++) {
                in.pipeInput("key-" + (i % 50), "value-" + i);
            }
            KeyValueStore<String, Long> totals = driver.getKeyValueStore("totals");
            assertThat(totals.get("key-7")).as("2,000 records over 50 keys").isEqualTo(40L);

            List<Metric> capacities = driver.metrics().values().stream()
                    .filter(m -> m.metricName().name().equals("block-cache-capacity"))
                    .map(Metric.class::cast)
                    .toList();
            assertThat(capacities)
                    .as("block-cache-capacity of the key-value store and of the window store")
                    .extracting(m -> storeOf(m))
                    .containsExactlyInAnyOrder("totals", "windowed");
            assertThat(capacities).allSatisfy(m -> assertThat(((BigInteger) m.metricValue()).longValue())
                    .as("capacity of %s", m.metricName().tags())
                    .isEqualTo(CACHE));
        }
    }

    @Test
    void writeBuffersLargerThanTheCacheAreRefused() {
        assertThatThrownBy(() -> driver(CACHE, CACHE + 1).close())
                .hasStackTraceContaining(BoundedRocksDBMemory.WRITE_BUFFER_BYTES)
                .hasStackTraceContaining("cannot exceed");
    }

    @Test
    void aMissingOrMalformedSizeNamesTheKey() {
        assertThatThrownBy(() -> new BoundedRocksDBMemory().setConfig("store", new Options(),
                Map.of(BoundedRocksDBMemory.WRITE_BUFFER_BYTES, "1024")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(BoundedRocksDBMemory.CACHE_BYTES + " is not set");
        assertThatThrownBy(() -> new BoundedRocksDBMemory().setConfig("store", new Options(),
                Map.of(BoundedRocksDBMemory.CACHE_BYTES, "64MiB",
                        BoundedRocksDBMemory.WRITE_BUFFER_BYTES, "1024")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(BoundedRocksDBMemory.CACHE_BYTES)
                .hasMessageContaining("a whole number of bytes");
    }

    /** The store a RocksDB metric is about: tag rocksdb-state-id, or rocksdb-window-state-id and the like. */
    private static String storeOf(Metric metric) {
        return metric.metricName().tags().entrySet().stream()
                .filter(tag -> tag.getKey().startsWith("rocksdb-") && tag.getKey().endsWith("-state-id"))
                .map(Map.Entry::getValue)
                .findFirst().orElse(metric.metricName().tags().toString());
    }

    /** A topology with a key-value store and a window store, both on RocksDB, bounded by the setter. */
    private TopologyTestDriver driver(long cacheBytes, long writeBufferBytes) {
        StreamsBuilder builder = new StreamsBuilder();
        var grouped = builder.stream("in", Consumed.with(Serdes.String(), Serdes.String()))
                .groupByKey(Grouped.with(Serdes.String(), Serdes.String()));
        grouped.count(Materialized.<String, Long, KeyValueStore<Bytes, byte[]>>as("totals"));
        grouped.windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofHours(1), Duration.ofMinutes(1)))
                .count(Materialized.<String, Long, WindowStore<Bytes, byte[]>>as("windowed")
                        .withRetention(Duration.ofHours(24)));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "bounded-rocksdb");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDBMemory.class);
        props.put(BoundedRocksDBMemory.CACHE_BYTES, Long.toString(cacheBytes));
        props.put(BoundedRocksDBMemory.WRITE_BUFFER_BYTES, Long.toString(writeBufferBytes));
        return new TopologyTestDriver(builder.build(), props);
    }
}
