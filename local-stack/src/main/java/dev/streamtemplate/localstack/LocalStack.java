package dev.streamtemplate.localstack;

import dev.streamtemplate.harness.ChildProcess;
import dev.streamtemplate.harness.ChildProcesses;
import dev.streamtemplate.harness.DataDirectory;
import dev.streamtemplate.harness.EventGeneratorProcess;
import dev.streamtemplate.harness.KafkaBrokerProcess;
import dev.streamtemplate.harness.LocalPorts;
import dev.streamtemplate.harness.PrometheusProcess;
import dev.streamtemplate.harness.QueryAnswer;
import dev.streamtemplate.harness.RepositoryLayout;
import dev.streamtemplate.harness.SampleKey;
import dev.streamtemplate.harness.SampleKeys;
import dev.streamtemplate.harness.ServiceProcess;
import dev.streamtemplate.harness.ServiceSpec;
import dev.streamtemplate.harness.ServiceSpec.SampleQuery;
import dev.streamtemplate.harness.StackFailure;
import dev.streamtemplate.harness.StackServices;
import dev.streamtemplate.schemas.TopicCatalogue;
import dev.streamtemplate.schemas.TopicCreationException;
import dev.streamtemplate.schemas.TopicCreator;
import dev.streamtemplate.schemas.ServiceAcls;
import dev.streamtemplate.security.ScramCredentials;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;

/**
 * The local stack: one command that runs the whole product on this machine.
 *
 * <ol>
 *   <li>a real single-node KRaft Kafka broker as a child process ({@link KafkaBrokerProcess});</li>
 *   <li>every topic of {@link TopicCatalogue#ALL} ({@link TopicCreator});</li>
 *   <li>every service of {@link StackServices} as a child JVM ({@link ServiceProcess});</li>
 *   <li>Prometheus, when installed, scraping every service with the services' rules loaded
 *       ({@link PrometheusProcess}); without it the stack says how to install it and runs on;</li>
 *   <li>waits until every service is ready;</li>
 *   <li>the event generator: a replay of the last 2 hours, then live traffic ({@link EventGeneratorProcess});</li>
 *   <li>picks the sample queries' keys from the derived topics ({@link SampleKeys}), waits until every sample query
 *       answers with data, then prints URLs to try and live answers, Prometheus' included;</li>
 *   <li>runs until Ctrl-C, then stops services, generator and broker, in that order ({@link ChildProcesses}).</li>
 * </ol>
 *
 * <p>If the broker or a service dies, it says which, with its exit code and the end of its log, stops the rest and
 * exits with 1. {@code --demo} is the bounded variant: replay only, print the answers, stop, exit 0. Every child's
 * output goes to a log file under the data directory; the console shows one line per step.
 */
public final class LocalStack {

    /** How long every service together may take to become ready. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    /** The event types the demo's webhook receives: the replay gives hundreds of the first, a few of the second. */
    private static final List<String> WEBHOOK_TYPES = List.of(TopicCatalogue.PAGE_VIEWS_TUMBLING.name(),
            TopicCatalogue.ORDERS.name());

    /** How long the stack reads live-updates' events to show what it pushes. */
    private static final Duration PUSH_TIMEOUT = Duration.ofSeconds(30);

    /** How long the replay run of the generator may take. */
    static final Duration REPLAY_TIMEOUT = Duration.ofSeconds(180);
    /** How long, after the replay, the services may take to answer every sample query with data. */
    static final Duration DATA_TIMEOUT = Duration.ofSeconds(120);
    /** How long reading one derived topic for the sample keys may take. */
    static final Duration KEYS_READ_TIMEOUT = Duration.ofSeconds(10);
    /** How long creating the topics may take. */
    static final Duration TOPICS_TIMEOUT = Duration.ofSeconds(30);
    /** How long, after the sample queries, Prometheus may take to scrape cleanly and answer every sample query. */
    static final Duration PROMETHEUS_DATA_TIMEOUT = Duration.ofSeconds(120);
    /** How many lines of a failed child's log the console shows. */
    static final int LOG_TAIL_LINES = 25;

    private static final String DEFAULT_VERSION = "0.1.0-SNAPSHOT";

