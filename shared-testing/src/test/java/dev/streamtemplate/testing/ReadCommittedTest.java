package dev.streamtemplate.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The reader returns exactly the committed records, in partition/offset order, with all their fields. */
class ReadCommittedTest {

    private static final long BASE_TIMESTAMP = 1_767_225_600_000L; // 2026-01-01T00:00:00Z

    private static String bootstrapServers;

    @BeforeAll
    static void startBroker() {
        bootstrapServers = TestKafkaClusterChoice.shared().bootstrapServers();
    }

    @Test
    void readsExactlyTheCommittedRecordsAndSkipsAnAbortedTransaction() {
        String topic = uniqueTopic(3);
        List<ProducerRecord<String, String>> committed = IntStream.range(0, 1_000)
                .mapToObj(i -> record(topic, "user-" + (i % 37), "value-" + i, i))
                .toList();
        List<ProducerRecord<String, String>> aborted = IntStream.range(0, 10)
                .mapToObj(i -> record(topic, "user-" + i, "aborted-" + i, 5_000 + i))
                .toList();

        List<RecordMetadata> written = new ArrayList<>();
        try (TestProducer<String, String> producer = TestProducer.transactional(bootstrapServers,
                "read-committed-test-" + topic, new StringSerializer(), new StringSerializer())) {
            producer.inTransaction(p -> written.addAll(p.sendAll(committed.subList(0, 500))));
            producer.inAbortedTransaction(p -> p.sendAll(aborted));
            producer.inTransaction(p -> written.addAll(p.sendAll(committed.subList(500, 1_000))));
        }

        List<TopicRecord<String, String>> read = TopicReader.strings(bootstrapServers).readAll(topic);

        assertThat(read).hasSize(1_000);
        assertThat(read).extracting(TopicRecord::value).noneMatch(v -> v.startsWith("aborted"));
        assertThat(read).isSortedAccordingTo(Comparator.<TopicRecord<String, String>>comparingInt(
                TopicRecord::partition).thenComparingLong(TopicRecord::offset));
        Map<String, TopicRecord<String, String>> byValue = new HashMap<>();
        read.forEach(r -> byValue.put(r.value(), r));
        assertThat(byValue).hasSize(1_000);
        for (int i = 0; i < committed.size(); i++) {
            ProducerRecord<String, String> sent = committed.get(i);
            RecordMetadata where = written.get(i);
            TopicRecord<String, String> got = byValue.get(sent.value());
            assertThat(got).as("record %s", sent.value()).isNotNull();
            assertThat(got.topic()).isEqualTo(topic);
            assertThat(got.key()).isEqualTo(sent.key());
            assertThat(got.partition()).isEqualTo(where.partition());
            assertThat(got.offset()).isEqualTo(where.offset());
            assertThat(got.timestamp()).isEqualTo(sent.timestamp());
            assertThat(got.header("seq")).contains(Integer.toString(i));
        }
        // the aborted records and the transaction markers sit between the committed ones; the offsets above show
        // the reader stepped over them
        assertThat(read.stream().mapToInt(TopicRecord::partition).distinct().count()).isEqualTo(3);
    }

    @Test
    void doesNotWaitForATransactionStillOpen() {
        String topic = uniqueTopic(2);
        try (TestProducer<String, String> committer = TestProducer.transactional(bootstrapServers,
                "committer-" + topic, new StringSerializer(), new StringSerializer());
             TestProducer<String, String> laggard = TestProducer.transactional(bootstrapServers,
                     "laggard-" + topic, new StringSerializer(), new StringSerializer())) {
            committer.inTransaction(p -> p.sendAll(List.of(record(topic, "a", "1", 0), record(topic, "b", "2", 1))));
            laggard.beginTransaction();
            laggard.sendAll(List.of(record(topic, "a", "open-1", 2), record(topic, "b", "open-2", 3)));
            committer.inTransaction(p -> p.sendAll(List.of(record(topic, "c", "3", 4))));

            TopicReader<String, String> reader = TopicReader.strings(bootstrapServers);
            // the open transaction holds the last stable offset back: what was committed before it is returned,
            // and the reader returns without waiting for the open transaction to end
            List<TopicRecord<String, String>> whileOpen = reader.readAll(topic, Duration.ofSeconds(10));
            assertThat(whileOpen).extracting(TopicRecord::value).doesNotContain("open-1", "open-2")
                    .contains("1", "2");

            laggard.commitTransaction();
            assertThat(reader.readAll(topic)).extracting(TopicRecord::value)
                    .containsExactlyInAnyOrder("1", "2", "3", "open-1", "open-2");
            assertThat(reader.readLatestByKey(topic)).containsOnlyKeys("a", "b", "c");
        }
    }

    @Test
    void readLatestByKeyAppliesTombstones() {
        String topic = uniqueTopic(1);
        try (TestProducer<String, String> producer = TestProducer.strings(bootstrapServers)) {
            producer.send(topic, "a", "1");
            producer.send(topic, "b", "1");
            producer.send(topic, "a", "2");
            producer.send(topic, "b", null);
        }
        assertThat(TopicReader.strings(bootstrapServers).readLatestByKey(topic)).containsExactly(Map.entry("a", "2"));
    }

    @Test
    void anEmptyTopicReadsAsEmpty() {
        assertThat(TopicReader.strings(bootstrapServers).readAll(uniqueTopic(2))).isEmpty();
    }

    @Test
    void aMissingTopicIsAClearError() {
        assertThatThrownBy(() -> TopicReader.strings(bootstrapServers).readAll("no-such-topic-" + UUID.randomUUID()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void notReachingTheEndInTimeIsAClearError() {
        String topic = uniqueTopic(1);
        try (TestProducer<String, String> producer = TestProducer.strings(bootstrapServers)) {
            producer.send(topic, "a", "1");
        }
        assertThatThrownBy(() -> TopicReader.strings(bootstrapServers).readAll(topic, Duration.ofMillis(1)))
                .isInstanceOf(TimeoutException.class)
                .hasMessageContaining("Reading topic " + topic)
                .hasMessageContaining("PT0.001S");
    }

    @Test
    void aTransactionalProducerRefusesToSendOutsideATransaction() {
        String topic = uniqueTopic(1);
        try (TestProducer<String, String> producer = TestProducer.transactional(bootstrapServers,
                "outside-" + topic, new StringSerializer(), new StringSerializer())) {
            assertThatThrownBy(() -> producer.send(topic, "a", "1"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("inTransaction");
        }
    }

    private static String uniqueTopic(int partitions) {
        String name = "test-" + UUID.randomUUID();
        try (KafkaTopics topics = new KafkaTopics(bootstrapServers)) {
            topics.create(name, partitions);
        }
        return name;
    }

    private static ProducerRecord<String, String> record(String topic, String key, String value, int seq) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("seq", Integer.toString(seq).getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(topic, null, BASE_TIMESTAMP + seq, key, value, headers);
    }
}
