package dev.streamtemplate.runtime.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtemplate.testing.KafkaTopics;
import dev.streamtemplate.testing.TestKafkaCluster;
import dev.streamtemplate.testing.TestKafkaClusterChoice;
import dev.streamtemplate.testing.TestProducer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.state.KeyValueStore;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key and prefix queries of a RocksDB key-value store while its stream thread writes to it, on a real broker: the
 * stream thread must go on and the queries must answer. Kafka Streams' IQv2 key and range queries on a RocksDB
 * key-value store take the store's position lock, then the store's lock, while a put takes them in the other order
 * (KAFKA-19629, not fixed in any release this project can use), so they deadlock the stream thread; {@link
 * LocalStateQueries} reads key-value stores through the store API of interactive queries v1 instead.
 */
class ConcurrentQueriesTest {

    private static final String INPUT = "concurrent-queries-input";
    private static final String STORE = "counts";
    private static final int KEYS = 100;
    private static final int RECORDS = 40_000;
    private static final int QUERY_THREADS = 4;
    private static TestKafkaCluster cluster;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void startBroker() throws Exception {
        cluster = TestKafkaClusterChoice.start(TestKafkaClusterChoice.configuredChoice());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(INPUT, 1, (short) 1))).all().get();
        }
        try (KafkaTopics topics = new KafkaTopics(cluster.bootstrapServers())) {
            topics.awaitUsable(List.of(INPUT));
        }
        try (TestProducer<String, String> producer = TestProducer.strings(cluster.bootstrapServers())) {
            producer.sendAll(IntStream.range(0, RECORDS)
                    .mapToObj(i -> new ProducerRecord<>(INPUT, key(i % KEYS), "v" + i)).toList());
        }
    }

    @AfterAll
    static void stopBroker() {
        cluster.close();
    }

    @Test
    void keyAndPrefixQueriesNeitherBlockTheStreamThreadNorFail() throws Exception {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(INPUT, Consumed.with(Serdes.String(), Serdes.String()))
                .groupByKey()
                .count(Materialized.<String, Long, KeyValueStore<Bytes, byte[]>>as(STORE)
                        .withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()).withCachingDisabled());
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "concurrent-queries");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        PartitionCopy partition0 = new PartitionCopy(0, Replica.ACTIVE);
        QueryableStore.KeyValue<String, Long> counts = QueryableStore.keyValue(STORE, new StringSerializer());
        AtomicBoolean querying = new AtomicBoolean(true);
        AtomicLong answered = new AtomicLong();
        AtomicLong notQueryable = new AtomicLong();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        ExecutorService queryThreads = Executors.newFixedThreadPool(QUERY_THREADS);
        KafkaStreams streams = new KafkaStreams(builder.build(), props);
        try {
            LocalStateQueries queries = new LocalStateQueries();
            queries.streams = streams;
            streams.start();
            for (int t = 0; t < QUERY_THREADS; t++) {
                int thread = t;
                queryThreads.submit(() -> {
                    for (int i = thread; querying.get(); i++) {
                        try {
                            if (i % 2 == 0) {
                                queries.get(counts, key(i % KEYS), partition0);
                            } else {
                                queries.withPrefix(counts, "k-00", partition0);
                            }
                            answered.incrementAndGet();
                        } catch (StoreNotQueryableException e) {
                            notQueryable.incrementAndGet(); // starting or restoring: the caller answers 503
                        } catch (RuntimeException e) {
                            failures.add(e);
                        }
                    }
                });
            }
            Awaitility.await("all " + RECORDS + " records counted while " + QUERY_THREADS + " threads query")
                    .atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .failFast("threads deadlocked", () -> !deadlocked().isEmpty())
                    .until(() -> total(queries, counts) == RECORDS);
            querying.set(false);
            queryThreads.shutdown();
            assertThat(queryThreads.awaitTermination(30, TimeUnit.SECONDS)).as("query threads finished").isTrue();
            assertThat(failures).as("queries that failed with anything but 'not queryable now'").isEmpty();
            assertThat(answered.get()).as("queries answered").isGreaterThan(1000);
            System.out.printf("concurrent queries: %,d records counted while %d threads answered %,d key and prefix"
                    + " queries (%,d 'not queryable now')%n", RECORDS, QUERY_THREADS, answered.get(), notQueryable.get());
        } finally {
            querying.set(false);
            queryThreads.shutdownNow();
            String deadlocked = deadlocked();
            streams.close(Duration.ofSeconds(10)); // bounded: a deadlocked stream thread never stops
            assertThat(deadlocked).as("deadlocked threads").isEmpty();
        }
    }

    /** The sum of every key's count, read back through the queries under test; -1 while not queryable. */
    private static long total(LocalStateQueries queries, QueryableStore.KeyValue<String, Long> counts) {
        try {
            long sum = 0;
            for (int k = 0; k < KEYS; k++) {
                Optional<Long> count = queries.get(counts, key(k), new PartitionCopy(0, Replica.ACTIVE));
                sum += count.orElse(0L);
            }
            return sum;
        } catch (StoreNotQueryableException e) {
            return -1;
        }
    }

    /** The stacks of the JVM's deadlocked threads, empty when none. */
    private static String deadlocked() {
        long[] ids = ManagementFactory.getThreadMXBean().findDeadlockedThreads();
        if (ids == null) {
            return "";
        }
        return Arrays.stream(ManagementFactory.getThreadMXBean().getThreadInfo(ids, true, true))
                .map(ThreadInfo::toString).collect(Collectors.joining("\n"));
    }

    private static String key(int k) {
        return String.format("k-%03d", k);
    }
}