    private final LaunchOptions options;
    private final Path workingDir;
    private final Path dataDir;
    private final Instant launched = Instant.now();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final PrintStream out = System.out;
    private ChildProcesses children;
    /** The principals by user name on a secure broker, else empty. */
    private Map<String, ScramCredentials> principals = Map.of();
    /** The local stack's own clients' security settings (the administrator's), empty on PLAINTEXT. */
    private Map<String, String> security = Map.of();

    LocalStack(LaunchOptions options, Path workingDir) {
        this.options = options;
        this.workingDir = workingDir.toAbsolutePath().normalize();
        this.dataDir = this.workingDir.resolve(options.dataDir()).normalize();
    }

    /**
     * Runs the local stack; see the class comment and {@link LaunchOptions#usage()}.
     * Exit status: 0 after a clean stop or a successful {@code --demo}, 1 on a failure, 2 on a bad command line.
     */
    public static void main(String[] args) {
        LaunchOptions options;
        try {
            options = LaunchOptions.parse(args);
        } catch (LaunchOptions.UsageException e) {
            System.err.println("local-stack: " + e.getMessage());
            System.err.println();
            System.err.print(LaunchOptions.usage());
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.print(LaunchOptions.usage());
            return;
        }
        System.exit(new LocalStack(options, Path.of("")).run());
    }

