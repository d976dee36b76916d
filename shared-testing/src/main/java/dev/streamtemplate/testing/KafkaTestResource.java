package dev.streamtemplate.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.streamtemplate.schemas.TopicCatalogue;
import dev.streamtemplate.schemas.TopicCatalogue.CleanupPolicy;
import dev.streamtemplate.schemas.TopicCatalogue.TopicSpec;
import dev.streamtemplate.security.ScramCredentials;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Quarkus test resource giving a {@code @QuarkusTest} ({@code @WithTestResource(KafkaTestResource.class)}) a real
 * Kafka broker, the JVM's shared cluster ({@link TestKafkaClusterChoice#shared()}), with topics created before the
 * application starts. {@link #bootstrapServers()} gives the test the same broker.
 *
 * <p>It returns {@code kafka.bootstrap.servers}, {@code quarkus.kafka-streams.bootstrap-servers},
 * {@code quarkus.kafka.devservices.enabled=false} and, for the embedded broker only, the level of the broker's own
 * loggers ({@code quarkus.log.category."<logger>".level}); on a secure cluster
 * ({@value TestKafkaClusterChoice#SECURITY_PROPERTY}{@code =sasl_ssl}) also {@code kafka.security.protocol},
 * {@code kafka.sasl.*} and {@code kafka.ssl.truststore.*}, the service's own principal (see {@value #PRINCIPAL_ARG}),
 * which shared-runtime hands to Kafka Streams. They override {@code application.properties}. Init args:
 * {@value #TOPICS_ARG}: {@code all} (default, {@link TopicCatalogue#ALL}), {@code none} or comma-separated names
 * (names outside the catalogue get one partition, {@code cleanup.policy=delete}); {@value #BROKER_LOG_LEVEL_ARG}:
 * the embedded broker's log level (default {@code WARN}); {@value #PRINCIPAL_ARG} and {@value #PASSWORD_ARG} on a
 * secure broker. The broker outlives {@link #stop()}; topics are created
 * only if missing and keep earlier test classes' records ({@link KafkaTopics#recreate} empties them). Dev Services
 * must also be off in the service's own configuration (shared-runtime's does it): Quarkus decides on them while
 * building the application, before this resource's configuration applies.
 */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {

    /** Init arg naming the topics to create: {@code all}, {@code none} or comma-separated names. */
    public static final String TOPICS_ARG = "topics";

    /**
     * Init arg naming the principal the service connects as on a secure broker (default: its
     * {@code quarkus.application.name}).
     */
    public static final String PRINCIPAL_ARG = "principal";

    /**
     * Init arg with the password the service logs in with on a secure broker instead of its principal's own, for tests
     * of a refused login.
     */
    public static final String PASSWORD_ARG = "password";

    /** Init arg with the log level of the embedded broker's loggers (default {@code WARN}). */
    public static final String BROKER_LOG_LEVEL_ARG = "broker-log-level";

    /** The loggers the embedded broker writes to; clients use none of them. */
    static final List<String> BROKER_LOGGERS = List.of("kafka", "state.change.logger",
            "org.apache.kafka.server", "org.apache.kafka.controller", "org.apache.kafka.raft",
            "org.apache.kafka.metadata", "org.apache.kafka.image", "org.apache.kafka.storage",
            "org.apache.kafka.coordinator", "org.apache.kafka.queue", "org.apache.kafka.snapshot",
            "org.apache.kafka.network", "org.apache.kafka.security", "org.apache.kafka.common.test");

    /** Strong references: java.util.logging forgets the level of a logger nobody references. */
    private static final List<Logger> QUIETED = new ArrayList<>();

    private List<TopicSpec> topics = TopicCatalogue.ALL;
    private String brokerLogLevel = "WARN";
    private String principal;
    private String password;

    /**
     * Reads the init args (see the class comment).
     *
     * @param initArgs the {@code @ResourceArg}s
     * @throws IllegalArgumentException if {@value #TOPICS_ARG} is blank or {@value #BROKER_LOG_LEVEL_ARG} is not a
     *                                  log level
     */
    @Override
    public void init(Map<String, String> initArgs) {
        String topicsArg = initArgs.getOrDefault(TOPICS_ARG, "all").trim();
        if (topicsArg.isEmpty()) {
            throw new IllegalArgumentException("Init arg " + TOPICS_ARG + " is blank; use all, none or topic names");
        }
        topics = topicsFor(topicsArg);
        brokerLogLevel = initArgs.getOrDefault(BROKER_LOG_LEVEL_ARG, brokerLogLevel).trim().toUpperCase(Locale.ROOT);
        principal = initArgs.get(PRINCIPAL_ARG);
        password = initArgs.get(PASSWORD_ARG);
        julLevel(brokerLogLevel);
    }

    /**
     * Starts the shared cluster (or reuses it), creates the topics and returns the configuration.
     *
     * @return the configuration keys listed in the class comment
     * @throws IllegalStateException if the cluster cannot be started, a topic exists with another partition count,
     *                               or the topics do not become usable within 30 s ({@link KafkaTopics#create})
     */
    @Override
    public Map<String, String> start() {
        if (TestKafkaClusterChoice.securityConfigured()
                || TestKafkaClusterChoice.resolve(TestKafkaClusterChoice.configuredChoice()) == TestKafkaClusterChoice.Choice.EMBEDDED) {
            quietBrokerLoggers(brokerLogLevel); // before the broker starts, to quiet its startup too
        }
        String bootstrapServers = bootstrapServers();
        try (KafkaTopics kafkaTopics = new KafkaTopics(bootstrapServers)) {
            kafkaTopics.create(topics);
        }
        Map<String, String> config = new LinkedHashMap<>();
        config.put("kafka.bootstrap.servers", bootstrapServers);
        config.put("quarkus.kafka-streams.bootstrap-servers", bootstrapServers);
        config.put("quarkus.kafka.devservices.enabled", "false");
        TestKafkaCluster cluster = TestKafkaClusterChoice.shared();
        if (cluster.secure()) {
            String user = principal != null ? principal : ConfigProvider.getConfig()
                    .getOptionalValue("quarkus.application.name", String.class)
                    .orElseThrow(() -> new IllegalStateException("The secure broker needs the service's principal: "
                            + "set quarkus.application.name or the init arg " + PRINCIPAL_ARG));
            ScramCredentials credentials = cluster.credentials(user);
            if (password != null) {
                credentials = credentials.as(user, password);
            }
            credentials.clientConfig().forEach((key, value) -> config.put("kafka." + key, value));
        }
        if (TestKafkaClusterChoice.sharedIsEmbedded()) {
            for (String logger : BROKER_LOGGERS) {
                config.put("quarkus.log.category.\"" + logger + "\".level", brokerLogLevel);
            }
        }
        return config;
    }

    /** Does nothing: the shared broker outlives each Quarkus application and is stopped when the JVM exits. */
    @Override
    public void stop() {
        // the shared cluster is closed by its JVM shutdown hook
    }

    /**
     * The {@code bootstrap.servers} of the shared cluster, starting it if no test resource has yet.
     *
     * @return a comma-separated {@code host:port} list
     * @throws IllegalStateException if the cluster cannot be started
     */
    public static String bootstrapServers() {
        return TestKafkaClusterChoice.shared().bootstrapServers();
    }

    /**
     * Client settings for the shared cluster that connect as {@code user}: {@code bootstrap.servers}, and on a secure
     * cluster ({@value TestKafkaClusterChoice#SECURITY_PROPERTY}{@code =sasl_ssl}) the user's SASL_SSL settings.
     *
     * @param user one of {@code ServiceAcls}' principals, for example {@code "event-generator"}
     * @return new, modifiable properties
     * @throws IllegalArgumentException if the cluster is secure and has no such principal
     */
    public static Properties clientConfig(String user) {
        TestKafkaCluster cluster = TestKafkaClusterChoice.shared();
        Properties config = new Properties();
        config.put("bootstrap.servers", cluster.bootstrapServers());
        if (cluster.secure()) {
            config.putAll(cluster.credentials(user).clientConfig());
        }
        return config;
    }

    private static List<TopicSpec> topicsFor(String arg) {
        if (arg.equalsIgnoreCase("all")) {
            return TopicCatalogue.ALL;
        }
        if (arg.equalsIgnoreCase("none")) {
            return List.of();
        }
        List<TopicSpec> specs = new ArrayList<>();
        for (String name : arg.split(",")) {
            String trimmed = name.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            specs.add(TopicCatalogue.ALL.stream()
                    .filter(t -> t.name().equals(trimmed))
                    .findFirst()
                    .orElseGet(() -> new TopicSpec(trimmed, 1, CleanupPolicy.DELETE)));
        }
        return specs;
    }

    /**
     * Sets the broker loggers' level through java.util.logging before the broker starts: in a Quarkus test slf4j
     * logs through the JBoss LogManager, a java.util.logging implementation, and the application's log config only
     * applies once the application starts, after the broker. Without effect under other slf4j bindings.
     */
    private static void quietBrokerLoggers(String level) {
        Level julLevel = julLevel(level);
        synchronized (QUIETED) {
            for (String name : BROKER_LOGGERS) {
                Logger logger = Logger.getLogger(name);
                logger.setLevel(julLevel);
                QUIETED.add(logger);
            }
        }
    }

    private static Level julLevel(String level) {
        return switch (level) {
            case "TRACE", "FINEST" -> Level.FINEST;
            case "DEBUG", "FINE" -> Level.FINE;
            case "INFO" -> Level.INFO;
            case "WARN", "WARNING" -> Level.WARNING;
            case "ERROR", "FATAL", "SEVERE" -> Level.SEVERE;
            case "OFF" -> Level.OFF;
            default -> throw new IllegalArgumentException("Unknown " + BROKER_LOG_LEVEL_ARG + " " + level
                    + "; use TRACE, DEBUG, INFO, WARN, ERROR or OFF");
        };
    }
}
