package dev.streamtemplate.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.time.Duration;
import java.util.Map;

import org.apache.kafka.clients.admin.FeatureMetadata;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

import org.junit.jupiter.api.Test;

import dev.streamtemplate.testing.TestKafkaClusterChoice.Choice;

/** Choosing the cluster: the system property, the automatic choice, and a container asked for without Docker. */
class TestKafkaClusterChoiceTest {

    @Test
    void parsesTheChoice() {
        assertThat(Choice.parse(null)).isEqualTo(Choice.AUTO);
        assertThat(Choice.parse(" ")).isEqualTo(Choice.AUTO);
        assertThat(Choice.parse("Embedded")).isEqualTo(Choice.EMBEDDED);
        assertThat(Choice.parse(" container ")).isEqualTo(Choice.CONTAINER);
        assertThat(Choice.parse("auto")).isEqualTo(Choice.AUTO);
        assertThatThrownBy(() -> Choice.parse("docker"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Unknown test.kafka=docker; use embedded, container or auto");
    }

    @Test
    void autoChoosesTheEmbeddedBrokerWithoutDockerQuickly() {
        Choice resolved = assertTimeoutPreemptively(Duration.ofSeconds(40), () -> TestKafkaClusterChoice.resolve(Choice.AUTO));
        assertThat(resolved).isEqualTo(TestKafkaClusterChoice.dockerAvailable() ? Choice.CONTAINER : Choice.EMBEDDED);
        assertThat(TestKafkaClusterChoice.resolve(Choice.EMBEDDED)).isEqualTo(Choice.EMBEDDED);
        assertThat(TestKafkaClusterChoice.resolve(Choice.CONTAINER)).isEqualTo(Choice.CONTAINER);
    }

    @Test
    void aContainerAskedForWithoutDockerFailsAtOnceWithAClearMessage() {
        assumeFalse(TestKafkaClusterChoice.dockerAvailable(), "a Docker engine is reachable here");
        String before = System.getProperty(TestKafkaClusterChoice.CHOICE_PROPERTY);
        System.setProperty(TestKafkaClusterChoice.CHOICE_PROPERTY, "container");
        try {
            assertThat(TestKafkaClusterChoice.configuredChoice()).isEqualTo(Choice.CONTAINER);
            assertTimeoutPreemptively(Duration.ofSeconds(40), () ->
                    assertThatThrownBy(() -> TestKafkaClusterChoice.start(TestKafkaClusterChoice.configuredChoice()))
                            .isInstanceOf(IllegalStateException.class)
                            .hasMessageContaining("test.kafka=container")
                            .hasMessageContaining("no reachable Docker engine")
                            .hasMessageContaining("-Dtest.kafka=embedded"));
        } finally {
            if (before == null) {
                System.clearProperty(TestKafkaClusterChoice.CHOICE_PROPERTY);
            } else {
                System.setProperty(TestKafkaClusterChoice.CHOICE_PROPERTY, before);
            }
        }
    }

    @Test
    void theSharedClusterIsOneAndCannotBeClosedByATest() {
        TestKafkaCluster shared = TestKafkaClusterChoice.shared();
        shared.close();
        assertThat(TestKafkaClusterChoice.shared()).isSameAs(shared);
        try (KafkaTopics topics = new KafkaTopics(shared.bootstrapServers())) {
            assertThat(topics.listNames()).isNotNull();
        }
    }

    @Test
    void theEmbeddedBrokerRunsAReleasedMetadataVersion() {
        try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.start(Map.of("auto.create.topics.enable", "false"))) {
            assertThat(cluster.metadataVersion()).isEqualTo(MetadataVersion.latestProduction().version());
            assertThat(cluster.description()).contains("embedded KRaft broker", cluster.bootstrapServers());
            try (KafkaTopics topics = new KafkaTopics(cluster.bootstrapServers())) {
                FeatureMetadata features = KafkaFutures.get(topics.admin().describeFeatures().featureMetadata(),
                        Duration.ofSeconds(10), "Describing features");
                assertThat(features.finalizedFeatures().get("metadata.version").maxVersionLevel())
                        .isEqualTo(MetadataVersion.latestProduction().featureLevel());
                assertThat(features.finalizedFeatures().get("transaction.version").maxVersionLevel())
                        .isEqualTo(Feature.TRANSACTION_VERSION.defaultLevel(MetadataVersion.latestProduction()));
            }
        }
    }
}
