package dev.streamtemplate.benchmarks;

import dev.streamtemplate.benchmarks.WindowComparison.Slice;
import dev.streamtemplate.generator.EventPublisher;
import dev.streamtemplate.generator.GeneratorConfig;
import dev.streamtemplate.generator.GeneratorConfig.HeavyHitters;
import dev.streamtemplate.generator.ShopTrafficGenerator;
import dev.streamtemplate.harness.ChildProcess;
import dev.streamtemplate.harness.KafkaBrokerProcess;
import dev.streamtemplate.harness.QueryAnswer;
import dev.streamtemplate.harness.RepositoryLayout;
import dev.streamtemplate.harness.ServiceProcess;
import dev.streamtemplate.harness.ServiceSpec;
import dev.streamtemplate.harness.StackServices;
import dev.streamtemplate.schemas.TopicCatalogue;
import dev.streamtemplate.schemas.TopicCatalogue.CleanupPolicy;
import dev.streamtemplate.schemas.TopicCatalogue.ServiceTopics;
import dev.streamtemplate.schemas.TopicCatalogue.TopicSpec;
import dev.streamtemplate.schemas.TopicCreator;
import dev.streamtemplate.systemtests.MultiInstanceStack;
import dev.streamtemplate.systemtests.ServiceInstance;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;

/**
 * Processing throughput of every service against Kafka baselines on the same broker and data: a benchmark, not a
 * test (it prints figures and fails only when it cannot run).
 *
 * <p>For each data shape it starts a fresh broker (process-harness), publishes about {@code benchmark.events} events
 * of generated shop traffic (four hours of event time, every input topic) and then drains that backlog with each job
 * in turn, each a fresh JVM with a fresh {@code application.id}: the Kafka Streams pass-through with the services'
 * JSON serdes and with bytes ({@link PassThroughJob}), the kafka-clients transactional loop
 * ({@link TransactionalCopyLoop}), then every service under each guarantee and stream-thread count. Each row gives
 * the drain rate ({@link Drain}: input records per second from committed offsets, start-up excluded), its ratio to
 * the JSON pass-through under exactly-once with one thread, CPU of the job and of the broker, and the job's peak RSS.
 * Then the Flink peer ({@code benchmarks-flink}: traffic-analytics' tumbling counts and sessions in Flink) and the same
 * job in Kafka Streams ({@link WindowsJob}), with their rates over Flink's and their windows compared
 * ({@link WindowComparison}).
 * Before loading, each service is started alone on the empty broker: time from JVM start to ready, and RSS after
 * {@link #IDLE} idle.
 *
 * <p>Every job commits every 100 ms (Kafka Streams' default under exactly-once) under either guarantee, the services
 * every {@code benchmark.commit-interval-millis} (100 unless set). The services run with their shipped configuration
 * and the local stack's JVM options ({@link StackServices}), except a grace period of {@link #BACKLOG_GRACE} (or
 * {@code benchmark.backlog-grace-minutes}) for the windowed services. On the normal shape each service then drains
 * once more with a small heap ({@code benchmark.small-heap-jvm-options}, {@code -Xmx128m -XX:+UseSerialGC}): its peak
 * RSS with the heap sized to its live data.
 * Options ({@code -D}): {@code benchmark.events}, {@code benchmark.shapes} ({@code normal,heavy-hitters}),
 * {@code benchmark.services}, {@code benchmark.guarantees}, {@code benchmark.threads} ({@code 1,2}),
 * {@code benchmark.commit-interval-millis}, {@code benchmark.backlog-grace-minutes} (135),
 * {@code benchmark.small-heap-jvm-options}, {@code benchmark.flink}.
 * Run: {@code mvn -B -q -pl benchmarks exec:exec} after {@code mvn -B -q install -DskipTests -Pflink}; see
 * benchmarks/README.md.
 */
public final class ThroughputBenchmark {

