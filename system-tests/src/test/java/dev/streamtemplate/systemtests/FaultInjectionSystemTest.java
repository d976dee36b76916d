package dev.streamtemplate.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamtemplate.generator.GeneratorConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Exactly-once under faults: all four services, two instances each as separate JVMs, on a broker process;
 * a fixed-seed replay of over 200,000 events across the five input topics, paced like traffic; during it, SIGKILLs of
 * random instances (each started again), a broker stop and restart, and poison records on four input topics
 * ({@link FaultScenario}, {@link FaultPlan}). Afterwards every derived topic, read with {@code read_committed}, must
 * equal its batch oracle exactly ({@link FaultOracles}): no record lost, none duplicated, no window missing or counted
 * twice, the same carts, orders and customer views, one dead letter per poison record.
 *
 * <p>The second test runs the same scenario (same replay, same fault plan) with {@code processing.guarantee =
 * at_least_once} and Kafka Streams' other defaults (so a 30 s commit interval) and reports what differs from the
 * oracle, without failing: what exactly-once buys.
 *
 * <p>Runs with the Maven profile {@code fault-tests} (tag {@code faults}); 8 to 10 minutes per scenario on 2 cores.
 * {@code -Dfaults.speed} (default 40: the 4 hours of the replay in 6 minutes) and {@code -Dfaults.kills} (default 6)
 * change the pace and the number of kills.
 */
