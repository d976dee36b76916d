package dev.streamtemplate.testing;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;

/**
 * A service's configuration read the way Quarkus reads it, for tests that run its topology outside Quarkus (a
 * {@code TopologyTestDriver}, a plain {@code KafkaStreams}): so they run with the production exception handlers,
 * dead-letter topic, timestamp extractor and RocksDB settings, and cannot drift from them.
 *
 * <p>Sources, as Quarkus orders them: every {@code META-INF/microprofile-config.properties} on the classpath (ordinal
 * 100; shared-runtime's shared defaults), the discovered SmallRye config source factories (shared-runtime's
 * {@code ServiceTopicsConfig}, 150) and the service's {@code application.properties} (250), with expressions such as
 * {@code ${quarkus.application.name}} expanded; no environment variables. Every {@code kafka-streams.*} key becomes a
 * Kafka Streams property without the prefix, as the Quarkus extension passes it; {@code application.id} is
 * {@code quarkus.kafka-streams.application-id}.
 */
public final class ServiceStreamsConfig {

    private static final String PREFIX = "kafka-streams.";

    private final SmallRyeConfig config;

    private ServiceStreamsConfig(SmallRyeConfig config) {
        this.config = config;
    }

    /**
     * The production configuration: no profile, so {@code %test.} keys do not apply.
     *
     * @throws IllegalStateException when the classpath has no {@code application.properties}
     */
    public static ServiceStreamsConfig production() {
        return new ServiceStreamsConfig(builder().build());
    }

    /**
     * The configuration with a profile applied, such as {@code test} ({@code %test.} keys override the others).
     *
     * @throws IllegalStateException when the classpath has no {@code application.properties}
     */
    public static ServiceStreamsConfig withProfile(String profile) {
        return new ServiceStreamsConfig(builder().withProfile(profile).build());
    }

    /**
     * The production Kafka Streams properties for a {@code TopologyTestDriver}, with {@code state.dir} set to
     * {@code stateDir}, a bootstrap address nothing connects to, and one exception: {@code processing.guarantee} is
     * {@code at_least_once}. Under {@code exactly_once_v2}, {@code TopologyTestDriver} (Kafka Streams 4.2.1) does not
     * pass on the dead letters a deserialization exception handler returns, and a test driver has no transactions to
     * test anyway; exactly-once is tested on a real broker.
     *
     * @param stateDir the test's state directory
     * @return properties a test may add its own overrides to, each of which it should say why it sets
     */
    public static Properties forTopologyTest(Path stateDir) {
        Properties props = production().kafkaStreams("unused:9092", stateDir);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        return props;
    }

    /** The whole configuration, for the service's own settings. */
    public SmallRyeConfig config() {
        return config;
    }

    /** The service's Kafka Streams {@code application.id}. */
    public String applicationId() {
        return config.getValue("quarkus.kafka-streams.application-id", String.class);
    }

    /**
     * The Kafka Streams properties the service runs with.
     *
     * @param bootstrapServers the brokers
     * @param stateDir         the state directory (the service's {@code kafka-streams.state.dir})
     */
    public Properties kafkaStreams(String bootstrapServers, Path stateDir) {
        Properties props = new Properties();
        for (String name : config.getPropertyNames()) {
            if (name.startsWith(PREFIX)) {
                config.getOptionalValue(name, String.class)
                        .ifPresent(value -> props.put(name.substring(PREFIX.length()), value));
            }
        }
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        return props;
    }

    private static SmallRyeConfigBuilder builder() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        URL application = loader.getResource("application.properties");
        if (application == null) {
            throw new IllegalStateException("no application.properties on the classpath: run this from a service's tests");
        }
        try {
            SmallRyeConfigBuilder builder = new SmallRyeConfigBuilder()
                    .addDefaultInterceptors()
                    .addDiscoveredSources()
                    .withSources(new PropertiesConfigSource(application, 250));
            for (URL shared : Collections.list(loader.getResources("META-INF/microprofile-config.properties"))) {
                builder.withSources(new PropertiesConfigSource(shared, 100));
            }
            return builder;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the service's configuration", e);
        }
    }
}
