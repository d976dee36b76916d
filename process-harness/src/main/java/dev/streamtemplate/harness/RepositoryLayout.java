package dev.streamtemplate.harness;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the launcher finds what it runs: the repository root (the nearest directory, from the working directory
 * upwards, with a {@code pom.xml} and a {@code services/} directory) and the built runnables under it.
 *
 * @param root the repository root
 */
public record RepositoryLayout(Path root) {

    /** The command that builds everything, run from the repository root. */
    public static final String BUILD_ALL = "mvn -B -q install -DskipTests";

    /**
     * Walks up from {@code start} to the repository root.
     *
     * @throws StackFailure when no directory on the way has both a {@code pom.xml} and {@code services/}
     */
    public static RepositoryLayout locate(Path start) throws StackFailure {
        for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("pom.xml")) && Files.isDirectory(dir.resolve("services"))) {
                return new RepositoryLayout(dir);
            }
        }
        throw new StackFailure("no repository root (a directory with pom.xml and services/) at or above " + start
                + ". Run it from inside the repository (the local stack: java -jar local-stack/target/local-stack.jar)");
    }

    /** {@code path} relative to the root, made absolute. */
    public Path resolve(Path path) {
        return root.resolve(path);
    }

    /**
     * Checks that every service's runnable and the event generator are built.
     *
     * @throws StackFailure naming each missing file and the command that builds it
     */
    public void checkBuilt(List<ServiceSpec> services, EventGeneratorProcess.Build generator) throws StackFailure {
        List<String> missing = new ArrayList<>();
        for (ServiceSpec service : services) {
            if (!Files.isRegularFile(resolve(service.runnable()))) {
                missing.add(service.name() + " is not built: " + service.runnable() + " is missing. Build it with: "
                        + service.buildCommand());
            }
        }
        for (Path file : List.of(generator.jar(), generator.classpathFile())) {
            if (!Files.isRegularFile(resolve(file))) {
                missing.add("the event generator is not built: " + file + " is missing. Build it with: "
                        + EventGeneratorProcess.BUILD_COMMAND);
            }
        }
        if (!missing.isEmpty()) {
            throw new StackFailure(String.join("\n", missing) + "\n(or build everything, from " + root + ": "
                    + BUILD_ALL + ")");
        }
    }
}
