package dev.streamtemplate.deployment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The Kubernetes objects of one rendering of a chart or a kustomization: multi-document YAML parsed into one
 * {@link RenderedObject} per document, in output order, empty documents left out.
 *
 * <p>Each object keeps the template it came from (Helm's {@code # Source:} comment, empty for other sources) and
 * its text as rendered, comments included. Lookups by kind fail with a message naming the rendering when the kind
 * is missing or, for {@link #one}, not unique, so a test reads as the assertion it makes.
 */
final class RenderedChart {

    /** Reads and writes the YAML of Kubernetes objects. */
    static final YAMLMapper YAML = new YAMLMapper();

    private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---[ \\t]*$");
    private static final Pattern SOURCE = Pattern.compile("(?m)^# Source: [^/]+/(.+)$");

    private final String description;
    private final List<RenderedObject> objects;

    private RenderedChart(String description, List<RenderedObject> objects) {
        this.description = description;
        this.objects = List.copyOf(objects);
    }

    /**
     * One object of a rendering.
     *
     * @param template the chart template it was rendered from, relative to the chart ({@code templates/x.yaml}); empty
     *                 when the YAML did not say
     * @param text     the document's YAML as rendered, {@code # Source:} line removed
     * @param body     the parsed object
     */
    record RenderedObject(String template, String text, ObjectNode body) {

        String apiVersion() {
            return body.path("apiVersion").asText();
        }

        String kind() {
            return body.path("kind").asText();
        }

        String name() {
            return body.path("metadata").path("name").asText();
        }

        /** {@code apiVersion/kind/name}: unique within a namespace. */
        String id() {
            return apiVersion() + "/" + kind() + "/" + name();
        }

        /** The node at a JSON pointer ({@code /spec/template}); missing node when absent. */
        JsonNode at(String pointer) {
            return body.at(pointer);
        }

        /** Whether it is a {@code helm test} hook, which {@code helm install} does not create. */
        boolean isTestHook() {
            return body.path("metadata").path("annotations").path("helm.sh/hook").asText().contains("test");
        }

        @Override
        public String toString() {
            return kind() + "/" + name();
        }
    }

    /**
     * Parses multi-document YAML.
     *
     * @param description what was rendered, for messages
     * @param yaml        the output of {@code helm template} or {@code kubectl kustomize}
     */
    static RenderedChart parse(String description, String yaml) {
        List<RenderedObject> objects = new ArrayList<>();
        for (String document : DOCUMENT_SEPARATOR.split(yaml)) {
            Matcher source = SOURCE.matcher(document);
            String template = source.find() ? source.group(1).trim() : "";
            String text = SOURCE.matcher(document).replaceFirst("").strip();
            JsonNode body;
            try {
                body = YAML.readTree(text);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(description + ": a document is not YAML: " + e.getOriginalMessage()
                        + "\n" + text, e);
            }
            if (body == null || body.isMissingNode() || body.isNull()) {
                continue;
            }
            if (!body.isObject()) {
                throw new IllegalStateException(description + ": a document is not an object:\n" + text);
            }
            objects.add(new RenderedObject(template, text + "\n", (ObjectNode) body));
        }
        return new RenderedChart(description, objects);
    }

    /** What was rendered, e.g. the release and its values files. */
    String description() {
        return description;
    }

    List<RenderedObject> objects() {
        return objects;
    }

    /**
     * The rendering without {@code helm test} hooks and without the Secret whose value the chart draws at random
     * ({@code secret-query-forwarding.yaml}): what {@code helm install} creates, the same at every rendering, and what
     * {@code k8s/} holds.
     */
    RenderedChart reproducible() {
        return new RenderedChart(description, objects.stream()
                .filter(o -> !o.isTestHook() && !o.template().endsWith("/secret-query-forwarding.yaml")).toList());
    }

    /** The objects of a kind, in output order. */
    List<RenderedObject> all(String kind) {
        return objects.stream().filter(o -> o.kind().equals(kind)).toList();
    }

    /** The object of a kind. @throws AssertionError when there is none or more than one */
    RenderedObject one(String kind) {
        List<RenderedObject> found = all(kind);
        if (found.size() != 1) {
            throw new AssertionError(description + ": expected one " + kind + ", found " + found.size() + " among "
                    + kinds());
        }
        return found.get(0);
    }

    /** The object of a kind and name, if rendered. */
    Optional<RenderedObject> find(String kind, String name) {
        return objects.stream().filter(o -> o.kind().equals(kind) && o.name().equals(name)).findFirst();
    }

    /** Kind/name of every object, for messages. */
    String kinds() {
        return objects.stream().map(RenderedObject::toString).collect(Collectors.joining(", ", "[", "]"));
    }

    @Override
    public String toString() {
        return description;
    }
}
