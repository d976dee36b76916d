package dev.streamtemplate.runtime.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtemplate.testing.KafkaTopics;
import dev.streamtemplate.testing.TestKafkaCluster;
import dev.streamtemplate.testing.TestKafkaClusterChoice;
import dev.streamtemplate.testing.TestProducer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What exactly-once recovery rests on, on a real broker with the Kafka Streams version this project pins: while a task
 * runs under {@code exactly_once_v2}, its directory ({@code <state.dir>/<application.id>/<task id>}) holds no
 * {@code .checkpoint} file, so that after a crash Kafka Streams finds none, wipes the task's stores and restores them
 * from the committed changelog (KAFKA-7192). RocksDB may have flushed writes of a transaction that the crash aborted;
 * only the wipe removes them.
 *
 * <p>The case that broke it: a task restored from a checkpoint (written by a clean close), after which Kafka Streams
 * 4.2.1 left the checkpoint of the completed restoration in place while the task ran (KAFKA-20685, fixed in 4.2.2), and
 * a restart after a SIGKILL kept the aborted writes. The test closes an instance cleanly, checks that the close wrote
 * the checkpoint, starts it again on the same state directory, and checks that the running task has none.
 */
class ExactlyOnceCheckpointTest {

    private static final String INPUT = "eos-checkpoint-input";
    private static final String OUTPUT = "eos-checkpoint-counts";
    private static final String APPLICATION_ID = "eos-checkpoint";
    private static final int RECORDS = 200;
    private static TestKafkaCluster cluster;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void startBroker() {
        cluster = TestKafkaClusterChoice.start(TestKafkaClusterChoice.configuredChoice());
        KafkaTopics topics = new KafkaTopics(cluster.bootstrapServers());
        topics.create(INPUT, 2);
        topics.create(OUTPUT, 2);
    }

    @AfterAll
    static void stopBroker() {
        cluster.close();
    }

    @Test
    void aRunningTaskHasNoCheckpointAfterRestoringFromOne() throws Exception {
        produce(0);
        KafkaStreams first = startAndAwaitProcessed(RECORDS);
        // as the services close (GracefulShutdown): leaving the group, so that the restart is assigned the tasks at once
        first.close(CloseOptions.timeout(Duration.ofSeconds(30))
                .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        assertThat(checkpoints()).as("checkpoint files the clean close wrote, one per task").hasSize(2);

        KafkaStreams second = startAndAwaitProcessed(0);
        try {
            produce(RECORDS); // processed and committed by the running tasks
            Awaitility.await("the second instance to process " + RECORDS + " more records")
                    .atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
                    .until(() -> processed(second) >= RECORDS);
            assertThat(checkpoints()).as("checkpoint files of tasks running under exactly_once_v2 after restoring"
                    + " from a checkpoint (a crash now must wipe and restore their stores)").isEmpty();
        } finally {
            second.close(Duration.ofSeconds(30));
        }
    }

    private static void produce(int from) {
        try (TestProducer<String, String> producer = TestProducer.strings(cluster.bootstrapServers())) {
            IntStream.range(from, from + RECORDS).forEach(i -> producer.send(INPUT, "k" + (i % 20), "v" + i));
        }
    }

    /** Starts the counting topology; returns once it runs and has processed {@code records} records. */
    private KafkaStreams startAndAwaitProcessed(int records) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(INPUT, Consumed.with(Serdes.String(), Serdes.String()))
                .groupByKey()
                .count(Materialized.<String, Long, KeyValueStore<Bytes, byte[]>>as("counts-store"))
                .toStream()
                .to(OUTPUT, Produced.with(Serdes.String(), Serdes.Long()));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        KafkaStreams streams = new KafkaStreams(builder.build(), props);
        streams.start();
        Awaitility.await("Kafka Streams to run and process " + records + " records").atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> streams.state() == KafkaStreams.State.RUNNING && processed(streams) >= records);
        return streams;
    }

    private static double processed(KafkaStreams streams) {
        return streams.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals("process-total") && e.getKey().group().equals("stream-thread-metrics"))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
    }

    /** The {@code .checkpoint} files of the application's task directories. */
    private List<Path> checkpoints() throws IOException {
        try (Stream<Path> files = Files.walk(stateDir.resolve(APPLICATION_ID), 2)) {
            return files.filter(file -> file.getFileName().toString().equals(".checkpoint")).toList();
        }
    }
}
