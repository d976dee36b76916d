package dev.streamtemplate.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.streamtemplate.schemas.TopicCatalogue;
import dev.streamtemplate.testing.KafkaTopics;
import dev.streamtemplate.testing.TestKafkaClusterChoice;
import dev.streamtemplate.testing.TestProducer;
import dev.streamtemplate.testing.TopicReader;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * At least once across a restart: {@link WebhookDelivery} against a receiver that is down (connections refused) is
 * stopped in the middle of its retries, as a crash would stop it, and a second one in the same group takes over. Every
 * record, those published before the stop and one published while no instance ran, ends in {@code webhook-dlq} after
 * exactly {@code maxAttempts} attempts of the second, and the group's committed offsets pass them all: none lost.
 */
class WebhookDeliveryRestartTest {

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private static final String TOPIC = TopicCatalogue.ORDERS.name();

    @Test
    void aReceiverThatIsDownYieldsOneDeadLetterPerRecordWithNoOffsetLostAcrossARestart() throws Exception {
        String bootstrap = TestKafkaClusterChoice.shared().bootstrapServers();
        try (KafkaTopics topics = new KafkaTopics(bootstrap)) {
            topics.create(TopicCatalogue.ALL);
        }
        String group = "webhook-restart-test-" + System.nanoTime();
        Subscription subscription = new Subscription("sub-" + group, "http://127.0.0.1:" + closedPort() + "/hook",
                List.of(TOPIC), "restart-test-secret-16", Instant.now());
        KafkaClients clients = new KafkaClients(Map.of("bootstrap.servers", bootstrap));
        // the first instance would retry for long, so the stop finds every delivery in the middle of its retries
        Settings retriesForLong = new Settings(group, 1000);
        Settings settings = new Settings(group, 3);

        commitEnds(bootstrap, group); // the group starts where the topic ends now, not wherever it joins

        SimpleMeterRegistry firstMeters = new SimpleMeterRegistry();
        WebhookDelivery first = new WebhookDelivery(clients, retriesForLong, type -> type.equals(TOPIC) ? List.of(subscription) : List.of(),
                new CallbackAddresses(true), JSON, firstMeters, "restart-test-first");
        Thread firstThread = start(first);
        List<String> published = new ArrayList<>(publish(bootstrap, 4));
        await("the first instance to fail two attempts for each of the 4 records").atMost(Duration.ofSeconds(30))
                .until(() -> attempts(firstMeters) >= 8);
        first.stop();
        firstThread.join(Duration.ofSeconds(30).toMillis());
        assertThat(firstThread.isAlive()).as("the first instance stopped").isFalse();
        assertThat(deadLetters(bootstrap, subscription.id())).as("dead letters before the restart").isEmpty();

        published.addAll(publish(bootstrap, 1)); // while no instance runs

        SimpleMeterRegistry secondMeters = new SimpleMeterRegistry();
        WebhookDelivery second = new WebhookDelivery(clients, settings, type -> type.equals(TOPIC) ? List.of(subscription) : List.of(),
                new CallbackAddresses(true), JSON, secondMeters, "restart-test-second");
        Thread secondThread = start(second);
        try {
            await("a dead letter for each of the 5 records").atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(deadLetters(bootstrap, subscription.id()).keySet())
                            .containsExactlyInAnyOrderElementsOf(published));
            deadLetters(bootstrap, subscription.id()).values().forEach(letter -> {
                assertThat(letter.get("attempts").asInt()).isEqualTo(settings.maxAttempts());
                assertThat(letter.get("reason").asText()).startsWith("no answer: ConnectException");
                assertThat(letter.get("lastStatus").isNull()).isTrue();
            });
            assertThat(attempts(secondMeters)).as("the second instance's attempts").isEqualTo(5.0 * settings.maxAttempts());
            Map<TopicPartition, Long> afterPublished = new java.util.HashMap<>();
            for (String position : published) {
                String[] parts = position.split(":");
                afterPublished.merge(new TopicPartition(parts[0], Integer.parseInt(parts[1])), Long.parseLong(parts[2]) + 1, Math::max);
            }
            await("the group's committed offsets to pass every published record").atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> {
                        Map<TopicPartition, Long> committed = committed(bootstrap, group);
                        afterPublished.forEach((partition, next) -> assertThat(committed.get(partition))
                                .as("committed offset of %s", partition).isGreaterThanOrEqualTo(next));
                    });
        } finally {
            second.stop();
            secondThread.join(Duration.ofSeconds(30).toMillis());
        }
    }

    private record Settings(String groupId, int maxAttempts) implements WebhookSettings {

        public Duration initialBackoff() {
            return Duration.ofMillis(200);
        }

        public Duration maxBackoff() {
            return Duration.ofMillis(800);
        }

        public Duration timeout() {
            return Duration.ofSeconds(1);
        }

        public boolean allowPrivateAddresses() {
            return true;
        }

        public int batchSize() {
            return 100;
        }
    }

    private static Thread start(WebhookDelivery delivery) {
        Thread thread = new Thread(delivery, "webhook-delivery-test");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** A port nothing listens on: connections to it are refused, a receiver that is down. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static double attempts(SimpleMeterRegistry meters) {
        return meters.find("live.webhook.attempts").counters().stream().mapToDouble(c -> c.count()).sum();
    }

    private static List<String> publish(String bootstrap, int count) {
        List<String> positions = new ArrayList<>();
        try (TestProducer<String, String> producer = TestProducer.transactional(bootstrap, "webhook-restart-test",
                new StringSerializer(), new StringSerializer())) {
            producer.inTransaction(p -> {
                for (int i = 0; i < count; i++) {
                    RecordMetadata sent = p.send(TOPIC, "user-" + i, "{\"orderId\":\"o-" + i + "\"}");
                    positions.add(sent.topic() + ":" + sent.partition() + ":" + sent.offset());
                }
            });
        }
        return positions;
    }

    private static Map<String, JsonNode> deadLetters(String bootstrap, String subscriptionId) throws IOException {
        Map<String, JsonNode> byKey = new java.util.HashMap<>();
        for (var record : TopicReader.strings(bootstrap).readAll(TopicCatalogue.WEBHOOK_DLQ.name())) {
            JsonNode letter = JSON.readTree(record.value());
            if (letter.get("subscriptionId").asText().equals(subscriptionId)) {
                assertThat(byKey.put(letter.get("idempotencyKey").asText(), letter))
                        .as("a second dead letter for %s", letter.get("idempotencyKey").asText()).isNull();
            }
        }
        return byKey;
    }

    private static void commitEnds(String bootstrap, String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> ends = new java.util.HashMap<>();
        ends(bootstrap).forEach((partition, end) -> ends.put(partition, new OffsetAndMetadata(end)));
        try (KafkaTopics topics = new KafkaTopics(bootstrap)) {
            topics.admin().alterConsumerGroupOffsets(group, ends).all().get();
        }
    }

    private static Map<TopicPartition, Long> committed(String bootstrap, String group) throws Exception {
        try (KafkaTopics topics = new KafkaTopics(bootstrap)) {
            Map<TopicPartition, OffsetAndMetadata> offsets = topics.admin().listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            return offsets.entrySet().stream().filter(e -> e.getKey().topic().equals(TOPIC))
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        }
    }

    private static Map<TopicPartition, Long> ends(String bootstrap) throws Exception {
        try (KafkaTopics topics = new KafkaTopics(bootstrap)) {
            Set<TopicPartition> partitions = new java.util.HashSet<>();
            for (int p = 0; p < TopicCatalogue.ORDERS.partitions(); p++) {
                partitions.add(new TopicPartition(TOPIC, p));
            }
            Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = partitions.stream()
                    .collect(Collectors.toMap(p -> p, p -> org.apache.kafka.clients.admin.OffsetSpec.latest()));
            return topics.admin().listOffsets(latest).all().get().entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        }
    }
}
