package dev.streamtemplate.deployment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.streamtemplate.deployment.RenderedChart.RenderedObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The kustomize tree of {@code k8s/}, rendered from the Helm chart: {@code base/} is the chart with its default values
 * (release {@code stream-service}), one file per template; {@code overlays/<service>/} turns the base into the
 * chart's rendering with {@code helm/values/<service>.yaml}; the root {@code kustomization.yaml} lists every overlay.
 *
 * <p>An overlay holds one RFC 6902 patch per base object ({@link JsonPatch}: names, labels, image, port, environment),
 * objects the base lacks as whole files, and a delete patch for base objects the service does not render. Objects
 * are matched by template and kind. helm test hooks are left out: {@code k8s/} holds what {@code helm install}
 * creates. Every generated file starts with a comment that says so and how to regenerate it ({@link #REGENERATE});
 * {@code README.md} is not generated.
 *
 * <p>{@link #files} computes the tree as relative path to content; {@link #write} replaces the generated files of a
 * directory with it; {@link #read} reads them back for comparison.
 */
final class KustomizeTree {

    /** The command that regenerates {@code k8s/}. */
    static final String REGENERATE =
            "mvn -B -q -Pdeploy-tests -pl deployment-tests -am test -Dtest=K8sManifestsTest -Dk8s.update=true"
            + " -Dsurefire.failIfNoSpecifiedTests=false";

    /** The hand-written file of {@code k8s/}, which {@link #write} keeps. */
    static final String README = "README.md";

    private static final YAMLMapper WRITER = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private KustomizeTree() {
    }

    /**
     * The generated files of the tree.
     *
     * @param base     the rendering of the base
     * @param overlays each overlay's directory name and its rendering
     * @return relative path (with {@code /}) to file content, sorted by path
     */
    static Map<String, String> files(StreamServiceChart.Release base, Map<String, StreamServiceChart.Release> overlays) {
        Map<String, String> files = new TreeMap<>();
        String baseCommand = command(base);
        Map<String, RenderedObject> baseByKey = byTemplateAndKind(StreamServiceChart.render(base).reproducible());
        List<String> baseFiles = new ArrayList<>();
        for (RenderedObject object : baseByKey.values()) {
            String file = fileName(object);
            if (baseFiles.contains(file)) {
                throw new IllegalStateException("two base objects from " + object.template());
            }
            baseFiles.add(file);
            files.put("base/" + file, header(baseCommand + ", " + object.template()) + object.text());
        }
        files.put("base/kustomization.yaml", header(baseCommand + ": the chart's defaults, a generic stream service "
                + "that every overlay patches") + yaml(kustomization(baseFiles, List.of())));

        for (Map.Entry<String, StreamServiceChart.Release> overlay : overlays.entrySet()) {
            String directory = "overlays/" + overlay.getKey() + "/";
            String command = command(overlay.getValue());
            Map<String, RenderedObject> serviceByKey = byTemplateAndKind(StreamServiceChart.render(overlay.getValue())
                    .reproducible());
            List<String> resources = new ArrayList<>(List.of("../../base"));
            List<ObjectNode> patches = new ArrayList<>();
            for (Map.Entry<String, RenderedObject> entry : serviceByKey.entrySet()) {
                RenderedObject object = entry.getValue();
                RenderedObject from = baseByKey.get(entry.getKey());
                if (from == null) {
                    String file = fileName(object);
                    resources.add(file);
                    files.put(directory + file, header(command + ", " + object.template()
                            + ": an object the base does not have") + object.text());
                    continue;
                }
                ArrayNode operations = JsonPatch.between(from.body(), object.body());
                if (!operations.isEmpty()) {
                    String file = fileName(object).replaceFirst("\\.yaml$", ".patch.yaml");
                    patches.add(patch(file, from));
                    files.put(directory + file, header(command + ": how its " + object + " differs from the base's "
                            + from + " (RFC 6902 JSON patch)") + yaml(operations));
                }
            }
            for (Map.Entry<String, RenderedObject> entry : baseByKey.entrySet()) {
                if (!serviceByKey.containsKey(entry.getKey())) {
                    RenderedObject gone = entry.getValue();
                    String file = fileName(gone).replaceFirst("\\.yaml$", ".delete.yaml");
                    ObjectNode delete = NODES.objectNode().put("$patch", "delete")
                            .put("apiVersion", gone.apiVersion()).put("kind", gone.kind());
                    delete.putObject("metadata").put("name", gone.name());
                    patches.add(patch(file, gone));
                    files.put(directory + file, header(command + " renders no " + gone.kind()
                            + ": the base's is deleted") + yaml(delete));
                }
            }
            files.put(directory + "kustomization.yaml", header(command + ": the base patched into this service's "
                    + "objects") + yaml(kustomization(resources, patches)));
        }
        files.put("kustomization.yaml", header("every overlay: kubectl apply -k k8s installs all services")
                + yaml(kustomization(overlays.keySet().stream().map(name -> "overlays/" + name).toList(), List.of())));
        return files;
    }

    /** The generated files under {@code directory}: every regular file but {@link #README}. */
    static Map<String, String> read(Path directory) throws IOException {
        Map<String, String> files = new TreeMap<>();
        if (!Files.isDirectory(directory)) {
            return files;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.filter(Files::isRegularFile).toList()) {
                String relative = directory.relativize(path).toString().replace('\\', '/');
                if (!relative.equals(README)) {
                    files.put(relative, Files.readString(path));
                }
            }
        }
        return files;
    }

    /** Replaces the generated files under {@code directory} with {@code files}; {@link #README} stays. */
    static void write(Path directory, Map<String, String> files) throws IOException {
        for (String stale : read(directory).keySet()) {
            Files.delete(directory.resolve(stale));
        }
        try (Stream<Path> paths = Files.walk(Files.createDirectories(directory))) {
            for (Path empty : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount())
                    .filter(p -> !p.equals(directory) && Files.isDirectory(p)).toList()) {
                try (Stream<Path> entries = Files.list(empty)) {
                    if (entries.findAny().isEmpty()) {
                        Files.delete(empty);
                    }
                }
            }
        }
        for (Map.Entry<String, String> file : files.entrySet()) {
            Path path = directory.resolve(file.getKey());
            Files.createDirectories(path.getParent());
            Files.writeString(path, file.getValue());
        }
    }

    private static Map<String, RenderedObject> byTemplateAndKind(RenderedChart rendering) {
        Map<String, RenderedObject> objects = new LinkedHashMap<>();
        for (RenderedObject object : rendering.objects()) {
            String key = object.template() + " " + object.apiVersion() + "/" + object.kind();
            if (objects.put(key, object) != null) {
                throw new IllegalStateException(rendering + ": " + object.template() + " renders more than one "
                        + object.kind() + "; KustomizeTree matches objects by template and kind");
            }
        }
        return objects;
    }

    /** The template's file name ({@code templates/statefulset.yaml} gives {@code statefulset.yaml}). */
    private static String fileName(RenderedObject object) {
        String file = object.template().replaceFirst("^templates/", "").replace('/', '-');
        if (file.isEmpty()) {
            throw new IllegalStateException("no template named for " + object);
        }
        return file;
    }

    /** The helm command line that renders {@code release}, paths relative to the repository. */
    private static String command(StreamServiceChart.Release release) {
        StringBuilder command = new StringBuilder("helm template " + release.name() + " helm/stream-service");
        release.files().forEach(file -> command.append(" -f ").append(relative(file)));
        release.values().forEach((key, value) -> command.append(" --set ").append(key).append('=').append(value));
        return command.toString();
    }

    private static ObjectNode patch(String file, RenderedObject target) {
        ObjectNode patch = NODES.objectNode().put("path", file);
        ObjectNode selector = patch.putObject("target");
        String apiVersion = target.apiVersion();
        int slash = apiVersion.indexOf('/');
        if (slash >= 0) {
            selector.put("group", apiVersion.substring(0, slash));
        }
        selector.put("version", apiVersion.substring(slash + 1));
        selector.put("kind", target.kind());
        selector.put("name", target.name());
        return patch;
    }

    private static ObjectNode kustomization(List<String> resources, List<ObjectNode> patches) {
        ObjectNode kustomization = NODES.objectNode()
                .put("apiVersion", "kustomize.config.k8s.io/v1beta1")
                .put("kind", "Kustomization");
        ArrayNode list = kustomization.putArray("resources");
        resources.forEach(list::add);
        if (!patches.isEmpty()) {
            kustomization.putArray("patches").addAll(patches);
        }
        return kustomization;
    }

    private static String header(String source) {
        return "# Generated by K8sManifestsTest; do not edit. Regenerate with\n#   " + REGENERATE + "\n# From " + source
                + "\n";
    }

    private static String relative(Path file) {
        return StreamServiceChart.repositoryRoot().relativize(file.toAbsolutePath().normalize()).toString()
                .replace('\\', '/');
    }

    /** YAML of {@code node}, checked to read back as the same node. */
    static String yaml(JsonNode node) {
        try {
            String yaml = WRITER.writeValueAsString(node);
            if (node.isArray()) {
                yaml = yaml.replaceAll("(?m)^  ", "");
            }
            JsonNode back = RenderedChart.YAML.readTree(yaml);
            if (!node.equals(back)) {
                throw new IllegalStateException("YAML does not read back as written:\n" + yaml);
            }
            return yaml;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
