package dev.streamtemplate.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamtemplate.generator.Delivery;
import dev.streamtemplate.generator.EventPublisher;
import dev.streamtemplate.generator.GeneratedEvent;
import dev.streamtemplate.generator.GeneratorConfig;
import dev.streamtemplate.generator.ShopTrafficGenerator;
import dev.streamtemplate.schemas.CartEvent;
import dev.streamtemplate.schemas.PageView;
import dev.streamtemplate.schemas.Purchase;
import dev.streamtemplate.schemas.TopicCatalogue;
import dev.streamtemplate.schemas.UserChange;
import dev.streamtemplate.testing.PoisonRecords;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.HashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import dev.streamtemplate.testing.TopicReader;
import dev.streamtemplate.testing.TopicRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * One run of the fault-injection scenario under one processing guarantee: a broker process, two instances of each of
 * the four services as their own JVMs, a generated replay of all five input topics paced like traffic, and, while it
 * flows, the {@link FaultPlan}: SIGKILLs of random instances (each started again), one broker restart, poison records
 * on four input topics. Then {@link ClosingClock} events close every window, and the run waits until the services
 * are idle. What the services wrote is then read back and compared by the caller ({@link FaultOracles}).
 *
 * <p>Everything a run writes is under its data directory: the broker's data and logs, each instance's state
 * directory and log ({@code logs/<service>-<n>.log}, a restarted instance {@code logs/<service>-<n>-restart-<k>.log}).
 */
final class FaultScenario implements AutoCloseable {

    /** The services under test, with the settings the oracles compute with. */
    static final List<String> SERVICES = List.of("traffic-analytics", "purchase-attribution", "customer-enrichment",
            "shopping-cart");
    /** Instances of each service. */
    static final int INSTANCES_PER_SERVICE = 2;

    /** purchase-attribution's grace period in this test (as in its own pipeline test): see {@link FaultOracles}. */
    static final Duration ATTRIBUTION_GRACE = Duration.ofMinutes(60);
    /** purchase-attribution's settle period in this test (as in its own pipeline test). */
    static final Duration ATTRIBUTION_SETTLE = Duration.ofMinutes(15);
    /** traffic-analytics' burst threshold in this test: purchases in a sliding window that make a burst. */
    static final int BURST_THRESHOLD = 2;

    /** How long the services may take to be ready, to catch up, or to emit what the oracle expects. */
    static final Duration BOUND = Duration.ofMinutes(6);

    /**
     * What to run.
     *
     * @param guarantee     Kafka Streams' {@code processing.guarantee}: {@code exactly_once_v2} or {@code at_least_once}
     * @param generator     the replay: a fixed seed; event times end a few hours before now (the clock events after
     *                      it must stay within the broker's {@code message.timestamp.after.max.ms}, one hour)
     * @param speed         how many times faster than real time the replay is published
     * @param kills         SIGKILLs during the replay
     * @param planSeed      the seed of the fault plan
     */
    record Settings(String guarantee, GeneratorConfig generator, double speed, int kills, long planSeed) {
    }

    private final Settings settings;
    private final Consumer<String> log;
    private final MultiInstanceStack stack;
    private final QueryClient client = new QueryClient(Duration.ofSeconds(2), Duration.ofSeconds(10));
    /** slot = service index * INSTANCES_PER_SERVICE + instance index; the instance that runs (or ran last) there. */
    private final ServiceInstance[] slots = new ServiceInstance[SERVICES.size() * INSTANCES_PER_SERVICE];
    private final int[] restarts = new int[slots.length];
    private final List<String> injected = new ArrayList<>();

    private List<GeneratedEvent> catalogue;
    private List<GeneratedEvent> replay;
    private Instant replayEnd;
    private List<PoisonRecords.Sent> poisoned = List.of();
    private final List<Instant> clockSteps = new ArrayList<>();
    private FaultPlan plan;

    private FaultScenario(Settings settings, MultiInstanceStack stack, Consumer<String> log) {
        this.settings = settings;
        this.stack = stack;
        this.log = log;
    }

    /** Starts the broker (an empty data directory) and creates the topics; nothing else yet. */
    static FaultScenario start(Settings settings, Path dataDir) throws Exception {
        String tag = settings.guarantee();
        Consumer<String> log = line -> System.out.println("[" + LocalTime.now().truncatedTo(ChronoUnit.MILLIS) + " " + tag
                + "] " + line);
        return new FaultScenario(settings, MultiInstanceStack.start(dataDir, log), log);
    }

