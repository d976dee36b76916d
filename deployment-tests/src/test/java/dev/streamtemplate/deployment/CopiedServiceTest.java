package dev.streamtemplate.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starting a service the way the README's "Adding a service" says builds: in a clone of this repository's committed
 * state, {@code tools/copy-service.sh} copies traffic-analytics to a new service, and Maven builds the copy (its code,
 * its tests' code and its Quarkus application) offline, with only what the script changed outside its folder
 * ({@code services/pom.xml}), and its Helm values and Grafana dashboard name the copy, not traffic-analytics.
 */
class CopiedServiceTest {

    private static final String NAME = "fraud-check";

    @TempDir
    Path workspace;

    @Test
    void aCopiedServiceBuilds() throws Exception {
        Path repository = workspace.resolve("repository");
        CommandRun clone = CommandRun.run(workspace, Map.of(), Duration.ofMinutes(2), List.of("git", "clone", "--quiet",
                "--no-hardlinks", StreamServiceChart.repositoryRoot().toString(), repository.toString()));
        assertThat(clone.succeeded()).as("%s", clone).isTrue();

        CommandRun copy = CommandRun.run(repository, Map.of(), Duration.ofMinutes(1),
                List.of("bash", "tools/copy-service.sh", NAME, "8090"));
        assertThat(copy.succeeded()).as("%s", copy).isTrue();
        CommandRun changed = CommandRun.run(repository, Map.of(), Duration.ofMinutes(1),
                List.of("git", "status", "--porcelain", "--untracked-files=normal"));
        assertThat(changed.outputOrThrow().lines().map(String::trim).toList())
                .as("what the script changed").containsExactlyInAnyOrder("M services/pom.xml", "?? services/" + NAME + "/",
                        "?? helm/values/" + NAME + ".yaml", "?? helm/stream-service/files/dashboards/" + NAME + ".json");
        assertThat(Files.readString(repository.resolve("services/" + NAME + "/src/main/resources/application.properties")))
                .contains("quarkus.application.name=" + NAME).contains("quarkus.http.port=8090");
        String values = Files.readString(repository.resolve("helm/values/" + NAME + ".yaml"));
        assertThat(values).startsWith("# " + NAME + " (copied from traffic-analytics):")
                .contains("  name: " + NAME + "\n").contains("  httpPort: 8090\n");
        assertThat(values.lines().skip(1)).as("the values below the first comment line")
                .noneMatch(line -> line.contains("traffic-analytics"));
        String dashboard = Files.readString(repository.resolve("helm/stream-service/files/dashboards/" + NAME + ".json"));
        assertThat(dashboard).contains("application=\\\"" + NAME + "\\\"").doesNotContain("traffic-analytics");

        CommandRun build = CommandRun.run(repository, Map.of(), Duration.ofMinutes(10), List.of("mvn", "-B", "-o", "-q",
                "package", "-DskipTests", "-pl", "services/" + NAME, "-am"));
        assertThat(build.succeeded()).as("%s", build).isTrue();
        assertThat(repository.resolve("services/" + NAME + "/target/quarkus-app/quarkus-run.jar")).isRegularFile();
    }
}
