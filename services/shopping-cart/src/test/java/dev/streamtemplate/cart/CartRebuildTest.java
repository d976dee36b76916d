package dev.streamtemplate.cart;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtemplate.generator.EventPublisher;
import dev.streamtemplate.generator.GeneratedEvent;
import dev.streamtemplate.generator.GeneratorConfig;
import dev.streamtemplate.generator.ShopTrafficGenerator;
import dev.streamtemplate.schemas.CartEvent;
import dev.streamtemplate.schemas.JsonSerde;
import dev.streamtemplate.schemas.Product;
import dev.streamtemplate.schemas.TopicCatalogue;
import dev.streamtemplate.testing.KafkaTopics;
import dev.streamtemplate.testing.ServiceStreamsConfig;
import dev.streamtemplate.testing.TestKafkaClusterChoice;
import dev.streamtemplate.testing.TopicReader;
import dev.streamtemplate.testing.TopicRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.configuration.DurationConverter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.tools.StreamsResetter;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rebuild from the log, on a real broker, by exactly the procedure of the module README ("Rebuild
 * from the log"): the service runs over a generator replay; it is stopped; Kafka's application reset
 * tool ({@link StreamsResetter}, what {@code kafka-streams-application-reset.sh} runs) resets the
 * application id's offsets on {@code cart-events} to the beginning and deletes its changelogs; the
 * local state directory of the application is deleted; the service starts again. It must then write
 * the same {@code carts}, {@code orders} and {@code cart-rejections} records again, in the same order
 * per partition, and hold the same carts and orders in its stores.
 *
 * <p>The service runs as plain Kafka Streams instances of {@link CartTopology} with the Kafka Streams
 * settings of {@code application.properties} ({@code ServiceStreamsConfig}, test profile) and its real application
 * id, one instance per "run". The test runs in a JVM of its own (a surefire execution of its own,
 * see the pom) with a broker of its own: in the JVM of the {@code @QuarkusTest} classes the Quarkus
 * application would still be a member of the application's consumer group.
 */
class CartRebuildTest {

    private static final Duration BOUND = Duration.ofMinutes(3);
    private static final List<String> OUTPUTS = List.of(TopicCatalogue.CARTS.name(), TopicCatalogue.ORDERS.name(),
            TopicCatalogue.CART_REJECTIONS.name());
    /** Strong references: java.util.logging forgets the level of a logger nobody references. */
    private static final List<Logger> QUIETED = new ArrayList<>();

    /** The last two hours of a shop with 300 users: recent event times, as the broker keeps them. */
    private static final GeneratorConfig REPLAY = GeneratorConfig.defaults()
            .withStart(Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofHours(2)))
            .withSeed(20261123L)
            .withUsers(300)
            .withDuration(Duration.ofHours(2));

    @TempDir
    Path stateDir;

    @BeforeAll
    static void quietKafkaLogging() {
        for (String name : List.of("kafka", "state.change.logger", "org.apache.kafka")) {
            Logger logger = Logger.getLogger(name);
            logger.setLevel(Level.WARNING);
            QUIETED.add(logger);
        }
    }

    @Test
    void resetToolAndEmptyStateRebuildTheSameCartsOrdersAndRejections() throws Exception {
        String bootstrap = TestKafkaClusterChoice.shared().bootstrapServers();
        try (KafkaTopics topics = new KafkaTopics(bootstrap)) {
            topics.create(TopicCatalogue.ALL);
        }
        ServiceStreamsConfig service = ServiceStreamsConfig.withProfile("test");
        CartSettings settings = cartSettings(service);
        List<GeneratedEvent> replay = new ShopTrafficGenerator(REPLAY).replay();
        List<GeneratedEvent> catalogue = replay.stream().filter(e -> e.topic().equals(TopicCatalogue.PRODUCTS.name())).toList();
        List<GeneratedEvent> commands = replay.stream().filter(e -> e.topic().equals(TopicCatalogue.CART_EVENTS.name())).toList();

        // The service's first life: the catalogue is there before it starts (its global store loads
        // all of it before any command is processed), then the commands arrive like traffic.
        CartOracle.Result oracle;
        Map<String, Map<Integer, List<KeyValue<String, String>>>> firstRun;
        try (EventPublisher publisher = new EventPublisher(bootstrap)) {
            publisher.publishAll(catalogue);
            KafkaStreams first = start(service, bootstrap, settings);
            try {
                publisher.publishPaced(commands, 600);
                oracle = CartOracle.compute(read(TopicCatalogue.CART_EVENTS.name(), CartEvent.class),
                        read(TopicCatalogue.PRODUCTS.name(), Product.class), settings.dedupRetention());
                awaitFold(oracle);
                firstRun = outputs();
            } finally {
                // 1. stop the service
                first.close(Duration.ofSeconds(60));
            }
        }
        assertThat(oracle.orderCount()).as("orders of the first run").isPositive();
        assertThat(oracle.duplicates()).as("second deliveries ignored").isPositive();

        // 2. the application reset tool: offsets of cart-events to the beginning, changelogs deleted
        int exit = new StreamsResetter().execute(new String[] {"--bootstrap-server", bootstrap,
                "--application-id", service.applicationId(), "--input-topics", TopicCatalogue.CART_EVENTS.name(), "--force"});
        assertThat(exit).as("StreamsResetter exit code").isZero();
        try (KafkaTopics topics = new KafkaTopics(bootstrap)) {
            Awaitility.await("the application's changelog topics to be deleted").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> topics.listNames().stream().noneMatch(t -> t.startsWith(service.applicationId() + "-")
                            && t.endsWith("-changelog")));
            assertThat(topics.listNames()).as("output and dead-letter topics are kept")
                    .contains(TopicCatalogue.SHOPPING_CART_DLQ.name(), TopicCatalogue.CARTS.name(), TopicCatalogue.ORDERS.name());
        }

        // 3. the instance's local state: <state.dir>/<application.id>
        deleteRecursively(stateDir.resolve(service.applicationId()));

        // 4. start the service again: it replays cart-events from the beginning
        KafkaStreams second = start(service, bootstrap, settings);
        try {
            Awaitility.await("the rebuild to write every output record of the first run again")
                    .atMost(BOUND).pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> assertThat(rebuilt(outputs(), firstRun)).isEqualTo(firstRun));
            ReadOnlyKeyValueStore<String, Cart> carts = second.store(StoreQueryParameters.fromNameAndType(
                    CartTopology.CARTS_STORE, QueryableStoreTypes.<String, Cart>keyValueStore()));
            assertThat(all(carts)).as("the rebuilt carts store").isEqualTo(oracle.carts());
            ReadOnlyKeyValueStore<String, Order> orders = second.store(StoreQueryParameters.fromNameAndType(
                    CartTopology.ORDERS_STORE, QueryableStoreTypes.<String, Order>keyValueStore()));
            assertThat(all(orders).values()).as("the rebuilt orders store")
                    .containsExactlyInAnyOrderElementsOf(oracle.orders().values().stream().flatMap(List::stream).toList());
        } finally {
            second.close(Duration.ofSeconds(60));
        }
        System.out.printf("rebuild: %d cart commands; carts %d, orders %d, rejections %d, duplicates ignored %d;"
                        + " output records per run: %s%n", oracle.commands(), oracle.carts().size(), oracle.orderCount(),
                oracle.rejectionCount(), oracle.duplicates(), count(firstRun));
    }

    /** Starts the service's topology with its configuration; returns once it runs. */
    /** The {@code cart.*} settings, durations parsed by Quarkus' own converter. */
    private static CartSettings cartSettings(ServiceStreamsConfig service) {
        DurationConverter durations = new DurationConverter();
        return new TestCartSettings(durations.convert(service.config().getRawValue("cart.dedup-retention")),
                durations.convert(service.config().getRawValue("cart.price-history-retention")));
    }

    private KafkaStreams start(ServiceStreamsConfig service, String bootstrap, CartSettings settings) {
        KafkaStreams streams = new KafkaStreams(CartTopology.build(settings, new SimpleMeterRegistry()),
                service.kafkaStreams(bootstrap, stateDir));
        streams.start();
        Awaitility.await("Kafka Streams to run").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> streams.state() == KafkaStreams.State.RUNNING);
        return streams;
    }

    /** Waits until the outputs equal the fold of the commands: the first run has processed them all. */
    private static void awaitFold(CartOracle.Result oracle) {
        Awaitility.await("the first run's outputs to equal the fold (" + oracle.orderCount() + " orders)")
                .atMost(BOUND).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> {
                    assertThat(CartPipelineTest.byUser(read(TopicCatalogue.ORDERS.name(), Order.class), Function.identity()))
                            .isEqualTo(oracle.orders());
                    assertThat(CartPipelineTest.byUser(read(TopicCatalogue.CART_REJECTIONS.name(), CartRejection.class),
                            r -> new CartOracle.Rejection(r.command(), r.reason()))).isEqualTo(oracle.rejections());
                    assertThat(CartPipelineTest.byUser(read(TopicCatalogue.CARTS.name(), Cart.class), Function.identity()))
                            .isEqualTo(oracle.cartChanges());
                });
    }

    /** Every output record (key and JSON value) per topic and partition, in offset order. */
    private static Map<String, Map<Integer, List<KeyValue<String, String>>>> outputs() {
        Map<String, Map<Integer, List<KeyValue<String, String>>>> outputs = new TreeMap<>();
        for (String topic : OUTPUTS) {
            Map<Integer, List<KeyValue<String, String>>> partitions = new TreeMap<>();
            TopicReader.strings(TestKafkaClusterChoice.shared().bootstrapServers()).readAll(topic).forEach(r ->
                    partitions.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(KeyValue.pair(r.key(), r.value())));
            outputs.put(topic, partitions);
        }
        return outputs;
    }

    /** What was written after the first run: per partition, the records beyond the first run's. */
    private static Map<String, Map<Integer, List<KeyValue<String, String>>>> rebuilt(
            Map<String, Map<Integer, List<KeyValue<String, String>>>> now,
            Map<String, Map<Integer, List<KeyValue<String, String>>>> firstRun) {
        Map<String, Map<Integer, List<KeyValue<String, String>>>> rebuilt = new TreeMap<>();
        now.forEach((topic, partitions) -> {
            Map<Integer, List<KeyValue<String, String>>> after = new TreeMap<>();
            partitions.forEach((partition, records) -> {
                int before = firstRun.getOrDefault(topic, Map.of()).getOrDefault(partition, List.of()).size();
                if (records.size() > before) {
                    after.put(partition, records.subList(before, records.size()));
                }
            });
            rebuilt.put(topic, after);
        });
        return rebuilt;
    }

    private static Map<String, Integer> count(Map<String, Map<Integer, List<KeyValue<String, String>>>> outputs) {
        Map<String, Integer> counts = new TreeMap<>();
        outputs.forEach((topic, partitions) -> counts.put(topic, partitions.values().stream().mapToInt(List::size).sum()));
        return counts;
    }

    private static <V> Map<String, V> all(ReadOnlyKeyValueStore<String, V> store) {
        Map<String, V> all = new HashMap<>();
        try (KeyValueIterator<String, V> iterator = store.all()) {
            iterator.forEachRemaining(kv -> all.put(kv.key, kv.value));
        }
        return all;
    }

    private static <V> List<TopicRecord<String, V>> read(String topic, Class<V> type) {
        return new TopicReader<>(TestKafkaClusterChoice.shared().bootstrapServers(), new StringDeserializer(), JsonSerde.of(type))
                .readAll(topic);
    }

    private static void deleteRecursively(Path directory) throws IOException {
        assertThat(directory).as("the application's state directory of the first run").isDirectory();
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
