package dev.streamtemplate.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamtemplate.harness.LocalPorts;
import dev.streamtemplate.harness.PrometheusProcess;
import java.io.IOException;
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
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A real Prometheus (Debian's package) for a system test: it scrapes the given targets every second, evaluates the
 * given rules every second, and is stopped by {@link #close()}. Its storage and log are under the test's directory.
 */
final class TestPrometheus implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private TestPrometheus(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts Prometheus and waits until it is ready.
     *
     * @param directory where its configuration, storage and log go
     * @param targets   host:port of each target by its {@code application} label; scraped at {@code /q/metrics}
     * @param rules     the rule file to load
     */
    static TestPrometheus start(Path directory, Map<String, String> targets, Path rules) throws IOException {
        Files.createDirectories(directory);
        StringBuilder config = new StringBuilder("""
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                  evaluation_interval: 1s
                rule_files:
                  - '%s'
                scrape_configs:
                  - job_name: stream-services
                    metrics_path: /q/metrics
                    static_configs:
                """.formatted(rules.toAbsolutePath()));
        targets.forEach((application, target) -> config.append("      - targets: ['").append(target).append("']\n")
                .append("        labels:\n          application: ").append(application).append('\n'));
        Path file = Files.writeString(directory.resolve("prometheus.yml"), config);
        int port = LocalPorts.pickFree();
        Path executable = PrometheusProcess.executable().orElseThrow(() -> new AssertionError(
                "prometheus is not on the PATH; install it: " + PrometheusProcess.INSTALL));
        Process process = new ProcessBuilder(executable.toString(), "--config.file=" + file,
                "--storage.tsdb.path=" + directory.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(directory.resolve("prometheus.log").toFile()).start();
        TestPrometheus prometheus = new TestPrometheus(process, port);
        Awaitility.await("Prometheus ready (log " + directory.resolve("prometheus.log") + ")")
                .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> prometheus.get("/-/ready").statusCode() == 200);
        return prometheus;
    }

    /** The active alerts' states by alert name ({@code pending} or {@code firing}); absent ones are inactive. */
    Map<String, String> alerts() throws IOException, InterruptedException {
        Map<String, String> alerts = new TreeMap<>();
        for (JsonNode alert : json("/api/v1/alerts").path("data").path("alerts")) {
            alerts.merge(alert.path("labels").path("alertname").asText(), alert.path("state").asText(),
                    (a, b) -> a.equals("firing") ? a : b);
        }
        return alerts;
    }

    /** The values of an instant query's series, in answer order; empty when it has none. */
    List<Double> values(String promql) throws IOException, InterruptedException {
        List<Double> values = new ArrayList<>();
        JsonNode answer = json("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        assertThat(answer.path("status").asText()).as("status of %s: %s", promql, answer).isEqualTo("success");
        for (JsonNode series : answer.path("data").path("result")) {
            values.add(Double.parseDouble(series.path("value").path(1).asText()));
        }
        return values;
    }

    /** The scrape targets: health and last error by scrape URL. */
    Map<String, String> targets() throws IOException, InterruptedException {
        Map<String, String> targets = new TreeMap<>();
        for (JsonNode target : json("/api/v1/targets?state=active").path("data").path("activeTargets")) {
            targets.put(target.path("scrapeUrl").asText(), target.path("health").asText() + " "
                    + target.path("lastError").asText());
        }
        return targets;
    }

    /** Names of the rule groups loaded, with each rule's health. */
    Map<String, String> ruleHealth() throws IOException, InterruptedException {
        Map<String, String> health = new TreeMap<>();
        for (JsonNode group : json("/api/v1/rules").path("data").path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                health.put(group.path("name").asText() + "/" + rule.path("name").asText(), rule.path("health").asText());
            }
        }
        return health;
    }

    private JsonNode json(String path) throws IOException, InterruptedException {
        return JSON.readTree(get(path).body());
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
