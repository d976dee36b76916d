package dev.streamtemplate.testing;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Whether a Docker engine is reachable, asked of Testcontainers and never failing.
 *
 * <p>Testcontainers' own check ({@code DockerClientFactory.isDockerAvailable()}) tries several strategies and logs
 * an error when there is no engine. For the automatic choice, {@link #enginePresentCheaply()} looks first for
 * the usual signs of an engine (a {@code DOCKER_HOST}, a {@code ~/.testcontainers.properties} naming a Docker host or
 * strategy, a Docker, Podman, Colima, Rancher or OrbStack socket); only if one is there does it ask Testcontainers,
 * in a daemon thread bounded by a timeout.
 */
final class DockerEngineProbe {

    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(30);

    private static Boolean testcontainersAnswer;

    private DockerEngineProbe() {
    }

    /**
     * For the automatic choice: false at once when nothing suggests an engine, else Testcontainers' answer.
     */
    static boolean enginePresentCheaply() {
        return hasEngineHint() && testcontainersSaysAvailable();
    }

    /**
     * Testcontainers' answer, computed once per JVM; false on any error, on a missing Testcontainers, or when the
     * answer takes longer than 30 s.
     */
    static synchronized boolean testcontainersSaysAvailable() {
        if (testcontainersAnswer == null) {
            testcontainersAnswer = askTestcontainers();
        }
        return testcontainersAnswer;
    }

    private static boolean askTestcontainers() {
        CompletableFuture<Boolean> answer = new CompletableFuture<>();
        Thread probe = new Thread(() -> {
            try {
                answer.complete(org.testcontainers.DockerClientFactory.instance().isDockerAvailable());
            } catch (Throwable e) {
                answer.complete(false);
            }
        }, "docker-engine-probe");
        probe.setDaemon(true);
        probe.start();
        try {
            return answer.get(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    private static boolean hasEngineHint() {
        if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("win")) {
            return true; // named pipes cannot be checked cheaply: let Testcontainers decide
        }
        if (isSet(System.getenv("DOCKER_HOST")) || isSet(System.getenv("TESTCONTAINERS_DOCKER_SOCKET_OVERRIDE"))
                || isSet(System.getenv("TESTCONTAINERS_HOST_OVERRIDE"))) {
            return true;
        }
        Path home = Path.of(System.getProperty("user.home", "/"));
        if (configuresAnEngine(home.resolve(".testcontainers.properties"))) {
            return true;
        }
        List<Path> candidates = new ArrayList<>(List.of(
                Path.of("/var/run/docker.sock"),
                Path.of("/run/docker.sock"),
                Path.of("/run/podman/podman.sock"),
                home.resolve(".docker/run/docker.sock"),
                home.resolve(".docker/desktop/docker.sock"),
                home.resolve(".colima/default/docker.sock"),
                home.resolve(".colima/docker.sock"),
                home.resolve(".rd/docker.sock"),
                home.resolve(".orbstack/run/docker.sock")));
        String runtimeDir = System.getenv("XDG_RUNTIME_DIR");
        if (isSet(runtimeDir)) {
            candidates.add(Path.of(runtimeDir, "docker.sock"));
            candidates.add(Path.of(runtimeDir, "podman", "podman.sock"));
            candidates.add(Path.of(runtimeDir, ".docker", "run", "docker.sock"));
        }
        return candidates.stream().anyMatch(Files::exists);
    }

    /**
     * Whether a Testcontainers configuration names an engine. Testcontainers itself writes this file (with just
     * {@code testcontainers.reuse.enable}) even when it finds no engine, so its existence proves nothing.
     */
    private static boolean configuresAnEngine(Path testcontainersProperties) {
        if (!Files.isReadable(testcontainersProperties)) {
            return false;
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(testcontainersProperties)) {
            properties.load(reader);
        } catch (IOException | RuntimeException e) {
            return true; // unreadable: let Testcontainers decide
        }
        return properties.stringPropertyNames().stream()
                .anyMatch(key -> key.startsWith("docker.") || key.equals("tc.host"));
    }

    private static boolean isSet(String value) {
        return value != null && !value.isBlank();
    }
}
