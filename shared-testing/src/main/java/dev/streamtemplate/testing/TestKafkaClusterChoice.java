package dev.streamtemplate.testing;

import dev.streamtemplate.security.ScramCredentials;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Chooses and starts the Kafka cluster tests run against, and holds the one cluster shared by all tests of a JVM.
 *
 * <p>The choice comes from system property {@value #CHOICE_PROPERTY}:
 * <ul>
 *   <li>{@code embedded}: an in-JVM single-node KRaft broker ({@link EmbeddedKafkaCluster});</li>
 *   <li>{@code container}: Testcontainers' Kafka ({@link ContainerKafkaCluster}, image from system property
 *       {@value #IMAGE_PROPERTY}, default {@value ContainerKafkaCluster#DEFAULT_IMAGE}); fails at once when no Docker
 *       engine is reachable;</li>
 *   <li>{@code auto} (the default): the container when a Docker engine is reachable, else the embedded broker.
 *       Finding out is cheap and never fails: with no sign of an engine it does not even ask Testcontainers.</li>
 * </ul>
 * Pass it to Maven as {@code mvn test -Dtest.kafka=embedded}. With {@value #SECURITY_PROPERTY}{@code =sasl_ssl} the
 * cluster is always the embedded one, with SASL_SSL and ACLs ({@link SecureKafkaCluster}).
 */
public final class TestKafkaClusterChoice {

    /** System property choosing the cluster: {@code embedded}, {@code container} or {@code auto}. */
    public static final String CHOICE_PROPERTY = "test.kafka";

    /** System property naming the container image for {@code container}. */
    public static final String IMAGE_PROPERTY = "test.kafka.image";

    /** Which kind of cluster to start. */
    public enum Choice {
        /** The in-JVM KRaft broker. */
        EMBEDDED,
        /** Testcontainers' Kafka; needs a Docker engine. */
        CONTAINER,
        /** The container when a Docker engine is reachable, else the embedded broker. */
        AUTO;

        /**
         * Reads a choice as written in the system property, ignoring case and surrounding blanks.
         *
         * @param value {@code embedded}, {@code container} or {@code auto}; null or blank means {@code auto}
         * @return the choice
         * @throws IllegalArgumentException for any other value, naming the allowed ones
         */
        public static Choice parse(String value) {
            if (value == null || value.isBlank()) {
                return AUTO;
            }
            try {
                return valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Unknown " + CHOICE_PROPERTY + "=" + value
                        + "; use embedded, container or auto", e);
            }
        }
    }

    /**
     * System property switching the cluster's security on: {@code sasl_ssl} starts {@link SecureKafkaCluster}
     * (embedded only), {@code none} or unset a broker without security.
     */
    public static final String SECURITY_PROPERTY = "test.kafka.security";

    private static TestKafkaCluster shared;

    /**
     * Whether system property {@value #SECURITY_PROPERTY} asks for SASL_SSL.
     *
     * @return true for {@code sasl_ssl}, false for {@code none} or unset
     * @throws IllegalArgumentException for any other value
     */
    public static boolean securityConfigured() {
        String value = System.getProperty(SECURITY_PROPERTY, "none").trim().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "", "none" -> false;
            case "sasl_ssl" -> true;
            default -> throw new IllegalArgumentException("Unknown " + SECURITY_PROPERTY + "=" + value
                    + "; use none or sasl_ssl");
        };
    }

    private TestKafkaClusterChoice() {
    }

    /**
     * The choice made by system property {@value #CHOICE_PROPERTY}, {@link Choice#AUTO} when unset.
     *
     * @return the configured choice
     * @throws IllegalArgumentException if the property has an unknown value
     */
    public static Choice configuredChoice() {
        return Choice.parse(System.getProperty(CHOICE_PROPERTY));
    }

    /**
     * Whether Testcontainers can reach a Docker engine. Computed once per JVM; never throws, and answers
     * {@code false} within 30 s at most.
     *
     * @return true if containers can be started
     */
    public static boolean dockerAvailable() {
        return DockerEngineProbe.testcontainersSaysAvailable();
    }

    /**
     * Turns {@link Choice#AUTO} into {@link Choice#EMBEDDED} or {@link Choice#CONTAINER}; returns the other choices
     * unchanged. Cheap when there is no sign of a Docker engine.
     *
     * @param choice the choice to resolve
     * @return {@link Choice#EMBEDDED} or {@link Choice#CONTAINER}
     */
    public static Choice resolve(Choice choice) {
        Objects.requireNonNull(choice, "choice");
        if (choice != Choice.AUTO) {
            return choice;
        }
        return DockerEngineProbe.enginePresentCheaply() ? Choice.CONTAINER : Choice.EMBEDDED;
    }

    /**
     * Starts a new cluster of the given kind; the caller closes it. Most tests want {@link #shared()} instead.
     *
     * @param choice the kind of cluster; {@link Choice#AUTO} is resolved first
     * @return the running cluster
     * @throws IllegalStateException    if the cluster cannot be started, {@link Choice#CONTAINER} was asked for and
     *                                  no Docker engine is reachable (at once, not after a wait), or it was asked for
     *                                  with {@value #SECURITY_PROPERTY}{@code =sasl_ssl}
     * @throws IllegalArgumentException if {@value #SECURITY_PROPERTY} has an unknown value
     */
    public static TestKafkaCluster start(Choice choice) {
        if (securityConfigured()) {
            if (choice == Choice.CONTAINER) {
                throw new IllegalStateException(SECURITY_PROPERTY + "=sasl_ssl runs the embedded broker only; use "
                        + CHOICE_PROPERTY + "=embedded or auto");
            }
            return SecureKafkaCluster.start();
        }
        return switch (resolve(choice)) {
            case CONTAINER -> ContainerKafkaCluster.start(
                    System.getProperty(IMAGE_PROPERTY, ContainerKafkaCluster.DEFAULT_IMAGE));
            case EMBEDDED, AUTO -> EmbeddedKafkaCluster.start();
        };
    }

    /**
     * The cluster shared by every test of this JVM, started on first use according to {@link #configuredChoice()}.
     * A JVM shutdown hook closes it; its {@link TestKafkaCluster#close()} does nothing, so a test cannot stop it for
     * the others. Tests sharing it should use their own topic names or recreate the topics they use.
     *
     * <p>If starting fails, the exception is thrown to this caller and the next call tries again.
     *
     * @return the running shared cluster
     * @throws IllegalStateException if the cluster cannot be started (see {@link #start(Choice)})
     * @throws IllegalArgumentException if {@value #CHOICE_PROPERTY} or {@value #SECURITY_PROPERTY} has an unknown
     *                                  value
     */
    public static synchronized TestKafkaCluster shared() {
        if (shared == null) {
            TestKafkaCluster cluster = start(configuredChoice());
            Thread hook = new Thread(() -> {
                try {
                    cluster.close();
                } catch (RuntimeException e) {
                    System.err.println("Could not stop the shared " + cluster.description() + ": " + e);
                }
            }, "shared-kafka-cluster-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            shared = new SharedCluster(cluster);
        }
        return shared;
    }

    /** Whether the shared cluster has been started and is the in-JVM broker. */
    static synchronized boolean sharedIsEmbedded() {
        return shared instanceof SharedCluster s
                && (s.cluster() instanceof EmbeddedKafkaCluster || s.cluster() instanceof SecureKafkaCluster);
    }

    /** The shared cluster as handed out: closing is the shutdown hook's job. */
    private record SharedCluster(TestKafkaCluster cluster) implements TestKafkaCluster {

        @Override
        public String bootstrapServers() {
            return cluster.bootstrapServers();
        }

        @Override
        public String description() {
            return "shared " + cluster.description();
        }

        @Override
        public Map<String, String> adminSecurity() {
            return cluster.adminSecurity();
        }

        @Override
        public ScramCredentials credentials(String user) {
            return cluster.credentials(user);
        }

        @Override
        public void close() {
            // the JVM shutdown hook closes the shared cluster
        }

        @Override
        public String toString() {
            return description();
        }
    }
}
