package dev.streamtemplate.deployment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * The container engine a deployment test drives: the one {@code images/engine} picks, which the image build used too
 * (a Docker engine when {@code docker info} answers, else podman; {@code CONTAINER_ENGINE} chooses). Every engine
 * command goes through that script. For podman it starts podman's Docker-compatible API on a socket of its own
 * ({@code podman system service}) so that docker-compose runs unchanged. Podman runs health checks from systemd
 * timers, which a host without systemd lacks: {@link #runHealthCheck} runs one on demand, as the timer would.
 */
final class ContainerEngine implements AutoCloseable {

    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(2);

    private final Path script;
    private final String name;
    private final Map<String, String> clientEnvironment;
    private final Process apiService;

    private ContainerEngine(Path script, String name, Map<String, String> clientEnvironment, Process apiService) {
        this.script = script;
        this.name = name;
        this.clientEnvironment = clientEnvironment;
        this.apiService = apiService;
    }

    /**
     * Picks the engine and, for podman, starts its API service on a socket under {@code workDirectory}.
     *
     * @throws IllegalStateException naming the install command when neither engine is installed
     */
    static ContainerEngine start(Path repository, Path workDirectory) throws IOException, InterruptedException {
        Path script = repository.resolve("images/engine");
        CommandRun version = CommandRun.run(repository, Map.of(), Duration.ofSeconds(30),
                List.of(script.toString(), "--version"));
        if (!version.succeeded()) {
            throw new IllegalStateException("no container engine: " + version
                    + "\ninstall one with: sudo apt-get install -y podman runc");
        }
        String name = version.output().toLowerCase(java.util.Locale.ROOT).contains("podman") ? "podman" : "docker";
        if (name.equals("docker")) {
            return new ContainerEngine(script, name, Map.of(), null);
        }
        Files.createDirectories(workDirectory);
        Path socket = workDirectory.resolve("podman.sock");
        Files.deleteIfExists(socket);
        ProcessBuilder builder = new ProcessBuilder(script.toString(), "system", "service", "--time=0",
                "unix://" + socket).redirectErrorStream(true)
                .redirectOutput(workDirectory.resolve("podman-service.log").toFile());
        builder.environment().put("CONTAINER_ENGINE", name);
        ContainerEngine engine = new ContainerEngine(script, name, Map.of("DOCKER_HOST", "unix://" + socket),
                builder.start());
        try {
            Awaitility.await("podman's API on " + socket).atMost(Duration.ofSeconds(30)).until(() -> Files.exists(socket));
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
        return engine;
    }

    /** "podman" or "docker". */
    String name() {
        return name;
    }

    /** Variables a Docker client (docker-compose) needs to reach this engine. */
    Map<String, String> clientEnvironment() {
        return clientEnvironment;
    }

    /** Runs the engine's CLI with {@code arguments}. */
    CommandRun run(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(script.toString());
        command.addAll(List.of(arguments));
        return CommandRun.run(script.getParent(), Map.of("CONTAINER_ENGINE", name), COMMAND_TIMEOUT, command);
    }

    /** Whether the engine has an image of this name. */
    boolean hasImage(String image) throws IOException, InterruptedException {
        return run("image", "inspect", image).succeeded();
    }

    /** Runs a container's health check now (podman only; a Docker engine runs them itself). */
    void runHealthCheck(String container) throws IOException, InterruptedException {
        if (name.equals("podman")) {
            run("healthcheck", "run", container);
        }
    }

    /** A container's {@code inspect --format} value. @throws IllegalStateException when the engine refuses */
    String inspect(String container, String format) throws IOException, InterruptedException {
        return run("inspect", "--format", format, container).outputOrThrow();
    }

    /** Stops the podman API service, if this engine started one. */
    @Override
    public void close() throws InterruptedException {
        if (apiService != null) {
            apiService.destroy();
            if (!apiService.waitFor(30, TimeUnit.SECONDS)) {
                apiService.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