    /** Runs until done (demo), failed, or stopped by Ctrl-C; returns the exit status. */
    int run() {
        try {
            RepositoryLayout repository = RepositoryLayout.locate(workingDir);
            EventGeneratorProcess.Build generator = EventGeneratorProcess.Build.of(version());
            repository.checkBuilt(StackServices.ALL, generator);
            String brokerClasspath = KafkaBrokerProcess.builtClasspath(repository);
            for (ServiceSpec spec : StackServices.ALL) {
                ServiceProcess.checkPortFree(spec);
            }
            Optional<Path> prometheusExecutable = PrometheusProcess.executable();
            DataDirectory data = DataDirectory.open(dataDir, options.wipe(), line -> say("local-stack", line));
            say("local-stack", "data directory " + dataDir + (options.wipe() ? " (wiped)"
                    : " (kept between runs; --wipe starts afresh)"));
            children = new ChildProcesses(data.pidFile(), line -> say("local-stack", line));
            Runtime.getRuntime().addShutdownHook(new Thread(this::stopOnExit, "local-stack-shutdown"));

            KafkaBrokerProcess broker = startBroker(brokerClasspath);
            createTopics(broker);
            principals = broker.secure() ? createPrincipals(broker) : Map.of();
            security = broker.adminSecurity();
            List<ServiceProcess> services = startServices(repository, broker.bootstrapServers());
            PrometheusProcess prometheus = null;
            if (prometheusExecutable.isPresent()) {
                prometheus = startPrometheus(prometheusExecutable.get(), repository);
            } else {
                say("prometheus", "not installed (no prometheus on the PATH); running without it. To have it: "
                        + PrometheusProcess.INSTALL);
            }
            // Traffic starts once every service runs: events sent while a service starts become a
            // backlog, which Kafka Streams works through a partition at a time, and after a repartition
            // much of it would be reported late.
            awaitReady(services);
            ServiceProcess live = services.stream().filter(s -> s.spec().equals(StackServices.LIVE_UPDATES)).findFirst()
                    .orElseThrow();
            WebhookProbe webhooks = options.demo() ? subscribeWebhooks(live) : null;
            ChildProcess replay = EventGeneratorProcess.start("event-generator-replay", EventGeneratorProcess.REPLAY,
                    repository, generator, broker.bootstrapServers(), login(ServiceAcls.EVENT_GENERATOR), dataDir, children);
            say("event-generator", "replaying the last 2 hours: " + String.join(" ", EventGeneratorProcess.REPLAY)
                    + " (pid " + replay.pid() + ", log " + shown(replay.logFile()) + ")");
            awaitReplay(replay);
            if (!options.demo()) {
                startLiveTraffic(repository, generator, broker.bootstrapServers());
            }
            Map<SampleKey, String> keys = awaitData(services, broker.bootstrapServers());
            printTryThis(broker, services, keys);
            printPushed(live);
            if (webhooks != null) {
                printWebhooks(webhooks, live);
            }
            if (prometheus != null) {
                printPrometheus(prometheus, services);
            }

            if (options.demo()) {
                say("local-stack", "demo done; stopping");
                children.stopAll();
                say("local-stack", "stopped; no child process left");
                return 0;
            }
            say("local-stack", "running; Ctrl-C stops everything");
            ChildProcess dead = children.unexpectedExit().get();
            throw new StackFailure(dead.name() + " exited unexpectedly with code " + dead.process().exitValue(), dead);
        } catch (StackFailure failure) {
            return fail(failure);
        } catch (IOException | RuntimeException | ExecutionException e) {
            return fail(new StackFailure("unexpected error: " + e, null, e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail(new StackFailure("interrupted"));
        }
    }

    private KafkaBrokerProcess startBroker(String classpath) throws StackFailure, IOException, InterruptedException {
        say("kafka-broker", "starting (KRaft, broker + controller in one JVM, " + KafkaBrokerProcess.HEAP + ")");
        KafkaBrokerProcess broker = KafkaBrokerProcess.start(
                new KafkaBrokerProcess.Settings(dataDir, options.kafkaPort(), options.controllerPort(), classpath,
                        options.secure()), children);
        say("kafka-broker", "up on " + broker.bootstrapServers() + " (controller port " + broker.controllerPort()
                + ") in " + seconds(broker.startupTime()) + (broker.formattedNow() ? ", storage formatted" : ", data kept")
                + "; pid " + broker.child().pid() + ", log " + shown(broker.child().logFile()));
        if (broker.secure()) {
            say("kafka-broker", "secure: SASL_SSL with SCRAM-SHA-512 and ACLs; CA, trust store and the administrator's"
                    + " client settings (--command-config) in " + shown(dataDir.resolve("tls")));
        }
        return broker;
    }

    /** The principal of every process on a secure broker, with exactly its ACLs. */
    private Map<String, ScramCredentials> createPrincipals(KafkaBrokerProcess broker) {
        Map<String, ScramCredentials> created = broker.createServicePrincipals();
        say("kafka-broker", "principals, each with a new password and only its ACLs: " + String.join(", ",
                created.keySet().stream().map(user -> "User:" + user).toList()));
        return created;
    }

    /** The {@code KAFKA_*} login variables of a principal on a secure broker; none on a PLAINTEXT one. */
    private Map<String, String> login(String user) {
        ScramCredentials credentials = principals.get(user);
        if (credentials == null && !principals.isEmpty()) {
            throw new IllegalStateException("no principal " + user + " among " + principals.keySet());
        }
        return credentials == null ? Map.of() : credentials.environment();
    }

    private void createTopics(KafkaBrokerProcess broker) throws StackFailure, InterruptedException {
        try (Admin admin = broker.admin()) {
            TopicCreator.Outcome outcome;
            try {
                outcome = TopicCreator.createAll(admin, TopicCatalogue.ALL, TOPICS_TIMEOUT);
            } catch (TopicCreationException e) {
                throw new StackFailure(e.getMessage(), null, e);
            }
            say("topics", "created " + outcome.created().size() + ", already there " + outcome.existing().size()
                    + " (" + String.join(", ", TopicCatalogue.ALL.stream().map(TopicCatalogue.TopicSpec::name).toList())
                    + ")");
        }
    }

    private List<ServiceProcess> startServices(RepositoryLayout repository, String bootstrapServers)
            throws IOException, StackFailure {
        List<ServiceProcess> services = new ArrayList<>();
        for (ServiceSpec spec : StackServices.ALL) {
            ServiceProcess service = ServiceProcess.start(spec, repository.root(), bootstrapServers, login(spec.name()),
                    dataDir, children);
            services.add(service);
            say(spec.name(), "starting on http://localhost:" + spec.httpPort() + " (pid " + service.child().pid()
                    + ", log " + shown(service.child().logFile()) + ")");
        }
        return services;
    }

    /**
     * Starts Prometheus and waits until it is ready. Prometheus is optional: when its port is taken (a Prometheus the
     * Debian package runs as a service, docker-compose's), it listens on a free port instead.
     */
    private PrometheusProcess startPrometheus(Path executable, RepositoryLayout repository)
            throws IOException, StackFailure, InterruptedException {
        int port = options.prometheusPort();
        if (port == 0 || !LocalPorts.isFree(port)) {
            if (port != 0) {
                say("prometheus", "port " + port + " is taken (another Prometheus?); using a free one");
            }
            port = LocalPorts.pickFree();
        }
        PrometheusProcess prometheus = PrometheusProcess.start(executable, port, repository.root(),
                StackServices.ALL, dataDir, children);
        prometheus.awaitReady(http);
        say("prometheus", "up on " + prometheus.uri("/") + ", scraping every service every "
                + PrometheusProcess.SCRAPE_INTERVAL.toSeconds() + " s, rules " + PrometheusProcess.RULES + " (pid "
                + prometheus.child().pid() + ", log " + shown(prometheus.child().logFile()) + ")");
        return prometheus;
    }

    private void awaitReady(List<ServiceProcess> services) throws StackFailure, InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        for (ServiceProcess service : services) {
            service.awaitReady(http, deadline, READY_TIMEOUT, children);
            say(service.spec().name(), "ready, " + seconds(Duration.between(launched, Instant.now()))
                    + " after launch (" + service.uri(ServiceProcess.READINESS_PATH) + ")");
        }
    }

    private void awaitReplay(ChildProcess replay) throws StackFailure, InterruptedException {
        if (!replay.awaitExit(REPLAY_TIMEOUT)) {
            generatorProblem("the replay did not finish within " + REPLAY_TIMEOUT.toSeconds() + " s", replay);
            replay.stop(ChildProcesses.GENERATOR_GRACE);
            return;
        }
        int exit = replay.process().exitValue();
        if (exit != 0) {
            generatorProblem("the replay failed with exit code " + exit, replay);
            return;
        }
        List<String> lastLine = replay.logTail(1);
        say("event-generator", "replay done" + (lastLine.isEmpty() || lastLine.get(0).isBlank() ? ""
                : ": " + abbreviate(lastLine.get(0).strip(), 160)));
    }

    /** With {@code --demo} a generator problem fails the run; otherwise it is reported and the services stay up. */
    private void generatorProblem(String message, ChildProcess run) throws StackFailure {
        if (options.demo()) {
            throw new StackFailure(message, run);
        }
        warn("event-generator", message + "; the services keep running. Log: " + shown(run.logFile()), run);
    }

    private void startLiveTraffic(RepositoryLayout repository, EventGeneratorProcess.Build generator,
                                  String bootstrapServers) throws IOException, StackFailure {
        ChildProcess live = EventGeneratorProcess.start("event-generator-live", EventGeneratorProcess.LIVE,
                repository, generator, bootstrapServers, login(ServiceAcls.EVENT_GENERATOR), dataDir, children);
        say("event-generator", "live traffic: " + String.join(" ", EventGeneratorProcess.LIVE) + " (pid "
                + live.pid() + ", log " + shown(live.logFile()) + ")");
        live.process().onExit().thenRun(() -> {
            if (!children.isStopping()) {
                warn("event-generator", "the live run exited with code " + live.process().exitValue()
                        + "; the services keep running. Log: " + shown(live.logFile()), live);
            }
        });
    }

    /**
     * Finds the sample queries' keys in the derived topics ({@link SampleKeys}) and waits until every sample query
     * answers with data, looking again each second (keys included: a cart can become an order meanwhile). With
     * {@code --demo}, a query still without data after {@link #DATA_TIMEOUT} fails the run; otherwise it is reported.
     *
     * @return the keys found
     */
    private Map<SampleKey, String> awaitData(List<ServiceProcess> services, String bootstrapServers)
            throws StackFailure, InterruptedException, ExecutionException {
        List<SampleKey> wanted = services.stream().flatMap(service -> service.spec().sampleQueries().stream())
                .map(SampleQuery::key).filter(Objects::nonNull).distinct().toList();
        say("local-stack", "waiting until every sample query answers with data, at most " + DATA_TIMEOUT.toSeconds()
                + " s");
        long deadline = System.nanoTime() + DATA_TIMEOUT.toNanos();
        while (true) {
            Map<SampleKey, String> keys = SampleKeys.find(bootstrapServers, security, wanted, KEYS_READ_TIMEOUT);
            List<String> lacking = new ArrayList<>();
            for (ServiceProcess service : services) {
                for (SampleQuery query : service.spec().sampleQueries()) {
                    String key = query.key() == null ? null : keys.get(query.key());
                    if (query.key() != null && key == null) {
                        lacking.add(service.spec().name() + ", " + query.label() + ": no key yet (" + query.key() + ")");
                        continue;
                    }
                    QueryAnswer answer = QueryAnswer.fetch(http, service.uri(query.resolve(from(), to(), key)));
                    if (!answer.hasData()) {
                        lacking.add(service.spec().name() + ", " + query.label(key) + ": " + answer.summary());
                    }
                }
            }
            if (lacking.isEmpty()) {
                say("local-stack", "every sample query answers with data");
                return keys;
            }
            checkNoneDied();
            if (System.nanoTime() >= deadline) {
                String message = "no data within " + DATA_TIMEOUT.toSeconds() + " s after the replay for: "
                        + String.join("; ", lacking);
                if (options.demo()) {
                    throw new StackFailure(message);
                }
                warn("local-stack", message, null);
                return keys;
            }
            // the services work through the replay's backlog: look again in a second, at once if a child dies
            try {
                ChildProcess dead = children.unexpectedExit().get(1, TimeUnit.SECONDS);
                throw new StackFailure(dead.name() + " exited unexpectedly with code " + dead.process().exitValue(), dead);
            } catch (TimeoutException e) {
                // none died: look again
            }
        }
    }

    private void checkNoneDied() throws StackFailure {
        ChildProcess dead = children.unexpectedExit().getNow(null);
        if (dead != null) {
            throw new StackFailure(dead.name() + " exited unexpectedly with code " + dead.process().exitValue(), dead);
        }
    }

    private void printTryThis(KafkaBrokerProcess broker, List<ServiceProcess> services, Map<SampleKey, String> keys)
            throws InterruptedException {
        Instant from = from();
        Instant to = to();
        out.println();
        out.println("Kafka: " + broker.bootstrapServers() + "    data: " + shown(dataDir) + "    logs: "
                + shown(dataDir.resolve("logs")));
        out.println("Try (queries cover " + from + " .. " + to + "):");
        for (ServiceProcess service : services) {
            out.println("  " + service.spec().name());
            out.println("    health    curl -s " + service.uri(ServiceProcess.READINESS_PATH));
            out.println("    metrics   curl -s " + service.uri(ServiceProcess.METRICS_PATH));
            if (service.spec().equals(StackServices.LIVE_UPDATES)) {
                out.println("    live page " + service.uri("/"));
                out.println("    events    curl -sN '" + service.uri("/events?types=orders,purchase-bursts&since=PT3H") + "'");
                out.println("    webhooks  curl -s " + service.uri("/webhooks") + "   (POST {\"url\":...,\"types\":[\"orders\"]} adds one)");
            }
            for (SampleQuery query : service.spec().sampleQueries()) {
                String key = query.key() == null ? null : keys.get(query.key());
                if (query.key() != null && key == null) {
                    out.println("    " + query.label() + ": no key yet (" + query.key() + ")");
                    continue;
                }
                out.println("    " + query.label(key));
                out.println("              curl -s '" + service.uri(query.resolve(from, to, key)) + "'");
            }
        }
        out.println("Live answers, fetched just now:");
        for (ServiceProcess service : services) {
            for (SampleQuery query : service.spec().sampleQueries()) {
                String key = query.key() == null ? null : keys.get(query.key());
                if (query.key() != null && key == null) {
                    continue;
                }
                QueryAnswer answer = QueryAnswer.fetch(http, service.uri(query.resolve(from, to, key)));
                out.println("  " + service.spec().name() + ", " + query.label(key) + ": " + answer.summary());
            }
        }
        out.println();
    }

    /** {@code --demo}: subscribes a receiver of the launcher's own to {@link #WEBHOOK_TYPES} before the replay. */
    private WebhookProbe subscribeWebhooks(ServiceProcess live) throws StackFailure, InterruptedException {
        try {
            WebhookProbe probe = WebhookProbe.subscribe(http, live.uri(""), WEBHOOK_TYPES);
            say("live-updates", "webhook subscribed for " + String.join(", ", WEBHOOK_TYPES) + ": " + probe.url()
                    + " (the demo's own receiver; removed when the demo ends)");
            return probe;
        } catch (IOException e) {
            throw new StackFailure("live-updates did not take the demo's webhook: " + e.getMessage(), live.child());
        }
    }

    /**
     * {@code --demo}: waits (at most {@link #PUSH_TIMEOUT}) until the demo's receiver got page views per minute, prints
     * what it got, removes the subscription, and fails the run when none arrived or a signature did not match.
     */
    private void printWebhooks(WebhookProbe probe, ServiceProcess live) throws StackFailure, InterruptedException {
        try (probe) {
            long deadline = System.nanoTime() + PUSH_TIMEOUT.toNanos();
            while (!probe.received().containsKey(TopicCatalogue.PAGE_VIEWS_TUMBLING.name()) && System.nanoTime() < deadline) {
                live.child().awaitExit(Duration.ofMillis(500)); // a pause that ends early if live-updates dies
            }
            out.println("live-updates: webhooks delivered to the demo's receiver, once per Idempotency-Key: "
                    + (probe.received().isEmpty() ? "none" : probe.received().toString()) + "; bad signatures: "
                    + probe.badSignatures());
            out.println();
            if (!probe.received().containsKey(TopicCatalogue.PAGE_VIEWS_TUMBLING.name()) || probe.badSignatures() > 0) {
                throw new StackFailure("live-updates' webhooks: " + probe.received() + " received, "
                        + probe.badSignatures() + " with a bad signature", live.child());
            }
        }
    }

    /**
     * Reads live-updates' Server-Sent Events of the last 3 hours for at most {@link #PUSH_TIMEOUT} and prints how many
     * of each type arrived. With {@code --demo} the run fails unless page views per minute and orders were pushed.
     */
    private void printPushed(ServiceProcess live) throws StackFailure, InterruptedException {
        List<String> required = List.of(TopicCatalogue.PAGE_VIEWS_TUMBLING.name(), TopicCatalogue.ORDERS.name());
        Map<String, Integer> counts = PushedEvents.count(http, live.uri("/events?since=PT3H"), required, PUSH_TIMEOUT);
        out.println("live-updates: Server-Sent Events of the last 3 hours, read for at most " + PUSH_TIMEOUT.toSeconds()
                + " s: " + (counts.isEmpty() ? "none" : counts.toString()) + "; page " + live.uri("/"));
        List<String> missing = required.stream().filter(type -> counts.getOrDefault(type, 0) == 0).toList();
        if (options.demo() && !missing.isEmpty()) {
            throw new StackFailure("live-updates pushed no " + String.join(", no ", missing) + " within "
                    + PUSH_TIMEOUT.toSeconds() + " s", live.child());
        }
        out.println();
    }

    /**
     * Prints Prometheus' address, queries to try and their answers per service: input rate, consumer lag, late
     * events and interactive queries answered. With {@code --demo} it first waits until every target is up without scrape errors, the rules are
     * loaded and every sample query answers for every service it applies to; it fails the run otherwise.
     */
    private void printPrometheus(PrometheusProcess prometheus, List<ServiceProcess> services)
            throws StackFailure, InterruptedException {
        List<ServiceSpec> specs = services.stream().map(ServiceProcess::spec).toList();
        long deadline = System.nanoTime() + PROMETHEUS_DATA_TIMEOUT.toNanos();
        Map<String, List<String>> answers = new java.util.LinkedHashMap<>();
        Instant at;
        while (true) {
            List<String> problems = new ArrayList<>(prometheus.scrapeProblems(http, specs));
            answers.clear();
            at = Instant.now();
            for (PrometheusQuery query : PROMETHEUS_QUERIES) {
                List<String> series = prometheus.query(http, query.promql(), at);
                answers.put(query.label(), series);
                for (ServiceSpec spec : specs) {
                    if (query.appliesTo(spec) && series.stream().noneMatch(s -> s.contains("application=" + spec.name() + "}")
                            || s.contains("application=" + spec.name() + ","))) {
                        problems.add(query.label() + " of " + spec.name() + ": no answer yet");
                    }
                }
            }
            if (problems.isEmpty() || !options.demo()) {
                break;
            }
            checkNoneDied();
            if (!prometheus.child().isAlive()) {
                throw new StackFailure("prometheus exited with code " + prometheus.child().process().exitValue(),
                        prometheus.child());
            }
            if (System.nanoTime() >= deadline) {
                throw new StackFailure("Prometheus not ready within " + PROMETHEUS_DATA_TIMEOUT.toSeconds() + " s: "
                        + String.join("; ", problems));
            }
            prometheus.child().awaitExit(Duration.ofSeconds(1)); // a pause that ends early if Prometheus dies
        }
        out.println("Prometheus: " + prometheus.uri("/") + "    alerts: " + prometheus.uri("/alerts")
                + "    log: " + shown(prometheus.child().logFile()));
        out.println("Try:");
        for (PrometheusQuery query : PROMETHEUS_QUERIES) {
            out.println("  " + query.label() + ": curl -s '" + prometheus.queryUri(query.promql()) + "'");
        }
        out.println("Prometheus answers at " + at + ":");
        answers.forEach((label, series) -> {
            out.println("  " + label + (series.isEmpty() ? ": none yet" : ":"));
            series.forEach(s -> out.println("    " + s));
        });
        out.println();
    }

    /**
     * One query the stack prints Prometheus' answer to.
     *
     * @param label        what it shows
     * @param promql       the query, one series per stream service ({@code application} label); live-updates runs no
     *                     Kafka Streams and answers none
     * @param latenessOnly whether only services with windowed aggregations (and so late events) answer it
     */
    private record PrometheusQuery(String label, String promql, boolean latenessOnly) {
        boolean appliesTo(ServiceSpec spec) {
            return StackServices.SERVICES.contains(spec) && (!latenessOnly || WINDOWED_SERVICES.contains(spec.name()));
        }
    }

    /** The services with windowed aggregations, which count late events. */
    private static final List<String> WINDOWED_SERVICES = List.of("traffic-analytics", "purchase-attribution");

    private static final List<PrometheusQuery> PROMETHEUS_QUERIES = List.of(
            new PrometheusQuery("input records per second, last 5 minutes",
                    "sum by (application) (rate(kafka_stream_topic_records_consumed_total[5m]))", false),
            new PrometheusQuery("consumer lag, records",
                    "sum by (application) (kafka_consumer_fetch_manager_records_lag{client_id!~\".*restore-consumer\"} >= 0)",
                    false),
            new PrometheusQuery("late events since start", "sum by (application) (late_events_total)", true),
            // a recording rule of the services' rules: an answer means the rules have run on the scraped data
            new PrometheusQuery("interactive queries answered per second, last 5 minutes",
                    "sum by (application) (application_status:query_answers:rate5m)", false));

    /**
     * The start of the queries' time range: the replay's first event time, to the hour, so that the first hourly
     * revenue window is in range.
     */
    private Instant from() {
        return launched.minus(Duration.ofHours(2)).truncatedTo(ChronoUnit.HOURS);
    }

    /** The end of the queries' time range: the next full minute. */
    private Instant to() {
        return Instant.now().plus(Duration.ofMinutes(1)).truncatedTo(ChronoUnit.MINUTES);
    }

    /** Ctrl-C (or SIGTERM): stop every child. A no-op when the run already stopped them. */
    private void stopOnExit() {
        if (children.isStopping()) {
            children.stopAll(); // waits for a stop in progress on another thread
            return;
        }
        say("local-stack", "stopping: services, generator, then broker");
        children.stopAll();
        say("local-stack", "stopped; no child process left");
    }

    private int fail(StackFailure failure) {
        if (children != null && children.isStopping()) {
            return 130; // Ctrl-C arrived: the shutdown hook stops everything; what failed since is its doing
        }
        System.err.println();
        System.err.println("local-stack: FAILED: " + failure.getMessage());
        failure.culprit().ifPresent(child -> {
            System.err.println("  " + child.name() + " (pid " + child.pid() + ", "
                    + child.exitCode().map(code -> "exit code " + code).orElse("still running")
                    + ") log: " + shown(child.logFile()) + ", last lines:");
            child.logTail(LOG_TAIL_LINES).forEach(line -> System.err.println("    | " + line));
        });
        if (children != null) {
            say("local-stack", "stopping the rest");
            children.stopAll();
        }
        return 1;
    }

    private void say(String subject, String message) {
        out.println(String.format(Locale.ROOT, "%-18s %s", subject, message));
        out.flush();
    }

    private void warn(String subject, String message, ChildProcess child) {
        say(subject, "WARNING: " + message);
        if (child != null) {
            child.logTail(10).forEach(line -> out.println("    | " + line));
        }
    }

    /** {@code path} relative to the working directory when it is under it, else absolute. */
    private String shown(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        return absolute.startsWith(workingDir) && !absolute.equals(workingDir)
                ? workingDir.relativize(absolute).toString() : absolute.toString();
    }

    private static String abbreviate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 3) + "...";
    }

    private static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
    }

    /** The project version, from the launcher jar's manifest (the generator jar's name carries it). */
    private static String version() {
        String version = LocalStack.class.getPackage().getImplementationVersion();
        return version == null ? DEFAULT_VERSION : version;
    }
}