@Tag("faults")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultInjectionSystemTest {

    private static final Path DATA_DIR = Path.of("target", "fault-test-data");
    /** Four hours ending three hours ago: the clock steps after it stay within the broker's hour ahead of now. */
    private static final GeneratorConfig REPLAY = GeneratorConfig.defaults()
            .withStart(Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofHours(7)))
            .withDuration(Duration.ofHours(4))
            .withSeed(20261121L)
            .withUsers(5_000)
            .withLate(0.01, Duration.ofHours(3));
    private static final double SPEED = Double.parseDouble(System.getProperty("faults.speed", "40"));
    private static final int KILLS = Integer.getInteger("faults.kills", 6);
    private static final long PLAN_SEED = 6L;

    @Test
    @Order(1)
    void exactlyOnceKeepsEveryDerivedTopicEqualToTheOracle() throws Exception {
        Outcome result = runAndCompare("exactly_once_v2", true, scenario -> {
            // SIGTERM: Kafka Streams closes within shutdown.timeout and leaves its group at once,
            // well before the session timeout (6 s here) would have removed it
            FaultScenario.GracefulStop stop = scenario.stopGracefully("traffic-analytics");
            await("traffic-analytics' group to lose " + stop.instance() + " at once").atMost(Duration.ofSeconds(3))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> scenario.groupMembers("traffic-analytics") == stop.membersBefore() - 1);
            assertThat(stop.logLine()).as("the instance's own report of closing Kafka Streams")
                    .contains("Kafka Streams closed in").contains("LEAVE_GROUP");
            assertThat(stop.took()).as("SIGTERM to exit").isLessThan(ServiceInstance.STOP_GRACE);
            System.out.println("SIGTERM: " + stop.instance() + " exited (code " + stop.exitCode() + ") "
                    + stop.took().toMillis() + " ms after the signal; group members " + stop.membersBefore() + " -> "
                    + scenario.groupMembers("traffic-analytics") + "; " + stop.logLine());
        });
        assertThat(result.comparisons()).as("derived topics that differ from their oracle")
                .filteredOn(c -> !c.equal()).extracting(TopicComparison::line).isEmpty();
    }

    /** Something to do with the scenario's instances after the comparison. */
    @FunctionalInterface
    interface Afterwards {
        void accept(FaultScenario scenario) throws Exception;
    }

    @Test
    @Order(2)
    void atLeastOnceUnderTheSameFaultsIsReported() throws Exception {
        Outcome result = runAndCompare("at_least_once", false, scenario -> {
        });
        assertThat(result.recordsCompared()).as("records read back").isPositive();
    }

    /** What a scenario run gave: the oracles' figures and the last comparison of every derived topic. */
    record Outcome(List<String> figures, List<TopicComparison> comparisons) {

        long recordsCompared() {
            return comparisons.stream().mapToLong(TopicComparison::read).sum();
        }

        boolean allEqual() {
            return comparisons.stream().allMatch(TopicComparison::equal);
        }
    }

    /**
     * Runs the scenario and computes the oracles; then, with exactly-once, waits until every comparison holds (the
     * services may still be emitting), and otherwise until two comparisons in a row read as many records from every
     * topic.
     */
    private static Outcome runAndCompare(String guarantee, boolean exactlyOnce, Afterwards afterwards)
            throws Exception {
        FaultScenario.Settings settings = new FaultScenario.Settings(guarantee, REPLAY, SPEED, KILLS, PLAN_SEED);
        long started = System.nanoTime();
        try (FaultScenario scenario = FaultScenario.start(settings, DATA_DIR.resolve(guarantee))) {
            scenario.run();
            FaultOracles oracles = FaultOracles.compute(scenario);
            AtomicReference<List<TopicComparison>> last = new AtomicReference<>();
            try {
                await(exactlyOnce ? "every derived topic to equal its oracle" : "the derived topics to stop changing")
                        .atMost(FaultScenario.BOUND).pollInterval(Duration.ofSeconds(10))
                        .until(() -> {
                            List<TopicComparison> now = oracles.compare();
                            List<TopicComparison> before = last.getAndSet(now);
                            return exactlyOnce
                                    ? now.stream().allMatch(TopicComparison::equal)
                                    : before != null && sizes(before).equals(sizes(now));
                        });
            } catch (ConditionTimeoutException e) {
                System.out.println("gave up waiting: " + e.getMessage());
            }
            assertThat(last.get()).as("a comparison ran").isNotNull();
            Outcome outcome = new Outcome(oracles.figures(), last.get());
            print(scenario, outcome, (System.nanoTime() - started) / 1_000_000_000);
            afterwards.accept(scenario);
            return outcome;
        }
    }

    private static List<Long> sizes(List<TopicComparison> comparisons) {
        return comparisons.stream().map(TopicComparison::read).toList();
    }

    private static void print(FaultScenario scenario, Outcome result, long seconds) {
        StringBuilder out = new StringBuilder();
        String guarantee = scenario.settings().guarantee();
        out.append("\n=== FaultInjectionSystemTest: ").append(guarantee).append(" ===\n");
        out.append(String.format("events: %,d product versions and initial user snapshots first, then %,d paced at %.0fx across page-views,"
                        + " purchases, user-changes, cart-events; generator %s%n", scenario.catalogue().size(),
                scenario.replay().size(), scenario.settings().speed(), scenario.settings().generator()));
        out.append(String.format("instances: %d services x %d; injected: %d SIGKILLs (each restarted), %d broker restart,"
                        + " %d poison records; clock steps %s%n", FaultScenario.SERVICES.size(),
                FaultScenario.INSTANCES_PER_SERVICE, scenario.plan().count(FaultPlan.Kind.KILL),
                scenario.plan().count(FaultPlan.Kind.BROKER_RESTART), scenario.poisoned().size(), scenario.clockSteps()));
        scenario.injected().forEach(line -> out.append("  ").append(line).append('\n'));
        result.figures().forEach(line -> out.append(line).append('\n'));
        out.append(String.format("compared: %,d records read from %d topics and topic parts; %s%n",
                result.recordsCompared(), result.comparisons().size(),
                result.allEqual() ? "all equal to the oracle"
                        : result.comparisons().stream().filter(c -> !c.equal()).count() + " differ"));
        result.comparisons().forEach(c -> out.append("  ").append(c.line()).append('\n'));
        long surplus = result.comparisons().stream().mapToLong(TopicComparison::duplicate).sum();
        long missing = result.comparisons().stream().mapToLong(TopicComparison::missing).sum();
        long unknown = result.comparisons().stream().mapToLong(TopicComparison::unknown).sum();
        out.append(String.format("totals (%s): %,d duplicates, %,d missing, %,d unexpected; scenario took %d s%n",
                guarantee, surplus, missing, unknown, seconds));
        System.out.println(out);
    }
}
