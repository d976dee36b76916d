package dev.streamtemplate.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The stand-in broker image reads its configuration from the environment as apache/kafka does. */
class ContainerBrokerTest {

    @Test
    void mapsKafkaVariablesToBrokerProperties() {
        Map<String, String> properties = ContainerBroker.brokerProperties(Map.of(
                "KAFKA_NODE_ID", "1",
                "KAFKA_PROCESS_ROLES", "broker,controller",
                "KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT://kafka:9092",
                "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1",
                "KAFKA_LISTENER_NAME_PLAINTEXT_SOME__NAME", "x",
                "KAFKA_SOME___DASHED", "y",
                "KAFKA_HEAP_OPTS", "-Xmx1G",
                "CLUSTER_ID", "abc",
                "PATH", "/bin"));
        assertThat(properties).containsExactlyInAnyOrderEntriesOf(Map.of(
                "node.id", "1",
                "process.roles", "broker,controller",
                "advertised.listeners", "PLAINTEXT://kafka:9092",
                "listeners", "PLAINTEXT://0.0.0.0:9092",
                "offsets.topic.replication.factor", "1",
                "listener.name.plaintext.some_name", "x",
                "some-dashed", "y"));
    }

    @Test
    void keepsExplicitListeners() {
        assertThat(ContainerBroker.brokerProperties(Map.of(
                "KAFKA_LISTENERS", "PLAINTEXT://:9092,CONTROLLER://:9093",
                "KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT://kafka:9092")))
                .containsEntry("listeners", "PLAINTEXT://:9092,CONTROLLER://:9093");
    }
}
