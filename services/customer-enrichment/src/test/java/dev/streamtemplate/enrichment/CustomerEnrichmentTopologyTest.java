package dev.streamtemplate.enrichment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtemplate.schemas.CustomerTier;
import dev.streamtemplate.schemas.JsonSerde;
import dev.streamtemplate.schemas.PageView;
import dev.streamtemplate.schemas.Product;
import dev.streamtemplate.schemas.Purchase;
import dev.streamtemplate.schemas.TopicCatalogue;
import dev.streamtemplate.schemas.UserChange.Operation;
import dev.streamtemplate.schemas.UserChange;
import dev.streamtemplate.schemas.UserProfile;
import dev.streamtemplate.testing.ServiceStreamsConfig;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each join and the CDC rules with Kafka's TopologyTestDriver. Record caches are off, so every
 * table update is forwarded at once and the outputs below are exact, computed from the semantics
 * documented in {@link CustomerEnrichmentTopology}.
 */
class CustomerEnrichmentTopologyTest {

    private static final UserProfile ANNA = new UserProfile("u-1", "Anna", "anna@example.com", CustomerTier.GOLD, "DE");
    private static final UserProfile ANNA_SILVER = new UserProfile("u-1", "Anna", "anna@example.com", CustomerTier.SILVER, "DE");
    private static final UserProfile ANNA_AGAIN = new UserProfile("u-1", "Anna", "anna.new@example.com", CustomerTier.BRONZE, "FR");
    private static final Product LAMP = new Product("p-1", "Compact Lamp", "home", 2999, "EUR", at("09:00:00"));

    private final AtomicInteger ids = new AtomicInteger();
    private TopologyTestDriver driver;
    private TestInputTopic<String, UserChange> userChanges;
    private TestInputTopic<String, Product> products;
    private TestInputTopic<String, PageView> pageViews;
    private TestInputTopic<String, Purchase> purchases;
    private TestOutputTopic<String, EnrichedPageView> enriched;
    private TestOutputTopic<String, Customer360> customers;
    private TestOutputTopic<String, EnrichedOrderLine> orderDetails;
    private TestOutputTopic<byte[], byte[]> dlq;

    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path stateDir;

