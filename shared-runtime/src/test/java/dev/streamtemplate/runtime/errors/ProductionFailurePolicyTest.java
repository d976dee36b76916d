package dev.streamtemplate.runtime.errors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtemplate.testing.TestKafkaCluster;
import dev.streamtemplate.testing.KafkaTopics;
import dev.streamtemplate.testing.TestKafkaClusterChoice;
import dev.streamtemplate.testing.TestProducer;
import dev.streamtemplate.testing.TopicReader;
import dev.streamtemplate.testing.TopicRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The services' policy for a derived record that cannot be written, on a real broker, with their error settings
 * (exactly_once_v2, {@link DeadLetterDeserializationHandler}, {@link LogAndContinueProcessingExceptionHandler}, a
 * dead-letter topic, and Kafka Streams' default production exception handler, which fails):
 *
 * <ol>
 *   <li>an output record over the producer's {@code max.request.size} (1 MiB by default) stops Kafka Streams: its state
 *       is no longer RUNNING or REBALANCING, which is what the liveness check reports (so the platform restarts it);</li>
 *   <li>nothing of the failed transaction is visible to {@code read_committed} readers, nor anything after it, and the
 *       input offset is not committed past the record before it: the record is neither skipped nor dead-lettered;</li>
 *   <li>once the cause is fixed (here the producer's {@code max.request.size} raised, the output topic already
 *       accepting 5 MB), a restart processes that record and everything after it, once.</li>
 * </ol>
 */
class ProductionFailurePolicyTest {

    private static final String INPUT = "production-failure-input";
    private static final String OUTPUT = "production-failure-output";
    private static final String DEAD_LETTERS = "production-failure-dlq";
    private static final String APPLICATION_ID = "production-failure-policy";
    /** Two million characters: twice the producer's default {@code max.request.size}. */
    private static final String HUGE = "x".repeat(2_000_000);
    private static TestKafkaCluster cluster;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void startBroker() throws Exception {
        cluster = TestKafkaClusterChoice.start(TestKafkaClusterChoice.configuredChoice());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(INPUT, 1, (short) 1), new NewTopic(DEAD_LETTERS, 1, (short) 1),
                    new NewTopic(OUTPUT, 1, (short) 1).configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "5000000"))))
                    .all().get();
        }
        try (KafkaTopics topics = new KafkaTopics(cluster.bootstrapServers())) {
            topics.awaitUsable(List.of(INPUT, DEAD_LETTERS, OUTPUT));
        }
    }

    @AfterAll
    static void stopBroker() {
        cluster.close();
    }

    @Test
    void anUnwritableRecordStopsTheServiceWithoutLosingOrSkippingIt() throws Exception {
        List<String> before = IntStream.range(0, 20).mapToObj(i -> "before-" + i).toList();
        List<String> after = IntStream.range(0, 10).mapToObj(i -> "after-" + i).toList();
        try (TestProducer<String, String> producer = TestProducer.strings(cluster.bootstrapServers())) {
            before.forEach(v -> producer.send(INPUT, "k", v));
        }
        KafkaStreams first = start(Map.of());
        awaitOutput(before.size());

        try (TestProducer<String, String> producer = TestProducer.strings(cluster.bootstrapServers())) {
            producer.send(INPUT, "k", "huge");
            after.forEach(v -> producer.send(INPUT, "k", v));
        }
        Awaitility.await("Kafka Streams to stop on the record it cannot write").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200)).until(() -> !first.state().isRunningOrRebalancing());
        KafkaStreams.State stopped = first.state();
        first.close(Duration.ofSeconds(30));

        assertThat(outputValues()).as("read_committed output after the failure: the records before it, nothing else")
                .containsExactlyElementsOf(before.stream().map(String::toUpperCase).toList());
        assertThat(committedInputOffset()).as("committed input offset: up to the record that failed, not past it")
                .isEqualTo(before.size());
        assertThat(read(DEAD_LETTERS)).as("dead letters: a production failure is not dead-lettered").isEmpty();

        // the fix (a larger max.request.size), and a restart: the record and everything after it, once
        KafkaStreams second = start(Map.of(StreamsConfig.producerPrefix("max.request.size"), 5_000_000));
        try {
            awaitOutput(before.size() + 1 + after.size());
            List<String> expected = new ArrayList<>(before.stream().map(String::toUpperCase).toList());
            expected.add(HUGE.toUpperCase());
            after.stream().map(String::toUpperCase).forEach(expected::add);
            assertThat(outputValues()).as("read_committed output after the restart").isEqualTo(expected);
            System.out.printf("production failure: Kafka Streams %s after the %,d-character record; after the fix and a"
                    + " restart, %d output records, each once%n", stopped, HUGE.length(), expected.size());
        } finally {
            second.close(Duration.ofSeconds(30));
        }
    }

    private KafkaStreams start(Map<String, Object> overrides) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(INPUT, Consumed.with(Serdes.String(), Serdes.String()))
                .mapValues(v -> v.equals("huge") ? HUGE.toUpperCase() : v.toUpperCase())
                .to(OUTPUT, Produced.with(Serdes.String(), Serdes.String()));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterDeserializationHandler.class);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueProcessingExceptionHandler.class);
        props.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, DEAD_LETTERS);
        props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        props.putAll(overrides);
        KafkaStreams streams = new KafkaStreams(builder.build(), props);
        streams.start();
        return streams;
    }

    private void awaitOutput(int records) {
        Awaitility.await(records + " records on " + OUTPUT).atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(300)).until(() -> outputValues().size() >= records);
    }

    private static List<String> outputValues() {
        return read(OUTPUT).stream().map(TopicRecord::value).toList();
    }

    private static List<TopicRecord<String, String>> read(String topic) {
        return TopicReader.strings(cluster.bootstrapServers()).readAll(topic);
    }

    private static long committedInputOffset() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            OffsetAndMetadata committed = admin.listConsumerGroupOffsets(APPLICATION_ID).partitionsToOffsetAndMetadata()
                    .get().get(new TopicPartition(INPUT, 0));
            return committed == null ? 0 : committed.offset();
        }
    }
}