    /** Event time the backlog spans. */
    static final Duration SPAN = Duration.ofHours(4);
    /**
     * Default grace of the windowed services in the throughput runs: the generator's late deliveries (2 h to 2 h 10
     * min) and out-of-order ones (up to 20 s) plus a margin, so that every record is aggregated as long as the tasks'
     * stream times stay within it of each other, and the windows of the backlog's first 1 h 45 min close, and are
     * emitted, during the drain. The {@code late} column counts the records routed late nevertheless.
     */
    static final Duration BACKLOG_GRACE = Duration.ofMinutes(135);
    /** How long a started service stays idle before its RSS is read. */
    static final Duration IDLE = Duration.ofSeconds(20);
    static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
    /** The grace of traffic-analytics' windows in the latency run: the shipped one. */
    static final Duration LATENCY_GRACE = Duration.ofMinutes(1);
    static final String BASELINE_OUTPUT = "benchmark-pass-through";
    static final String REFERENCE = "pass-through json";
    /** The Flink peer's row. */
    static final String FLINK = "flink windows";
    /** The Flink peer's job in Kafka Streams ({@link WindowsJob}). */
    static final String STREAMS_WINDOWS = "kafka streams windows";
    /** The Flink peer's outputs: per-page tumbling counts and per-user sessions. */
    static final String FLINK_TUMBLING = "benchmark-flink-page-views-per-minute";
    static final String FLINK_SESSIONS = "benchmark-flink-user-sessions";
    /** The same, of {@link WindowsJob}. */
    static final String STREAMS_TUMBLING = "benchmark-streams-page-views-per-minute";
    static final String STREAMS_SESSIONS = "benchmark-streams-user-sessions";
    /** Where {@code mvn install -Pflink} writes the Flink peer's classpath, from the repository root. */
    static final Path FLINK_CLASSPATH = Path.of("benchmarks-flink", "target", "flink-classpath.txt");
    static final String FLINK_BUILD = "mvn -B -q install -DskipTests -Pflink";
    /** What the Flink job prints once its job has finished, its last transactions committed. */
    static final String FLINK_FINISHED = "flink job finished";
    /** How long the Flink job may take, after its source's offsets reached the end, to commit its last windows. */
    static final Duration FLINK_FINISH_TIMEOUT = Duration.ofMinutes(2);
    /** Input topics a service reads into a global store, per service. */
    private static final Map<String, Set<String>> GLOBAL_STORE_INPUTS = Map.of(
            "shopping-cart", Set.of(TopicCatalogue.PRODUCTS.name()));
    private static final PrintStream OUT = System.out;

    private final int events = Integer.getInteger("benchmark.events", 500_000);
    /** The grace of the throughput runs, {@code benchmark.backlog-grace-minutes}; the shipped 1 shows a backlog's lateness. */
    private final Duration backlogGrace = Duration.ofMinutes(Long.getLong("benchmark.backlog-grace-minutes",
            BACKLOG_GRACE.toMinutes()));
    private final List<String> shapes = list("benchmark.shapes", "normal,heavy-hitters");
    private final List<String> services = list("benchmark.services",
            "traffic-analytics,purchase-attribution,customer-enrichment,shopping-cart");
    private final List<String> guarantees = list("benchmark.guarantees", "exactly_once_v2,at_least_once");
    private final List<Integer> threads = list("benchmark.threads", "1,2").stream().map(Integer::valueOf).toList();
    private final Duration recordLatencyDuration = Duration.ofSeconds(Integer.getInteger("benchmark.latency-seconds", 60));
    private final Duration windowLatencyDuration = Duration.ofSeconds(
            Integer.getInteger("benchmark.window-latency-seconds", 240));
    /** Extra JVM options of the service runs, {@code {name}} replaced by the run's group id (a JFR file name, say). */
    private final List<String> serviceJvmOptions = Arrays.stream(System.getProperty("benchmark.service-jvm-options", "")
            .trim().split("\\s+")).filter(option -> !option.isEmpty()).toList();
    /**
     * JVM options of the small-heap runs: each service drains the normal shape once more (exactly-once, one thread)
     * with these after its own, to show its memory with the heap sized to its live data. Empty: no such runs.
     */
    private final List<String> smallHeapJvmOptions = Arrays.stream(System.getProperty("benchmark.small-heap-jvm-options",
            "-Xmx128m -XX:+UseSerialGC").trim().split("\\s+")).filter(option -> !option.isEmpty()).toList();
    private final Duration drainTimeout = Duration.ofMinutes(Integer.getInteger("benchmark.drain-timeout-minutes", 15));
    private final boolean flink = Boolean.parseBoolean(System.getProperty("benchmark.flink", "true"));
    /** The Flink peer's checkpoint interval: its sink's transactions commit at each checkpoint. */
    private final long flinkCheckpointMillis = Long.getLong("benchmark.flink-checkpoint-millis", 100);
    /**
     * {@code commit.interval.ms} of the service runs and the latency runs, under either guarantee; 100 is Kafka
     * Streams' default under exactly-once, which the services ship with. The baselines keep 100.
     */
    private final long commitIntervalMillis = Long.getLong("benchmark.commit-interval-millis", 100);
    private final List<String> flinkRows = new ArrayList<>();
    private final List<String> rows = new ArrayList<>();
    private final List<String> startRows = new ArrayList<>();
    private final List<String> latencyRows = new ArrayList<>();
    private final List<String> memoryRows = new ArrayList<>();
    /** Each service's run under exactly-once with one thread, normal shape: its latency runs at half of its rate. */
    private final Map<String, Run> normalRuns = new LinkedHashMap<>();
    private int users;
    private int runs;

