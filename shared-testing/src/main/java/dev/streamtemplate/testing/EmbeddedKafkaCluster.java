package dev.streamtemplate.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.server.common.ApiMessageAndVersion;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka cluster inside the test JVM: one combined KRaft node (broker and controller) from Kafka's
 * {@code KafkaClusterTestKit}, listening on a free {@code localhost} port, with its data in a temporary directory
 * ({@code shared-testing-kafka-*} under {@code java.io.tmpdir}) that {@link #close()} deletes.
 *
 * <p>It behaves like a released broker: it is formatted with the latest production metadata version and the
 * production feature levels that go with it (not the test kit's unreleased defaults), and unstable API and feature
 * versions are disabled. Internal topics have replication factor 1 ({@link #SINGLE_NODE_CONFIG}). Startup takes about
 * two seconds.
 */
public final class EmbeddedKafkaCluster implements TestKafkaCluster {

    /**
     * The broker settings a single node needs, and a few that keep it small and fast: replication factor 1 and
     * min ISR 1 for the offsets, transaction-state and share-coordinator topics, 4 partitions for the offsets and
     * transaction-state topics (instead of 50), no initial rebalance delay, fewer threads, and no unstable APIs.
     */
    public static final Map<String, String> SINGLE_NODE_CONFIG = singleNodeConfig();

    private final KafkaClusterTestKit cluster;
    private final MetadataVersion metadataVersion;
    private final String bootstrapServers;
    private final Path baseDirectory;
    private volatile boolean closed;

    private EmbeddedKafkaCluster(KafkaClusterTestKit cluster, MetadataVersion metadataVersion, Path baseDirectory) {
        this.cluster = cluster;
        this.metadataVersion = metadataVersion;
        this.bootstrapServers = cluster.bootstrapServers();
        this.baseDirectory = baseDirectory;
    }

    /**
     * Formats and starts a new single-node cluster with {@link #SINGLE_NODE_CONFIG}, and waits until its broker
     * accepts clients.
     *
     * @return the running cluster; the caller closes it
     * @throws IllegalStateException if the cluster cannot be formatted or started (the partly started cluster is
     *                               closed first)
     */
    public static EmbeddedKafkaCluster start() {
        return start(Map.of());
    }

    /**
     * Formats and starts a new single-node cluster with {@link #SINGLE_NODE_CONFIG} overlaid with
     * {@code brokerConfigOverrides}, and waits until its broker accepts clients.
     *
     * @param brokerConfigOverrides broker settings that replace or add to the defaults, for example
     *                              {@code Map.of("auto.create.topics.enable", "false")}
     * @return the running cluster; the caller closes it
     * @throws IllegalStateException if the cluster cannot be formatted or started (the partly started cluster is
     *                               closed first)
     */
    public static EmbeddedKafkaCluster start(Map<String, String> brokerConfigOverrides) {
        return start(brokerConfigOverrides, List.of());
    }

    /**
     * As {@link #start(Map)}, with records the controller appends to the empty metadata log when it first starts,
     * after the metadata version and feature levels: what {@code kafka-storage format --add-scram} does for SCRAM
     * credentials.
     */
    static EmbeddedKafkaCluster start(Map<String, String> brokerConfigOverrides,
                                      List<ApiMessageAndVersion> bootstrapRecords) {
        Objects.requireNonNull(brokerConfigOverrides, "brokerConfigOverrides");
        MetadataVersion metadataVersion = MetadataVersion.latestProduction();
        Map<String, String> config = new LinkedHashMap<>(SINGLE_NODE_CONFIG);
        config.putAll(brokerConfigOverrides);

        Path baseDirectory = null;
        KafkaClusterTestKit cluster = null;
        try {
            // Our own directory: the test kit's default one comes with a JVM shutdown hook deleting it, which races
            // with a shutdown hook closing the broker; a broker whose log directory vanishes halts the JVM with
            // exit code 1 (Surefire: "Error occurred in starting fork"). close() deletes this one.
            baseDirectory = Files.createTempDirectory("shared-testing-kafka-");
            BootstrapMetadata bootstrap = productionBootstrapMetadata(metadataVersion);
            if (!bootstrapRecords.isEmpty()) {
                List<ApiMessageAndVersion> records = new ArrayList<>(bootstrap.records());
                records.addAll(bootstrapRecords);
                bootstrap = BootstrapMetadata.fromRecords(records, "shared-testing");
            }
            TestKitNodes nodes = new TestKitNodes.Builder(bootstrap)
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBaseDirectory(baseDirectory)
                    .build();
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
            config.forEach(builder::setConfigProp);
            cluster = builder.build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return new EmbeddedKafkaCluster(cluster, metadataVersion, baseDirectory);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            if (cluster != null) {
                try {
                    cluster.close();
                } catch (Exception closing) {
                    e.addSuppressed(closing);
                }
            }
            if (baseDirectory != null) {
                try {
                    Utils.delete(baseDirectory.toFile());
                } catch (IOException deleting) {
                    e.addSuppressed(deleting);
                }
            }
            throw new IllegalStateException("Could not start the embedded KRaft broker: " + e, e);
        }
    }

    /**
     * The metadata version the cluster was formatted with.
     *
     * @return for example {@code "4.2-IV1"}
     */
    public String metadataVersion() {
        return metadataVersion.version();
    }

    @Override
    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public String description() {
        return "embedded KRaft broker (metadata.version " + metadataVersion() + ") at " + bootstrapServers;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            cluster.close();
            Utils.delete(baseDirectory.toFile()); // normally gone already
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("Could not stop the " + description() + ": " + e, e);
        }
    }

    @Override
    public String toString() {
        return description();
    }

    /**
     * What {@code kafka-storage format} writes by default for a released metadata version: that version and the
     * default level of every production feature for it (transaction.version, group.version, ...). The test kit's
     * own default is the latest <em>testing</em> version of each.
     */
    private static BootstrapMetadata productionBootstrapMetadata(MetadataVersion metadataVersion) {
        Map<String, Short> featureLevels = new HashMap<>();
        for (Feature feature : Feature.PRODUCTION_FEATURES) {
            featureLevels.put(feature.featureName(), feature.defaultLevel(metadataVersion));
        }
        return BootstrapMetadata.fromVersions(metadataVersion, featureLevels, "shared-testing");
    }

    private static Map<String, String> singleNodeConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("offsets.topic.replication.factor", "1");
        config.put("offsets.topic.num.partitions", "4");
        config.put("transaction.state.log.replication.factor", "1");
        config.put("transaction.state.log.min.isr", "1");
        config.put("transaction.state.log.num.partitions", "4");
        config.put("share.coordinator.state.topic.replication.factor", "1");
        config.put("share.coordinator.state.topic.min.isr", "1");
        config.put("group.initial.rebalance.delay.ms", "0");
        config.put("default.replication.factor", "1");
        config.put("min.insync.replicas", "1");
        config.put("num.partitions", "1");
        config.put("num.network.threads", "2");
        config.put("num.io.threads", "4");
        config.put("background.threads", "4");
        config.put("unstable.api.versions.enable", "false");
        config.put("unstable.feature.versions.enable", "false");
        return java.util.Collections.unmodifiableMap(config);
    }
}