    @BeforeEach
    void start() {
        // production configuration (exception handlers, dead-letter topic, timestamp extractor), and:
        Properties props = ServiceStreamsConfig.forTopologyTest(stateDir);
        // no record cache: every update reaches the output topics at once
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0L);
        driver = new TopologyTestDriver(CustomerEnrichmentTopology.build(), props);
        var key = new StringSerializer();
        userChanges = driver.createInputTopic(TopicCatalogue.USER_CHANGES.name(), key, JsonSerde.of(UserChange.class));
        products = driver.createInputTopic(TopicCatalogue.PRODUCTS.name(), key, JsonSerde.of(Product.class));
        pageViews = driver.createInputTopic(TopicCatalogue.PAGE_VIEWS.name(), key, JsonSerde.of(PageView.class));
        purchases = driver.createInputTopic(TopicCatalogue.PURCHASES.name(), key, JsonSerde.of(Purchase.class));
        var keyOut = new StringDeserializer();
        enriched = driver.createOutputTopic(TopicCatalogue.ENRICHED_PAGE_VIEWS.name(), keyOut, JsonSerde.of(EnrichedPageView.class));
        customers = driver.createOutputTopic(TopicCatalogue.CUSTOMER_360.name(), keyOut, JsonSerde.of(Customer360.class));
        orderDetails = driver.createOutputTopic(TopicCatalogue.ORDER_DETAILS.name(), keyOut, JsonSerde.of(EnrichedOrderLine.class));
        dlq = driver.createOutputTopic(TopicCatalogue.CUSTOMER_ENRICHMENT_DLQ.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void aViewOfAnUnknownUserIsEmittedMarkedUnknown() {
        PageView view = view("u-9", "/home", null, "10:00:00");

        assertThat(enriched.readKeyValuesToList()).containsExactly(KeyValue.pair("u-9",
                new EnrichedPageView(view, false, null, null, null, null, null, null)));
    }

    @Test
    void viewsBetweenDeleteAndRecreateAreUnknownAndLaterOnesSeeTheNewProfile() {
        change(Operation.SNAPSHOT, null, ANNA, 1, "09:00:00");
        PageView before = view("u-1", "/home", null, "10:00:00");
        change(Operation.DELETE, ANNA, null, 2, "10:01:00");
        tombstone("u-1");
        PageView between = view("u-1", "/deals", null, "10:02:00");
        change(Operation.CREATE, null, ANNA_AGAIN, 3, "10:03:00");
        PageView after = view("u-1", "/search", null, "10:04:00");

        assertThat(enriched.readValuesToList()).containsExactly(
                new EnrichedPageView(before, true, CustomerTier.GOLD, "DE", null, null, null, null),
                new EnrichedPageView(between, false, null, null, null, null, null, null),
                new EnrichedPageView(after, true, CustomerTier.BRONZE, "FR", null, null, null, null));
        assertThat(dlq.isEmpty()).as("the tombstone after a delete is no error").isTrue();
    }

    @Test
    void staleAndDuplicateEnvelopesDoNotResurrectOrRollBack() {
        change(Operation.SNAPSHOT, null, ANNA, 1, "09:00:00");
        change(Operation.UPDATE, ANNA, ANNA_SILVER, 2, "09:10:00");
        change(Operation.UPDATE, ANNA_SILVER, ANNA, 1, "09:05:00");     // older than version 2: ignored
        change(Operation.UPDATE, ANNA, ANNA_SILVER, 2, "09:10:00");     // duplicate: ignored
        PageView silver = view("u-1", "/home", null, "10:00:00");
        change(Operation.DELETE, ANNA_SILVER, null, 3, "10:01:00");
        tombstone("u-1");
        change(Operation.SNAPSHOT, null, ANNA, 1, "09:00:00");          // stale snapshot after the delete
        change(Operation.UPDATE, ANNA, ANNA_SILVER, 2, "09:10:00");     // stale update after the delete
        change(Operation.DELETE, ANNA_SILVER, null, 3, "10:01:00");     // duplicate delete
        tombstone("u-1");
        PageView deleted = view("u-1", "/home", null, "10:05:00");

        assertThat(enriched.readValuesToList()).containsExactly(
                new EnrichedPageView(silver, true, CustomerTier.SILVER, "DE", null, null, null, null),
                new EnrichedPageView(deleted, false, null, null, null, null, null, null));
        // the table saw: created (v1), updated (v2), deleted (v3); nothing for the ignored envelopes
        assertThat(customers.readKeyValuesToList()).containsExactly(
                KeyValue.pair("u-1", new Customer360("u-1", "Anna", "anna@example.com", CustomerTier.GOLD, "DE", 0, Map.of(), null)),
                KeyValue.pair("u-1", new Customer360("u-1", "Anna", "anna@example.com", CustomerTier.SILVER, "DE", 0, Map.of(), null)),
                KeyValue.pair("u-1", null));
        assertThat(driver.<String, UserVersion>getKeyValueStore(CustomerEnrichmentTopology.USER_VERSIONS_STORE).get("u-1"))
                .as("the delete's version is kept").isEqualTo(new UserVersion(3, null));
        assertThat(driver.<String, ValueAndTimestamp<UserProfile>>getTimestampedKeyValueStore(CustomerEnrichmentTopology.USERS_STORE)
                .get("u-1")).isNull();
        assertThat(dlq.isEmpty()).isTrue();
    }

    @Test
    void productPageViewsCarryTheProductAndOtherPagesDoNot() {
        change(Operation.SNAPSHOT, null, ANNA, 1, "09:00:00");
        products.pipeInput("p-1", LAMP);
        PageView product = view("u-1", "/products/p-1", "p-1", "10:00:00");
        PageView unknownProduct = view("u-1", "/products/p-404", "p-404", "10:01:00");
        PageView home = view("u-2", "/home", null, "10:02:00");

        assertThat(enriched.readKeyValuesToList()).containsExactlyInAnyOrder(
                KeyValue.pair("u-1", new EnrichedPageView(product, true, CustomerTier.GOLD, "DE", "Compact Lamp", "home", 2999L, "EUR")),
                KeyValue.pair("u-1", new EnrichedPageView(unknownProduct, true, CustomerTier.GOLD, "DE", null, null, null, null)),
                KeyValue.pair("u-2", new EnrichedPageView(home, false, null, null, null, null, null, null)));
    }

    @Test
    void orderDetailsFollowTheProductAfterTheOrder() {
        products.pipeInput("p-1", LAMP);
        products.pipeInput("p-2", new Product("p-2", "Red Ball", "toys", 500, "EUR", at("09:00:00")));
        Purchase lamp = buy("u-1", "o-1", "p-1", 2, 5998, "EUR", "10:00:00");
        Purchase ball = buy("u-1", "o-1", "p-2", 1, 500, "EUR", "10:00:00");
        products.pipeInput("p-1", new Product("p-1", "Bright Lamp", "lighting", 2999, "EUR", at("11:00:00")));

        EnrichedOrderLine lampLine = new EnrichedOrderLine("o-1", "p-1", "u-1", 2, 5998, "EUR", lamp.timestamp(), "Compact Lamp", "home");
        EnrichedOrderLine ballLine = new EnrichedOrderLine("o-1", "p-2", "u-1", 1, 500, "EUR", ball.timestamp(), "Red Ball", "toys");
        EnrichedOrderLine renamed = new EnrichedOrderLine("o-1", "p-1", "u-1", 2, 5998, "EUR", lamp.timestamp(), "Bright Lamp", "lighting");
        assertThat(orderDetails.readKeyValuesToList()).containsExactly(
                KeyValue.pair("o-1/p-1", lampLine), KeyValue.pair("o-1/p-2", ballLine), KeyValue.pair("o-1/p-1", renamed));
        // both lines of the order on one partition
        var partitioner = new OrderPartitioner<>();
        assertThat(partitioner.partitions("t", "o-1/p-1", null, 4)).isEqualTo(partitioner.partitions("t", "o-1/p-2", null, 4))
                .isEqualTo(partitioner.partitions("t", OrderPartitioner.forOrder("o-1"), null, 4));
    }

    @Test
    void customer360FollowsPurchasesAndProfileAndIsDeletedWithTheUser() {
        change(Operation.SNAPSHOT, null, ANNA, 1, "09:00:00");
        buy("u-1", "o-1", "p-1", 1, 1000, "EUR", "10:00:00");
        buy("u-1", "o-2", "p-2", 1, 500, "USD", "10:20:00");
        buy("u-1", "o-3", "p-1", 1, 250, "EUR", "10:10:00");  // out of order: lastPurchaseAt stays 10:20
        change(Operation.UPDATE, ANNA, ANNA_SILVER, 2, "11:00:00");
        change(Operation.DELETE, ANNA_SILVER, null, 3, "12:00:00");
        tombstone("u-1");
        buy("u-1", "o-4", "p-1", 1, 100, "EUR", "12:30:00");    // no profile: no row
        change(Operation.CREATE, null, ANNA_AGAIN, 4, "13:00:00");

        assertThat(customers.readKeyValuesToList()).containsExactly(
                KeyValue.pair("u-1", new Customer360("u-1", "Anna", "anna@example.com", CustomerTier.GOLD, "DE",
                        0, Map.of(), null)),
                KeyValue.pair("u-1", new Customer360("u-1", "Anna", "anna@example.com", CustomerTier.GOLD, "DE",
                        1, Map.of("EUR", 1000L), at("10:00:00"))),
                KeyValue.pair("u-1", new Customer360("u-1", "Anna", "anna@example.com", CustomerTier.GOLD, "DE",
                        2, Map.of("EUR", 1000L, "USD", 500L), at("10:20:00"))),
                KeyValue.pair("u-1", new Customer360("u-1", "Anna", "anna@example.com", CustomerTier.GOLD, "DE",
                        3, Map.of("EUR", 1250L, "USD", 500L), at("10:20:00"))),
                KeyValue.pair("u-1", new Customer360("u-1", "Anna", "anna@example.com", CustomerTier.SILVER, "DE",
                        3, Map.of("EUR", 1250L, "USD", 500L), at("10:20:00"))),
                KeyValue.pair("u-1", null),
                // statistics are per user id and lifetime: the re-created user has all four purchases
                KeyValue.pair("u-1", new Customer360("u-1", "Anna", "anna.new@example.com", CustomerTier.BRONZE, "FR",
                        4, Map.of("EUR", 1350L, "USD", 500L), at("12:30:00"))));
    }

    @Test
    void recordsWithoutKeyOrValueGoToTheDeadLetterTopicAndProcessingContinues() {
        var raw = driver.createInputTopic(TopicCatalogue.PAGE_VIEWS.name(), new StringSerializer(), new StringSerializer());
        raw.pipeInput("u-1", "{\"eventId\": ");                        // not JSON
        raw.pipeInput("u-1", (String) null);                            // tombstone on an event topic
        userChanges.pipeInput(null, new UserChange(Operation.SNAPSHOT, null, ANNA, at("09:00:00"), 1)); // no key
        PageView view = view("u-1", "/home", null, "10:00:00");

        assertThat(dlq.readRecordsToList()).extracting(r -> new String(r.headers().lastHeader("__streams.errors.topic").value(),
                java.nio.charset.StandardCharsets.UTF_8)).containsExactly(TopicCatalogue.PAGE_VIEWS.name(),
                TopicCatalogue.PAGE_VIEWS.name(), TopicCatalogue.USER_CHANGES.name());
        assertThat(enriched.readValuesToList()).containsExactly(new EnrichedPageView(view, false, null, null, null, null, null, null));
    }

    @Test
    void everyProcessorStoreAndInternalTopicIsNamed() {
        String description = CustomerEnrichmentTopology.build().describe().toString();
        assertThat(description).as("no generated names").doesNotContain("KSTREAM-").doesNotContain("KTABLE-");
        assertThat(description).contains("page-views-by-product-repartition", "purchases-by-order-line-repartition",
                "order-details-fk-join-subscription-registration-topic", "order-details-fk-join-subscription-response-topic",
                CustomerEnrichmentTopology.USER_VERSIONS_STORE, CustomerEnrichmentTopology.USERS_STORE,
                CustomerEnrichmentTopology.PRODUCTS_STORE, CustomerEnrichmentTopology.PURCHASE_STATS_STORE,
                CustomerEnrichmentTopology.CUSTOMER_360_STORE, CustomerEnrichmentTopology.ORDER_LINES_STORE,
                CustomerEnrichmentTopology.ORDER_DETAILS_STORE);
    }

    private void change(Operation op, UserProfile before, UserProfile after, long version, String time) {
        UserChange change = new UserChange(op, before, after, at(time), version);
        userChanges.pipeInput(change.userId(), change);
    }

    private void tombstone(String user) {
        userChanges.pipeInput(user, null);
    }

    private PageView view(String user, String page, String productId, String time) {
        PageView view = new PageView("v-" + ids.incrementAndGet(), user, page, productId, null, at(time));
        pageViews.pipeInput(user, view);
        return view;
    }

    private Purchase buy(String user, String order, String product, int quantity, long amountCents, String currency, String time) {
        Purchase purchase = new Purchase("b-" + ids.incrementAndGet(), order, user, product, quantity, amountCents, currency, at(time));
        purchases.pipeInput(user, purchase);
        return purchase;
    }

    private static Instant at(String time) {
        return Instant.parse("2026-11-21T" + time + "Z");
    }
}