    private ThroughputBenchmark() {
    }

    /** Runs the benchmark and prints its table; exit status 1 when it could not run. */
    public static void main(String[] args) {
        try {
            new ThroughputBenchmark().run();
            System.exit(0);
        } catch (Exception e) {
            System.err.println("benchmark failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    private void run() throws Exception {
        try {
            runAll();
        } finally {
            printTables();
        }
    }

    private void runAll() throws Exception {
        say(String.format(Locale.ROOT, "%d events per shape (%s), %d cores, services %s, guarantees %s, threads %s,"
                        + " services' commit interval %d ms", events, String.join(", ", shapes),
                Runtime.getRuntime().availableProcessors(), services, guarantees, threads, commitIntervalMillis));
        for (String shape : shapes) {
            try (MultiInstanceStack stack = MultiInstanceStack.start(Path.of("target", "benchmark-data", shape), this::say);
                 Admin admin = stack.broker().admin()) {
                TopicCreator.createAll(admin, List.of(new TopicSpec(BASELINE_OUTPUT, TopicCatalogue.PAGE_VIEWS.partitions(),
                        CleanupPolicy.DELETE), new TopicSpec(FLINK_TUMBLING, TopicCatalogue.PAGE_VIEWS.partitions(),
                        CleanupPolicy.DELETE), new TopicSpec(FLINK_SESSIONS, TopicCatalogue.PAGE_VIEWS.partitions(),
                        CleanupPolicy.DELETE), new TopicSpec(STREAMS_TUMBLING, TopicCatalogue.PAGE_VIEWS.partitions(),
                        CleanupPolicy.DELETE), new TopicSpec(STREAMS_SESSIONS, TopicCatalogue.PAGE_VIEWS.partitions(),
                        CleanupPolicy.DELETE)), Duration.ofSeconds(30));
                if (startRows.isEmpty()) {
                    for (String service : services) {
                        attempt("start of " + service, () -> measureStart(stack, service));
                    }
                }
                load(stack, shape);
                Optional<Run> reference = run(shape, REFERENCE, "exactly_once_v2", 1, 0,
                        () -> passThrough(stack, admin, shape, "json"));
                double referenceRate = reference.map(r -> r.drain().rate()).orElse(Double.NaN);
                run(shape, "pass-through bytes", "exactly_once_v2", 1, referenceRate,
                        () -> passThrough(stack, admin, shape, "bytes"));
                run(shape, "transactional loop", "exactly_once_v2", 1, referenceRate, () -> copyLoop(stack, admin, shape));
                double trafficRate = Double.NaN;
                List<String> trafficWindows = List.of(TopicCatalogue.PAGE_VIEWS_TUMBLING.name(),
                        TopicCatalogue.USER_SESSIONS.name());
                Map<TopicPartition, Long> trafficFrom = Map.of();
                Map<TopicPartition, Long> trafficTo = Map.of();
                for (String service : services) {
                    for (String guarantee : guarantees) {
                        for (int threadCount : threads) {
                            boolean compared = service.equals("traffic-analytics") && guarantee.equals("exactly_once_v2")
                                    && threadCount == 1;
                            Map<TopicPartition, Long> before = compared ? Drain.endOffsets(admin, trafficWindows) : Map.of();
                            Optional<Run> run = run(shape, service, guarantee, threadCount, referenceRate,
                                    () -> service(stack, admin, shape, service, guarantee, threadCount, List.of()));
                            if (shape.equals("normal") && guarantee.equals("exactly_once_v2") && threadCount == 1) {
                                run.ifPresent(r -> normalRuns.put(service, r));
                            }
                            if (compared && run.isPresent()) {
                                trafficRate = run.get().drain().rate();
                                trafficFrom = before;
                                trafficTo = Drain.endOffsets(admin, trafficWindows); // the instance has stopped
                            }
                        }
                    }
                }
                if (flink) {
                    Optional<Run> same = run(shape, STREAMS_WINDOWS, "exactly_once_v2", 1, referenceRate,
                            () -> windowsJob(stack, admin, shape));
                    Optional<Run> peer = run(shape, FLINK, "exactly-once", 1, referenceRate,
                            () -> flinkJob(stack, admin, shape));
                    if (peer.isPresent()) {
                        double theirs = peer.get().drain().rate();
                        same.ifPresent(run -> attempt("comparison with Flink", () -> compareWithFlink(stack, shape,
                                STREAMS_WINDOWS, run.drain().rate(), theirs, Slice.whole(STREAMS_TUMBLING),
                                Slice.whole(STREAMS_SESSIONS))));
                        double whole = trafficRate;
                        Map<TopicPartition, Long> from = trafficFrom;
                        Map<TopicPartition, Long> to = trafficTo;
                        if (!Double.isNaN(whole)) {
                            // what the exactly-once one-thread run wrote, not the other runs
                            attempt("comparison with Flink", () -> compareWithFlink(stack, shape, "traffic-analytics",
                                    whole, theirs, slice(trafficWindows.get(0), from, to),
                                    slice(trafficWindows.get(1), from, to)));
                        }
                    }
                }
                if (shape.equals("normal")) {
                    if (!smallHeapJvmOptions.isEmpty()) {
                        for (String service : services) {
                            attempt("small heap of " + service, () -> measureSmallHeap(stack, admin, shape, service,
                                    referenceRate));
                        }
                    }
                    measureLatencies(stack, admin);
                }
            }
        }
    }

    /** A drain and, for a service that routes late records, how many it routed ({@code late_events_total}). */
    private record Run(Drain drain, OptionalLong late) {
    }

    /** Runs one job; a failure becomes a row of the table and the benchmark goes on. */
    private Optional<Run> run(String shape, String job, String guarantee, int threadCount, double reference,
                              Callable<Run> body) {
        try {
            Run run = body.call();
            Drain drain = run.drain();
            rows.add(String.format(Locale.ROOT,
                    "| %-13s | %-22s | %-15s | %7d | %9d | %10.0f | %5.2f | %9.2f | %12.2f | %11d | %9s |",
                    shape, job, guarantee, threadCount, drain.records(), drain.rate(),
                    job.equals(REFERENCE) ? 1.0 : drain.rate() / reference, drain.cpuCores(), drain.brokerCpuCores(),
                    drain.peakRssBytes() >> 20, run.late().isPresent() ? Long.toString(run.late().getAsLong()) : "-"));
            return Optional.of(run);
        } catch (Exception e) {
            failed(String.format(Locale.ROOT, "| %-13s | %-22s | %-15s | %7d | failed: ", shape, job, guarantee,
                    threadCount), e);
            return Optional.empty();
        }
    }

    /** Runs a step outside the throughput table; a failure is reported and the benchmark goes on. */
    private void attempt(String step, Callable<Void> body) {
        try {
            body.call();
        } catch (Exception e) {
            failed("| " + step + " failed: ", e);
        }
    }

    private void failed(String rowStart, Exception e) {
        String message = String.valueOf(e.getMessage());
        say("FAILED: " + rowStart + message);
        rows.add(rowStart + message.lines().findFirst().orElse("") + " |");
    }

    // ---- the data ----

    private void load(MultiInstanceStack stack, String shape) throws Exception {
        HeavyHitters heavyHitters = switch (shape) {
            case "normal" -> HeavyHitters.NONE;
            case "heavy-hitters" -> new HeavyHitters(0.01, 0.3);
            default -> throw new IllegalArgumentException("unknown shape " + shape + ": normal or heavy-hitters");
        };
        // the normal users send 1 - eventShare of the events
        users = (int) Math.ceil(events * (1 - heavyHitters.eventShare())
                / (ShopTrafficGenerator.EVENTS_PER_USER_SECOND * SPAN.toSeconds() * (1 - heavyHitters.userShare())));
        GeneratorConfig config = GeneratorConfig.defaults().withSeed(11).withUsers(users).withDuration(SPAN)
                .withStart(Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(SPAN).minus(Duration.ofMinutes(5)))
                .withHeavyHitters(heavyHitters);
        long started = System.nanoTime();
        Map<String, Long> perTopic;
        try (EventPublisher publisher = new EventPublisher(stack.bootstrapServers())) {
            perTopic = publisher.publishAll(() -> new ShopTrafficGenerator(config).replayStream().iterator());
        }
        say(String.format(Locale.ROOT, "%s: %d events of %d users (%s) generated and published in %d s: %s", shape,
                perTopic.values().stream().mapToLong(Long::longValue).sum(), users, config.heavyHitters(),
                (System.nanoTime() - started) / 1_000_000_000, perTopic));
    }

    // ---- the jobs ----

    private Run passThrough(MultiInstanceStack stack, Admin admin, String shape, String serde) throws Exception {
        String group = groupId("pass-through-" + serde, shape);
        ChildProcess job = stack.startProcess(group, javaCommand(stack, PassThroughJob.class, stack.bootstrapServers(),
                group, "exactly_once_v2", "1", serde, TopicCatalogue.PAGE_VIEWS.name(), BASELINE_OUTPUT));
        try {
            return new Run(drain(admin, group, List.of(TopicCatalogue.PAGE_VIEWS.name()), job, stack), OptionalLong.empty());
        } finally {
            job.stop(ServiceInstance.STOP_GRACE);
        }
    }

    private Run copyLoop(MultiInstanceStack stack, Admin admin, String shape) throws Exception {
        String group = groupId("transactional-loop", shape);
        ChildProcess job = stack.startProcess(group, javaCommand(stack, TransactionalCopyLoop.class,
                stack.bootstrapServers(), group, TopicCatalogue.PAGE_VIEWS.name(), BASELINE_OUTPUT));
        try {
            return new Run(drain(admin, group, List.of(TopicCatalogue.PAGE_VIEWS.name()), job, stack), OptionalLong.empty());
        } finally {
            job.stop(ServiceInstance.STOP_GRACE);
        }
    }

    /**
     * A service run with its shipped configuration, the backlog settings and the local stack's JVM options followed by
     * {@code benchmark.service-jvm-options} and {@code moreJvmOptions} (a later {@code -Xmx} wins).
     */
    private Run service(MultiInstanceStack stack, Admin admin, String shape, String service, String guarantee,
                          int threadCount, List<String> moreJvmOptions) throws Exception {
        String group = groupId(service + "-" + (guarantee.startsWith("exactly") ? "eos" : "alos") + "-" + threadCount
                + (moreJvmOptions.isEmpty() ? "" : "-small-heap"), shape);
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("quarkus.kafka-streams.application-id", group);
        properties.put("kafka-streams.processing.guarantee", guarantee);
        properties.put("kafka-streams.num.stream.threads", Integer.toString(threadCount));
        properties.put("kafka-streams.commit.interval.ms", Long.toString(commitIntervalMillis));
        properties.putAll(backlogSettings(service));
        List<String> jvmOptions = new ArrayList<>(spec(service).jvmOptions());
        serviceJvmOptions.forEach(option -> jvmOptions.add(option.replace("{name}", group)));
        jvmOptions.addAll(moreJvmOptions);
        ServiceInstance instance = stack.start(stack.newInstance(service, group, jvmOptions, properties), group);
        try {
            Drain drain = drain(admin, group, drainedInputs(service), instance.child(), stack);
            return new Run(drain, lateEvents(instance));
        } finally {
            instance.stop();
        }
    }

    /**
     * The Flink peer ({@code benchmarks-flink}, {@code FlinkTrafficJob}) with traffic-analytics' window sizes and the
     * backlog grace as its bounded out-of-orderness, in a JVM of its own from the classpath {@code -Pflink} wrote.
     */
    private Run flinkJob(MultiInstanceStack stack, Admin admin, String shape) throws Exception {
        Path root = RepositoryLayout.locate(Path.of("")).root();
        Path classpathFile = root.resolve(FLINK_CLASSPATH);
        if (!Files.isRegularFile(classpathFile)) {
            throw new IllegalStateException("the Flink peer is not built (" + classpathFile + " is missing): " + FLINK_BUILD);
        }
        String classpath = root.resolve(Path.of("benchmarks-flink", "target", "classes")) + java.io.File.pathSeparator
                + Files.readString(classpathFile).trim();
        String group = groupId("flink", shape);
        Path tmp = Files.createDirectories(stack.dataDir().resolve("tmp"));
        ChildProcess job = stack.startProcess(group, List.of(KafkaBrokerProcess.javaExecutable(), "-Xmx512m",
                "-Djava.io.tmpdir=" + tmp, "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", classpath,
                "dev.streamtemplate.benchmarks.flink.FlinkTrafficJob", stack.bootstrapServers(), group,
                Long.toString(backlogGrace.toMinutes()), Long.toString(flinkCheckpointMillis), FLINK_TUMBLING,
                FLINK_SESSIONS));
        try {
            Drain drain = Drain.measure(admin, group, List.of(TopicCatalogue.PAGE_VIEWS.name()), job,
                    stack.broker().child(), drainTimeout, () -> job.logTail(50).contains(FLINK_FINISHED));
            report(group, drain);
            Run run = new Run(drain, OptionalLong.empty());
            // the windows fired at the end of the input are committed by a later checkpoint than the source's offsets
            long deadline = System.nanoTime() + FLINK_FINISH_TIMEOUT.toNanos();
            while (!job.logTail(50).contains(FLINK_FINISHED)) {
                if (!job.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the Flink job did not finish within "
                            + FLINK_FINISH_TIMEOUT.toSeconds() + " s of draining its input; log: " + job.logFile());
                }
                job.awaitExit(Duration.ofMillis(200));
            }
            return run;
        } finally {
            job.stop(ServiceInstance.STOP_GRACE);
        }
    }

    /** The records of {@code topic} between two offsets per partition. */
    private static Slice slice(String topic, Map<TopicPartition, Long> from, Map<TopicPartition, Long> to) {
        return new Slice(topic, offsetsOf(topic, from), offsetsOf(topic, to));
    }

    /** The offsets of {@code topic}'s partitions in {@code offsets}, by partition number. */
    private static Map<Integer, Long> offsetsOf(String topic, Map<TopicPartition, Long> offsets) {
        return offsets.entrySet().stream().filter(e -> e.getKey().topic().equals(topic))
                .collect(Collectors.toMap(e -> e.getKey().partition(), Map.Entry::getValue));
    }

    /** The Flink peer's job in Kafka Streams ({@link WindowsJob}) with the backlog grace. */
    private Run windowsJob(MultiInstanceStack stack, Admin admin, String shape) throws Exception {
        String group = groupId("streams-windows", shape);
        ChildProcess job = stack.startProcess(group, javaCommand(stack, WindowsJob.class, stack.bootstrapServers(),
                group, Long.toString(backlogGrace.toMinutes()), STREAMS_TUMBLING, STREAMS_SESSIONS));
        try {
            return new Run(drain(admin, group, List.of(TopicCatalogue.PAGE_VIEWS.name()), job, stack), OptionalLong.empty());
        } finally {
            job.stop(ServiceInstance.STOP_GRACE);
        }
    }

    /**
     * One of our jobs' exactly-once one-thread rate over Flink's, and whether their windows hold the same counts: its
     * per-page tumbling counts and per-user sessions against the Flink peer's.
     */
    private Void compareWithFlink(MultiInstanceStack stack, String shape, String job, double ours, double theirs,
                                  Slice tumblingResults, Slice sessionResults) throws Exception {
        WindowComparison tumbling = WindowComparison.of(stack.bootstrapServers(), tumblingResults,
                Slice.whole(FLINK_TUMBLING), "page", "windowStart", "count");
        WindowComparison sessions = WindowComparison.of(stack.bootstrapServers(), sessionResults,
                Slice.whole(FLINK_SESSIONS), "userId", "start", "pageViews");
        say(String.format(Locale.ROOT, "%s: %s %.0f/s, Flink %.0f/s; tumbling windows equal %s; sessions equal %s",
                shape, job, ours, theirs, tumbling.summary(), sessions.summary()));
        flinkRows.add(String.format(Locale.ROOT, "| %-13s | %-22s | %9.0f | %9.0f | %12.2f | %-26s | %-26s |", shape,
                job, ours, theirs, ours / theirs, tumbling.summary(), sessions.summary()));
        return null;
    }

    /** The sum of the service's {@code late_events_total} counters, if it has any. */
    private static OptionalLong lateEvents(ServiceInstance instance) throws InterruptedException, IOException {
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        instance.uri(ServiceProcess.METRICS_PATH)).header("Accept", "text/plain").timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        List<String> counters = metrics.body().lines().filter(line -> line.startsWith("late_events_total{")).toList();
        if (metrics.statusCode() != 200 || counters.isEmpty()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(counters.stream()
                .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum());
    }

    /** Grace periods for the backlog ({@link #backlogGrace}), per service (none for the services without windows). */
    private Map<String, String> backlogSettings(String service) {
        String grace = backlogGrace.toMinutes() + "m";
        return switch (service) {
            case "traffic-analytics" -> Map.of("traffic.grace", grace);
            case "purchase-attribution" -> Map.of("attribution.grace", grace);
            default -> Map.of();
        };
    }

    private Drain drain(Admin admin, String group, List<String> inputs, ChildProcess job, MultiInstanceStack stack)
            throws Exception {
        Drain drain = Drain.measure(admin, group, inputs, job, stack.broker().child(), drainTimeout);
        report(group, drain);
        return drain;
    }

    private void report(String group, Drain drain) {
        say(String.format(Locale.ROOT, "%s: %,d records in %.1f s: %,.0f records/s, %.2f cores, peak RSS %d MB",
                group, drain.records(), drain.elapsed().toMillis() / 1000.0, drain.rate(), drain.cpuCores(),
                drain.peakRssBytes() >> 20));
    }

    /**
     * The service drains the backlog again (exactly-once, one thread) with {@code benchmark.small-heap-jvm-options}
     * added: a row of the memory table next to its run with the local stack's heap. Its consumer group is new, so it
     * reads the whole backlog again.
     */
    private Void measureSmallHeap(MultiInstanceStack stack, Admin admin, String shape, String service, double reference)
            throws Exception {
        Drain small = service(stack, admin, shape, service, "exactly_once_v2", 1, smallHeapJvmOptions).drain();
        Run shipped = normalRuns.get(service);
        memoryRows.add(String.format(Locale.ROOT, "| %-22s | %11s | %9s | %5s | %23d | %9.0f | %5.2f |", service,
                shipped == null ? "-" : Long.toString(shipped.drain().peakRssBytes() >> 20),
                shipped == null ? "-" : String.format(Locale.ROOT, "%.0f", shipped.drain().rate()),
                shipped == null ? "-" : String.format(Locale.ROOT, "%.2f", shipped.drain().rate() / reference),
                small.peakRssBytes() >> 20, small.rate(), small.rate() / reference));
        return null;
    }

    /**
     * End-to-end latency at half the drain rate: customer-enrichment's {@code enriched-page-views} (per record) and
     * traffic-analytics' {@code page-views-per-minute} (emitted on window close, grace {@link #LATENCY_GRACE}). Each
     * runs a fresh instance with the shipped configuration, which first drains the backlog.
     */
    private void measureLatencies(MultiInstanceStack stack, Admin admin) {
        if (normalRuns.containsKey("customer-enrichment")) {
            attempt("latency of customer-enrichment", () -> latency(stack, admin, "customer-enrichment", Map.of(),
                    TopicCatalogue.ENRICHED_PAGE_VIEWS.name(), recordLatencyDuration, EndToEndLatency::viewEventTime));
        }
        if (normalRuns.containsKey("traffic-analytics")) {
            attempt("latency of traffic-analytics", () -> latency(stack, admin, "traffic-analytics",
                    Map.of("traffic.grace", LATENCY_GRACE.toMinutes() + "m"), TopicCatalogue.PAGE_VIEWS_TUMBLING.name(),
                    windowLatencyDuration, since -> EndToEndLatency.windowClose(LATENCY_GRACE, since)));
        }
    }

    private Void latency(MultiInstanceStack stack, Admin admin, String service, Map<String, String> settings,
                         String outputTopic, Duration duration,
                         java.util.function.Function<Instant, EndToEndLatency.Reference> reference) throws Exception {
        String group = groupId(service + "-latency", "normal");
        Map<String, String> properties = new LinkedHashMap<>(settings);
        properties.put("quarkus.kafka-streams.application-id", group);
        properties.put("kafka-streams.commit.interval.ms", Long.toString(commitIntervalMillis));
        ServiceInstance instance = stack.start(stack.newInstance(service, group, spec(service).jvmOptions(), properties), group);
        try {
            Drain.measure(admin, group, drainedInputs(service), instance.child(), stack.broker().child(), drainTimeout);
            double rate = normalRuns.get(service).drain().rate() / 2;
            EndToEndLatency latency = EndToEndLatency.measure(stack.bootstrapServers(), outputTopic, rate, duration,
                    users, reference);
            say(service + " → " + outputTopic + " at " + Math.round(rate) + " page views/s: " + latency.summary());
            latencyRows.add(String.format(Locale.ROOT, "| %-22s | %-22s | %9.0f | %7d | %8.0f | %8.0f | %8.0f |",
                    service, outputTopic, rate, latency.results(), latency.p50Millis(), latency.p99Millis(),
                    latency.p999Millis()));
        } finally {
            instance.stop();
        }
        return null;
    }

    private Void measureStart(MultiInstanceStack stack, String service) throws Exception {
        String group = groupId(service + "-start", "empty");
        long started = System.nanoTime();
        ServiceInstance instance = stack.start(stack.newInstance(service, group, spec(service).jvmOptions(),
                Map.of("quarkus.kafka-streams.application-id", group)), group);
        HttpClient http = HttpClient.newHttpClient();
        try {
            long deadline = started + READY_TIMEOUT.toNanos();
            while (QueryAnswer.fetch(http, instance.uri(ServiceProcess.READINESS_PATH)).status() != 200) {
                if (!instance.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException(service + " was not ready within " + READY_TIMEOUT.toSeconds()
                            + " s; log: " + instance.child().logFile());
                }
                instance.child().awaitExit(Duration.ofMillis(50)); // a pause that ends early if the service dies
            }
            long ready = System.nanoTime() - started;
            instance.child().awaitExit(IDLE); // the idle period the RSS is read after
            ProcessUsage usage = ProcessUsage.of(instance.child().pid());
            startRows.add(String.format(Locale.ROOT, "| %-22s | %16.1f | %11d | %11d |", service, ready / 1e9,
                    usage.rssBytes() >> 20, usage.peakRssBytes() >> 20));
            say(service + " ready in " + ready / 1_000_000 + " ms, idle RSS " + (usage.rssBytes() >> 20) + " MB");
        } finally {
            instance.stop();
        }
        return null;
    }

    // ---- output ----

    private void printTables() {
        printTable("| shape         | job                    | guarantee       | threads |   records |  records/s | ratio | job cores | broker cores | peak RSS MB |      late |",
                "|---------------|------------------------|-----------------|--------:|----------:|-----------:|------:|----------:|-------------:|------------:|----------:|",
                rows, "ratio: records/s over the JSON pass-through's (exactly_once_v2, 1 thread) on the same shape, broker and data;"
                        + " late: records the service routed to late-events (grace " + backlogGrace.toMinutes() + " min);"
                        + " the services commit every " + commitIntervalMillis + " ms, the baselines every 100 ms.");
        printTable("| service                | start to ready s | idle RSS MB | peak RSS MB |",
                "|------------------------|-----------------:|------------:|------------:|",
                startRows, "idle RSS: " + IDLE.toSeconds() + " s after ready, on an empty broker.");
        if (!memoryRows.isEmpty()) {
            printTable("| service                | peak RSS MB | records/s | ratio | small heap: peak RSS MB | records/s | ratio |",
                    "|------------------------|------------:|----------:|------:|------------------------:|----------:|------:|",
                    memoryRows, "normal shape, exactly_once_v2, 1 thread; first with the local stack's JVM options, then with "
                            + String.join(" ", smallHeapJvmOptions) + " added (benchmark.small-heap-jvm-options); RocksDB"
                            + " bounded as shipped in both.");
        }
        if (!flinkRows.isEmpty()) {
            printTable("| shape         | ours                   | ours /s   | Flink /s  | ours / Flink | tumbling windows equal     | sessions equal             |",
                    "|---------------|------------------------|----------:|----------:|-------------:|----------------------------|----------------------------|",
                    flinkRows, "Flink: per-page tumbling counts and per-user sessions, parallelism 1, checkpoints every "
                            + flinkCheckpointMillis + " ms, exactly-once sinks; kafka streams windows: the same job (WindowsJob);"
                            + " traffic-analytics: its whole topology (four windowed aggregations, late routing); both exactly_once_v2,"
                            + " 1 thread. Windows equal: of the windows both emitted, those with the same count (traffic-analytics:"
                            + " those its exactly-once one-thread run wrote).");
        }
        if (!latencyRows.isEmpty()) {
            printTable("| service                | output                 | views/s   | results | p50 ms   | p99 ms   | p99.9 ms |",
                    "|------------------------|------------------------|----------:|--------:|---------:|---------:|---------:|",
                    latencyRows, "latency: produce → visible to a read_committed consumer; for windows from window end + grace ("
                            + LATENCY_GRACE.toMinutes() + " min); page views at half the service's drain rate (exactly_once_v2,"
                            + " 1 thread); commit interval " + commitIntervalMillis + " ms.");
        }
    }

    /** A blank line, a Markdown table (header, separator, rows), a blank line and the note that explains it. */
    private static void printTable(String header, String separator, List<String> tableRows, String note) {
        OUT.println();
        OUT.println(header);
        OUT.println(separator);
        tableRows.forEach(OUT::println);
        OUT.println();
        OUT.println(note);
    }

    // ---- helpers of the run ----

    private String groupId(String job, String shape) {
        return "bench-" + (++runs) + "-" + job + "-" + shape;
    }

    /** A JVM running {@code main} from this module's classpath, its temporary files under the stack's data directory. */
    private static List<String> javaCommand(MultiInstanceStack stack, Class<?> main, String... args) throws IOException {
        Path tmp = Files.createDirectories(stack.dataDir().resolve("tmp"));
        List<String> command = new ArrayList<>(List.of(KafkaBrokerProcess.javaExecutable(), "-Xmx384m",
                "-Djava.io.tmpdir=" + tmp, "-Dorg.slf4j.simpleLogger.log.org.apache.kafka=warn",
                "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(Arrays.asList(args));
        return command;
    }

    private static ServiceSpec spec(String service) {
        return StackServices.SERVICES.stream().filter(s -> s.name().equals(service)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown service " + service + "; one of "
                        + StackServices.SERVICES.stream().map(ServiceSpec::name).toList()));
    }

    /**
     * The service's input topics whose offsets its group commits: all but those a global store reads
     * (shopping-cart's {@code products}), whose global thread tracks its offsets in the state directory.
     */
    private static List<String> drainedInputs(String service) {
        Optional<ServiceTopics> topics = TopicCatalogue.SERVICES.stream().filter(s -> s.application().equals(service))
                .findFirst();
        Set<String> global = GLOBAL_STORE_INPUTS.getOrDefault(service, Set.of());
        return topics.orElseThrow(() -> new IllegalArgumentException("no topics for " + service + " in TopicCatalogue"))
                .inputs().stream().map(TopicSpec::name).filter(topic -> !global.contains(topic)).toList();
    }

    private static List<String> list(String property, String defaults) {
        return Arrays.stream(System.getProperty(property, defaults).split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).toList();
    }

    private void say(String line) {
        OUT.println("[benchmark " + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "] " + line);
    }
}
