package dev.streamtemplate.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import java.util.Map;

/**
 * Gives a {@code @QuarkusTest} an empty Kafka Streams state directory ({@code kafka-streams.state.dir})
 * and deletes it afterwards: the test broker is new on every run, and state left by an earlier run
 * would not match its (empty) changelogs. Use beside {@link KafkaTestResource}:
 * {@code @WithTestResource(FreshStateDirectory.class)}.
 */
public class FreshStateDirectory implements QuarkusTestResourceLifecycleManager {

    private Path directory;

    @Override
    public Map<String, String> start() {
        try {
            directory = Files.createTempDirectory("kafka-streams-state");
            return Map.of("kafka-streams.state.dir", directory.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a state directory", e);
        }
    }

    /** Deletes the directory; Quarkus has stopped Kafka Streams by now. */
    @Override
    public void stop() {
        if (directory == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + directory, e);
        }
    }
}
