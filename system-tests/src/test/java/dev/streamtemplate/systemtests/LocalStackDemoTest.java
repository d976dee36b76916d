package dev.streamtemplate.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamtemplate.harness.LocalPorts;
import dev.streamtemplate.harness.PrometheusProcess;
import dev.streamtemplate.harness.RepositoryLayout;
import dev.streamtemplate.harness.ServiceSpec;
import dev.streamtemplate.harness.StackServices;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The README's bounded run, {@code java -jar local-stack/target/local-stack.jar --demo}, as a user runs it: a fresh
 * broker, the four services, the two-hour replay, then every sample query answered with data. The launcher exits 1
 * when a sample query has no data 120 s after the replay; this test also reads the printed answers: one per sample
 * query of {@link StackServices}, none empty, 404 or unanswered. With Prometheus installed (required here), the
 * launcher also waits until Prometheus scrapes every service cleanly with the rules loaded, and prints its answers:
 * each service's input rate, consumer lag and queries answered, and the late events of the services with windowed
 * aggregations. Then every query of every dashboard panel must return data (range queries, as Grafana) on what that Prometheus recorded.
 * The same again with {@code --secure}: the broker SASL_SSL with ACLs, every process under its own principal, the
 * same answers, and no password in any log file.
 */
class LocalStackDemoTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "secure: {0}")
    @ValueSource(booleans = {false, true})
    void everySampleAnswerTheDemoPrintsShowsData(boolean secure) throws Exception {
        Path root = RepositoryLayout.locate(Path.of("")).root();
        String name = secure ? "local-stack-demo-secure" : "local-stack-demo";
        Path dataDir = Path.of("target", name).toAbsolutePath();
        Path console = Path.of("target", name + ".log").toAbsolutePath();
        Files.createDirectories(console.getParent());
        for (ServiceSpec service : StackServices.ALL) {
            assertThat(LocalPorts.isFree(service.httpPort()))
                    .as("port %d of %s is free (the demo uses the fixed ports of StackServices)",
                            service.httpPort(), service.name()).isTrue();
        }
        assertThat(PrometheusProcess.executable()).as("prometheus on the PATH; install it: %s", PrometheusProcess.INSTALL)
                .isPresent();
        int kafkaPort = LocalPorts.pickFree();
        int controllerPort = LocalPorts.pickFree();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", root.resolve("local-stack/target/local-stack.jar").toString(), "--demo", "--wipe",
                "--data-dir", dataDir.toString(), "--kafka-port", Integer.toString(kafkaPort),
                "--controller-port", Integer.toString(controllerPort), "--prometheus-port", "0"));
        if (secure) {
            command.add("--secure");
        }
        Process demo = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(console.toFile()).start();
        try {
            assertThat(demo.waitFor(10, TimeUnit.MINUTES)).as("the demo finished within 10 minutes (console: %s)",
                    console).isTrue();
        } finally {
            demo.destroy();
        }
        List<String> lines = Files.readAllLines(console);
        System.out.println("=== local-stack --demo console ===");
        lines.forEach(System.out::println);
        assertThat(demo.exitValue()).as("exit status of --demo (console: %s)", console).isZero();
        if (secure) {
            assertThat(lines).as("the secure broker and every process's own principal").anyMatch(line ->
                    line.contains("secure: SASL_SSL with SCRAM-SHA-512 and ACLs")).anyMatch(line ->
                    line.contains("principals, each with a new password and only its ACLs: User:traffic-analytics,"
                            + " User:purchase-attribution, User:customer-enrichment, User:shopping-cart,"
                            + " User:live-updates, User:event-generator"));
            String server = Files.readString(dataDir.resolve("config").resolve("server.properties"));
            assertThat(server).as("the broker's settings").contains("listeners=SASL_SSL://127.0.0.1:" + kafkaPort + ",")
                    .contains("authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer")
                    .contains("allow.everyone.if.no.acl.found=false").contains("super.users=User:admin;User:ANONYMOUS");
            String adminPassword = Files.readString(dataDir.resolve("tls").resolve("admin.password")).strip();
            try (Stream<Path> logs = Files.list(dataDir.resolve("logs"))) {
                for (Path log : logs.filter(Files::isRegularFile).toList()) {
                    assertThat(Files.readString(log)).as("%s holds no password", log).doesNotContain(adminPassword)
                            .doesNotContain("password=\"");
                }
            }
            // The broker listens SASL_SSL only, so every process that produced the answers above logged in; its
            // authorizer logs each refused operation at INFO (kafka.authorizer.logger), and none was refused.
            assertThat(Files.readString(dataDir.resolve("logs").resolve("broker.log")))
                    .as("the authorizer on, and no operation of any principal denied")
                    .contains("default result=DENIED").doesNotContainPattern("(?i)is denied operation");
        }

        int answersAt = lines.indexOf("Live answers, fetched just now:");
        assertThat(answersAt).as("the demo printed its live answers").isNotNegative();
        List<String> answers = lines.subList(answersAt + 1, lines.size()).stream()
                .takeWhile(line -> line.startsWith("  ")).toList();
        int sampleQueries = StackServices.SERVICES.stream().mapToInt(service -> service.sampleQueries().size()).sum();
        assertThat(answers).as("one printed answer per sample query").hasSize(sampleQueries);
        assertThat(answers).as("printed answers without data")
                .noneMatch(answer -> answer.contains("none yet") || answer.contains(": HTTP ")
                        || answer.contains("no answer ("));

        assertThat(lines).as("the live page's address").contains("    live page http://localhost:"
                + StackServices.LIVE_UPDATES.httpPort() + "/");
        String pushed = lines.stream().filter(line -> line.startsWith("live-updates: Server-Sent Events")).findFirst()
                .orElseThrow(() -> new AssertionError("the demo printed no line on what live-updates pushed"));
        assertThat(pushed).as("live-updates pushed the stream services' page views per minute and orders")
                .containsPattern("page-views-per-minute=[1-9]").containsPattern("orders=[1-9]");
        String webhooks = lines.stream().filter(line -> line.startsWith("live-updates: webhooks delivered")).findFirst()
                .orElseThrow(() -> new AssertionError("the demo printed no line on live-updates' webhooks"));
        assertThat(webhooks).as("live-updates' webhooks to the demo's receiver, every signature valid")
                .containsPattern("page-views-per-minute=[1-9]").endsWith("bad signatures: 0");

        int prometheusAt = IntStream.range(0, lines.size())
                .filter(i -> lines.get(i).startsWith("Prometheus answers at ")).findFirst().orElse(-1);
        assertThat(prometheusAt).as("the demo printed Prometheus' answers").isNotNegative();
        List<String> prometheus = lines.subList(prometheusAt + 1, lines.size()).stream()
                .takeWhile(line -> line.startsWith("  ")).toList();
        for (String query : List.of("input records per second, last 5 minutes", "consumer lag, records",
                "late events since start", "interactive queries answered per second, last 5 minutes")) {
            List<String> series = prometheus.stream().dropWhile(line -> !line.equals("  " + query + ":")).skip(1)
                    .takeWhile(line -> line.startsWith("    ")).toList();
            List<String> services = query.startsWith("late") ? List.of("traffic-analytics", "purchase-attribution")
                    : StackServices.SERVICES.stream().map(ServiceSpec::name).toList();
            for (String service : services) {
                String prefix = "    {application=" + service + "} ";
                assertThat(series).as("Prometheus' answer to '%s' has a number for %s", query, service)
                        .anyMatch(line -> line.startsWith(prefix) && line.substring(prefix.length()).matches("[0-9.e+-]+"));
                if (query.startsWith("input")) {
                    assertThat(series).as("%s: %s is positive", service, query).anyMatch(line ->
                            line.startsWith(prefix) && Double.parseDouble(line.substring(prefix.length())) > 0);
                }
            }
        }

        assertThat(emptyPanelQueries(root, dataDir.resolve("prometheus")))
                .as("dashboard panel queries without data over the demo, on what its Prometheus recorded").isEmpty();
    }

    /**
     * Every query of every panel of the dashboards ({@code helm/stream-service/files/dashboards}), run as Grafana runs
     * it, a range query (5 s steps), over the 15 minutes up to the last sample the demo's Prometheus scraped or
     * recorded (its rules included): a Prometheus started on the demo's storage, without scraping. Returns the queries that failed
     * to parse or returned no data point, Grafana's "No data", with the panel they belong to.
     */
    private static List<String> emptyPanelQueries(Path root, Path storage) throws Exception {
        Path config = Files.writeString(storage.resolveSibling("prometheus-readonly.yml"), "global: {}\n");
        int port = LocalPorts.pickFree();
        Process prometheus = new ProcessBuilder(PrometheusProcess.executable().orElseThrow().toString(),
                "--config.file=" + config, "--storage.tsdb.path=" + storage, "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(storage.resolveSibling("prometheus-readonly.log").toFile())
                .start();
        HttpClient http = HttpClient.newHttpClient();
        try {
            Awaitility.await("the Prometheus on the demo's storage ready").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> get(http, URI.create("http://127.0.0.1:" + port + "/-/ready")).statusCode() == 200);
            JsonNode head = JSON.readTree(get(http, URI.create("http://127.0.0.1:" + port + "/api/v1/status/tsdb")).body())
                    .path("data").path("headStats");
            long end = head.path("maxTime").asLong();
            assertThat(end).as("the demo's Prometheus recorded samples").isGreaterThan(head.path("minTime").asLong());
            // the range ends on the last sample and its 5 s steps are counted back from there, as Grafana's "last 15
            // minutes" ends now: a series first recorded in the last seconds (the rules on the queries the demo just
            // made) falls on a step, not between the last step and the end
            long start = end - Duration.ofMinutes(15).toMillis();
            List<String> empty = new ArrayList<>();
            int queries = 0;
            try (Stream<Path> files = Files.list(root.resolve("helm/stream-service/files/dashboards"))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                    for (JsonNode panel : JSON.readTree(file.toFile()).path("panels")) {
                        for (JsonNode target : panel.path("targets")) {
                            String expr = target.path("expr").asText();
                            queries++;
                            HttpResponse<String> answer = get(http, URI.create("http://127.0.0.1:" + port
                                    + "/api/v1/query_range?start=" + start / 1000.0 + "&end=" + end / 1000.0
                                    + "&step=5&query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8)));
                            JsonNode result = JSON.readTree(answer.body()).path("data").path("result");
                            boolean points = false;
                            for (JsonNode series : result) {
                                points |= !series.path("values").isEmpty();
                            }
                            if (answer.statusCode() != 200 || !points) {
                                empty.add(file.getFileName() + " / " + panel.path("title").asText() + " / " + expr
                                        + " -> HTTP " + answer.statusCode() + " " + answer.body());
                            }
                        }
                    }
                }
            }
            System.out.printf("dashboard panel queries: %d, without a series: %d%n", queries, empty.size());
            assertThat(queries).as("panel queries").isGreaterThanOrEqualTo(20);
            return empty;
        } finally {
            prometheus.destroy();
            prometheus.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static HttpResponse<String> get(HttpClient http, URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
