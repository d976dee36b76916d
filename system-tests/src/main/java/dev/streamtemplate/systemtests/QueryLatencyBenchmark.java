package dev.streamtemplate.systemtests;

import dev.streamtemplate.generator.GeneratorConfig;
import dev.streamtemplate.harness.ChildProcess;
import dev.streamtemplate.harness.LocalPorts;
import dev.streamtemplate.harness.StackFailure;
import dev.streamtemplate.runtime.query.ForwardedQuerySignature;
import dev.streamtemplate.schemas.TopicCatalogue;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.HdrHistogram.Histogram;

/**
 * Interactive-query latency of traffic-analytics as a client sees it, at a constant request rate: a benchmark, not a
 * test (it prints figures and fails only when it cannot run).
 *
 * <p>It starts a broker and {@code benchmark.instances} (default 3) traffic-analytics JVMs, loads 30 minutes of
 * traffic, waits until the group has settled, warms up, then sends one instance
 * {@code GET /page-views?page=P&from=..&to=..} open loop ({@link OpenLoopLoad}: latency from each request's intended
 * start) for pages that are local, forwarded, on its standby asked directly, and on its standby with the owner
 * SIGKILLed, after a floor row: the same load against {@link StaticAnswerServer}, a copy of a local answer served
 * without a service behind it. Every answer is checked (200, who served it, which replica), others count as errors; each row prints
 * latency percentiles in milliseconds and the CPU each process used. Options ({@code -D}): {@code benchmark.rate}
 * (requests per second, default 1000, or a list such as {@code 1000,300}), {@code benchmark.seconds} (20),
 * {@code benchmark.warmup-seconds} (90), {@code benchmark.instance-jvm-options} ({@code {name}}: the instance's name).
 * Run: {@code mvn -B -q -pl system-tests -Pbenchmark exec:exec} after {@code mvn -B -q install -DskipTests}.
 * Each kind, the warm-up's length and figures: system-tests/README.md, The benchmark.
 */
public final class QueryLatencyBenchmark {

    private static final String SERVICE = "traffic-analytics";
    private static final String TUMBLING_STORE = "page-views-tumbling-store";
    private static final List<String> STORES = List.of(TUMBLING_STORE, "page-views-hopping-store",
            "user-sessions-store", "purchase-bursts-store");
    private static final int PARTITIONS = TopicCatalogue.PAGE_VIEWS.partitions();
    private static final double P99_TARGET_LOCAL_MS = 5;
    private static final double P99_TARGET_FORWARDED_MS = 10;
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
    private static final PrintStream OUT = System.out;
    private static final String FLOOR = "floor: static answer";
    private static final Duration FLOOR_WARMUP = Duration.ofSeconds(20);

    /** Requests per second; a comma-separated list measures each kind at each rate in turn. */
    private final List<Integer> rates = java.util.Arrays.stream(System.getProperty("benchmark.rate", "1000").split(","))
            .map(String::trim).filter(r -> !r.isEmpty()).map(Integer::valueOf).toList();
    private final Duration duration = Duration.ofSeconds(Integer.getInteger("benchmark.seconds", 20));
    private final Duration warmup = Duration.ofSeconds(Integer.getInteger("benchmark.warmup-seconds", 90));
    private final int instanceCount = Integer.getInteger("benchmark.instances", 3);
    /** For set-up requests (readiness, placement); the load itself goes through {@link OpenLoopLoad}. */
    private final QueryClient client = new QueryClient(Duration.ofSeconds(2), Duration.ofSeconds(10));
    /** How long one answer may take before it counts as an error. */
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(10);
    private static final Function<URI, Map<String, String>> NO_HEADERS = uri -> Map.of();
    private static final ForwardedQuerySignature SIGNATURE = new ForwardedQuerySignature(ServiceInstance.FORWARDING_SECRET);
    private Instant from;
    private Instant to;
    private MultiInstanceStack stack;
    private final List<ServiceInstance> instances = new ArrayList<>();

    private QueryLatencyBenchmark() {
    }

