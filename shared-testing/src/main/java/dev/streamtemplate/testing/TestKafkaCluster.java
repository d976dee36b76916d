package dev.streamtemplate.testing;

import dev.streamtemplate.security.ScramCredentials;
import java.util.Map;

/**
 * A running Kafka cluster that tests connect to.
 *
 * <p>Obtain one from {@link TestKafkaClusterChoice#shared()} (one per test JVM, closed when the JVM exits) or
 * {@link TestKafkaClusterChoice#start(TestKafkaClusterChoice.Choice)} (yours to close).
 */
public interface TestKafkaCluster extends AutoCloseable {

    /**
     * The {@code bootstrap.servers} value clients use to connect.
     *
     * @return a comma-separated {@code host:port} list, never empty
     */
    String bootstrapServers();

    /**
     * What this cluster is, for logs and error messages.
     *
     * @return for example {@code "embedded KRaft broker (metadata.version 4.2-IV1) at localhost:40123"}
     */
    String description();

    /**
     * The client settings that authenticate as the administrator, a super user.
     *
     * @return {@code security.protocol}, {@code sasl.*} and {@code ssl.truststore.*} settings; empty (the default)
     *         for a cluster without security
     */
    default Map<String, String> adminSecurity() {
        return Map.of();
    }

    /**
     * The credentials of one of {@code ServiceAcls}' principals, on a cluster with security.
     *
     * @param user the principal's user name, for example {@code "traffic-analytics"}
     * @return its client settings
     * @throws UnsupportedOperationException on a cluster without security (the default)
     * @throws IllegalArgumentException      if there is no such principal
     */
    default ScramCredentials credentials(String user) {
        throw new UnsupportedOperationException(description() + " has no security: clients connect without credentials");
    }

    /** Whether clients must authenticate: true when {@link #adminSecurity()} is not empty. */
    default boolean secure() {
        return !adminSecurity().isEmpty();
    }

    /**
     * Stops the cluster and deletes its data. Calling it again does nothing. The cluster returned by
     * {@link TestKafkaClusterChoice#shared()} ignores this call: a JVM shutdown hook closes it.
     *
     * @throws IllegalStateException if the broker could not be stopped cleanly
     */
    @Override
    void close();
}
