package dev.streamtemplate.deployment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;

/**
 * The container engine a deployment test drives, chosen as {@code images/engine} chooses it: a Docker engine when
 * {@code docker info} answers, else podman. For podman it starts podman's Docker-compatible API on a socket of its
 * own ({@code podman system service}), so that docker-compose runs unchanged, with {@code images/podman-containers.conf}
 * unless {@code CONTAINERS_CONF} is set. Podman runs health checks from systemd timers, which a host without systemd
 * lacks: {@link #runHealthCheck} runs one on demand, as the timer would.
 */
final class ContainerEngine implements AutoCloseable {

    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(2);

    private final Path repository;
    private final boolean podman;
    private final Map<String, String> environment;
    private final Process apiService;

    private ContainerEngine(Path repository, boolean podman, Map<String, String> environment, Process apiService) {
        this.repository = repository;
        this.podman = podman;
        this.environment = environment;
        this.apiService = apiService;
    }

    /**
     * Picks the engine and, for podman, starts its API service on a socket under {@code workDirectory}.
     *
     * @throws IllegalStateException naming the install command when neither engine is installed
     */
    static ContainerEngine start(Path repository, Path workDirectory) throws IOException, InterruptedException {
        if (answers(repository, List.of("docker", "info"))) {
            return new ContainerEngine(repository, false, Map.of(), null);
        }
        if (!answers(repository, List.of("podman", "--version"))) {
            throw new IllegalStateException("no Docker engine answers and podman is not installed; install it with: "
                    + "sudo apt-get install -y podman runc");
        }
        Map<String, String> environment = new HashMap<>();
        environment.put("CONTAINERS_CONF", System.getenv().getOrDefault("CONTAINERS_CONF",
                repository.resolve("images/podman-containers.conf").toString()));
        Files.createDirectories(workDirectory);
        Path socket = workDirectory.resolve("podman.sock");
        Files.deleteIfExists(socket);
        ProcessBuilder builder = new ProcessBuilder("podman", "system", "service", "--time=0", "unix://" + socket)
                .redirectErrorStream(true).redirectOutput(workDirectory.resolve("podman-service.log").toFile());
        builder.environment().putAll(environment);
        Process service = builder.start();
        environment.put("DOCKER_HOST", "unix://" + socket);
        ContainerEngine engine = new ContainerEngine(repository, true, Map.copyOf(environment), service);
        Awaitility.await("podman's API on " + socket).atMost(Duration.ofSeconds(30)).until(() -> Files.exists(socket));
        return engine;
    }

    private static boolean answers(Path directory, List<String> command) throws InterruptedException {
        try {
            return CommandRun.run(directory, Map.of(), Duration.ofSeconds(20), command).succeeded();
        } catch (IOException notInstalled) {
            return false;
        }
    }

    /** "podman" or "docker". */
    String name() {
        return podman ? "podman" : "docker";
    }

    /** Variables a Docker client (docker-compose) needs to reach this engine. */
    Map<String, String> clientEnvironment() {
        return environment;
    }

    /** Runs the engine's CLI with {@code arguments}. */
    CommandRun run(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(name());
        command.addAll(List.of(arguments));
        return CommandRun.run(repository, environment, COMMAND_TIMEOUT, command);
    }

    /** Whether the engine has an image of this name. */
    boolean hasImage(String image) throws IOException, InterruptedException {
        return run("image", "inspect", image).succeeded();
    }

    /** Runs a container's health check now (podman only; a Docker engine runs them itself). */
    void runHealthCheck(String container) throws IOException, InterruptedException {
        if (podman) {
            run("healthcheck", "run", container);
        }
    }

    /** A container's {@code docker inspect --format} value. */
    String inspect(String container, String format) throws IOException, InterruptedException {
        return run("inspect", "--format", format, container).outputOrThrow();
    }

    @Override
    public void close() throws InterruptedException {
        if (apiService != null) {
            apiService.destroy();
            apiService.waitFor();
        }
    }
}
