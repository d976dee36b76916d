package dev.streamtemplate.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboards of {@code helm/stream-service/files/dashboards} (docker-compose provisions them, the chart
 * ships them to Grafana's sidecar): each type-checks against Grafana's dashboard schema ({@code @grafana/schema}'s
 * {@code Dashboard}, {@code tsc --strict}, unknown fields rejected), there is an overview and one dashboard per
 * service, and every panel queries Prometheus through the dashboard's {@code datasource} variable. That every panel's
 * query answers on a running stack is {@code LocalStackDemoTest}'s part (system-tests).
 */
class GrafanaDashboardsTest {

    private static final Path DASHBOARDS = StreamServiceChart.directory().resolve("files/dashboards");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyDashboardConformsToGrafanasSchema() throws Exception {
        Map<String, String> findings = schemaFindings(dashboards());
        assertThat(findings).as("tsc errors by dashboard").isEmpty();
    }

    @Test
    void theSchemaCheckRejectsAnUnknownFieldAndAWrongType() throws Exception {
        Map<String, String> wrong = new TreeMap<>();
        String overview = Files.readString(DASHBOARDS.resolve("stream-services-overview.json"));
        wrong.put("unknown-field", overview.replaceFirst("\"editable\"", "\"editabel\""));
        wrong.put("wrong-type", overview.replaceFirst("\"schemaVersion\": 39", "\"schemaVersion\": \"39\""));

        Map<String, String> findings = schemaFindings(wrong);

        assertThat(findings.get("unknown-field")).contains("'\"editabel\"' does not exist in type 'Dashboard'");
        assertThat(findings.get("wrong-type")).contains("Type 'string' is not assignable to type 'number'");
    }

    @Test
    void anOverviewAndOneDashboardPerServiceWhosePanelsQueryPrometheus() throws IOException {
        Map<String, String> dashboards = dashboards();
        List<String> expected = new ArrayList<>(StreamServiceChart.SERVICES.stream().map(s -> s + ".json").toList());
        expected.add("stream-services-overview.json");
        assertThat(dashboards.keySet()).containsExactlyInAnyOrderElementsOf(expected);
        Set<String> uids = new HashSet<>();
        for (Map.Entry<String, String> file : dashboards.entrySet()) {
            JsonNode dashboard = JSON.readTree(file.getValue());
            assertThat(uids.add(dashboard.path("uid").asText())).as("unique uid of %s", file.getKey()).isTrue();
            assertThat(dashboard.at("/templating/list/0/name").asText()).isEqualTo("datasource");
            Set<Integer> ids = new HashSet<>();
            assertThat(dashboard.path("panels")).as("panels of %s", file.getKey()).isNotEmpty();
            for (JsonNode panel : dashboard.path("panels")) {
                String name = file.getKey() + " / " + panel.path("title").asText();
                assertThat(ids.add(panel.path("id").asInt())).as("unique id of %s", name).isTrue();
                assertThat(panel.path("description").asText()).as("description of %s", name).isNotBlank();
                assertThat(panel.path("targets")).as("queries of %s", name).isNotEmpty();
                for (JsonNode target : panel.path("targets")) {
                    assertThat(target.path("expr").asText()).as("PromQL of %s", name).isNotBlank();
                    assertThat(target.at("/datasource/uid").asText()).as("data source of %s", name)
                            .isEqualTo("${datasource}");
                }
            }
        }
    }

    /** The dashboards' JSON by file name. */
    static Map<String, String> dashboards() throws IOException {
        Map<String, String> dashboards = new TreeMap<>();
        try (Stream<Path> files = Files.list(DASHBOARDS)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
                dashboards.put(file.getFileName().toString(), Files.readString(file));
            }
        }
        return dashboards;
    }

    /**
     * Compiles each dashboard as an object literal typed {@code Dashboard}; returns tsc's errors by dashboard name,
     * empty when all conform.
     */
    private static Map<String, String> schemaFindings(Map<String, String> dashboards) throws Exception {
        NodePackages packages = NodePackages.installed();
        Path directory = Files.createDirectories(packages.directory().resolve("schema-check")
                .resolve("dashboards-" + Integer.toHexString(dashboards.keySet().hashCode())));
        List<String> names = new ArrayList<>(dashboards.keySet());
        StringBuilder source = new StringBuilder("import type { Dashboard } from \"@grafana/schema\";\n");
        List<Integer> firstLines = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            firstLines.add((int) source.chars().filter(c -> c == '\n').count() + 1);
            source.append("export const d").append(i).append(": Dashboard = ").append(dashboards.get(names.get(i)).strip())
                    .append(";\n");
        }
        Files.writeString(directory.resolve("dashboards.ts"), source);
        Files.writeString(directory.resolve("tsconfig.json"), """
                {
                  "compilerOptions": {
                    "strict": true, "noEmit": true, "module": "nodenext", "moduleResolution": "nodenext",
                    "skipLibCheck": true, "noErrorTruncation": true, "types": []
                  },
                  "files": ["dashboards.ts"]
                }
                """);
        CommandRun tsc = NodePackages.run(directory, Duration.ofMinutes(3),
                packages.tsc("--project", "tsconfig.json", "--pretty", "false"));
        Map<String, String> findings = new TreeMap<>();
        for (String line : tsc.output().split("\n")) {
            var error = java.util.regex.Pattern.compile("^dashboards\\.ts\\((\\d+),\\d+\\): (.*)$").matcher(line);
            if (error.matches()) {
                int at = Integer.parseInt(error.group(1));
                int index = 0;
                for (int i = 0; i < firstLines.size(); i++) {
                    if (at >= firstLines.get(i)) {
                        index = i;
                    }
                }
                findings.merge(names.get(index), error.group(2), (a, b) -> a + "\n" + b);
            }
        }
        if (!tsc.succeeded() && findings.isEmpty()) {
            findings.put("(tsc)", tsc.toString());
        }
        return findings;
    }
}
