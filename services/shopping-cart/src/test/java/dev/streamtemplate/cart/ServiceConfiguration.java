package dev.streamtemplate.cart;

import io.quarkus.runtime.configuration.DurationConverter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The service's own configuration, for tests that run its topology in plain Kafka Streams instances
 * rather than in Quarkus: {@code application.properties} with the {@code test} profile applied
 * ({@code %test.} keys override the others), read the way Quarkus reads the parts that matter here.
 *
 * <ul>
 *   <li>Kafka Streams: every {@code kafka-streams.*} key without its prefix, plus
 *       {@code application.id} from {@code quarkus.kafka-streams.application-id};</li>
 *   <li>the {@code cart.*} settings, durations parsed by Quarkus' own converter.</li>
 * </ul>
 */
final class ServiceConfiguration {

    private static final String TEST_PROFILE = "%test.";

    private final Map<String, String> values = new TreeMap<>();

    private ServiceConfiguration(Properties file) {
        file.stringPropertyNames().stream().filter(k -> !k.startsWith("%")).forEach(k -> values.put(k, file.getProperty(k)));
        file.stringPropertyNames().stream().filter(k -> k.startsWith(TEST_PROFILE))
                .forEach(k -> values.put(k.substring(TEST_PROFILE.length()), file.getProperty(k)));
    }

    /** Reads {@code application.properties} from the class path. */
    static ServiceConfiguration load() {
        try (InputStream in = ServiceConfiguration.class.getResourceAsStream("/application.properties")) {
            if (in == null) {
                throw new IllegalStateException("no application.properties on the class path");
            }
            Properties file = new Properties();
            file.load(in);
            return new ServiceConfiguration(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The value of a key, after the test profile. */
    String get(String key) {
        String value = values.get(key);
        if (value == null) {
            throw new IllegalStateException("application.properties has no " + key);
        }
        return value;
    }

    /** The service's application id ({@code quarkus.kafka-streams.application-id}). */
    String applicationId() {
        return get("quarkus.kafka-streams.application-id");
    }

    /** The {@code cart.*} settings. */
    CartSettings cartSettings() {
        DurationConverter durations = new DurationConverter();
        return new TestCartSettings(durations.convert(get("cart.dedup-retention")),
                durations.convert(get("cart.price-history-retention")));
    }

    /**
     * The Kafka Streams configuration the service runs with.
     *
     * @param bootstrapServers the brokers
     * @param stateDir         the state directory (the service's {@code kafka-streams.state.dir})
     */
    Properties kafkaStreams(String bootstrapServers, Path stateDir) {
        Properties props = new Properties();
        values.forEach((key, value) -> {
            if (key.startsWith("kafka-streams.")) {
                props.put(key.substring("kafka-streams.".length()), value);
            }
        });
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        return props;
    }
}
