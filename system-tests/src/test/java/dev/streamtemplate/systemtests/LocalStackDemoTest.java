package dev.streamtemplate.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtemplate.localstack.LocalPorts;
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
 * query of {@link ServiceCatalogue}, none empty, 404 or unanswered.
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
        int kafkaPort = LocalPorts.pickFree();
        int controllerPort = LocalPorts.pickFree();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", root.resolve("local-stack/target/local-stack.jar").toString(), "--demo", "--wipe",
                "--data-dir", dataDir.toString(), "--kafka-port", Integer.toString(kafkaPort),
                "--controller-port", Integer.toString(controllerPort)));
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
    }
}
