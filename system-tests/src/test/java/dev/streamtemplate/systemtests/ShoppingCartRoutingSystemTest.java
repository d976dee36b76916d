package dev.streamtemplate.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamtemplate.generator.EventPublisher;
import dev.streamtemplate.generator.GeneratedEvent;
import dev.streamtemplate.generator.GeneratorConfig;
import dev.streamtemplate.schemas.TopicCatalogue;
import dev.streamtemplate.systemtests.AnswerRules.PhaseSummary;
import dev.streamtemplate.systemtests.ContinuousQueries.Outcome;
import dev.streamtemplate.systemtests.ContinuousQueries.Query;
import dev.streamtemplate.testing.TopicReader;
import dev.streamtemplate.testing.TopicRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * shopping-cart as two, then one, then three separate JVMs on one real broker: every instance answers the
 * cart and the orders of every user of a sample exactly as the service's committed output says, with consistent
 * serving headers; one of the two is SIGKILLed while cart commands flow and the survivor keeps answering within the
 * rules of {@link AnswerRules}; then it is restarted and a third joins, with the same rules and the same end.
 *
 * <p><b>The oracle.</b> shopping-cart's state is a fold of the cart commands whose rules live in the service
 * ({@code CartFold}); its own {@code CartPipelineTest} proves, on one instance, that the {@code carts} and
 * {@code orders} topics equal a plain-Java fold of the commands ({@code CartOracle}, test code of that module). Here the
 * same topics, read with {@code read_committed}, are the reference: exactly-once makes them the single, crash-free
 * history of the run whatever was killed, so every instance's answer must equal the latest {@code carts} record of the
 * user (404 after a tombstone or none) and the user's {@code orders} records (oldest first). A store restored wrongly
 * after a crash, a standby served as if current, or a forwarded answer from the wrong instance shows as a difference.
 */
