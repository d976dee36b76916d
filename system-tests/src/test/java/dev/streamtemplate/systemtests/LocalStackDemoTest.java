package dev.streamtemplate.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtemplate.localstack.LocalPorts;
import dev.streamtemplate.localstack.PrometheusProcess;
import dev.streamtemplate.localstack.RepositoryLayout;
import dev.streamtemplate.localstack.ServiceCatalogue;
import dev.streamtemplate.localstack.ServiceSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's bounded run, {@code java -jar local-stack/target/local-stack.jar --demo}, as a user runs it: a fresh
 * broker, the four services, the two-hour replay, then every sample query answered with data. The launcher exits 1
 * when a sample query has no data 120 s after the replay; this test also reads the printed answers: one per sample
 * query of {@link ServiceCatalogue}, none empty, 404 or unanswered. With Prometheus installed (required here), the
 * launcher also waits until Prometheus scrapes every service cleanly with the rules loaded, and prints its answers:
 * each service's input rate and consumer lag, and the late events of the services with windowed aggregations.
 */
class LocalStackDemoTest {

    @Test
    void everySampleAnswerTheDemoPrintsShowsData() throws Exception {
        Path root = RepositoryLayout.locate(Path.of("")).root();
        Path dataDir = Path.of("target", "local-stack-demo").toAbsolutePath();
        Path console = Path.of("target", "local-stack-demo.log").toAbsolutePath();
        Files.createDirectories(console.getParent());
        for (ServiceSpec service : ServiceCatalogue.SERVICES) {
            assertThat(LocalPorts.isFree(service.httpPort()))
                    .as("port %d of %s is free (the demo uses the fixed ports of ServiceCatalogue)",
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

        int answersAt = lines.indexOf("Live answers, fetched just now:");
        assertThat(answersAt).as("the demo printed its live answers").isNotNegative();
        List<String> answers = lines.subList(answersAt + 1, lines.size()).stream()
                .takeWhile(line -> line.startsWith("  ")).toList();
        int sampleQueries = ServiceCatalogue.SERVICES.stream().mapToInt(service -> service.sampleQueries().size()).sum();
        assertThat(answers).as("one printed answer per sample query").hasSize(sampleQueries);
        assertThat(answers).as("printed answers without data")
                .noneMatch(answer -> answer.contains("none yet") || answer.contains(": HTTP ")
                        || answer.contains("no answer ("));

        int prometheusAt = lines.indexOf("Prometheus answers, fetched just now:");
        assertThat(prometheusAt).as("the demo printed Prometheus' answers").isNotNegative();
        List<String> prometheus = lines.subList(prometheusAt + 1, lines.size()).stream()
                .takeWhile(line -> line.startsWith("  ")).toList();
        for (String query : List.of("input records per second, last 5 minutes", "consumer lag, records",
                "late events since start")) {
            List<String> series = prometheus.stream().dropWhile(line -> !line.equals("  " + query + ":")).skip(1)
                    .takeWhile(line -> line.startsWith("    ")).toList();
            List<String> services = query.startsWith("late") ? List.of("traffic-analytics", "purchase-attribution")
                    : ServiceCatalogue.SERVICES.stream().map(ServiceSpec::name).toList();
            for (String service : services) {
                String prefix = "    {application=" + service + "} ";
                assertThat(series).as("Prometheus' answer to '%s' has a number for %s", query, service)
                        .anyMatch(line -> line.startsWith(prefix) && line.substring(prefix.length()).matches("[0-9.e+-]+"));
                if (query.startsWith("input")) {
                    assertThat(series).as("%s read records during the replay", service).anyMatch(line ->
                            line.startsWith(prefix) && Double.parseDouble(line.substring(prefix.length())) > 0);
                }
            }
        }
    }
}
