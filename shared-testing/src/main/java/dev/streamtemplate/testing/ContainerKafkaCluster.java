package dev.streamtemplate.testing;

import java.util.Objects;

import org.testcontainers.kafka.KafkaContainer;

/**
 * A single-node Kafka cluster in a Docker container, from Testcontainers' {@link KafkaContainer} (the
 * {@code apache/kafka} image, KRaft mode). It needs a reachable Docker engine; without one {@link #start(String)}
 * fails at once with a message saying so.
 */
public final class ContainerKafkaCluster implements TestKafkaCluster {

    /** The image used unless system property {@value TestKafkaClusterChoice#IMAGE_PROPERTY} names another. */
    public static final String DEFAULT_IMAGE = "apache/kafka:4.2.2";

    private final KafkaContainer container;
    private final String image;
    private final String bootstrapServers;
    private volatile boolean closed;

    private ContainerKafkaCluster(KafkaContainer container, String image) {
        this.container = container;
        this.image = image;
        this.bootstrapServers = container.getBootstrapServers();
    }

    /**
     * Starts a Kafka container from {@link #DEFAULT_IMAGE} and waits until it accepts clients.
     *
     * @return the running cluster; the caller closes it
     * @throws IllegalStateException if no Docker engine is reachable, or the container does not start
     */
    public static ContainerKafkaCluster start() {
        return start(DEFAULT_IMAGE);
    }

    /**
     * Starts a Kafka container from {@code image} and waits until it accepts clients. The broker is configured for
     * a single node (replication factor 1 and min ISR 1 for internal topics, no initial rebalance delay).
     *
     * @param image an {@code apache/kafka} (or compatible, e.g. {@code apache/kafka-native}) image reference
     * @return the running cluster; the caller closes it
     * @throws IllegalStateException if no Docker engine is reachable, or the container does not start
     */
    public static ContainerKafkaCluster start(String image) {
        Objects.requireNonNull(image, "image");
        if (!DockerEngineProbe.testcontainersSaysAvailable()) {
            throw new IllegalStateException("Kafka in a container (" + image + ") was asked for ("
                    + TestKafkaClusterChoice.CHOICE_PROPERTY + "=container), but Testcontainers finds no reachable Docker "
                    + "engine. Start one, or use -D" + TestKafkaClusterChoice.CHOICE_PROPERTY + "=embedded (in-JVM broker) "
                    + "or -D" + TestKafkaClusterChoice.CHOICE_PROPERTY + "=auto.");
        }
        KafkaContainer container = new KafkaContainer(image)
                .withEnv("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
                .withEnv("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
                .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
                .withEnv("KAFKA_TRANSACTION_STATE_LOG_NUM_PARTITIONS", "4")
                .withEnv("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR", "1")
                .withEnv("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR", "1")
                .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0");
        try {
            container.start();
        } catch (RuntimeException e) {
            try {
                container.stop();
            } catch (RuntimeException stopping) {
                e.addSuppressed(stopping);
            }
            throw new IllegalStateException("Could not start Kafka container " + image + ": " + e, e);
        }
        return new ContainerKafkaCluster(container, image);
    }

    @Override
    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public String description() {
        return "Kafka container " + image + " at " + bootstrapServers;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            container.stop();
        } catch (RuntimeException e) {
            throw new IllegalStateException("Could not stop Kafka container " + image + ": " + e, e);
        }
    }

    @Override
    public String toString() {
        return "Kafka container " + image;
    }
}