@ExtendWith(SharedBroker.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class ShoppingCartRoutingSystemTest {

    private static final String SERVICE = "shopping-cart";
    // shopping-cart's partitioned stores (CartTopology); the product history is a global store on every instance
    private static final String CARTS_STORE = "carts-store";
    private static final String ORDERS_STORE = "orders-store";
    private static final List<String> STORES = List.of(CARTS_STORE, ORDERS_STORE, "cart-event-ids-store");
    private static final int PARTITIONS = TopicCatalogue.CART_EVENTS.partitions();
    private static final Duration ORACLE_BOUND = Duration.ofMinutes(3);
    private static final Duration PUBLISH_BOUND = Duration.ofMinutes(3);
    /** An order id of the right form that no checkout produces. */
    private static final String NO_SUCH_ORDER = "o-00000000-0000-3000-8000-000000000000";

    @org.junit.jupiter.api.extension.RegisterExtension
    final org.junit.jupiter.api.extension.TestWatcher threadDumps = InstanceGroup.dumpThreadsOnFailure(() -> this.group);

    private final List<PhaseSummary> summaries = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    private MultiInstanceStack stack;
    private InstanceGroup group;
    private QueryClient client;
    private TrafficReplay traffic;
    private List<List<GeneratedEvent>> parts;
    private ServiceInstance killed;
    private ChangeUnderTraffic changes;

    @BeforeAll
    void startTwoInstances(MultiInstanceStack stack) throws Exception {
        this.stack = stack;
        group = new InstanceGroup(stack, SERVICE, STORES, PARTITIONS, Map.of());
        client = group.client();
        changes = new ChangeUnderTraffic(group, this::randomQuery, notes::add, PUBLISH_BOUND);
        Instant start = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofHours(1));
        GeneratorConfig config = GeneratorConfig.defaults().withSeed(20261123L).withUsers(1000).withStart(start)
                .withDuration(Duration.ofHours(1));
        traffic = new TrafficReplay(config, Set.of(TopicCatalogue.CART_EVENTS.name(), TopicCatalogue.PRODUCTS.name()));
        // the catalogue first (products and their price changes: prices apply by event time), then the commands
        List<GeneratedEvent> products = traffic.events().stream()
                .filter(e -> e.topic().equals(TopicCatalogue.PRODUCTS.name())).toList();
        List<GeneratedEvent> commands = traffic.events().stream()
                .filter(e -> e.topic().equals(TopicCatalogue.CART_EVENTS.name())).toList();
        parts = new ArrayList<>();
        parts.add(products);
        parts.addAll(TrafficReplay.cut(commands, start.plus(Duration.ofMinutes(20)), start.plus(Duration.ofMinutes(40))));

        group.startReady(2);
        try (EventPublisher publisher = new EventPublisher(stack.bootstrapServers())) {
            publisher.publishAll(products);
        }
    }

    @AfterAll
    void stopInstances() {
        group.stopAll();
        System.out.println();
        System.out.println("=== " + getClass().getSimpleName() + " summary ===");
        System.out.println("traffic: " + parts.get(0).size() + " product versions, then cart commands in three parts "
                + parts.subList(1, parts.size()).stream().map(List::size).toList() + ", generator " + traffic.config());
        summaries.forEach(summary -> System.out.println(summary.line()));
        notes.forEach(System.out::println);
        System.out.println("instance logs: " + stack.dataDir().resolve("logs"));
        System.out.println();
    }

    /**
     * One scenario, in this order: two instances answer carts and orders as committed; one is SIGKILLed during traffic
     * and the survivor keeps answering by the rules; the killed one restarts and a third joins, and the same rules hold.
     */
    @Test
    void twoInstancesThenAKillThenARestartAndAThird() throws Exception {
        everyInstanceAnswersCartsAndOrdersAsCommitted();
        killedInstanceDuringTrafficSurvivorKeepsAnswering();
        restartedAndThirdInstanceJoinSameRulesHold();
    }

    private void everyInstanceAnswersCartsAndOrdersAsCommitted() throws Exception {
        changes.awaitPublished("commands, part 1", TrafficReplay.publishAsync(stack.bootstrapServers(), parts.get(1), 60));
        group.awaitSettled(System.nanoTime());
        PhaseSummary summary = awaitAnswersEqualOracle("1: two instances, oracle check", -1);
        assertThat(summary.local()).as("answers served by the instance asked (its active task)").isPositive();
        assertThat(summary.forwarded()).as("answers forwarded to the active instance").isPositive();
    }

    private void killedInstanceDuringTrafficSurvivorKeepsAnswering() throws Exception {
        killed = group.lastWithActive(CARTS_STORE);
        ChangeUnderTraffic.Result result = changes.kill(killed,
                TrafficReplay.publishAsync(stack.bootstrapServers(), parts.get(2), 30), "commands, part 2");
        summaries.add(PhaseSummary.of("2: SIGKILL 1 of 2, traffic on", result.outcomes(), result.settleMillis()));
        changes.assertRules(result, "an instance died and the group rebalanced");
        awaitAnswersEqualOracle("2: the survivor, oracle check", result.settleMillis());
    }

    private void restartedAndThirdInstanceJoinSameRulesHold() throws Exception {
        ChangeUnderTraffic.Result result = changes.restartAndAdd(killed, SERVICE + "-3",
                TrafficReplay.publishAsync(stack.bootstrapServers(), parts.get(3), 40), "commands, part 3");
        summaries.add(PhaseSummary.of("3: restart it + add a 3rd, traffic on", result.outcomes(), result.settleMillis()));
        changes.assertRules(result, "two instances joined and the group rebalanced");
        awaitAnswersEqualOracle("3: three instances, oracle check", result.settleMillis());
    }

    // --- the oracle and the answers ---

    /** The committed output: the latest cart per user (tombstones remove) and every order per user, oldest first. */
    private record Committed(Map<String, JsonNode> carts, Map<String, List<JsonNode>> orders) {
    }

    private Committed committed() {
        Deserializer<JsonNode> json = (topic, data) -> {
            try {
                return data == null ? null : Json.MAPPER.readTree(data);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        Map<String, JsonNode> carts = new TopicReader<>(stack.bootstrapServers(), new StringDeserializer(), json)
                .readLatestByKey(TopicCatalogue.CARTS.name());
        Map<String, List<JsonNode>> orders = new TopicReader<>(stack.bootstrapServers(), new StringDeserializer(), json)
                .readAll(TopicCatalogue.ORDERS.name()).stream()
                .collect(Collectors.groupingBy(TopicRecord::key, TreeMap::new, Collectors.mapping(TopicRecord::value,
                        Collectors.collectingAndThen(Collectors.toList(), list -> list.stream()
                                .sorted(Comparator.comparing((JsonNode o) -> Instant.parse(o.path("placedAt").asText()))
                                        .thenComparing(o -> o.path("orderId").asText()))
                                .toList()))));
        List<String> orderIds = orders.values().stream().flatMap(List::stream).map(o -> o.path("orderId").asText()).toList();
        // exactly once across the crash: a checkout processed again after the kill must not place its order twice
        assertThat(new java.util.HashSet<>(orderIds)).as("order ids on the orders topic, without duplicates")
                .hasSameSizeAs(orderIds);
        return new Committed(carts, orders);
    }

    /** Waits until every running instance answers the cart and orders of every user of the sample as committed. */
    private PhaseSummary awaitAnswersEqualOracle(String phase, long settleMillis) {
        List<ServiceInstance> instances = group.live();
        List<Outcome> last = new ArrayList<>();
        int[] sizes = new int[3];
        await(phase + ": every answer of " + instances.size() + " instances to equal the committed carts and orders")
                .atMost(ORACLE_BOUND).pollInterval(Duration.ofSeconds(2))
                .untilAsserted(() -> {
                    Committed committed = committed();
                    Placement placement = group.placement(instances.get(0));
                    List<Outcome> outcomes = new ArrayList<>();
                    List<String> mismatches = new ArrayList<>();
                    List<String> users = userSample(committed);
                    for (ServiceInstance instance : instances) {
                        for (String user : users) {
                            compare(mismatches, outcomes, instance, placement, user, committed);
                        }
                    }
                    assertThat(mismatches).as("answers that differ from the committed output or have wrong serving "
                            + "headers (placement: " + placement.describe(CARTS_STORE) + ")").isEmpty();
                    last.clear();
                    last.addAll(outcomes);
                    sizes[0] = committed.carts().size();
                    sizes[1] = committed.orders().values().stream().mapToInt(List::size).sum();
                    sizes[2] = users.size();
                });
        assertThat(sizes[0]).as("users with a cart").isPositive();
        assertThat(sizes[1]).as("orders").isPositive();
        PhaseSummary summary = PhaseSummary.of(phase, last, settleMillis);
        summaries.add(summary);
        notes.add("phase " + phase + ": " + sizes[0] + " open carts and " + sizes[1] + " orders committed; "
                + sizes[2] + " users asked on each instance");
        return summary;
    }

    private void compare(List<String> mismatches, List<Outcome> outcomes, ServiceInstance instance, Placement placement,
                         String user, Committed committed) throws InterruptedException {
        String owner = placement.activeHost(CARTS_STORE, Placement.partitionOf(user, PARTITIONS)).orElse("?");
        JsonNode cart = committed.carts().get(user);
        RoutedAnswer cartAnswer = ask(instance, cartQuery(user), outcomes);
        if (cart == null) {
            expectStatus(mismatches, instance, cartAnswer, 404);
        } else if (expectServedBy(mismatches, instance, cartAnswer, owner) && !cart.equals(cartAnswer.json())) {
            mismatches.add(instance.endpoint() + " cart of " + user + ": expected " + cart + " but was " + cartAnswer.abbreviated());
        }
        List<JsonNode> orders = committed.orders().getOrDefault(user, List.of());
        RoutedAnswer ordersAnswer = ask(instance, ordersQuery(user), outcomes);
        if (expectServedBy(mismatches, instance, ordersAnswer, owner)) {
            List<JsonNode> answered = new ArrayList<>();
            ordersAnswer.json().forEach(answered::add);
            if (!answered.equals(orders)) {
                mismatches.add(instance.endpoint() + " orders of " + user + ": expected " + orders.size() + " "
                        + orders + " but was " + answered.size() + " " + ordersAnswer.abbreviated());
            }
        }
        if (!orders.isEmpty()) {
            JsonNode order = orders.get(orders.size() - 1);
            RoutedAnswer orderAnswer = ask(instance, orderQuery(user, order.path("orderId").asText()), outcomes);
            if (expectServedBy(mismatches, instance, orderAnswer, owner) && !order.equals(orderAnswer.json())) {
                mismatches.add(instance.endpoint() + " order " + order.path("orderId").asText() + ": expected " + order
                        + " but was " + orderAnswer.abbreviated());
            }
            expectStatus(mismatches, instance, ask(instance, orderQuery(user, NO_SUCH_ORDER), outcomes), 404);
        }
    }

    private static boolean expectServedBy(List<String> mismatches, ServiceInstance instance, RoutedAnswer answer,
                                          String owner) {
        if (answer.status() != 200) {
            mismatches.add(instance.endpoint() + ": expected 200, got " + answer.summary());
            return false;
        }
        if (!owner.equals(answer.servedBy()) || !"active".equals(answer.replica()) || !"0".equals(answer.offsetLag())) {
            mismatches.add(instance.endpoint() + ": expected served by the active owner " + owner + " with lag 0, got "
                    + answer.summary());
        }
        return true;
    }

    private static void expectStatus(List<String> mismatches, ServiceInstance instance, RoutedAnswer answer, int status) {
        if (answer.status() != status) {
            mismatches.add(instance.endpoint() + ": expected " + status + ", got " + answer.summary());
        }
    }

    private RoutedAnswer ask(ServiceInstance instance, Query query, List<Outcome> outcomes) throws InterruptedException {
        RoutedAnswer answer = client.get(instance.uri(query.pathAndQuery()));
        outcomes.add(new Outcome(instance.endpoint(), query, answer));
        return answer;
    }

    /** 40 users with a cart, 40 with orders (spread over each list), 20 of the whole population, and an unknown one. */
    private List<String> userSample(Committed committed) {
        Set<String> sample = new LinkedHashSet<>();
        sample.addAll(spread(List.copyOf(new java.util.TreeSet<>(committed.carts().keySet())), 40));
        sample.addAll(spread(List.copyOf(committed.orders().keySet()), 40));
        sample.addAll(spread(java.util.stream.IntStream.rangeClosed(1, traffic.config().users())
                .mapToObj(ShoppingCartRoutingSystemTest::user).toList(), 20));
        sample.add("u-no-such-user");
        return List.copyOf(sample);
    }

    private static List<String> spread(List<String> list, int count) {
        int step = Math.max(1, list.size() / count);
        List<String> picked = new ArrayList<>();
        for (int i = 0; i < list.size() && picked.size() < count; i += step) {
            picked.add(list.get(i));
        }
        return picked;
    }

    private Query randomQuery(Random random) {
        String user = user(1 + random.nextInt(traffic.config().users()));
        return random.nextInt(100) < 55 ? cartQuery(user) : ordersQuery(user);
    }

    private static String user(int n) {
        return String.format(Locale.ROOT, "u-%04d", n);
    }

    private static Query cartQuery(String user) {
        return new Query("cart", "/users/" + encode(user) + "/cart", false, true);
    }

    private static Query ordersQuery(String user) {
        return new Query("orders", "/users/" + encode(user) + "/orders", false, false);
    }

    private static Query orderQuery(String user, String orderId) {
        return new Query("order", "/users/" + encode(user) + "/orders/" + encode(orderId), false, true);
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
