package dev.streamtemplate.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamtemplate.systemtests.ContinuousQueries.Outcome;
import dev.streamtemplate.systemtests.ContinuousQueries.Query;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The instances of one service in a system test: starting them (new, or again with the same port and state
 * directory), waiting until they are ready and until the group has settled, the placement they report, and
 * continuous queries while something happens to them.
 */
final class InstanceGroup {

    /** The routing layer's bound on a standby's offset lag, passed to every instance. */
    static final long STANDBY_MAX_LAG = 10_000;
    static final Duration ROUTER_CONNECT_TIMEOUT = Duration.ofMillis(500);
    static final Duration ROUTER_READ_TIMEOUT = Duration.ofSeconds(2);
    /**
     * Longer than any legitimate answer: the routing layer tries the active host and then a standby, each within its
     * connect + read timeout (2.5 s), and a query that spans keys asks every other instance in turn (3 x 2.5 s with
     * four instances). An answer slower than this is a hang.
     */
    static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(10);
    /** Small heaps and C1 only: up to four service JVMs, the broker and the test share two cores. */
    static final List<String> JVM_OPTIONS = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    static final Duration READY_BOUND = Duration.ofMinutes(3);
    static final Duration SETTLE_BOUND = Duration.ofMinutes(2);

    private final MultiInstanceStack stack;
    private final String service;
    private final List<String> stores;
    private final int partitions;
    private final Map<String, String> properties;
    private final QueryClient client = new QueryClient(Duration.ofSeconds(2), CLIENT_TIMEOUT);
    /** The instances that run now. */
    private final List<ServiceInstance> live = new CopyOnWriteArrayList<>();

    /**
     * @param stores     the stores whose placement must settle (names as {@code /streams/instances} reports them)
     * @param partitions partitions of each of those stores
     * @param properties the service's own settings, on top of {@link #commonProperties()}
     */
    InstanceGroup(MultiInstanceStack stack, String service, List<String> stores, int partitions,
                  Map<String, String> properties) {
        this.stack = stack;
        this.service = service;
        this.stores = stores;
        this.partitions = partitions;
        this.properties = new LinkedHashMap<>(commonProperties());
        this.properties.putAll(properties);
    }

    /** What every instance gets: quick failure detection, one standby, the routing layer's timeouts and bound. */
    static Map<String, String> commonProperties() {
        Map<String, String> common = new LinkedHashMap<>();
        // a SIGKILLed member leaves the group after 6 s (the broker's group.min.session.timeout.ms) rather than 45 s
        common.put("kafka-streams.session.timeout.ms", "6000");
        common.put("kafka-streams.heartbeat.interval.ms", "1500");
        common.put("kafka-streams.num.standby.replicas", "1");
        common.put("query.connect-timeout", ROUTER_CONNECT_TIMEOUT.toMillis() + "ms");
        common.put("query.read-timeout", ROUTER_READ_TIMEOUT.toMillis() + "ms");
        common.put("query.standby-max-lag", Long.toString(STANDBY_MAX_LAG));
        return common;
    }

    QueryClient client() {
        return client;
    }

    int partitions() {
        return partitions;
    }

    /** The running instances, in start order. */
    List<ServiceInstance> live() {
        return List.copyOf(live);
    }