    /** Runs the benchmark and prints its table; exit status 1 when it could not run. */
    public static void main(String[] args) {
        try {
            new QueryLatencyBenchmark().run();
            System.exit(0);
        } catch (Exception e) {
            System.err.println("benchmark failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    private void run() throws Exception {
        if (instanceCount < 2) {
            throw new IllegalArgumentException("benchmark.instances must be at least 2, was " + instanceCount);
        }
        // the killed owner must stay in the group's metadata for the whole standby run
        long sessionTimeoutMs = Math.max(45_000, duration.multipliedBy(rates.size()).plusSeconds(30).toMillis());
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("kafka-streams.session.timeout.ms", Long.toString(sessionTimeoutMs));
        properties.put("kafka-streams.num.standby.replicas", "1");
        List<String> jvm = new ArrayList<>(List.of("-Xmx256m", "-XX:+UseSerialGC"));
        // e.g. -Dbenchmark.instance-jvm-options=-XX:StartFlightRecording=filename=rec.jfr to profile the instances
        String extra = System.getProperty("benchmark.instance-jvm-options", "").trim();
        if (!extra.isEmpty()) {
            jvm.addAll(List.of(extra.split("\\s+")));  // {name} is replaced by the instance's name below
        }

        try (MultiInstanceStack started = MultiInstanceStack.start(Path.of("target", "benchmark-data"), this::say)) {
            stack = started;
            for (int i = 1; i <= instanceCount; i++) {
                String name = SERVICE + "-" + i;
                List<String> options = jvm.stream().map(option -> option.replace("{name}", name)).toList();
                instances.add(stack.start(stack.newInstance(SERVICE, name, options, properties), name));
            }
            for (ServiceInstance instance : instances) {
                awaitReady(instance);
            }
            say(instanceCount + " instances ready");

            Instant start = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(30));
            TrafficReplay traffic = new TrafficReplay(GeneratorConfig.defaults().withSeed(5L).withUsers(1500)
                    .withStart(start).withDuration(Duration.ofMinutes(30)),
                    Set.of(TopicCatalogue.PAGE_VIEWS.name(), TopicCatalogue.PURCHASES.name()));
            from = start;
            to = start.plus(Duration.ofMinutes(30));
            TrafficReplay.Publication load = TrafficReplay.publishAsync(stack.bootstrapServers(), traffic.events(), 120);
            load.done().get(5, TimeUnit.MINUTES);
            say("loaded " + load.total() + " events (30 minutes of page views and purchases)");

            ServiceInstance asked = instances.get(0);
            Placement placement = awaitSettled(instances);
            List<String> pages = pages();
            List<String> local = pages.stream().filter(p -> asked.endpoint().equals(owner(placement, p))).toList();
            List<String> forwarded = pages.stream().filter(p -> !asked.endpoint().equals(owner(placement, p))).toList();
            // the victim: the other instance whose partitions most often have their standby on A
            Optional<ServiceInstance> victim = instances.stream().filter(i -> i != asked)
                    .max(Comparator.comparingLong(i -> standbyOnAsked(placement, pages, i, asked).size()))
                    .filter(i -> !standbyOnAsked(placement, pages, i, asked).isEmpty());
            List<String> standby = victim.map(v -> standbyOnAsked(placement, pages, v, asked)).orElse(List.of());
            say("asking " + asked.endpoint() + "; placement of " + TUMBLING_STORE + ": " + placement.describe(TUMBLING_STORE));
            say("pages: " + local.size() + " local, " + forwarded.size() + " forwarded, " + standby.size()
                    + " with their standby on " + asked.endpoint() + victim.map(v -> " and their active on " + v.endpoint()).orElse(""));
            if (local.isEmpty() || forwarded.isEmpty()) {
                throw new IllegalStateException("no local or no forwarded page on " + asked.endpoint() + ": "
                        + placement.describe(TUMBLING_STORE));
            }

            List<String> mixed = new ArrayList<>(pages);
            int warmupRate = rates.stream().min(Integer::compare).orElseThrow();
            say("warm-up: " + warmup.toSeconds() + " s at " + warmupRate + " req/s, local and forwarded mixed");
            OpenLoopLoad.run("warm-up", i -> uri(asked, mixed, i), NO_HEADERS, warmupRate, warmup, ANSWER_TIMEOUT,
                    a -> a.status() == 200);

            List<OpenLoopLoad.Result> results = new ArrayList<>(floor(asked, local, jvm));
            for (int rate : rates) {
                results.add(measure("local", rate, asked, local, NO_HEADERS,
                        a -> a.status() == 200 && asked.endpoint().equals(a.servedBy()) && "active".equals(a.replica())));
            }
            for (int rate : rates) {
                results.add(measure("forwarded", rate, asked, forwarded, NO_HEADERS,
                        a -> a.status() == 200 && !asked.endpoint().equals(a.servedBy()) && "active".equals(a.replica())));
            }
            if (victim.isPresent()) {
                Predicate<RoutedAnswer> fromStandby = a -> a.status() == 200 && asked.endpoint().equals(a.servedBy())
                        && "standby".equals(a.replica());
                for (int rate : rates) {
                    results.add(measure("standby, asked directly", rate, asked, standby,
                            QueryLatencyBenchmark::askStandby, fromStandby));
                }
                say("SIGKILL " + victim.get() + " (session.timeout.ms " + sessionTimeoutMs
                        + ": the group keeps it as the active owner for the next runs)");
                victim.get().kill();
                for (int rate : rates) {
                    results.add(measure("standby, owner killed", rate, asked, standby, NO_HEADERS, fromStandby));
                }
            }
            printTable(results);
        }
    }

    /**
     * The floor row: the same load generator against {@link StaticAnswerServer}, a JVM with the instances' options
     * that answers every request with a copy of one local answer, so that the table shows what the generator, the
     * loopback network and the machine's scheduling cost on their own in this run.
     */
    private List<OpenLoopLoad.Result> floor(ServiceInstance asked, List<String> local, List<String> jvm)
            throws Exception {
        RoutedAnswer sample = client.get(uri(asked, local, 0));
        if (sample.status() != 200) {
            throw new IllegalStateException("no local answer to copy for the floor row: " + sample.summary());
        }
        Path answer = Path.of("target", "benchmark-data", "static-answer.json").toAbsolutePath();
        Files.writeString(answer, sample.body());
        int port = LocalPorts.pickFree();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvm.stream().map(option -> option.replace("{name}", "static-answer-server")).toList());
        command.addAll(List.of("-Dsun.net.httpserver.nodelay=true", "-cp", System.getProperty("java.class.path"),
                StaticAnswerServer.class.getName(), Integer.toString(port), answer.toString()));
        ChildProcess server = stack.startProcess("static-answer-server", command);
        try {
            URI base = URI.create("http://127.0.0.1:" + port);
            LongFunction<URI> uris = i -> {
                URI same = uri(asked, local, i);
                return base.resolve(same.getRawPath() + "?" + same.getRawQuery());
            };
            long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
            while (client.get(uris.apply(0)).status() != 200) {
                if (!server.isAlive() || System.nanoTime() > deadline) {
                    throw new StackFailure("the static answer server did not answer; log " + server.logFile(), server);
                }
                server.awaitExit(Duration.ofMillis(200));
            }
            int warmupRate = rates.stream().min(Integer::compare).orElseThrow();
            say(FLOOR + ": warm-up " + FLOOR_WARMUP.toSeconds() + " s at " + warmupRate + " req/s");
            OpenLoopLoad.run("warm-up", uris, NO_HEADERS, warmupRate, FLOOR_WARMUP, ANSWER_TIMEOUT, a -> a.status() == 200);
            List<OpenLoopLoad.Result> results = new ArrayList<>();
            for (int rate : rates) {
                say(FLOOR + ": " + duration.toSeconds() + " s at " + rate + " req/s, " + sample.body().length()
                        + " bytes per answer");
                results.add(OpenLoopLoad.run(FLOOR, uris, NO_HEADERS, rate, duration, ANSWER_TIMEOUT, a -> a.status() == 200));
            }
            return results;
        } finally {
            server.stop(Duration.ofSeconds(5));
        }
    }

