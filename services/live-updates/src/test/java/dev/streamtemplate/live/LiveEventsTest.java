package dev.streamtemplate.live;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamtemplate.schemas.TopicCatalogue;
import dev.streamtemplate.testing.HostileRequests;
import dev.streamtemplate.testing.KafkaTestResource;
import dev.streamtemplate.testing.KafkaTopics;
import dev.streamtemplate.testing.TestProducer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /events} on a real broker: the union of what a client receives before and after a reconnect with
 * {@code Last-Event-ID} is exactly what was published (no gap, no duplicate); a client that stops reading fills its
 * buffer ({@code live.client-buffer}, 50 here), stays full past {@code live.client-stall} (2 s here) and gets
 * {@code resync} while another receives everything;
 * positions that cannot be resumed give {@code resync} with the reason; bad parameters give 400 JSON.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
class LiveEventsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger TRANSACTIONS = new AtomicInteger();

    private static TestProducer<String, String> producer;

    @TestHTTPResource("/events")
    URI events;

    /**
     * 10,000 generated hostile requests and 256 at once to {@code /events} and {@code /webhooks} (bad
     * percent-encoding, bytes that are not UTF-8, path traversal, huge parameters, long headers, other methods) get
     * JSON answers or an event stream, never a 5xx but 503 with {@code Retry-After}, and the service stays live and
     * ready ({@link HostileRequests}).
     */
    @Test
    void hostileRequestsGetJsonAnswersAndTheServiceStaysReady() {
        HostileRequests.verify(events.resolve("/"), 10_000, 18L);
    }

    @BeforeAll
    static void producer() {
        producer = TestProducer.transactional(KafkaTestResource.bootstrapServers(),
                "live-events-test-" + TRANSACTIONS.incrementAndGet(), new StringSerializer(), new StringSerializer());
    }

    @AfterAll
    static void closeProducer() {
        producer.close();
    }

    @Test
    void aClientThatReconnectsWithLastEventIdReceivesEverythingAfterItOnce() throws Exception {
        URI uri = URI.create(events + "?types=orders,cart-rejections");
        SseTestClient first = SseTestClient.open(uri, null).startAndLeaveAfter(120);
        assertThat(first.awaitFirst().name()).isEqualTo("ready");
        List<String> published = new ArrayList<>(publish("orders", 100, 200));
        published.addAll(publish("cart-rejections", 100, 200));
        publish("attributed-revenue-hourly", 20, 200); // a type the client did not ask for
        await("the first connection to receive 120 events and leave").atMost(Duration.ofSeconds(30))
                .until(first::ended);
        List<SseTestClient.Event> beforeLeaving = first.records();
        assertThat(beforeLeaving).hasSize(120);

        published.addAll(publish("orders", 50, 200)); // while the client is away
        try (SseTestClient second = SseTestClient.connect(uri, beforeLeaving.get(119).id())) {
            assertThat(second.awaitFirst().name()).as("the first event after a resumable id").isEqualTo("ready");
            await("the reconnected client to receive the rest").atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(second.records()).hasSize(published.size() - 120));
            List<String> received = new ArrayList<>(positions(beforeLeaving));
            received.addAll(positions(second.records()));
            assertThat(received).as("positions received, before and after the reconnect").doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(published);
            assertThat(second.events()).extracting(SseTestClient.Event::name).doesNotContain("resync", "attributed-revenue-hourly");
            assertOrderedPerPartition(beforeLeaving, second.records());
        }
    }

    @Test
    void aClientThatStopsReadingOverflowsAndResyncsWhileAnotherReceivesEverything() throws Exception {
        URI uri = URI.create(events + "?types=orders");
        try (SseTestClient fast = SseTestClient.connect(uri, null)) {
            String start = fast.awaitFirst().id();
            try (SseTestClient slow = SseTestClient.open(uri, start)) { // opened, never read yet
                await("both streams open").atMost(Duration.ofSeconds(10)).until(() -> metric("live_sse_clients") >= 2);
                List<String> published = publish("orders", 300, 100_000);
                await("the reading client to receive all 300 records of 100 kB").atMost(Duration.ofSeconds(60))
                        .untilAsserted(() -> assertThat(fast.records()).hasSize(300));
                assertThat(perPartition(positions(fast.records()))).isEqualTo(perPartition(published));
                await("the stalled client's buffer full (live.client-buffer=50) for longer than live.client-stall (2 s)")
                        .atMost(Duration.ofSeconds(30)).until(() -> metric("live_sse_stalled_clients") >= 1);

                slow.start();
                await("the stalled client, once it reads, to get resync").atMost(Duration.ofSeconds(30))
                        .until(() -> slow.events().stream().anyMatch(e -> e.name().equals("resync")));
                List<SseTestClient.Event> received = slow.events();
                int resyncAt = received.stream().map(SseTestClient.Event::name).toList().indexOf("resync");
                JsonNode resync = JSON.readTree(received.get(resyncAt).data());
                assertThat(resync.get("reason").asText()).isEqualTo("OVERFLOW");
                List<String> beforeResync = positions(received.subList(0, resyncAt));
                assertThat(beforeResync).as("the stalled client skipped records").hasSizeLessThan(300);
                Map<String, List<Long>> publishedPerPartition = perPartition(published);
                perPartition(beforeResync).forEach((partition, offsets) -> assertThat(offsets)
                        .as("what the stalled client got of %s before resync: its first records, in order", partition)
                        .isEqualTo(publishedPerPartition.get(partition).subList(0, offsets.size())));

                List<String> after = publish("orders", 5, 100);
                await("the resynced client to go on with the newest records").atMost(Duration.ofSeconds(30))
                        .untilAsserted(() -> assertThat(perPartition(positions(
                                slow.events().subList(resyncAt + 1, slow.events().size())))).isEqualTo(perPartition(after)));
                assertThat(fast.events()).extracting(SseTestClient.Event::name).doesNotContain("resync");
            }
        }
    }

    @Test
    void aClientThatReadsSlowlyButKeepsUpPausesItsStreamAndMissesNothing() throws Exception {
        URI uri = URI.create(events + "?types=cart-rejections");
        try (SseTestClient slow = SseTestClient.open(uri, null).startSlowly(2)) {
            assertThat(slow.awaitFirst().name()).isEqualTo("ready");
            // 2,000 records of 5 kB in one transaction, more than the socket buffers hold, hundreds per poll: the
            // 50-event buffer fills again and again in the middle of a poll, and each time drains well within the 2 s
            // stall limit
            List<String> published = publish("cart-rejections", 2_000, 5_000);
            await("the slow client to receive all 2,000 records").atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(slow.records()).hasSize(2_000));
            assertThat(slow.events()).extracting(SseTestClient.Event::name).doesNotContain("resync");
            assertThat(perPartition(positions(slow.records()))).isEqualTo(perPartition(published));
        }
    }

    @Test
    void positionsThatCannotBeResumedGiveResyncWithTheReason() throws Exception {
        try (SseTestClient unreadable = SseTestClient.connect(URI.create(events + "?types=orders"), "yesterday")) {
            assertThat(reason(unreadable.awaitFirst())).isEqualTo("UNREADABLE_ID");
        }
        try (SseTestClient beyondTheEnd = SseTestClient.connect(URI.create(events + "?types=orders"), "v1;orders:0:99999999")) {
            assertThat(reason(beyondTheEnd.awaitFirst())).isEqualTo("UNKNOWN_POSITION");
        }
        URI rejections = URI.create(events + "?types=cart-rejections");
        String before;
        try (SseTestClient client = SseTestClient.connect(rejections, null)) {
            before = client.awaitFirst().id();
        }
        List<String> published = publish("cart-rejections", 8, 100);
        TopicPartition partition = new TopicPartition("cart-rejections", Integer.parseInt(published.get(0).split(":")[1]));
        deleteRecords(Map.of(partition, RecordsToDelete.beforeOffset(Long.parseLong(published.get(0).split(":")[2]) + 1)));
        try (SseTestClient afterRetention = SseTestClient.connect(rejections, before)) {
            SseTestClient.Event first = afterRetention.awaitFirst();
            assertThat(reason(first)).as("a position older than the partition's first record").isEqualTo("RETENTION");
            assertThat(StreamPosition.parse(first.id())).as("resync's id is a position to resume from").isPresent();
        }
    }

    @Test
    void sinceStartsWithTheRecordsOfThatLastSpan() throws Exception {
        deleteAllRecords("purchase-bursts"); // records other tests wrote with current timestamps would come first
        long now = System.currentTimeMillis();
        List<String> old = new ArrayList<>();
        List<String> recent = new ArrayList<>();
        // record timestamps in log order, as a stream service writes them: three hours old, then ten minutes old
        producer.inTransaction(p -> {
            for (int i = 0; i < 8; i++) {
                old.add(position(p.send(new ProducerRecord<>("purchase-bursts", null, now - Duration.ofHours(3).toMillis(),
                        "k" + i, "{\"i\":" + i + "}"))));
            }
        });
        producer.inTransaction(p -> {
            for (int i = 0; i < 8; i++) {
                recent.add(position(p.send(new ProducerRecord<>("purchase-bursts", null, now - Duration.ofMinutes(10).toMillis(),
                        "k" + i, "{\"i\":" + i + "}"))));
            }
        });
        try (SseTestClient client = SseTestClient.connect(URI.create(events + "?types=purchase-bursts&since=PT1H"), null)) {
            assertThat(client.awaitFirst().name()).isEqualTo("ready");
            await("the records of the last hour").atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(positions(client.records())).containsAll(recent));
            assertThat(positions(client.records())).doesNotContainAnyElementsOf(old);
            assertThat(client.records()).allSatisfy(e -> assertThat(Instant.parse(JSON.readTree(e.data()).get("timestamp").asText()))
                    .isAfter(Instant.ofEpochMilli(now).minus(Duration.ofHours(1))));
        }
    }

    @Test
    void badParametersGet400WithAJsonError() {
        given().accept("text/event-stream").queryParam("types", "orders,nope").when().get("/events")
                .then().statusCode(400).contentType("application/json")
                .body("status", equalTo(400)).body("message", containsString("unknown type 'nope'"));
        given().accept("text/event-stream").queryParam("since", "yesterday").when().get("/events")
                .then().statusCode(400).body("message", containsString("ISO-8601 duration"));
        given().accept("text/event-stream").queryParam("since", "P400D").when().get("/events")
                .then().statusCode(400).body("message", containsString("between PT0S and"));
    }

    private List<String> publish(String topic, int count, int valueBytes) {
        List<String> positions = new ArrayList<>();
        String pad = "x".repeat(valueBytes);
        producer.inTransaction(p -> {
            for (int i = 0; i < count; i++) {
                positions.add(position(p.send(topic, "user-" + (i % 7), "{\"i\":" + i + ",\"pad\":\"" + pad + "\"}")));
            }
        });
        return positions;
    }

    /** What retention does: moves the partitions' first offsets forward. */
    private static void deleteRecords(Map<TopicPartition, RecordsToDelete> before) throws Exception {
        try (KafkaTopics topics = new KafkaTopics(KafkaTestResource.bootstrapServers())) {
            topics.admin().deleteRecords(before).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static void deleteAllRecords(String topic) throws Exception {
        Map<TopicPartition, RecordsToDelete> all = new HashMap<>();
        for (int partition = 0; partition < TopicCatalogue.PURCHASE_BURSTS.partitions(); partition++) {
            all.put(new TopicPartition(topic, partition), RecordsToDelete.beforeOffset(-1)); // -1: the high watermark
        }
        deleteRecords(all);
    }

    private static String position(RecordMetadata sent) {
        return sent.topic() + ":" + sent.partition() + ":" + sent.offset();
    }

    private static List<String> positions(List<SseTestClient.Event> events) {
        return events.stream().filter(e -> !e.name().equals("ready") && !e.name().equals("resync")).map(e -> {
            try {
                JsonNode data = JSON.readTree(e.data());
                assertThat(data.get("type").asText()).isEqualTo(e.name());
                return data.get("topic").asText() + ":" + data.get("partition").asInt() + ":" + data.get("offset").asLong();
            } catch (java.io.IOException ex) {
                throw new AssertionError("event data is not JSON: " + e.data(), ex);
            }
        }).toList();
    }

    /** The offsets per partition ({@code topic:partition}), in the order given. */
    private static Map<String, List<Long>> perPartition(List<String> positions) {
        Map<String, List<Long>> offsets = new TreeMap<>();
        for (String p : positions) {
            offsets.computeIfAbsent(p.substring(0, p.lastIndexOf(':')), k -> new ArrayList<>())
                    .add(Long.parseLong(p.substring(p.lastIndexOf(':') + 1)));
        }
        return offsets;
    }

    private static void assertOrderedPerPartition(List<SseTestClient.Event> first, List<SseTestClient.Event> second) {
        Map<String, Long> last = new TreeMap<>();
        List<String> all = new ArrayList<>(positions(first));
        all.addAll(positions(second));
        for (String p : all) {
            String partition = p.substring(0, p.lastIndexOf(':'));
            long offset = Long.parseLong(p.substring(p.lastIndexOf(':') + 1));
            assertThat(offset).as("offsets of %s in the order received", partition).isGreaterThan(last.getOrDefault(partition, -1L));
            last.put(partition, offset);
        }
    }

    private static String reason(SseTestClient.Event event) throws java.io.IOException {
        assertThat(event.name()).isEqualTo("resync");
        return JSON.readTree(event.data()).get("reason").asText();
    }

    private static double metric(String name) {
        String body = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        return body.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

}
