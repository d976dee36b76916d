package dev.streamtemplate.traffic;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

/**
 * Gives each test run an empty Kafka Streams state directory: the test broker is new on every run,
 * and state left by an earlier run would not match its (empty) changelogs.
 */
public class FreshStateDirectory implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        try {
            return Map.of("kafka-streams.state.dir", Files.createTempDirectory("traffic-analytics-state").toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a state directory", e);
        }
    }

    @Override
    public void stop() {
        // the directory is under java.io.tmpdir; Kafka Streams cleans what it wrote on close
    }
}
