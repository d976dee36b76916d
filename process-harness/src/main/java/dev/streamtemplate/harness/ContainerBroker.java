package dev.streamtemplate.harness;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * Entry point of the offline stand-in for the {@code apache/kafka} image ({@code images/build-offline-images.sh kafka}),
 * so that docker-compose.yml runs unchanged where no image registry is reachable. It reads the broker configuration
 * from the environment as that image does: every {@code KAFKA_*} variable but the JVM and logging ones becomes a
 * property ({@code KAFKA_} dropped, lower case, {@code ___} to {@code -}, {@code __} to {@code _}, {@code _} to
 * {@code .}); {@code KAFKA_LISTENERS} defaults to the advertised listeners on 0.0.0.0; in KRaft mode
 * ({@code KAFKA_PROCESS_ROLES}) {@code CLUSTER_ID} is required and the log directories are formatted with it unless
 * they already are. Then it runs {@code kafka.Kafka} in this JVM.
 *
 * <p>Exit code 1, with the reason on stderr, for a missing {@code CLUSTER_ID} or a failed format.
 */
public final class ContainerBroker {

    /** Variables of the apache/kafka image that configure the JVM or logging, not the broker. */
    private static final Set<String> NOT_BROKER_PROPERTIES = Set.of("KAFKA_VERSION", "KAFKA_HEAP_OPTS",
            "KAFKA_LOG4J_OPTS", "KAFKA_OPTS", "KAFKA_JMX_OPTS", "KAFKA_JVM_PERFORMANCE_OPTS", "KAFKA_GC_LOG_OPTS",
            "KAFKA_LOG4J_ROOT_LOGLEVEL", "KAFKA_LOG4J_LOGGERS", "KAFKA_TOOLS_LOG4J_LOGLEVEL", "KAFKA_JMX_HOSTNAME");

    private ContainerBroker() {
    }

    /**
     * Configures, formats and starts the broker; returns when it stops.
     *
     * @param args ignored
     */
    public static void main(String[] args) throws IOException {
        Map<String, String> properties = brokerProperties(System.getenv());
        Path config = Path.of(System.getProperty("java.io.tmpdir"), "server.properties");
        Properties file = new Properties();
        file.putAll(properties);
        try (Writer out = Files.newBufferedWriter(config)) {
            file.store(out, "from the KAFKA_* environment variables");
        }
        if (properties.containsKey("process.roles")) {
            String clusterId = System.getenv("CLUSTER_ID");
            if (clusterId == null || clusterId.isBlank()) {
                System.err.println("CLUSTER_ID environment variable not set (KRaft mode needs it to format storage)");
                System.exit(1);
            }
            int exit = kafka.tools.StorageTool.execute(new String[] {
                "format", "--cluster-id", clusterId, "--config", config.toString(), "--ignore-formatted"},
                    System.out);
            if (exit != 0) {
                System.err.println("formatting the log directories failed: kafka.tools.StorageTool exit code " + exit);
                System.exit(1);
            }
        }
        kafka.Kafka.main(new String[] {config.toString()});
    }

    /**
     * The broker properties the apache/kafka image derives from {@code environment}.
     *
     * @param environment variable name to value
     * @return property name to value, sorted by name
     */
    static Map<String, String> brokerProperties(Map<String, String> environment) {
        Map<String, String> properties = new TreeMap<>();
        environment.forEach((name, value) -> {
            if (name.startsWith("KAFKA_") && !NOT_BROKER_PROPERTIES.contains(name)) {
                properties.put(propertyName(name.substring("KAFKA_".length())), value);
            }
        });
        String advertised = properties.get("advertised.listeners");
        if (!properties.containsKey("listeners") && advertised != null
                && !"controller".equals(properties.get("process.roles"))) {
            properties.put("listeners", advertised.replaceAll("://[^:,]*:", "://0.0.0.0:"));
        }
        return properties;
    }

    private static String propertyName(String variable) {
        return variable.toLowerCase(Locale.ROOT)
                .replace("___", "\u0001")
                .replace("__", "\u0002")
                .replace('_', '.')
                .replace('\u0001', '-')
                .replace('\u0002', '_');
    }
}
