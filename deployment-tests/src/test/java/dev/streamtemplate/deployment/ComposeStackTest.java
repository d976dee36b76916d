package dev.streamtemplate.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamtemplate.generator.EventPublisher;
import dev.streamtemplate.generator.GeneratorConfig;
import dev.streamtemplate.generator.ShopTrafficGenerator;
import dev.streamtemplate.schemas.TopicCatalogue;
import dev.streamtemplate.testing.TopicReader;
import dev.streamtemplate.testing.TopicRecord;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * docker-compose.yml run for real on the images the build made (profile offline-images): the broker stand-in
 * stream-template/kafka:local and stream-template/prometheus:local replace the upstream images; Grafana, which no
 * registry here serves, is the one service not started. Podman's Docker-compatible API or a Docker engine runs it
 * ({@link ContainerEngine}); every port is published on 127.0.0.1 only, on free ports, under a project name of its own.
 *
 * <p>In order: every stream service becomes healthy; a two-hour backlog of generated traffic goes in and the HTTP
 * answers of traffic-analytics, customer-enrichment and shopping-cart equal records they wrote; the generator's live
 * traffic shows in {@code /top-pages} and a live attributed purchase in its page's revenue; Prometheus has every
 * target up; each image runs as uid 10001, answers {@code /q/health/live} and publishes on 127.0.0.1 only; every
 * RocksDB store reports the bounded 64 MiB cache, and no container restarted or exceeded its memory limit (peak RSS
 * printed); SIGTERM stops each of the project's images within the file's stop grace period; {@code down -v} leaves
 * nothing behind. The images must be built from this checkout's HEAD (their revision label). Figures go to stdout.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ComposeStackTest {

    /** The stream services of docker-compose.yml. */
    private static final List<String> SERVICES = StreamServiceChart.SERVICES;
    /** The service that pushes the stream services' results: no Kafka Streams, no state. */
    private static final String LIVE_UPDATES = "live-updates";
    /** Every HTTP service of docker-compose.yml: the stream services and live-updates. */
    private static final List<String> HTTP_SERVICES = java.util.stream.Stream.concat(SERVICES.stream(),
            java.util.stream.Stream.of(LIVE_UPDATES)).toList();
    /** The project's own images (the first six) and the stand-ins the offline build makes for upstream images. */
    private static final List<String> IMAGES = List.of("stream-template/traffic-analytics:latest",
            "stream-template/purchase-attribution:latest", "stream-template/customer-enrichment:latest",
            "stream-template/shopping-cart:latest", "stream-template/live-updates:latest",
            "stream-template/event-generator:latest", "stream-template/kafka:local", "stream-template/prometheus:local");
    /** docker-compose.yml's stop_grace_period, above shutdown.timeout (30 s); ComposeFileTest checks it. */
    private static final Duration GRACE = Duration.ofSeconds(40);
    /** kafka-streams.rocksdb.bounded.cache.bytes of shared-runtime's configuration: 64 MiB. */
    private static final long ROCKSDB_CACHE_BYTES = 64L << 20;
    private static final Duration HEALTHY_WITHIN = Duration.ofMinutes(5);
    private static final Duration ANSWER_WITHIN = Duration.ofMinutes(4);

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<String, Integer> publishedPorts = new LinkedHashMap<>();
    private final Map<String, String> containers = new java.util.concurrent.ConcurrentHashMap<>();
    private Path repository;
    private ContainerEngine engine;
    private ComposeProject project;
    private ScheduledExecutorService healthChecks;
    private int kafkaPort;
    private int prometheusPort;
    private Instant upStarted;

    @BeforeAll
    void startTheStack() throws Exception {
        repository = Path.of(System.getProperty("repository.root", "..")).toAbsolutePath().normalize();
        engine = ContainerEngine.start(repository, repository.resolve("deployment-tests/target/compose"));
        for (String image : IMAGES) {
            assertThat(engine.hasImage(image))
                    .as("%s is missing from %s: build the images with mvn -B install -DskipTests -Poffline-images",
                            image, engine.name())
                    .isTrue();
        }
        String head = CommandRun.run(repository, Map.of(), Duration.ofSeconds(10), List.of("git", "rev-parse", "HEAD"))
                .outputOrThrow();
        for (String image : IMAGES.subList(0, 6)) {
            assertThat(engine.run("image", "inspect", "--format",
                    "{{index .Config.Labels \"org.opencontainers.image.revision\"}}", image).outputOrThrow())
                    .as("%s's revision label: built from this checkout's HEAD? Rebuild with mvn -B install -DskipTests "
                            + "-Poffline-images", image)
                    .isEqualTo(head);
        }
        System.out.println("compose: engine " + engine.name() + "; image sizes:");
        for (String image : IMAGES) {
            System.out.printf(Locale.ROOT, "  %-45s %,d MB%n", image,
                    Long.parseLong(engine.run("image", "inspect", "--format", "{{.Size}}", image).outputOrThrow())
                            / 1_000_000);
        }
        Map<String, String> variables = new HashMap<>();
        variables.put("KAFKA_IMAGE", "stream-template/kafka:local");
        variables.put("PROMETHEUS_IMAGE", "stream-template/prometheus:local");
        variables.put("GENERATOR_RATE", "100");
        kafkaPort = freePort();
        prometheusPort = freePort();
        variables.put("KAFKA_PORT", Integer.toString(kafkaPort));
        variables.put("PROMETHEUS_PORT", Integer.toString(prometheusPort));
        variables.put("GRAFANA_PORT", Integer.toString(freePort()));
        for (String service : HTTP_SERVICES) {
            int port = freePort();
            publishedPorts.put(service, port);
            variables.put(service.toUpperCase(Locale.ROOT).replace('-', '_') + "_PORT", Integer.toString(port));
        }
        project = ComposeProject.of(repository, engine, "stream-template-test-" + ProcessHandle.current().pid(),
                variables);

        CommandRun config = project.run("config", "-q");
        assertThat(config.succeeded()).as("docker-compose config -q: %s", config).isTrue();

        upStarted = Instant.now();
        CommandRun up = project.run("up", "-d", "kafka", "topics", "traffic-analytics", "purchase-attribution",
                "customer-enrichment", "shopping-cart", LIVE_UPDATES, "prometheus");
        assertThat(up.succeeded()).as("docker-compose up: %s", up).isTrue();
        healthChecks = Executors.newSingleThreadScheduledExecutor();
        healthChecks.scheduleWithFixedDelay(this::runHealthChecks, 0, 5, TimeUnit.SECONDS);
    }

    @Test
    @Order(1)
    void everyServiceBecomesHealthy() {
        await("every service healthy (readiness /q/health/ready in the container)")
                .atMost(HEALTHY_WITHIN).pollInterval(Duration.ofSeconds(2))
                .until(() -> HTTP_SERVICES.stream().allMatch(this::healthy));
        System.out.printf(Locale.ROOT, "compose: up to all healthy in %.1f s%n",
                Duration.between(upStarted, Instant.now()).toMillis() / 1000.0);
        CommandRun topics = uncheckedRun(() -> project.run("logs", "--no-color", "topics"));
        assertThat(topics.output()).as("the topics step's output").contains("topics: ").contains(" created, ");
    }

    @Test
    @Order(2)
    void eachServiceAnswersWithWhatItWrote() throws Exception {
        String bootstrap = "127.0.0.1:" + kafkaPort;
        GeneratorConfig backlog = GeneratorConfig.defaults().withSeed(7).withUsers(4_000)
                .withDuration(Duration.ofHours(2))
                .withStart(Instant.now().minus(Duration.ofHours(2)).truncatedTo(ChronoUnit.MINUTES));
        try (EventPublisher publisher = new EventPublisher(bootstrap)) {
            Map<String, Long> sent = publisher.publishAll(new ShopTrafficGenerator(backlog).replay());
            System.out.println("compose: backlog published " + sent);
        }
        TopicReader<String, String> reader = TopicReader.strings(bootstrap);

        JsonNode minute = await("a final one-minute count on page-views-per-minute")
                .atMost(ANSWER_WITHIN).pollInterval(Duration.ofSeconds(3))
                .until(() -> last(reader, TopicCatalogue.PAGE_VIEWS_TUMBLING.name()), node -> node != null);
        // the topic's value is the answer's window with its revision, 0 under the default late-data policy
        assertThat(minute.path("revision").asInt(-1)).as("revision of %s", minute).isZero();
        JsonNode window = minute.deepCopy();
        ((ObjectNode) window).remove("revision");
        assertAnswer("traffic-analytics", "/page-views?page=" + encoded(window.get("page").asText())
                + "&from=" + window.get("windowStart").asText() + "&to=" + window.get("windowEnd").asText(),
                "contains " + window, windows -> assertThat(windows).contains(window));

        await("customer-enrichment /customers/<user> equals the user's latest customer-360 row")
                .atMost(ANSWER_WITHIN).pollInterval(Duration.ofSeconds(3))
                .untilAsserted(() -> {
                    JsonNode customer = reader.readLatestByKey(TopicCatalogue.CUSTOMER_360.name()).values().stream()
                            .filter(value -> value != null).map(this::parse)
                            .filter(row -> row.get("purchases").asLong() > 0).reduce((a, b) -> b).orElse(null);
                    assertThat(customer).as("a customer-360 row of a user with purchases").isNotNull();
                    HttpResponse<String> response = get("customer-enrichment", "/customers/"
                            + encoded(customer.get("userId").asText()));
                    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                    assertThat(parse(response.body())).isEqualTo(customer);
                });

        JsonNode order = await("an order on orders")
                .atMost(ANSWER_WITHIN).pollInterval(Duration.ofSeconds(3))
                .until(() -> last(reader, TopicCatalogue.ORDERS.name()), node -> node != null);
        assertAnswer("shopping-cart", "/users/" + encoded(order.get("userId").asText()) + "/orders/"
                + encoded(order.get("orderId").asText()), "equals " + order, answer -> assertThat(answer).isEqualTo(order));
    }

    @Test
    @Order(3)
    void liveTrafficFromTheGeneratorIsCountedAndAttributed() {
        CommandRun up = uncheckedRun(() -> project.run("up", "-d", "event-generator"));
        assertThat(up.succeeded()).as("docker-compose up event-generator: %s", up).isTrue();
        Instant started = Instant.now();
        await("page views of the live generator in /top-pages")
                .atMost(ANSWER_WITHIN).pollInterval(Duration.ofSeconds(2))
                .until(() -> {
                    String range = "from=" + started.truncatedTo(ChronoUnit.MINUTES) + "&to="
                            + started.plus(Duration.ofMinutes(10)).truncatedTo(ChronoUnit.MINUTES);
                    JsonNode top = parse(get("traffic-analytics", "/top-pages?limit=5&" + range).body());
                    return top.get("complete").asBoolean() && top.get("results").size() > 0
                            && top.get("results").get(0).get("views").asLong() > 0;
                });

        // A live purchase attributed to a page view is in that page's revenue of its hour. (A backlog sent all at
        // once reaches the revenue windows out of order and can be late for them; live traffic is not.)
        TopicReader<String, String> reader = TopicReader.strings("127.0.0.1:" + kafkaPort);
        JsonNode attributed = await("a live purchase on attributed-purchases, attributed to a page view")
                .atMost(ANSWER_WITHIN).pollInterval(Duration.ofSeconds(5))
                .until(() -> reader.readAll(TopicCatalogue.ATTRIBUTED_PURCHASES.name(), Duration.ofSeconds(20))
                        .stream().map(r -> parse(r.value()))
                        .filter(a -> a.get("attributed").asBoolean()
                                && !Instant.parse(a.get("purchase").get("timestamp").asText()).isBefore(started))
                        .findFirst().orElse(null), node -> node != null);
        JsonNode purchase = attributed.get("purchase");
        Instant hour = Instant.parse(purchase.get("timestamp").asText()).truncatedTo(ChronoUnit.HOURS);
        String path = "/revenue?page=" + encoded(attributed.get("page").asText()) + "&from=" + hour + "&to="
                + hour.plus(Duration.ofHours(1));
        assertAnswer("purchase-attribution", path, "counts " + purchase, windows -> {
            assertThat(windows).as("the hour's window").hasSize(1);
            assertThat(windows.get(0).get("purchases").asLong()).isPositive();
            assertThat(windows.get(0).get("revenueCents").path(purchase.get("currency").asText()).asLong())
                    .isGreaterThanOrEqualTo(purchase.get("amountCents").asLong());
        });
    }

    @Test
    @Order(4)
    void liveUpdatesServesThePageAndPushesTheServicesResults() throws Exception {
        HttpResponse<String> page = get(LIVE_UPDATES, "/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).as("the live page").contains("<title>Live results</title>");
        assertThat(get(LIVE_UPDATES, "/webjars/echarts/5.3.1/dist/echarts.min.js").statusCode())
                .as("the chart library, served from the image").isEqualTo(200);
        URI events = URI.create("http://127.0.0.1:" + publishedPorts.get(LIVE_UPDATES)
                + "/events?types=page-views-per-minute,orders&since=PT3H");
        HttpResponse<java.io.InputStream> stream = http.send(HttpRequest.newBuilder(events)
                .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        Map<String, Integer> counts = new java.util.concurrent.ConcurrentHashMap<>();
        Thread reader = new Thread(() -> {
            try (java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(stream.body(),
                    java.nio.charset.StandardCharsets.UTF_8))) {
                lines.lines().filter(line -> line.startsWith("event:"))
                        .forEach(line -> counts.merge(line.substring("event:".length()).trim(), 1, Integer::sum));
            } catch (IOException | java.io.UncheckedIOException e) {
                // closed below
            }
        }, "compose-sse");
        reader.setDaemon(true);
        reader.start();
        try {
            await("page views per minute and orders of the last 3 hours as Server-Sent Events")
                    .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> counts.containsKey("page-views-per-minute") && counts.containsKey("orders"));
        } finally {
            stream.body().close();
        }
        System.out.println("compose: live-updates pushed " + counts);
    }

    @Test
    @Order(5)
    void prometheusScrapesEveryServiceAndLoadsTheRules() throws Exception {
        await("every Prometheus target up").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(3))
                .untilAsserted(() -> {
                    JsonNode targets = parse(httpGet(URI.create("http://127.0.0.1:" + prometheusPort
                            + "/api/v1/targets?state=active")).body()).path("data").path("activeTargets");
                    Map<String, String> health = new HashMap<>();
                    targets.forEach(t -> health.put(t.path("labels").path("application").asText(
                            t.path("labels").path("job").asText()), t.path("health").asText()));
                    assertThat(health).containsAllEntriesOf(Map.of("traffic-analytics", "up",
                            "purchase-attribution", "up", "customer-enrichment", "up", "shopping-cart", "up",
                            LIVE_UPDATES, "up"));
                    targets.forEach(t -> assertThat(t.path("lastError").asText()).as("last scrape error of %s",
                            t.path("scrapeUrl").asText()).isEmpty());
                });
        JsonNode groups = parse(httpGet(URI.create("http://127.0.0.1:" + prometheusPort + "/api/v1/rules")).body())
                .path("data").path("groups");
        List<String> loaded = new ArrayList<>();
        groups.forEach(g -> {
            loaded.add(g.path("name").asText());
            g.path("rules").forEach(r -> assertThat(r.path("health").asText()).as("rule %s", r.path("name").asText())
                    .isNotEqualTo("err"));
        });
        assertThat(loaded).as("rule groups of helm/stream-service/files/stream-services.rules.yml")
                .contains("stream-services-records", "stream-services-queries", "stream-services-alerts");
    }

    @Test
    @Order(6)
    void imagesRunAsNonRootAnswerLivenessAndPublishOnLoopbackOnly() throws Exception {
        for (String service : serviceAndGeneratorContainers()) {
            int uid = Integer.parseInt(procStatus(service, "Uid").split("\\s+")[0]);
            assertThat(uid).as("uid of %s's process", service).isEqualTo(10001);
        }
        for (String service : HTTP_SERVICES) {
            assertThat(get(service, "/q/health/live").statusCode()).as("%s /q/health/live", service).isEqualTo(200);
        }
        for (String service : List.of("kafka", "traffic-analytics", "purchase-attribution", "customer-enrichment",
                "shopping-cart", LIVE_UPDATES, "prometheus")) {
            JsonNode bindings = parse(engine.inspect(container(service), "{{json .HostConfig.PortBindings}}"));
            assertThat(bindings.size()).as("%s publishes a port", service).isPositive();
            bindings.forEach(binding -> binding.forEach(host -> assertThat(host.get("HostIp").asText())
                    .as("%s's published address", service).isEqualTo("127.0.0.1")));
        }
    }

    @Test
    @Order(7)
    void rocksDbIsBoundedAndNoContainerExceedsItsMemoryLimit() throws Exception {
        for (String service : SERVICES) {
            List<String> capacities = get(service, "/q/metrics").body().lines()
                    .filter(line -> line.startsWith("kafka_stream_state_block_cache_capacity{")).toList();
            // 0: a segmented (window) store of a task with no segment open yet; Kafka Streams' RocksDBMetricsRecorder
            // sums this gauge over the open RocksDB instances, starting from 0
            assertThat(capacities).as("%s's RocksDB block cache capacity per store", service)
                    .allSatisfy(line -> assertThat(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                            .as(line).isIn(0.0, (double) ROCKSDB_CACHE_BYTES))
                    .anySatisfy(line -> assertThat(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                            .as(line).isEqualTo((double) ROCKSDB_CACHE_BYTES));
        }
        System.out.println("compose: peak RSS (VmHWM) against the container's memory limit:");
        for (String service : serviceAndGeneratorContainers()) {
            long peak = Long.parseLong(procStatus(service, "VmHWM").replace("kB", "").trim()) * 1024;
            long limit = Long.parseLong(engine.inspect(container(service), "{{.HostConfig.Memory}}"));
            System.out.printf(Locale.ROOT, "  %-22s %5d MiB of %5d MiB (%.0f %%)%n", service, peak >> 20, limit >> 20,
                    100.0 * peak / limit);
            assertThat(limit).as("%s has a memory limit", service).isPositive();
            assertThat(peak).as("%s's peak RSS against its limit", service).isLessThan(limit);
            assertThat(engine.inspect(container(service), "{{.RestartCount}}"))
                    .as("%s restarted (an OutOfMemoryError exits the JVM, and compose restarts it)", service)
                    .isEqualTo("0");
            assertThat(engine.inspect(container(service), "{{.State.OOMKilled}}"))
                    .as("%s OOM-killed", service).isEqualTo("false");
        }
    }

    @Test
    @Order(8)
    void sigtermStopsEveryImageWithinItsGracePeriod() throws Exception {
        System.out.println("compose: SIGTERM to exit:");
        for (String service : serviceAndGeneratorContainers()) {
            String container = container(service);
            long started = System.nanoTime();
            CommandRun stop = project.run("stop", service);
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertThat(stop.succeeded()).as("docker-compose stop %s: %s", service, stop).isTrue();
            String exit = engine.inspect(container, "{{.State.ExitCode}}");
            System.out.printf(Locale.ROOT, "  %-22s %5d ms, exit code %s%n", service, took.toMillis(), exit);
            assertThat(took).as("%s stopped within its grace period", service).isLessThan(GRACE);
            assertThat(exit).as("%s's exit code: 143 is SIGTERM handled, 137 a SIGKILL at the grace period's end",
                    service).isIn("0", "143");
            if (SERVICES.contains(service)) {
                assertThat(engine.run("logs", container).output()).as("%s's log", service)
                        .contains("Kafka Streams closed in");
            }
        }
    }

    @Test
    @Order(9)
    void downRemovesEverything() throws Exception {
        CommandRun down = project.run("down", "-v", "--remove-orphans");
        assertThat(down.succeeded()).as("docker-compose down -v: %s", down).isTrue();
        assertThat(project.leftovers()).as("containers, volumes and networks of %s left", project.name()).isEmpty();
    }

    @AfterAll
    void stopTheStack() throws Exception {
        if (healthChecks != null) {
            healthChecks.shutdownNow();
        }
        try {
            if (project != null && !project.leftovers().isEmpty()) {
                project.run("down", "-v", "--remove-orphans", "-t", "5");
            }
        } finally {
            if (engine != null) {
                engine.close();
            }
        }
    }

    private List<String> serviceAndGeneratorContainers() {
        List<String> all = new ArrayList<>(HTTP_SERVICES);
        all.add("event-generator");
        return all;
    }

    /** Runs the podman health checks systemd timers would run; a Docker engine runs them itself. */
    private void runHealthChecks() {
        for (String service : HTTP_SERVICES) {
            try {
                engine.runHealthCheck(container(service));
            } catch (IOException | RuntimeException e) {
                // not created yet, or stopping: the next round tries again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private boolean healthy(String service) {
        return uncheckedRun(() -> engine.run("inspect", "--format", "{{.State.Health.Status}}", container(service)))
                .output().trim().equals("healthy");
    }

    /** The container of a compose service, looked up once. */
    private String container(String service) throws IOException, InterruptedException {
        String id = containers.get(service);
        if (id == null) {
            id = project.container(service);
            containers.put(service, id);
        }
        return id;
    }

    /**
     * A field of {@code /proc/1/status} of a container's main process as the container sees it (its uid in its own
     * user namespace), read with the image's curl.
     */
    private String procStatus(String service, String field) throws IOException, InterruptedException {
        String status = engine.run("exec", container(service), "curl", "-s", "file:///proc/1/status").outputOrThrow();
        return status.lines().filter(line -> line.startsWith(field + ":")).findFirst()
                .map(line -> line.substring(field.length() + 1).trim())
                .orElseThrow(() -> new IllegalStateException("no " + field + " in /proc/1/status of " + service));
    }

    /** Awaits an answer 200 from {@code service} at {@code path} whose JSON body satisfies {@code check}. */
    private void assertAnswer(String service, String path, String expectation,
                              java.util.function.Consumer<JsonNode> check) {
        await(service + " " + path + " " + expectation).atMost(ANSWER_WITHIN).pollInterval(Duration.ofSeconds(2))
                .untilAsserted(() -> {
                    HttpResponse<String> response = get(service, path);
                    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                    check.accept(parse(response.body()));
                });
    }

    private JsonNode last(TopicReader<String, String> reader, String topic) {
        List<TopicRecord<String, String>> records = reader.readAll(topic, Duration.ofSeconds(20));
        return records.stream().filter(r -> r.value() != null).map(r -> parse(r.value())).reduce((a, b) -> b)
                .orElse(null);
    }

    private HttpResponse<String> get(String service, String path) throws IOException, InterruptedException {
        return httpGet(URI.create("http://127.0.0.1:" + publishedPorts.get(service) + path));
    }

    private HttpResponse<String> httpGet(URI uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode parse(String body) {
        try {
            return json.readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + body, e);
        }
    }

    private static String encoded(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** A command that throws checked exceptions, for use inside Awaitility conditions. */
    private interface Command {
        CommandRun run() throws IOException, InterruptedException;
    }

    private static CommandRun uncheckedRun(Command command) {
        try {
            return command.run();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
