package dev.streamtemplate.testing;

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
     * Stops the cluster and deletes its data. Calling it again does nothing. The cluster returned by
     * {@link TestKafkaClusterChoice#shared()} ignores this call: a JVM shutdown hook closes it.
     *
     * @throws IllegalStateException if the broker could not be stopped cleanly
     */
    @Override
    void close();
}
