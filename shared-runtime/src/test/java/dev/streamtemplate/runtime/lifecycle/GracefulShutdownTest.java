package dev.streamtemplate.runtime.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtemplate.testing.KafkaTopics;
import dev.streamtemplate.testing.TestKafkaCluster;
import dev.streamtemplate.testing.TestKafkaClusterChoice;
import dev.streamtemplate.testing.TestProducer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link GracefulShutdown} on a real broker: closing commits what was processed (with a commit
 * interval far longer than the test, so only the close can have committed) within the timeout, and
 * the instance leaves its consumer group, unless it is a static member, which stays.
 */
class GracefulShutdownTest {

    private static final String INPUT = "graceful-shutdown-input";
    private static final String OUTPUT = "graceful-shutdown-output";
    private static final int RECORDS = 500;
    private static TestKafkaCluster cluster;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void startBroker() {
        cluster = TestKafkaClusterChoice.start(TestKafkaClusterChoice.configuredChoice());
        KafkaTopics topics = new KafkaTopics(cluster.bootstrapServers());
        topics.create(INPUT, 2);
        topics.create(OUTPUT, 2);
        try (TestProducer<String, String> producer = TestProducer.strings(cluster.bootstrapServers())) {
            IntStream.range(0, RECORDS).forEach(i -> producer.send(INPUT, "k" + i, "v" + i));
        }
    }

    @AfterAll
    static void stopBroker() {
        cluster.close();
    }

    @Test
    void closingCommitsWithinTheTimeoutAndLeavesTheGroup() throws Exception {
        String group = "graceful-shutdown-leave";
        KafkaStreams streams = start(group, Optional.empty());
        Duration took = close(streams, Optional.empty());

        assertThat(took).as("close time").isLessThan(Duration.ofSeconds(30));
        assertThat(streams.state()).isEqualTo(KafkaStreams.State.NOT_RUNNING);
        try (Admin admin = admin()) {
            assertThat(committed(admin, group)).as("offsets committed on close").isEqualTo(ends(admin));
            assertThat(describe(admin, group).members()).as("members of the group after close").isEmpty();
        }
    }

    @Test
    void aStaticMemberStaysInTheGroup() throws Exception {
        String group = "graceful-shutdown-static";
        KafkaStreams streams = start(group, Optional.of("instance-0"));
        Duration took = close(streams, Optional.of("instance-0"));

        assertThat(took).as("close time").isLessThan(Duration.ofSeconds(30));
        try (Admin admin = admin()) {
            assertThat(committed(admin, group)).as("offsets committed on close").isEqualTo(ends(admin));
            assertThat(describe(admin, group).members()).as("members of the group after close")
                    .singleElement().satisfies(m -> assertThat(m.groupInstanceId()).hasValueSatisfying(
                            id -> assertThat(id).startsWith("instance-0")));
        }
    }

    private KafkaStreams start(String applicationId, Optional<String> staticMember) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(INPUT, Consumed.with(Serdes.String(), Serdes.String()))
                .mapValues(v -> v.toUpperCase())
                .to(OUTPUT, Produced.with(Serdes.String(), Serdes.String()));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve(applicationId).toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 120_000);
        props.put(StreamsConfig.producerPrefix("transaction.timeout.ms"), 300_000);
        props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        staticMember.ifPresent(id -> props.put(StreamsConfig.consumerPrefix("group.instance.id"), id));
        KafkaStreams streams = new KafkaStreams(builder.build(), props);
        streams.start();
        Awaitility.await("Kafka Streams to process all " + RECORDS + " input records").atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> streams.metrics().entrySet().stream()
                        .filter(e -> e.getKey().name().equals("process-total") && e.getKey().group().equals("stream-thread-metrics"))
                        .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum() >= RECORDS);
        return streams;
    }

    private static Duration close(KafkaStreams streams, Optional<String> staticMember) {
        GracefulShutdown shutdown = new GracefulShutdown();
        shutdown.streams = streams;
        shutdown.timeout = Duration.ofSeconds(30);
        shutdown.staticMember = staticMember;
        long started = System.nanoTime();
        shutdown.onStop(null);
        return Duration.ofNanos(System.nanoTime() - started);
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
    }

    private static ConsumerGroupDescription describe(Admin admin, String group) throws Exception {
        return admin.describeConsumerGroups(java.util.List.of(group)).describedGroups().get(group).get();
    }

    private static Map<TopicPartition, Long> committed(Admin admin, String group) throws Exception {
        return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().entrySet().stream()
                .filter(e -> e.getKey().topic().equals(INPUT))
                .collect(Collectors.toMap(Map.Entry::getKey, e -> ((OffsetAndMetadata) e.getValue()).offset()));
    }

    private static Map<TopicPartition, Long> ends(Admin admin) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = IntStream.range(0, 2).boxed()
                .collect(Collectors.toMap(p -> new TopicPartition(INPUT, p), p -> OffsetSpec.latest()));
        return admin.listOffsets(latest).all().get().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }
}
