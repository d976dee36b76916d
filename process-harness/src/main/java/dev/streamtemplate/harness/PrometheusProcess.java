package dev.streamtemplate.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Prometheus as a child process, when it is installed (the {@code prometheus} executable on the {@code PATH}, such as
 * Debian's package): it scrapes every service's {@code /q/metrics} every {@link #SCRAPE_INTERVAL}, labelling each
 * series {@code application=<service>}, and evaluates the services' recording and alert rules
 * ({@link #RULES}, the file docker-compose and the Helm chart use). Its configuration is written to
 * {@code config/prometheus.yml} and its data to {@code prometheus/} under the data directory; it listens on
 * 127.0.0.1 only.
 */
public final class PrometheusProcess {

    /** The services' recording and alert rules, relative to the repository root. */
    public static final Path RULES = Path.of("helm", "stream-service", "files", "stream-services.rules.yml");
    /** How often every service is scraped and the rules evaluated. */
    public static final Duration SCRAPE_INTERVAL = Duration.ofSeconds(5);
    /** How to install Prometheus where it is missing. */
    public static final String INSTALL = "sudo apt-get install -y --no-install-recommends prometheus";
    /** How long Prometheus may take to answer {@code /-/ready}. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ChildProcess child;
    private final int port;

    private PrometheusProcess(ChildProcess child, int port) {
        this.child = child;
        this.port = port;
    }

    /** The {@code prometheus} executable on the {@code PATH}, if any. */
    public static Optional<Path> executable() {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        return Stream.of(path.split(File.pathSeparator)).filter(dir -> !dir.isBlank())
                .map(dir -> Path.of(dir, "prometheus")).filter(Files::isExecutable).findFirst();
    }

    /**
     * Writes the configuration and starts Prometheus.
     *
     * @param executable     the {@code prometheus} executable
     * @param port           the port to listen on (127.0.0.1), already resolved
     * @param repositoryRoot where {@link #RULES} is
     * @param services       the services to scrape
     * @param dataDir        the stack's data directory
     * @param children       the stack's children, which it joins (role {@link ChildProcess.Role#MONITOR})
     */
    public static PrometheusProcess start(Path executable, int port, Path repositoryRoot, List<ServiceSpec> services,
                                          Path dataDir, ChildProcesses children) throws IOException, StackFailure {
        Path config = dataDir.toAbsolutePath().resolve("config").resolve("prometheus.yml");
        Files.createDirectories(config.getParent());
        Files.writeString(config, configuration(repositoryRoot.resolve(RULES).toAbsolutePath(), services));
        Path storage = Files.createDirectories(dataDir.toAbsolutePath().resolve("prometheus"));
        List<String> command = List.of(executable.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + storage, "--storage.tsdb.retention.time=1d",
                "--web.listen-address=127.0.0.1:" + port);
        Path logFile = dataDir.toAbsolutePath().resolve("logs").resolve("prometheus.log");
        ChildProcess child = children.start("prometheus", ChildProcess.Role.MONITOR, command, java.util.Map.of(),
                logFile, repositoryRoot);
        return new PrometheusProcess(child, port);
    }

    /** The configuration: one scrape job over every service, labelled {@code application}, and the rules. */
    static String configuration(Path rules, List<ServiceSpec> services) {
        StringBuilder yaml = new StringBuilder()
                .append("# Written by the local stack at every start.\n")
                .append("global:\n")
                .append("  scrape_interval: ").append(SCRAPE_INTERVAL.toSeconds()).append("s\n")
                .append("  evaluation_interval: ").append(SCRAPE_INTERVAL.toSeconds()).append("s\n")
                .append("rule_files:\n")
                .append("  - '").append(rules).append("'\n")
                .append("scrape_configs:\n")
                .append("  - job_name: stream-services\n")
                .append("    metrics_path: ").append(ServiceProcess.METRICS_PATH).append('\n')
                .append("    static_configs:\n");
        for (ServiceSpec service : services) {
            yaml.append("      - targets: ['localhost:").append(service.httpPort()).append("']\n")
                    .append("        labels:\n")
                    .append("          application: ").append(service.name()).append('\n');
        }
        return yaml.toString();
    }

    /**
     * Waits until Prometheus answers {@code /-/ready}.
     *
     * @throws StackFailure when it exits first or is not ready within {@link #READY_TIMEOUT}
     */
    public void awaitReady(HttpClient http) throws StackFailure, InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (QueryAnswer.fetch(http, uri("/-/ready")).status() != 200) {
            if (!child.isAlive()) {
                throw new StackFailure("prometheus exited with code " + child.process().exitValue()
                        + " before it was ready", child);
            }
            if (System.nanoTime() >= deadline) {
                throw new StackFailure("prometheus was not ready within " + READY_TIMEOUT.toSeconds() + " s", child);
            }
            child.awaitExit(Duration.ofMillis(500));
        }
    }

    /**
     * What keeps the scrapes from being clean: each target that is not up or whose last scrape failed, and a
     * missing or failing rule group. Empty when every service's target is up without error and the rules are loaded.
     */
    public List<String> scrapeProblems(HttpClient http, List<ServiceSpec> services) throws InterruptedException {
        List<String> problems = new ArrayList<>();
        JsonNode targets = json(QueryAnswer.fetch(http, uri("/api/v1/targets?state=active"))).path("data")
                .path("activeTargets");
        for (ServiceSpec service : services) {
            JsonNode target = null;
            for (JsonNode candidate : targets) {
                if (service.name().equals(candidate.path("labels").path("application").asText())) {
                    target = candidate;
                }
            }
            if (target == null) {
                problems.add(service.name() + ": no target");
            } else if (!"up".equals(target.path("health").asText()) || !target.path("lastError").asText().isEmpty()) {
                problems.add(service.name() + ": " + target.path("health").asText() + " "
                        + target.path("lastError").asText());
            }
        }
        JsonNode groups = json(QueryAnswer.fetch(http, uri("/api/v1/rules"))).path("data").path("groups");
        if (groups.isEmpty()) {
            problems.add("no rules loaded from " + RULES);
        }
        for (JsonNode group : groups) {
            for (JsonNode rule : group.path("rules")) {
                if ("err".equals(rule.path("health").asText())) {
                    problems.add("rule " + rule.path("name").asText() + ": " + rule.path("lastError").asText());
                }
            }
        }
        return problems;
    }

    /**
     * Runs an instant query.
     *
     * @param at the instant to evaluate it at
     * @return each series of the answer as {@code {labels} value}; empty when it has none or the query failed
     */
    public List<String> query(HttpClient http, String promql, Instant at) throws InterruptedException {
        JsonNode answer = json(QueryAnswer.fetch(http, URI.create(queryUri(promql) + "&time="
                + at.toEpochMilli() / 1000.0)));
        List<String> series = new ArrayList<>();
        for (JsonNode result : answer.path("data").path("result")) {
            List<String> labels = new ArrayList<>();
            result.path("metric").fields().forEachRemaining(label -> labels.add(label.getKey() + "="
                    + label.getValue().asText()));
            series.add("{" + String.join(", ", labels) + "} " + result.path("value").path(1).asText());
        }
        return series;
    }

    /** The URI that runs {@code promql} as an instant query. */
    public URI queryUri(String promql) {
        return uri("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    }

    /** The URI of {@code path} on this Prometheus. */
    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** Its child process. */
    public ChildProcess child() {
        return child;
    }

    private static JsonNode json(QueryAnswer answer) {
        if (answer.status() != 200) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(answer.body());
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }
}