    /** The broker. */
    String bootstrapServers() {
        return stack.bootstrapServers();
    }

    Settings settings() {
        return settings;
    }

    /** The generated product versions and the users' initial snapshot, published before anything else. */
    List<GeneratedEvent> catalogue() {
        return catalogue;
    }

    /** The paced part of the replay, in delivery order. */
    List<GeneratedEvent> replay() {
        return replay;
    }

    /** The latest event time of the replay. */
    Instant replayEnd() {
        return replayEnd;
    }

    /** The poison records written, with their partitions and offsets. */
    List<PoisonRecords.Sent> poisoned() {
        return poisoned;
    }

    /** The instants of the clock events, in order. */
    List<Instant> clockSteps() {
        return List.copyOf(clockSteps);
    }

    /** One line per fault injected, in order. */
    List<String> injected() {
        return List.copyOf(injected);
    }

    FaultPlan plan() {
        return plan;
    }

    /**
     * The whole scenario up to idle services: the catalogue first (shopping-cart prices by it from a global store, which
     * a service fills before it starts processing), then the instances, then the paced replay with the faults, then the
     * clock steps.
     */
    void run() throws Exception {
        List<GeneratedEvent> generated = new ShopTrafficGenerator(settings.generator()).replay();
        replayEnd = generated.stream().map(GeneratedEvent::eventTime).max(Comparator.naturalOrder()).orElseThrow();
        // late events delivered after the end of the replay would reach tasks whose stream time no longer moves, and
        // might be on time there: keep those delivered well within it (as purchase-attribution's pipeline test)
        Instant lastLateDelivery = replayEnd.minus(Duration.ofMinutes(10));
        // first, before the services start: every product version (shopping-cart prices from a global store, filled
        // before an instance processes anything) and the users' initial snapshot (so that customer-enrichment's
        // users table holds every user before the first page view: a stream-table join does not wait for the table)
        catalogue = generated.stream().filter(e -> e.topic().equals(TopicCatalogue.PRODUCTS.name())
                || (e.topic().equals(TopicCatalogue.USER_CHANGES.name())
                && !e.eventTime().isAfter(settings.generator().start()))).toList();
        java.util.Set<GeneratedEvent> first = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        first.addAll(catalogue);
        replay = generated.stream().filter(e -> !first.contains(e))
                .filter(e -> e.delivery() != Delivery.LATE || e.deliveryTime().isBefore(lastLateDelivery)).toList();
        assertThat(catalogue.size() + replay.size()).as("events the replay publishes (at least 200,000)")
                .isGreaterThanOrEqualTo(200_000);
        plan = FaultPlan.draw(settings.planSeed(), replay.size(), slots.length, INSTANCES_PER_SERVICE, settings.kills());
        log.accept("replay " + settings.generator() + ": " + catalogue.size() + " product versions and initial user snapshots first, then "
                + replay.size() + " events paced at " + settings.speed() + "x; plan " + plan.count(FaultPlan.Kind.KILL)
                + " kills, " + plan.count(FaultPlan.Kind.BROKER_RESTART) + " broker restart");

        publishCatalogue();
        for (int slot = 0; slot < slots.length; slot++) {
            String service = SERVICES.get(slot / INSTANCES_PER_SERVICE);
            String name = service + "-" + (slot % INSTANCES_PER_SERVICE + 1);
            List<String> jvm = new ArrayList<>(InstanceGroup.JVM_OPTIONS);
            jvm.add("-Xlog:gc:file=" + stack.dataDir().resolve("logs").resolve(name + "-gc-%p.log"));
            slots[slot] = stack.start(stack.newInstance(service, name, jvm, properties(service)), name);
        }
        awaitAllReady();
        awaitCommittedToEnd("customer-enrichment", TopicCatalogue.USER_CHANGES.name());

        TrafficReplay.Publication publication = TrafficReplay.publishAsync(stack.bootstrapServers(), replay, settings.speed());
        long started = System.nanoTime();
        for (FaultPlan.Action action : plan.actions()) {
            await("the replay to reach event " + action.atEvent() + " for " + action).atMost(BOUND.multipliedBy(4))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> publication.sent().get() >= action.atEvent() || publication.done().isDone());
            assertThat(publication.done().isCompletedExceptionally()).as("the replay failed: " + publication.done())
                    .isFalse();
            String at = String.format("at event %,d (%.0f s)", publication.sent().get(),
                    (System.nanoTime() - started) / 1e9);
            switch (action.kind()) {
                case KILL -> {
                    ServiceInstance victim = slots[action.slot()];
                    victim.kill();
                    injected.add(at + ": SIGKILL " + victim);
                }
                case RESTART -> {
                    ServiceInstance dead = slots[action.slot()];
                    restarts[action.slot()]++;
                    slots[action.slot()] = stack.start(dead.settings(), dead.name() + "-restart-" + restarts[action.slot()]);
                    injected.add(at + ": restarted " + slots[action.slot()]);
                }
                case BROKER_RESTART -> {
                    Duration down = stack.restartBroker();
                    injected.add(at + ": broker stopped and started again, unavailable for " + down.toMillis() + " ms");
                }
                case POISON -> {
                    poisoned = PoisonRecords.publish(stack.bootstrapServers(), poisons());
                    injected.add(at + ": " + poisoned.size() + " poison records");
                }
            }
            log.accept(injected.get(injected.size() - 1));
        }
        publication.done().get();
        log.accept(String.format("replay published: %,d events in %.0f s", replay.size(),
                (System.nanoTime() - started) / 1e9));
        awaitAllReady();
        closeWindows();
    }

    /**
     * Clock events in three steps (the first closes traffic-analytics' windows and purchase-attribution's joins of the
     * replay, the second its hourly revenue windows, the third makes the second step's attributions final), each
     * published once the previous one is processed: its clock purchases are attributed on every partition.
     */
    private void closeWindows() {
        Duration finalAfter = ATTRIBUTION_GRACE.plus(Duration.ofMinutes(1));
        Instant joinsClosed = replayEnd.plus(finalAfter);
        Instant revenueClosed = replayEnd.plus(Duration.ofHours(1)).plus(ATTRIBUTION_GRACE).plus(ATTRIBUTION_SETTLE)
                .plus(Duration.ofMinutes(1));
        Instant second = revenueClosed.isAfter(joinsClosed.plus(finalAfter)) ? revenueClosed : joinsClosed.plus(finalAfter);
        clockSteps.addAll(List.of(joinsClosed, second, second.plus(finalAfter)));
        assertThat(clockSteps.get(2)).as("the last clock step is within the broker's bound of an hour ahead")
                .isBefore(Instant.now().plus(Duration.ofMinutes(55)));
        // every replay record through the join first: a clock view processed before them would make them late
        awaitSourcesCommitted();
        awaitJoinCommitted("every record", r -> true);
        for (int step = 0; step < clockSteps.size(); step++) {
            try (EventPublisher publisher = new EventPublisher(stack.bootstrapServers())) {
                publisher.publishAll(ClosingClock.at(clockSteps.get(step)));
            }
            // the join must see this step's clock purchases before the next step's views, which would otherwise make
            // them late there: wait until purchase-attribution has committed its input past them
            Instant at = clockSteps.get(step);
            awaitJoinCommitted("the clock records at " + at, r -> r.key() != null
                    && r.key().startsWith(ClosingClock.USER_PREFIX) && r.timestamp() == at.toEpochMilli());
            if (step > 0) {
                Instant previous = clockSteps.get(step - 1);
                await("the clock purchases at " + previous + " to be attributed on every partition")
                        .atMost(BOUND).pollInterval(Duration.ofSeconds(2))
                        .until(() -> FaultOracles.clockAttributions(stack.bootstrapServers(), previous)
                                >= TopicCatalogue.PURCHASES.partitions());
            }
            log.accept("clock step " + (step + 1) + " at " + clockSteps.get(step) + " published");
        }
    }

    /**
     * Publishes {@link #catalogue()}; when the broker refuses it, once more with a new producer. A broker started
     * seconds earlier can answer a producer's first batch with {@code OutOfOrderSequenceException} until the delivery
     * timeout (KAFKA-15591); {@link dev.streamtemplate.schemas.TopicCreator} waits until the broker hosts every
     * partition, which removes that cause, and the retry covers any other. A product version or user snapshot written
     * twice changes no oracle: the same version of the same key.
     */
    private void publishCatalogue() {
        for (int attempt = 1; ; attempt++) {
            try (EventPublisher publisher = new EventPublisher(stack.bootstrapServers())) {
                publisher.publishAll(catalogue);
                return;
            } catch (dev.streamtemplate.generator.PublishException e) {
                if (attempt == 2) {
                    throw e;
                }
                log.accept("publishing the catalogue failed, once more with a new producer: " + e.getMessage());
            }
        }
    }

    /** purchase-attribution's repartition topics into its join, keyed {@code user|product}. */
    private static final List<String> JOIN_INPUTS = List.of("purchase-attribution-purchases-by-user-product-repartition",
            "purchase-attribution-product-views-by-user-product-repartition");

    /**
     * Waits until purchase-attribution has committed, on both inputs of its join, an offset past the last record
     * {@code which} selects in every partition: its join tasks have processed them.
     */
    private void awaitJoinCommitted(String what, java.util.function.Predicate<TopicRecord<String, String>> which) {
        await("purchase-attribution's join to commit past " + what).atMost(BOUND)
                .pollInterval(Duration.ofMillis(500)).until(() -> {
                    Map<TopicPartition, Long> offsets = new HashMap<>();
                    for (String topic : JOIN_INPUTS) {
                        TopicReader.strings(stack.bootstrapServers()).readAll(topic).stream().filter(which)
                                .forEach(r -> offsets.merge(new TopicPartition(topic, r.partition()), r.offset(), Math::max));
                    }
                    Map<TopicPartition, Long> past = new HashMap<>();
                    offsets.forEach((partition, offset) -> past.put(partition, offset + 1));
                    return offsets.size() == JOIN_INPUTS.size() * TopicCatalogue.PURCHASES.partitions()
                            && committedReach("purchase-attribution", past);
                });
    }

    /** Waits until purchase-attribution has committed page-views and purchases to their end. */
    private void awaitSourcesCommitted() {
        awaitCommittedToEnd("purchase-attribution", TopicCatalogue.PAGE_VIEWS.name(), TopicCatalogue.PURCHASES.name());
    }

    /** Waits until {@code group} has committed every partition of {@code topics} (input topics, not transactional) to its end. */
    private void awaitCommittedToEnd(String group, String... topics) {
        await(group + " to commit " + String.join(", ", topics) + " to their end").atMost(BOUND)
                .pollInterval(Duration.ofMillis(500)).until(() -> {
                    try (Admin admin = stack.broker().admin()) {
                        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                        for (String topic : topics) {
                            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS)
                                    .get(topic).partitions().size();
                            for (int p = 0; p < partitions; p++) {
                                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
                            }
                        }
                        Map<TopicPartition, Long> ends = new HashMap<>();
                        admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS)
                                .forEach((partition, info) -> ends.put(partition, info.offset()));
                        return committedReach(group, ends);
                    }
                });
    }

    /** Whether {@code group}'s committed offset of every partition of {@code offsets} is at least its value. */
    private boolean committedReach(String group, Map<TopicPartition, Long> offsets) throws Exception {
        try (Admin admin = stack.broker().admin()) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            return offsets.entrySet().stream().allMatch(e -> committed.get(e.getKey()) != null
                    && committed.get(e.getKey()).offset() >= e.getValue());
        }
    }

    /** Waits until every instance answers {@code /q/health/ready} with 200 (Kafka Streams RUNNING, stores queryable). */
    void awaitAllReady() {
        for (ServiceInstance instance : slots) {
            await(instance + " ready (/q/health/ready 200; log " + instance.child().logFile() + ")").atMost(BOUND)
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        assertThat(instance.isAlive()).as(instance + " is running (log " + instance.child().logFile() + ")")
                                .isTrue();
                        return client.get(instance.uri("/q/health/ready")).status() == 200;
                    });
        }
    }

    /** The poison records: on page-views, purchases, user-changes and cart-events (see {@link PoisonRecords}). */
    private List<PoisonRecords.Poison> poisons() {
        List<PoisonRecords.Poison> poisons = new ArrayList<>();
        GeneratedEvent view = first(PageView.class);
        poisons.addAll(PoisonRecords.forTopic(TopicCatalogue.PAGE_VIEWS.name(), view.key(), view.value(), "timestamp",
                "userId", null, true, true));
        GeneratedEvent purchase = first(Purchase.class);
        poisons.addAll(PoisonRecords.forTopic(TopicCatalogue.PURCHASES.name(), purchase.key(), purchase.value(),
                "timestamp", "productId", null, true, true));
        GeneratedEvent change = first(UserChange.class);
        poisons.addAll(PoisonRecords.forTopic(TopicCatalogue.USER_CHANGES.name(), change.key(), change.value(),
                "sourceTimestamp", "version", "op", false, false));
        GeneratedEvent command = first(CartEvent.class);
        poisons.addAll(PoisonRecords.forTopic(TopicCatalogue.CART_EVENTS.name(), command.key(), command.value(),
                "timestamp", "eventId", "type", true, true));
        return poisons;
    }

    private GeneratedEvent first(Class<?> type) {
        return replay.stream().filter(e -> type.isInstance(e.value())).findFirst().orElseThrow();
    }

    /** The properties of every instance of {@code service}. */
    private Map<String, String> properties(String service) {
        Map<String, String> properties = new LinkedHashMap<>(InstanceGroup.commonProperties());
        properties.put("kafka-streams.processing.guarantee", settings.guarantee());
        switch (service) {
            case "traffic-analytics" -> {
                // final results at every record rather than at most once per wall-clock second; keep the repartition
                // topic, which the oracle reads back: it holds the order in which the page aggregations saw their input
                properties.put("kafka-streams.__emit.interval.ms.kstreams.windowed.aggregation__", "0");
                properties.put("kafka-streams.repartition.purge.interval.ms", "86400000");
                properties.put("traffic.burst-threshold", Integer.toString(BURST_THRESHOLD));
                // the oracle's windows, whatever application.properties says
                properties.put("traffic.tumbling-size", FaultOracles.TUMBLING.toSeconds() + "s");
                properties.put("traffic.hopping-size", FaultOracles.HOPPING.toSeconds() + "s");
                properties.put("traffic.hopping-advance", FaultOracles.HOPPING_ADVANCE.toSeconds() + "s");
                properties.put("traffic.sliding-span", FaultOracles.SLIDING.toSeconds() + "s");
                properties.put("traffic.session-gap", FaultOracles.SESSION_GAP.toSeconds() + "s");
                properties.put("traffic.grace", FaultOracles.TRAFFIC_GRACE.toSeconds() + "s");
            }
            case "purchase-attribution" -> {
                properties.put("kafka-streams.__emit.interval.ms.kstreams.windowed.aggregation__", "0");
                // keep the join's repartition topics: the closing steps read them to see what the join has committed
                properties.put("kafka-streams.repartition.purge.interval.ms", "86400000");
                properties.put("attribution.grace", ATTRIBUTION_GRACE.toMinutes() + "m");
                properties.put("attribution.settle", ATTRIBUTION_SETTLE.toMinutes() + "m");
                properties.put("attribution.lookback", FaultOracles.LOOKBACK.toMinutes() + "m");
                properties.put("attribution.revenue-window", FaultOracles.REVENUE_WINDOW.toMinutes() + "m");
            }
            case "shopping-cart" -> {
                properties.put("cart.dedup-retention", FaultOracles.DEDUP_RETENTION.toHours() + "h");
            }
            default -> {
            }
        }
        return properties;
    }

    /**
     * What a SIGTERM did to one instance.
     *
     * @param instance      the instance
     * @param exitCode      its JVM's exit code
     * @param took          from the signal to the process's exit
     * @param membersBefore members of its service's consumer group before the signal
     * @param logLine       the line in which the instance reported closing Kafka Streams, empty when there is none
     */
    record GracefulStop(ServiceInstance instance, int exitCode, Duration took, int membersBefore, String logLine) {
    }

    /**
     * Sends SIGTERM to the first instance of {@code service} and waits for its JVM to exit (SIGKILL after
     * {@link ServiceInstance#STOP_GRACE}).
     */
    GracefulStop stopGracefully(String service) throws Exception {
        int slot = SERVICES.indexOf(service) * INSTANCES_PER_SERVICE;
        ServiceInstance instance = slots[slot];
        int before = groupMembers(service);
        long signalled = System.nanoTime();
        int exit = instance.stop();
        Duration took = Duration.ofNanos(System.nanoTime() - signalled);
        String line = java.nio.file.Files.readAllLines(instance.child().logFile()).stream()
                .filter(l -> l.contains("Kafka Streams closed in") || l.contains("did not close within"))
                .reduce((a, b) -> b).orElse("");
        log.accept("SIGTERM " + instance + ": exit code " + exit + " after " + took.toMillis() + " ms; " + line);
        return new GracefulStop(instance, exit, took, before, line);
    }

    /** The members of {@code service}'s consumer group (its {@code application.id}), as the broker sees them now. */
    int groupMembers(String service) throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin = stack.broker().admin()) {
            return admin.describeConsumerGroups(List.of(service)).describedGroups().get(service)
                    .get(10, java.util.concurrent.TimeUnit.SECONDS).members().size();
        }
    }

    /** Stops every instance, then the broker. */
    @Override
    public void close() {
        stack.close();
    }
}
