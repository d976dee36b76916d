package dev.streamtemplate.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The stream services' Prometheus rules ({@code helm/stream-service/files}) with the real {@code promtool}:
 * they parse, their unit tests pass, every alert has a case where it fires and one where it stays quiet, and
 * every alert carries a severity, a summary and a runbook that {@code docs/metrics.md} has. The Prometheus
 * configuration of docker-compose passes {@code promtool check config}.
 */
class PrometheusRulesTest {

    private static final Path RULES_DIRECTORY = StreamServiceChart.directory().resolve("files");
    private static final Path RULES = RULES_DIRECTORY.resolve("stream-services.rules.yml");
    private static final Path RULE_TESTS = RULES_DIRECTORY.resolve("stream-services.rules.test.yml");

    @Test
    void rulesParseAndTheirUnitTestsPass() throws Exception {
        CommandRun check = promtool("check", "rules", RULES.toString());
        assertThat(check.succeeded()).as("%s", check).isTrue();

        CommandRun test = promtool("test", "rules", RULE_TESTS.toString());
        assertThat(test.succeeded()).as("%s", test).isTrue();
        assertThat(test.output()).contains("SUCCESS");
    }

    @Test
    void everyAlertHasAFiringAndAQuietCase() throws IOException {
        Map<String, Set<String>> cases = new TreeMap<>();
        for (String alert : alerts().keySet()) {
            cases.put(alert, new TreeSet<>());
        }
        for (JsonNode test : RenderedChart.YAML.readTree(RULE_TESTS.toFile()).path("tests")) {
            for (JsonNode expectation : test.path("alert_rule_test")) {
                String alert = expectation.path("alertname").asText();
                assertThat(cases).as("test '%s' names an alert of the rules", test.path("name").asText())
                        .containsKey(alert);
                cases.get(alert).add(expectation.path("exp_alerts").isEmpty() ? "quiet" : "firing");
            }
        }
        assertThat(cases).as("cases of every alert").allSatisfy((alert, kinds) ->
                assertThat(kinds).as(alert).containsExactly("firing", "quiet"));
    }

    @Test
    void everyAlertHasASeveritySummaryAndRunbook() throws IOException {
        String runbooks = Files.readString(StreamServiceChart.repositoryRoot().resolve("docs/metrics.md"));
        Map<String, JsonNode> alerts = alerts();
        assertThat(alerts).hasSizeGreaterThanOrEqualTo(15);
        alerts.forEach((name, rule) -> {
            assertThat(rule.path("labels").path("severity").asText()).as("severity of %s", name)
                    .isIn("critical", "warning");
            assertThat(rule.path("annotations").path("summary").asText()).as("summary of %s", name).isNotBlank();
            assertThat(rule.path("annotations").path("runbook").asText()).as("runbook of %s", name)
                    .isEqualTo("docs/metrics.md#" + name.toLowerCase(Locale.ROOT));
            assertThat(runbooks).as("docs/metrics.md has a runbook heading for %s", name).contains("### " + name + "\n");
        });
    }

    @Test
    void composePrometheusConfigurationPassesPromtool() throws Exception {
        CommandRun check = promtool("check", "config",
                StreamServiceChart.repositoryRoot().resolve("observability/prometheus/prometheus-compose.yml").toString());
        assertThat(check.succeeded()).as("%s", check).isTrue();
    }

    /** The alerting rules by name. */
    private static Map<String, JsonNode> alerts() throws IOException {
        Map<String, JsonNode> alerts = new TreeMap<>();
        List<String> names = new ArrayList<>();
        for (JsonNode group : RenderedChart.YAML.readTree(RULES.toFile()).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                if (rule.has("alert")) {
                    names.add(rule.path("alert").asText());
                    alerts.put(rule.path("alert").asText(), rule);
                }
            }
        }
        assertThat(names).as("alert names").doesNotHaveDuplicates();
        return alerts;
    }

    private static CommandRun promtool(String... arguments) throws InterruptedException {
        List<String> command = new ArrayList<>(List.of("promtool"));
        command.addAll(List.of(arguments));
        try {
            return NodePackages.run(RULES_DIRECTORY, Duration.ofMinutes(1), command);
        } catch (IOException e) {
            throw new AssertionError("promtool not found: sudo apt-get install -y --no-install-recommends prometheus", e);
        }
    }
}
