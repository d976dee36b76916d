package dev.streamtemplate.live;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamtemplate.schemas.TopicCatalogue;
import dev.streamtemplate.testing.KafkaTestResource;
import dev.streamtemplate.testing.TestProducer;
import dev.streamtemplate.testing.TopicReader;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /webhooks} on a real broker, with receivers on 127.0.0.1 ({@code webhooks.allow-private-addresses} is true
 * in tests; 4 attempts, 1 s timeout, 100-400 ms backoff): registration, listing and removal, bad bodies as 400 JSON,
 * signed deliveries that a receiver failing the first two attempts deduplicates to one per record, and a receiver that
 * hangs cut off by the timeout and dead-lettered.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
class WebhooksTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The delivering consumer has its partitions and knows its positions (a lag for each), so records published
     * from now on are delivered: a new group starts at the end of each partition, wherever it is when it joins.
     */
    @BeforeEach
    void deliveryPositioned() {
        await("the webhook consumer positioned on every partition of orders and cart-rejections")
                .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                    String metrics = given().when().get("/q/metrics").then().extract().asString();
                    return java.util.stream.Stream.of("orders", "cart-rejections").allMatch(topic ->
                            java.util.stream.IntStream.range(0, 4).allMatch(partition -> metrics.lines().anyMatch(line ->
                                    line.startsWith("kafka_consumer_fetch_manager_records_lag{")
                                            && line.contains("topic=\"" + topic + "\"")
                                            && line.contains("partition=\"" + partition + "\"")
                                            && !line.endsWith("NaN"))));
                });
    }

    @Test
    void subscriptionsAreRegisteredListedWithoutSecretsAndRemoved() {
        String id = given().contentType(ContentType.JSON)
                .body(Map.of("url", "http://127.0.0.1:9/hook", "types", List.of("orders", "purchase-bursts")))
                .when().post("/webhooks")
                .then().statusCode(201).header("Location", containsString("/webhooks/"))
                .body("secret", notNullValue()).body("types", equalTo(List.of("orders", "purchase-bursts")))
                .extract().path("id");
        given().when().get("/webhooks").then().statusCode(200)
                .body("id", hasItem(id)).body("find { it.id == '" + id + "' }.secret", nullValue());
        given().when().get("/webhooks/" + id).then().statusCode(200).body("url", equalTo("http://127.0.0.1:9/hook"));
        given().when().delete("/webhooks/" + id).then().statusCode(204);
        given().when().get("/webhooks").then().statusCode(200).body("id", not(hasItem(id)));
        given().when().get("/webhooks/" + id).then().statusCode(404).body("status", equalTo(404));
        given().when().delete("/webhooks/" + id).then().statusCode(404).contentType("application/json");
    }

    @Test
    void badSubscriptionsGet400WithTheReason() {
        record Case(Map<String, Object> body, String message) {
        }
        List<Case> cases = List.of(
                new Case(Map.of("types", List.of("orders")), "'url' is required"),
                new Case(Map.of("url", "ftp://example.com/x", "types", List.of("orders")), "absolute http or https URL"),
                new Case(Map.of("url", "not a url", "types", List.of("orders")), "'url'"),
                new Case(Map.of("url", "http://127.0.0.1:9/hook"), "'types' needs at least one"),
                new Case(Map.of("url", "http://127.0.0.1:9/hook", "types", List.of("orders", "page-views")), "unknown type 'page-views'"),
                new Case(Map.of("url", "http://127.0.0.1:9/hook", "types", List.of("orders"), "secret", "short"), "16 to 256"));
        for (Case c : cases) {
            given().contentType(ContentType.JSON).body(c.body()).when().post("/webhooks")
                    .then().statusCode(400).contentType("application/json").body("status", equalTo(400))
                    .body("message", containsString(c.message()));
        }
        given().contentType(ContentType.JSON).body("{not json").when().post("/webhooks").then().statusCode(400);
    }

    @Test
    void aReceiverFailingTwiceGetsEachRecordOnceAfterDeduplicationAndEveryRequestIsSigned() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver(n -> n <= 2 ? 503 : 200)) {
            String secret = "a-secret-of-at-least-16-chars";
            String id = subscribe(receiver.url(), "orders", secret);
            List<String> published = publish(TopicCatalogue.ORDERS.name(), 3);

            await("each of the 3 orders accepted once by the receiver").atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(receiver.accepted().keySet()).containsExactlyInAnyOrderElementsOf(published));
            Map<String, List<Integer>> attempts = receiver.requests().stream().collect(Collectors.groupingBy(
                    WebhookReceiver.Request::idempotencyKey, Collectors.mapping(WebhookReceiver.Request::attempt, Collectors.toList())));
            assertThat(attempts).as("attempts per record: two answered 503, the third 200")
                    .containsOnlyKeys(published).allSatisfy((key, numbers) -> assertThat(numbers).containsExactly(1, 2, 3));
            for (WebhookReceiver.Request request : receiver.requests()) {
                assertThat(request.signature()).as("the signature of %s", request.idempotencyKey())
                        .isEqualTo("sha256=" + hmacSha256(secret, request.body()));
                assertThat(request.subscription()).isEqualTo(id);
                assertThat(request.eventType()).isEqualTo("orders");
                JsonNode body = JSON.readTree(request.body());
                assertThat(body.get("topic").asText() + ":" + body.get("partition").asInt() + ":" + body.get("offset").asLong())
                        .as("the body's position is its idempotency key").isEqualTo(request.idempotencyKey());
            }
            unsubscribe(id);
        }
    }

    @Test
    void aReceiverThatHangsIsCutOffByTheTimeoutAndTheDeliveryDeadLettered() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver(n -> WebhookReceiver.HANG)) {
            String id = subscribe(receiver.url(), "cart-rejections", "another-secret-16-chars");
            List<String> published = publish(TopicCatalogue.CART_REJECTIONS.name(), 1);
            TopicReader<String, String> dlq = TopicReader.strings(KafkaTestResource.bootstrapServers());
            JsonNode letter = await("the dead letter (4 attempts of 1 s)").atMost(Duration.ofSeconds(30))
                    .until(() -> dlq.readAll(TopicCatalogue.WEBHOOK_DLQ.name()).stream().map(r -> parse(r.value()))
                            .filter(l -> l.get("subscriptionId").asText().equals(id)).findFirst().orElse(null), l -> l != null);
            assertThat(letter.get("idempotencyKey").asText()).isEqualTo(published.get(0));
            assertThat(letter.get("attempts").asInt()).isEqualTo(4);
            assertThat(letter.get("reason").asText()).isEqualTo("no answer within the timeout");
            assertThat(letter.get("url").asText()).isEqualTo(receiver.url());
            assertThat(letter.get("event").get("type").asText()).isEqualTo("cart-rejections");
            assertThat(receiver.requests()).hasSize(4);
            unsubscribe(id);
        }
    }

    private static String subscribe(String url, String type, String secret) {
        return given().contentType(ContentType.JSON).body(Map.of("url", url, "types", List.of(type), "secret", secret))
                .when().post("/webhooks").then().statusCode(201).extract().path("id");
    }

    private static void unsubscribe(String id) {
        given().when().delete("/webhooks/" + id).then().statusCode(204);
    }

    private static List<String> publish(String topic, int count) {
        List<String> positions = new ArrayList<>();
        try (TestProducer<String, String> producer = TestProducer.transactional(KafkaTestResource.bootstrapServers(),
                "webhooks-test", new StringSerializer(), new StringSerializer())) {
            producer.inTransaction(p -> {
                for (int i = 0; i < count; i++) {
                    RecordMetadata sent = p.send(topic, "user-" + i, "{\"n\":" + i + "}");
                    positions.add(sent.topic() + ":" + sent.partition() + ":" + sent.offset());
                }
            });
        }
        return positions;
    }

    static String hmacSha256(String secret, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body));
    }

    private static JsonNode parse(String value) {
        try {
            return JSON.readTree(value);
        } catch (java.io.IOException e) {
            throw new AssertionError("a dead letter that is not JSON: " + value, e);
        }
    }
}
