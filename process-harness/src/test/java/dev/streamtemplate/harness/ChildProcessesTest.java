package dev.streamtemplate.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildProcessesTest {

    private static List<String> idleJvm() {
        return List.of(KafkaBrokerProcess.javaExecutable(), "-Xmx32m", "-cp", System.getProperty("java.class.path"),
                IdleChild.class.getName());
    }

    @Test
    void stopsServicesBeforeGeneratorsAndTheBrokerLast(@TempDir Path dir) throws Exception {
        List<String> lines = new ArrayList<>();
        ChildProcesses children = new ChildProcesses(dir.resolve("children.pids"), lines::add);
        ChildProcess broker = children.start("broker", ChildProcess.Role.BROKER, idleJvm(), Map.of(),
                dir.resolve("broker.log"), dir);
        ChildProcess service = children.start("service", ChildProcess.Role.SERVICE, idleJvm(), Map.of(),
                dir.resolve("service.log"), dir);
        ChildProcess generator = children.start("generator", ChildProcess.Role.GENERATOR, idleJvm(), Map.of(),
                dir.resolve("generator.log"), dir);

        children.stopAll();

        assertThat(List.of(broker, service, generator)).noneMatch(ChildProcess::isAlive);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith("stopped service");
        assertThat(lines.get(1)).startsWith("stopped generator");
        assertThat(lines.get(2)).startsWith("stopped broker");
        assertThat(children.unexpectedExit()).isNotDone();
    }

    @Test
    void reportsAServiceThatDiesOnItsOwn(@TempDir Path dir) throws Exception {
        try (ChildProcesses children = new ChildProcesses(null, line -> { })) {
            ChildProcess service = children.start("service", ChildProcess.Role.SERVICE, idleJvm(), Map.of(),
                    dir.resolve("service.log"), dir);

            service.process().destroyForcibly();

            await().atMost(Duration.ofSeconds(10)).until(() -> children.unexpectedExit().isDone());
            assertThat(children.unexpectedExit().get()).isSameAs(service);
        }
    }

    @Test
    void stopsChildrenThatAKilledLauncherLeftBehind(@TempDir Path dir) throws Exception {
        Path pidFile = dir.resolve("children.pids");
        ChildProcesses killedLauncher = new ChildProcesses(pidFile, line -> { });
        ChildProcess leftover = killedLauncher.start("broker", ChildProcess.Role.BROKER, idleJvm(), Map.of(),
                dir.resolve("broker.log"), dir);

        List<String> stopped = ChildProcesses.stopLeftovers(pidFile);

        assertThat(stopped).singleElement().asString().contains("broker").contains(Long.toString(leftover.pid()));
        await().atMost(Duration.ofSeconds(10)).until(() -> !leftover.isAlive());
        assertThat(pidFile).doesNotExist();
        assertThat(Files.exists(dir.resolve("broker.log"))).isTrue();
    }
}
