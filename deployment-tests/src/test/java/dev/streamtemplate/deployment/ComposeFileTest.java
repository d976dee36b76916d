package dev.streamtemplate.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml as written, without running it ({@link ComposeStackTest} runs it): the broker image is the
 * project's Kafka version, every port is published on 127.0.0.1 only, every image can be replaced by a variable, and
 * each stream service has a readiness health check, its state on a named volume, its compose name as application
 * server, a memory limit, and a stop grace period above its shutdown timeout (30 s).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ComposeFileTest {

    /** Each stream service and its HTTP port, from its {@code application.properties}. */
    private static final Map<String, Integer> STREAM_SERVICES = StreamServiceChart.SERVICES.stream()
            .collect(java.util.stream.Collectors.toMap(name -> name, StreamServiceChart::httpPort));
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

    private JsonNode services;
    private Path repository;

    @BeforeAll
    void readTheFile() throws IOException {
        repository = Path.of(System.getProperty("repository.root", "..")).toAbsolutePath().normalize();
        // SnakeYAML resolves the file's anchors and merge keys (<<: *stream-service) as Compose does
        try (Reader file = Files.newBufferedReader(repository.resolve("docker-compose.yml"))) {
            Object document = new Yaml().load(file);
            services = new ObjectMapper().valueToTree(document).get("services");
        }
    }

    @Test
    void theBrokerIsTheProjectsKafkaVersion() {
        assertThat(services.get("kafka").get("image").asText())
                .isEqualTo("${KAFKA_IMAGE:-apache/kafka:" + System.getProperty("kafka.version") + "}");
    }

    @Test
    void everyImageIsAVariableWithADefault() {
        services.fields().forEachRemaining(service -> assertThat(service.getValue().get("image").asText())
                .as("image of %s", service.getKey()).matches("\\$\\{[A-Z_]+:-[^}]+}(/[a-z-]+:\\$\\{IMAGE_TAG:-latest})?"));
    }

    @Test
    void everyPortIsPublishedOnLoopbackOnly() {
        services.fields().forEachRemaining(service -> service.getValue().path("ports")
                .forEach(port -> assertThat(port.asText()).as("port of %s", service.getKey()).startsWith("127.0.0.1:")));
    }

    @Test
    void everyStreamServiceIsHealthCheckedStatefulReachableBoundedAndStopsInTime() {
        STREAM_SERVICES.forEach((name, port) -> {
            JsonNode service = services.get(name);
            assertThat(service).as(name).isNotNull();
            assertThat(List.of(service.get("healthcheck").get("test").toString()))
                    .as("%s's health check", name).allMatch(test -> test.contains("http://localhost:" + port
                            + "/q/health/ready"));
            assertThat(service.get("volumes").get(0).asText()).as("%s's state", name)
                    .isEqualTo(name + "-state:/var/lib/kafka-streams");
            assertThat(service.get("environment").get("QUARKUS_KAFKA_STREAMS_APPLICATION_SERVER").asText())
                    .isEqualTo(name + ":" + port);
            assertThat(service.get("depends_on").get("topics").get("condition").asText())
                    .isEqualTo("service_completed_successfully");
            assertThat(service.get("mem_limit").asText()).as("%s's memory limit", name).isNotBlank();
            assertThat(Duration.ofSeconds(Long.parseLong(service.get("stop_grace_period").asText().replace("s", ""))))
                    .as("%s's stop grace period", name).isGreaterThan(SHUTDOWN_TIMEOUT);
        });
    }

    @Test
    void liveUpdatesIsHealthCheckedStatelessAndBounded() {
        JsonNode service = services.get("live-updates");
        assertThat(service).as("live-updates").isNotNull();
        assertThat(service.get("healthcheck").get("test").toString()).contains("http://localhost:8085/q/health/ready");
        assertThat(service.get("ports").get(0).asText()).isEqualTo("127.0.0.1:${LIVE_UPDATES_PORT:-8085}:8085");
        assertThat(service.path("volumes").isMissingNode()).as("live-updates keeps no state").isTrue();
        assertThat(service.get("depends_on").get("topics").get("condition").asText())
                .isEqualTo("service_completed_successfully");
        assertThat(service.get("mem_limit").asText()).isNotBlank();
    }

    @Test
    void everyMountedFileOfTheRepositoryExists() {
        List<String> mounts = new java.util.ArrayList<>();
        services.fields().forEachRemaining(service -> service.getValue().path("volumes").forEach(volume -> {
            if (volume.asText().startsWith("./")) {
                mounts.add(volume.asText().split(":")[0]);
            }
        }));
        assertThat(mounts).as("bind mounts: the Prometheus configuration and rules, Grafana's provisioning and dashboards")
                .hasSizeGreaterThanOrEqualTo(4)
                .allSatisfy(source -> assertThat(repository.resolve(source)).as(source).exists());
    }

    @Test
    void theGeneratorStartsOnceEveryStreamServiceIsHealthy() {
        JsonNode dependsOn = services.get("event-generator").get("depends_on");
        STREAM_SERVICES.keySet().forEach(name -> assertThat(dependsOn.get(name).get("condition").asText())
                .as("event-generator waits for %s", name).isEqualTo("service_healthy"));
    }
}