    /** Starts {@code count} new instances named {@code <service>-1..} and waits until they are ready. */
    void startReady(int count) throws Exception {
        List<ServiceInstance> started = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            started.add(startNew(service + "-" + (live.size() + 1)));
        }
        awaitReady(started);
    }

    /** Starts a new instance (a free port, a state directory of its own); returns at once. */
    ServiceInstance startNew(String name) throws Exception {
        List<String> jvm = new ArrayList<>(JVM_OPTIONS);
        // a GC log per JVM (%p: a restart gets its own), beside the instance's log
        jvm.add("-Xlog:gc:file=" + stack.dataDir().resolve("logs").resolve(name + "-gc-%p.log"));
        ServiceInstance instance = stack.start(stack.newInstance(service, name, jvm, properties), name);
        live.add(instance);
        return instance;
    }

    /** Starts {@code killed} again with its port and state directory; returns at once. */
    ServiceInstance restart(ServiceInstance killed) throws Exception {
        assertThat(killed.isAlive()).as(killed + " is dead before its restart").isFalse();
        ServiceInstance instance = stack.start(killed.settings(), killed.name() + "-restarted");
        live.add(instance);
        return instance;
    }

    /** SIGKILL. */
    void kill(ServiceInstance instance) throws InterruptedException {
        instance.kill();
        live.remove(instance);
    }

    /** Stops every running instance (SIGTERM, in parallel). */
    void stopAll() {
        List<CompletableFuture<Integer>> stops = live.stream()
                .map(instance -> CompletableFuture.supplyAsync(instance::stop)).toList();
        stops.forEach(CompletableFuture::join);
        live.clear();
    }

    /**
     * Waits until each instance's readiness answers 200. On timeout the error carries the last readiness answer (its
     * checks' states and restoring partitions) and the tail of the instance's log.
     */
    void awaitReady(List<ServiceInstance> instances) {
        for (ServiceInstance instance : instances) {
            AtomicReference<RoutedAnswer> last = new AtomicReference<>();
            try {
                await(instance + " ready (/q/health/ready 200)").atMost(READY_BOUND)
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> {
                            assertAlive(instance);
                            last.set(client.get(instance.uri("/q/health/ready")));
                            return last.get().status() == 200;
                        });
            } catch (ConditionTimeoutException e) {
                RoutedAnswer answer = last.get();
                throw new AssertionError(e.getMessage() + "; last readiness answer: "
                        + (answer == null ? "none" : answer.status() + " " + answer.body()) + "; last lines of "
                        + instance.child().logFile() + ":\n" + String.join("\n", instance.child().logTail(40)), e);
            }
        }
    }

    /** Waits until {@code instance}'s HTTP server answers anything (Kafka Streams may still be starting). */
    void awaitHttp(ServiceInstance instance) {
        await(instance + " to answer HTTP").atMost(READY_BOUND).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    assertAlive(instance);
                    return client.get(instance.uri("/streams/instance")).answered();
                });
    }

    private static void assertAlive(ServiceInstance instance) {
        assertThat(instance.isAlive()).as(instance + " is running (log " + instance.child().logFile() + ")").isTrue();
    }

    /**
     * Waits until every running instance reports the same settled placement: exactly the running instances, all
     * RUNNING, every partition of every store active on exactly one of them and caught up (offset lag 0).
     *
     * @return milliseconds from {@code sinceNanos} until then
     */
    long awaitSettled(long sinceNanos) {
        List<ServiceInstance> instances = live();
        List<String> endpoints = instances.stream().map(ServiceInstance::endpoint).toList();
        await("the group to settle on " + endpoints).atMost(SETTLE_BOUND).pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> {
                    for (ServiceInstance instance : instances) {
                        assertThat(placement(instance).unsettledReasons(endpoints, stores, partitions))
                                .as("placement as " + instance + " reports it").isEmpty();
                    }
                });
        return (System.nanoTime() - sinceNanos) / 1_000_000;
    }

    Placement placement(ServiceInstance instance) throws InterruptedException {
        RoutedAnswer answer = client.get(instance.uri("/streams/instances"));
        assertThat(answer.status()).as("GET /streams/instances on " + instance + ": " + answer.summary()).isEqualTo(200);
        return Placement.parse(answer.json());
    }

    /** The first running instance whose active tasks hold a partition of {@code store}, from the end of the list. */
    ServiceInstance lastWithActive(String store) throws InterruptedException {
        Placement placement = placement(live.get(0));
        return live.stream().filter(i -> !placement.activePartitions(store, i.endpoint()).isEmpty())
                .reduce((first, second) -> second).orElseThrow();
    }

    /** Queries continuously ({@code users} in parallel, 20 ms apart each) the instances {@code targets} lists. */
    ContinuousQueries queries(List<ServiceInstance> targets, Function<Random, Query> queries) {
        return new ContinuousQueries(client, () -> targets, queries, 3, Duration.ofMillis(20)).start();
    }

    /**
     * Lets the queries go on until {@code more} further answers came (at most {@code bound}), so that every phase
     * also asks the settled group; returns how many came. Not reaching {@code more} is not an error by itself: the
     * rules of {@link AnswerRules}, checked next, say what the slow answers were (the caller then checks the count).
     */
    static int letQueriesRun(ContinuousQueries queries, int more, Duration bound) {
        int before = queries.count();
        try {
            await("answers after the rebalance").atMost(bound).until(() -> queries.count() >= before + more);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // reported by the caller with the rules' verdict
        }
        return queries.count() - before;
    }

    /** The broken rules of {@link AnswerRules}, for an assertion message: the first 25 and how many more. */
    static List<String> violations(List<Outcome> outcomes) {
        List<String> all = AnswerRules.violations(outcomes, STANDBY_MAX_LAG, CLIENT_TIMEOUT);
        if (all.size() <= 25) {
            return all;
        }
        List<String> first = new ArrayList<>(all.subList(0, 25));
        first.add("... and " + (all.size() - 25) + " more");
        return first;
    }

    /**
     * Writes a thread dump of every running instance ({@code jcmd <pid> Thread.print}) next to its log, as
     * {@code <log name>.threads.txt}: what a hung instance was doing when a test gave up on it.
     *
     * @return one line per dump, for the console
     */
    List<String> dumpThreads() {
        List<String> written = new ArrayList<>();
        for (ServiceInstance instance : live) {
            if (!instance.isAlive()) {
                continue;
            }
            java.nio.file.Path log = instance.child().logFile();
            java.nio.file.Path dump = log.resolveSibling(log.getFileName().toString().replace(".log", "") + ".threads.txt");
            try {
                Process jcmd = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                        Long.toString(instance.child().pid()), "Thread.print")
                        .redirectErrorStream(true).redirectOutput(dump.toFile()).start();
                if (jcmd.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    written.add("thread dump of " + instance + ": " + dump);
                } else {
                    jcmd.destroyForcibly();
                }
            } catch (java.io.IOException e) {
                written.add("no thread dump of " + instance + ": " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return written;
            }
        }
        return written;
    }

    /** On a failed test: thread dumps of the running instances (see {@link #dumpThreads()}). */
    static org.junit.jupiter.api.extension.TestWatcher dumpThreadsOnFailure(java.util.function.Supplier<InstanceGroup> group) {
        return new org.junit.jupiter.api.extension.TestWatcher() {
            @Override
            public void testFailed(org.junit.jupiter.api.extension.ExtensionContext context, Throwable cause) {
                InstanceGroup instances = group.get();
                if (instances != null) {
                    instances.dumpThreads().forEach(System.out::println);
                }
            }
        };
    }

    /** The most frequent bodies of 503 answers (the routing layer says why), for the summary. */
    static String unavailableReasons(List<Outcome> outcomes) {
        Map<String, Long> reasons = outcomes.stream().filter(o -> o.answer().status() == 503)
                .map(o -> o.answer().jsonIfAny().map(j -> j.path("message").asText()).orElse(o.answer().abbreviated())
                        .replaceAll("localhost:\\d+", "<host>").replaceAll("partition \\d+", "partition <n>"))
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        return reasons.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(3)
                .map(e -> e.getValue() + " x \"" + e.getKey() + "\"").collect(Collectors.joining("; "));
    }
}
