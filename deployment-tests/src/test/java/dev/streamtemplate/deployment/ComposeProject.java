package dev.streamtemplate.deployment;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * docker-compose.yml run as one compose project through a {@link ContainerEngine}: Compose v1
 * ({@code docker-compose}, Debian's package) or the Docker CLI's {@code docker compose}, whichever is installed,
 * with the variables the file reads (images, published ports) and a project name of its own.
 */
final class ComposeProject {

    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(10);

    private final Path repository;
    private final ContainerEngine engine;
    private final String name;
    private final Map<String, String> environment;
    private final List<String> compose;

    private ComposeProject(Path repository, ContainerEngine engine, String name, Map<String, String> environment,
                           List<String> compose) {
        this.repository = repository;
        this.engine = engine;
        this.name = name;
        this.environment = environment;
        this.compose = compose;
    }

    /**
     * The project {@code name} of {@code repository}'s docker-compose.yml, with {@code variables} set.
     *
     * @throws IllegalStateException naming the install command when no Compose is installed
     */
    static ComposeProject of(Path repository, ContainerEngine engine, String name, Map<String, String> variables)
            throws IOException, InterruptedException {
        Map<String, String> environment = new HashMap<>(engine.clientEnvironment());
        environment.putAll(variables);
        List<String> failures = new ArrayList<>();
        for (List<String> candidate : List.of(List.of("docker-compose"), List.of("docker", "compose"))) {
            List<String> version = new ArrayList<>(candidate);
            version.add("version");
            try {
                CommandRun run = CommandRun.run(repository, environment, Duration.ofSeconds(30), version);
                if (run.succeeded()) {
                    return new ComposeProject(repository, engine, name, Map.copyOf(environment), candidate);
                }
                failures.add(run.toString());
            } catch (IOException notInstalled) {
                failures.add(String.join(" ", version) + ": not installed");
            }
        }
        throw new IllegalStateException("no working docker-compose or docker compose (" + String.join("; ", failures)
                + "); install it with: sudo apt-get install -y docker-compose");
    }

    /** The compose project name. */
    String name() {
        return name;
    }

    /** Runs a compose command ({@code up -d ...}, {@code stop ...}) on this project. */
    CommandRun run(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(compose);
        command.addAll(List.of("-f", repository.resolve("docker-compose.yml").toString(), "-p", name));
        command.addAll(List.of(arguments));
        return CommandRun.run(repository, environment, COMMAND_TIMEOUT, command);
    }

    /** The container of a compose service (its first replica). */
    String container(String service) throws IOException, InterruptedException {
        String id = run("ps", "-q", service).outputOrThrow();
        if (id.isBlank()) {
            throw new IllegalStateException("compose service " + service + " has no container");
        }
        return id.lines().findFirst().orElseThrow().trim();
    }

    /** Containers, volumes and networks of this project the engine still has, one per line; empty when none. */
    String leftovers() throws IOException, InterruptedException {
        String label = "label=com.docker.compose.project=" + name;
        return String.join("\n",
                engine.run("ps", "-a", "-q", "--filter", label).outputOrThrow(),
                engine.run("volume", "ls", "-q", "--filter", label).outputOrThrow(),
                engine.run("network", "ls", "-q", "--filter", label).outputOrThrow()).trim();
    }
}