    /** What a forwarding instance sends a standby: {@code X-Query-Replica: standby}, signed as the instances sign. */
    private static Map<String, String> askStandby(URI uri) {
        Map<String, String> headers = Map.of(RoutedAnswer.REPLICA, "standby");
        return Map.of(RoutedAnswer.REPLICA, "standby", ForwardedQuerySignature.HEADER,
                SIGNATURE.sign("GET", uri.getRawPath() + "?" + uri.getRawQuery(), headers::get, System.currentTimeMillis()));
    }

    private OpenLoopLoad.Result measure(String kind, int rate, ServiceInstance asked, List<String> pages,
                                        Function<URI, Map<String, String>> headers, Predicate<RoutedAnswer> ok) throws InterruptedException {
        say(kind + ": " + duration.toSeconds() + " s at " + rate + " req/s over " + pages.size() + " pages");
        Map<String, Duration> cpuBefore = cpuTimes();
        OpenLoopLoad.Result result = OpenLoopLoad.run(kind, i -> uri(asked, pages, i), headers, rate, duration,
                ANSWER_TIMEOUT, ok);
        Map<String, Duration> cpuAfter = cpuTimes();
        List<String> cpu = new ArrayList<>();
        cpuAfter.forEach((process, after) -> {
            Duration before = cpuBefore.getOrDefault(process, Duration.ZERO);
            cpu.add(String.format(Locale.ROOT, "%s %.0f%%", process,
                    100.0 * after.minus(before).toNanos() / duration.toNanos()));
        });
        say(kind + ": CPU (of one core) during the run: " + String.join(", ", cpu));
        if (result.errors() > 0) {
            say(kind + ": " + result.errors() + " errors, first: " + result.firstError());
        }
        return result;
    }

