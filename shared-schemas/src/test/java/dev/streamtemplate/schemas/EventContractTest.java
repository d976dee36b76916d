package dev.streamtemplate.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.temporal.ChronoUnit;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EventContractTest {

    private static final Instant T = Instant.parse("2026-11-21T10:15:30.123Z");
    private static final UserProfile ALICE = new UserProfile("u-1", "Alice", "alice@example.com", CustomerTier.GOLD, "DE");

    static Stream<Arguments> examples() {
        return Stream.of(
                Arguments.of("page-view", new PageView("e-1", "u-1", "/products/p-7", "p-7", "search", T)),
                Arguments.of("page-view", new PageView("e-2", "u-1", "/home", null, null, T)),
                Arguments.of("purchase", new Purchase("e-3", "o-1", "u-1", "p-7", 2, 3998, "EUR", T)),
                Arguments.of("cart-event", new CartEvent("e-4", "u-1", CartEventType.ADD_ITEM, "p-7", 1, T)),
                Arguments.of("cart-event", new CartEvent("e-5", "u-1", CartEventType.REMOVE_ITEM, "p-7", null, T)),
                Arguments.of("cart-event", new CartEvent("e-6", "u-1", CartEventType.CHECKOUT, null, null, T)),
                Arguments.of("user-change", new UserChange(UserChange.Operation.CREATE, null, ALICE, T, 1)),
                Arguments.of("user-change", new UserChange(UserChange.Operation.SNAPSHOT, null, ALICE, T, 1)),
                Arguments.of("user-change", new UserChange(UserChange.Operation.UPDATE, ALICE,
                        new UserProfile("u-1", "Alice", "alice@example.org", CustomerTier.SILVER, "AT"), T, 2)),
                Arguments.of("user-change", new UserChange(UserChange.Operation.DELETE, ALICE, null, T, 3)),
                Arguments.of("product", new Product("p-7", "Kettle", "kitchen", 1999, "EUR", T)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("examples")
    void roundTripsAndValidatesAgainstItsSchema(String schema, Object event) throws Exception {
        @SuppressWarnings("unchecked")
        JsonSerde<Object> serde = (JsonSerde<Object>) JsonSerde.of(event.getClass());
        byte[] bytes = serde.serialize("t", event);

        assertThat(serde.deserialize("t", bytes)).isEqualTo(event);

        JsonNode json = JsonSerde.MAPPER.readTree(bytes);
        Set<ValidationMessage> errors = schema(schema).validate(json);
        assertThat(errors).as("schema errors of %s", json).isEmpty();
        assertThat(json.get(event instanceof UserChange ? "sourceTimestamp"
                : event instanceof Product ? "updatedAt" : "timestamp").asText())
                .isEqualTo("2026-11-21T10:15:30.123Z");
    }

    @Test
    void schemasRejectWhatTheRecordsReject() throws Exception {
        JsonNode missingUser = JsonSerde.MAPPER.readTree("{\"eventId\":\"e\",\"page\":\"/\",\"timestamp\":\"2026-01-01T00:00:00Z\"}");
        assertThat(schema("page-view").validate(missingUser)).isNotEmpty();
        JsonNode deleteWithAfter = JsonSerde.MAPPER.valueToTree(new UserChange(UserChange.Operation.CREATE, null, ALICE, T, 1));
        ((com.fasterxml.jackson.databind.node.ObjectNode) deleteWithAfter).put("op", "DELETE");
        assertThat(schema("user-change").validate(deleteWithAfter)).isNotEmpty();
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("not JSON", "{\"eventId\": ", "not valid JSON"),
                Arguments.of("wrong type", "{\"eventId\":\"e\",\"orderId\":\"o\",\"userId\":\"u\",\"productId\":\"p\","
                        + "\"quantity\":\"two\",\"amountCents\":1,\"currency\":\"EUR\",\"timestamp\":\"2026-01-01T00:00:00Z\"}", "quantity"),
                Arguments.of("missing required", "{\"eventId\":\"e\",\"orderId\":\"o\",\"userId\":\"u\","
                        + "\"quantity\":1,\"amountCents\":1,\"currency\":\"EUR\",\"timestamp\":\"2026-01-01T00:00:00Z\"}", "productId"),
                Arguments.of("missing primitive", "{\"eventId\":\"e\",\"orderId\":\"o\",\"userId\":\"u\",\"productId\":\"p\","
                        + "\"amountCents\":1,\"currency\":\"EUR\",\"timestamp\":\"2026-01-01T00:00:00Z\"}", "quantity"),
                Arguments.of("bad currency", "{\"eventId\":\"e\",\"orderId\":\"o\",\"userId\":\"u\",\"productId\":\"p\","
                        + "\"quantity\":1,\"amountCents\":1,\"currency\":\"euro\",\"timestamp\":\"2026-01-01T00:00:00Z\"}", "ISO-4217"),
                Arguments.of("negative time", "{\"eventId\":\"e\",\"orderId\":\"o\",\"userId\":\"u\",\"productId\":\"p\","
                        + "\"quantity\":1,\"amountCents\":1,\"currency\":\"EUR\",\"timestamp\":\"1969-12-31T23:59:59Z\"}", "before 1970"),
                Arguments.of("bad timestamp", "{\"eventId\":\"e\",\"orderId\":\"o\",\"userId\":\"u\",\"productId\":\"p\","
                        + "\"quantity\":1,\"amountCents\":1,\"currency\":\"EUR\",\"timestamp\":\"yesterday\"}", "timestamp"),
                Arguments.of("JSON null", "null", "null"),
                Arguments.of("array", "[1,2]", "Purchase"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedPurchasesRaiseTheTypedErrorSayingWhatWasWrong(String name, String json, String mentions) {
        JsonSerde<Purchase> serde = JsonSerde.of(Purchase.class);
        assertThatThrownBy(() -> serde.deserialize("purchases", json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("on topic 'purchases'")
                .hasMessageContaining(mentions)
                .satisfies(e -> assertThat(((MalformedEventException) e).eventType()).isEqualTo(Purchase.class));
    }

    @Test
    void unknownEnumValueNamesTheAllowedValues() {
        String json = "{\"eventId\":\"e\",\"userId\":\"u\",\"type\":\"EMPTY_CART\",\"timestamp\":\"2026-01-01T00:00:00Z\"}";
        assertThatThrownBy(() -> JsonSerde.of(CartEvent.class).deserialize("cart-events", json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("type")
                .hasMessageContaining("EMPTY_CART")
                .hasMessageContaining("ADD_ITEM");
    }

    @Test
    void anOversizedEventIsRejectedBeforeItIsParsed() {
        String json = "{\"eventId\":\"e\",\"userId\":\"u\",\"page\":\"/" + "x".repeat(JsonSerde.MAX_EVENT_BYTES)
                + "\",\"timestamp\":\"2026-01-01T00:00:00Z\"}";
        assertThatThrownBy(() -> JsonSerde.of(PageView.class).deserialize("page-views", json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("on topic 'page-views'")
                .hasMessageContaining("more than the 65536 an event may have");
    }

    @Test
    void anEventFromTheFarFutureIsRejectedAndOneWithinTheHourIsNot() {
        Instant soon = Instant.now().plus(Duration.ofMinutes(50)).truncatedTo(ChronoUnit.SECONDS);
        String template = "{\"eventId\":\"e\",\"userId\":\"u\",\"page\":\"/home\",\"productId\":null,\"referrer\":null,\"timestamp\":\"%s\"}";
        assertThat(JsonSerde.of(PageView.class).deserialize("page-views",
                String.format(template, soon).getBytes(StandardCharsets.UTF_8)).timestamp()).isEqualTo(soon);
        assertThatThrownBy(() -> JsonSerde.of(PageView.class).deserialize("page-views",
                String.format(template, "9999-12-31T00:00:00Z").getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("9999-12-31T00:00:00Z is more than 60 minutes after this machine's clock");
    }

    @Test
    void cdcEnvelopeImagesMustMatchTheOperation() {
        String json = "{\"op\":\"UPDATE\",\"before\":null,\"after\":{\"userId\":\"u\",\"name\":\"n\",\"email\":\"e\","
                + "\"tier\":\"GOLD\",\"country\":\"DE\"},\"sourceTimestamp\":\"2026-01-01T00:00:00Z\",\"version\":2}";
        assertThatThrownBy(() -> JsonSerde.of(UserChange.class).deserialize("user-changes", json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("before");
    }

    @Test
    void tombstonesReadAsNullAndUnknownFieldsAreIgnored() {
        assertThat(JsonSerde.of(UserChange.class).deserialize("user-changes", null)).isNull();
        String json = "{\"productId\":\"p\",\"name\":\"n\",\"category\":\"c\",\"priceCents\":5,\"currency\":\"EUR\","
                + "\"updatedAt\":\"2026-01-01T00:00:00Z\",\"colour\":\"red\"}";
        assertThat(JsonSerde.of(Product.class).deserialize("products", json.getBytes(StandardCharsets.UTF_8)).priceCents())
                .isEqualTo(5);
    }

    @Test
    void extractorTakesEventTimeFromThePayload() {
        EventTimeExtractor extractor = new EventTimeExtractor();
        PageView view = new PageView("e", "u", "/", null, null, T);
        ConsumerRecord<Object, Object> record = new ConsumerRecord<>("page-views", 0, 0, 999L,
                org.apache.kafka.common.record.TimestampType.CREATE_TIME, 0, 0, "u", view,
                new org.apache.kafka.common.header.internals.RecordHeaders(), java.util.Optional.empty());
        assertThat(extractor.extract(record, 5L)).isEqualTo(T.toEpochMilli());

        ConsumerRecord<Object, Object> tombstone = new ConsumerRecord<>("user-changes", 0, 0, 999L,
                org.apache.kafka.common.record.TimestampType.CREATE_TIME, 0, 0, "u", null,
                new org.apache.kafka.common.header.internals.RecordHeaders(), java.util.Optional.empty());
        assertThat(extractor.extract(tombstone, 5L)).as("a tombstone does not move stream time").isEqualTo(5L);
        assertThat(extractor.extract(tombstone, -1L)).as("first record of a partition").isEqualTo(999L);
    }

    private static JsonSchema schema(String name) throws Exception {
        try (InputStream in = EventContractTest.class.getResourceAsStream("/schemas/" + name + ".schema.json")) {
            assertThat(in).as("schema file %s", name).isNotNull();
            SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in, config);
        }
    }
}
