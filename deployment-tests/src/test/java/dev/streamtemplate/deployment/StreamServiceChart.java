package dev.streamtemplate.deployment;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import dev.streamtemplate.schemas.TopicCatalogue;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The Helm chart of a stream service, {@code helm/stream-service}, with the values files the repository ships
 * ({@code helm/values/<service>.yaml}), rendered by {@code helm template} of Helm 4 ({@link NodePackages}) or
 * in-process by helm-java's Helm 3.
 *
 * <p>A {@link Release} names what is rendered: a release name, values files applied in order and single values set
 * on top ({@code --set}). {@link #render} returns every object of the rendering, the helm test pod included;
 * {@link RenderedChart#reproducible()} leaves it out. A rendering that fails (schema or template check) throws
 * an {@link IllegalStateException} whose message is Helm's.
 *
 * <p>{@link #SERVICES} are the template's four stream services, one values file each; {@link #GENERIC} renders the
 * chart's own defaults under the release name {@code stream-service}, the kustomize base of {@code k8s/}.
 */
final class StreamServiceChart {

    /** The stream services, as {@link TopicCatalogue#SERVICES} lists them. */
    static final List<String> SERVICES = TopicCatalogue.SERVICES.stream().map(TopicCatalogue.ServiceTopics::application)
            .toList();

    /** The chart's defaults alone, as a release named {@code stream-service}. */
    static final Release GENERIC = new Release("stream-service", List.of(), Map.of());

    /** Namespace of every rendering; only the helm test pod and NOTES.txt name it. */
    static final String NAMESPACE = "shop";

    private StreamServiceChart() {
    }

    /**
     * What to render: a release name, values files in order, then single values.
     *
     * @param name   the release name
     * @param files  values files, later ones winning
     * @param values single values ({@code --set key=value}), applied last
     */
    record Release(String name, List<Path> files, Map<String, Object> values) {

        /** This release with {@code key=value} set on top. */
        Release with(String key, Object value) {
            Map<String, Object> more = new LinkedHashMap<>(values);
            more.put(key, value);
            return new Release(name, files, more);
        }

        /** This release with one more values file on top. */
        Release withFile(Path file) {
            List<Path> more = new ArrayList<>(files);
            more.add(file);
            return new Release(name, more, values);
        }

        @Override
        public String toString() {
            return name + (files.isEmpty() ? "" : " " + files.stream().map(f -> f.getFileName().toString()).toList())
                    + (values.isEmpty() ? "" : " " + values);
        }
    }

    /** The repository's root directory (system property {@code repository.root}, set by the module's pom). */
    static Path repositoryRoot() {
        String root = System.getProperty("repository.root");
        Path path = root != null ? Path.of(root) : Path.of("..").toAbsolutePath().normalize();
        if (!Files.isDirectory(path.resolve("helm"))) {
            throw new IllegalStateException("no helm/ under the repository root " + path
                    + " (system property repository.root)");
        }
        return path;
    }

    /**
     * A service's {@code application.properties}.
     *
     * @throws UncheckedIOException when it cannot be read
     */
    static Properties applicationProperties(String service) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(repositoryRoot().resolve("services").resolve(service)
                .resolve("src/main/resources/application.properties"))) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the application.properties of " + service, e);
        }
        return properties;
    }

    /** A service's HTTP port ({@code quarkus.http.port} of its {@code application.properties}). */
    static int httpPort(String service) {
        return Integer.parseInt(applicationProperties(service).getProperty("quarkus.http.port").trim());
    }

    /** {@code helm/stream-service}. */
    static Path directory() {
        return repositoryRoot().resolve("helm/stream-service");
    }

    /** {@code helm/values/<service>.yaml}. */
    static Path valuesFile(String service) {
        return repositoryRoot().resolve("helm/values").resolve(service + ".yaml");
    }

    /** A test values file under {@code src/test/resources/helm}. */
    static Path testValuesFile(String name) {
        return repositoryRoot().resolve("deployment-tests/src/test/resources/helm").resolve(name);
    }

    /** The release of one of the four services: its name and its values file. */
    static Release service(String service) {
        return new Release(service, List.of(valuesFile(service)), Map.of());
    }

    /**
     * Renders {@code release} with {@code helm template} (Helm 4 from {@link NodePackages}), the helm test pod included.
     *
     * @throws IllegalStateException with Helm's message when the values or the templates reject the rendering
     */
    static RenderedChart render(Release release) {
        List<String> command = new ArrayList<>();
        try {
            command.addAll(List.of(NodePackages.installed().helm().toString(), "template", release.name(),
                    directory().toString(), "--namespace", NAMESPACE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        release.files().forEach(file -> command.addAll(List.of("--values", file.toString())));
        release.values().forEach((key, value) -> command.addAll(List.of("--set", key + "=" + value)));
        CommandRun template;
        try {
            template = NodePackages.run(repositoryRoot(), Duration.ofMinutes(1), command);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (!template.succeeded()) {
            throw new IllegalStateException("helm template " + release + " failed: " + template.output().strip());
        }
        return RenderedChart.parse(release.toString(), template.output());
    }

    /**
     * Renders {@code release} in-process with helm-java's Helm 3, which leaves helm test hooks out.
     *
     * @throws IllegalStateException with Helm's message when the values or the templates reject the rendering
     */
    static RenderedChart renderWithHelm3(Release release) {
        TemplateCommand template = new Helm(directory()).template().withName(release.name()).withNamespace(NAMESPACE);
        for (Path file : release.files()) {
            template = template.withValuesFile(file);
        }
        for (Map.Entry<String, Object> value : release.values().entrySet()) {
            template = template.set(value.getKey(), value.getValue());
        }
        try {
            return RenderedChart.parse("helm 3 " + release, template.call());
        } catch (RuntimeException e) {
            throw new IllegalStateException("helm template " + release + " failed: " + e.getMessage(), e);
        }
    }
}