    /** CPU time so far of this JVM (the load generator), of every instance still running and of the broker. */
    private Map<String, Duration> cpuTimes() {
        Map<String, Duration> times = new LinkedHashMap<>();
        times.put("load generator", ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO));
        for (ServiceInstance instance : instances) {
            if (instance.isAlive()) {
                times.put(instance.name(), instance.child().process().info().totalCpuDuration().orElse(Duration.ZERO));
            }
        }
        times.put("broker", stack.broker().child().process().info().totalCpuDuration().orElse(Duration.ZERO));
        return times;
    }

    private URI uri(ServiceInstance instance, List<String> pages, long i) {
        String page = pages.get((int) (i % pages.size()));
        return instance.uri("/page-views?page=" + URLEncoder.encode(page, StandardCharsets.UTF_8) + "&from=" + from
                + "&to=" + to);
    }

    /** The generator's pages: the fixed ones and the product pages. */
    private static List<String> pages() {
        List<String> pages = new ArrayList<>(List.of("/home", "/search", "/deals", "/cart"));
        IntStream.rangeClosed(1, 100).forEach(i -> pages.add(String.format(Locale.ROOT, "/products/p-%04d", i)));
        return pages;
    }

    private static String owner(Placement placement, String page) {
        return placement.activeHost(TUMBLING_STORE, Placement.partitionOf(page, PARTITIONS)).orElse("?");
    }

    private static List<String> standbyOnAsked(Placement placement, List<String> pages, ServiceInstance victim,
                                               ServiceInstance asked) {
        return pages.stream().filter(p -> {
            int partition = Placement.partitionOf(p, PARTITIONS);
            return victim.endpoint().equals(owner(placement, p))
                    && placement.standbyHosts(TUMBLING_STORE, partition).contains(asked.endpoint());
        }).toList();
    }

    private void awaitReady(ServiceInstance instance) throws InterruptedException, StackFailure {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (client.get(instance.uri("/q/health/ready")).status() != 200) {
            if (!instance.isAlive()) {
                throw new StackFailure(instance + " exited; log " + instance.child().logFile(), instance.child());
            }
            if (System.nanoTime() > deadline) {
                throw new StackFailure(instance + " not ready within " + READY_TIMEOUT.toSeconds() + " s", instance.child());
            }
            instance.child().awaitExit(Duration.ofMillis(500)); // a pause that ends early if it dies
        }
    }

    /** Waits until A reports every partition of every store active on exactly one instance and caught up. */
    private Placement awaitSettled(List<ServiceInstance> instances) throws InterruptedException, StackFailure {
        List<String> endpoints = instances.stream().map(ServiceInstance::endpoint).toList();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            RoutedAnswer answer = client.get(instances.get(0).uri("/streams/instances"));
            if (answer.status() == 200) {
                Placement placement = Placement.parse(answer.json());
                List<String> reasons = placement.unsettledReasons(endpoints, STORES, PARTITIONS);
                if (reasons.isEmpty()) {
                    return placement;
                }
                if (System.nanoTime() > deadline) {
                    throw new StackFailure("the group did not settle within " + READY_TIMEOUT.toSeconds() + " s: " + reasons);
                }
            }
            instances.get(0).child().awaitExit(Duration.ofMillis(500));
        }
    }

    private void printTable(List<OpenLoopLoad.Result> results) {
        OUT.println();
        OUT.printf(Locale.ROOT, "Query latency, traffic-analytics GET /page-views (about 30 windows per answer), %d instances, "
                        + "open loop for %d s per row, latency from the intended start (ms); %s, %d cores%n",
                instanceCount, duration.toSeconds(), LocalDate.now(), Runtime.getRuntime().availableProcessors());
        OUT.printf(Locale.ROOT, "%-26s %7s %9s %9s %8s %8s %8s %8s %7s%n", "kind", "target", "requests", "rate/s", "p50",
                "p99", "p999", "max", "errors");
        for (OpenLoopLoad.Result result : results) {
            Histogram h = result.latencies();
            OUT.printf(Locale.ROOT, "%-26s %7d %9d %9.1f %8.2f %8.2f %8.2f %8.2f %7d%n", result.kind(), result.rate(),
                    result.requests(), result.achievedRate(), ms(h.getValueAtPercentile(50)),
                    ms(h.getValueAtPercentile(99)), ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()), result.errors());
        }
        OUT.println();
        target(results, "local", P99_TARGET_LOCAL_MS);
        target(results, "forwarded", P99_TARGET_FORWARDED_MS);
        OUT.println();
    }

    private static void target(List<OpenLoopLoad.Result> results, String kind, double targetMs) {
        results.stream().filter(r -> r.kind().equals(kind)).forEach(r -> {
            double p99 = ms(r.latencies().getValueAtPercentile(99));
            OUT.printf(Locale.ROOT, "target p99 <= %.0f ms, %-10s at %5d req/s: p99 %.2f ms, %s%n", targetMs, kind,
                    r.rate(), p99, p99 <= targetMs ? "met" : String.format(Locale.ROOT, "MISSED by %.2f ms", p99 - targetMs));
        });
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private void say(String line) {
        OUT.println("[benchmark] " + line);
        OUT.flush();
    }
}
