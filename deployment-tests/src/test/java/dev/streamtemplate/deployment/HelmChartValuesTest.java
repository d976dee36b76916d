package dev.streamtemplate.deployment;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtemplate.deployment.StreamServiceChart.Release;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad values stop {@code helm template} (and so {@code helm install}) with a message that names the value and says
 * what is wrong, instead of rendering objects that fail later in the cluster.
 *
 * <p>values.schema.json rejects wrong types, unknown keys at any depth, values outside an enum and malformed strings;
 * the chart's own checks ({@code stream-service.validate} in {@code _helpers.tpl}) reject what a schema cannot see:
 * KEDA or a replica count above the input partitions, a grace period not above the shutdown timeout, a memory limit
 * that cannot hold heap + RocksDB cache + native memory, RocksDB memtables as large as the cache, a static session
 * timeout shorter than the grace period, SASL without credentials, credentials without SASL, a truststore without
 * TLS, and a name too long for StatefulSet pods. Each case starts from a valid release and changes one thing.
 */
class HelmChartValuesTest {

    private static final Release TRAFFIC = StreamServiceChart.service("traffic-analytics");

    static Stream<Arguments> badValues() {
        return Stream.of(
                bad("a string where an integer goes", TRAFFIC.with("replicaCount", "two"),
                        "at '/replicaCount': got string, want integer"),
                bad("a quantity where MiB go", TRAFFIC.with("memory.limitMiB", "768Mi"),
                        "at '/memory/limitMiB': got string, want integer"),
                bad("an unknown top-level key", TRAFFIC.with("replicas", 3),
                        "additional properties 'replicas' not allowed"),
                bad("a misspelt nested key", TRAFFIC.with("kafka.bootstrapServer", "kafka:9092"),
                        "at '/kafka': additional properties 'bootstrapServer' not allowed"),
                bad("a value outside the enum", TRAFFIC.with("kafka.securityProtocol", "SASL"),
                        "at '/kafka/securityProtocol'"),
                bad("bootstrap servers without a port", TRAFFIC.with("kafka.bootstrapServers", "kafka"),
                        "at '/kafka/bootstrapServers'"),
                bad("KEDA max replicas above the partitions", TRAFFIC.with("keda.enabled", true)
                        .with("keda.maxReplicaCount", 8),
                        "keda.maxReplicaCount (8) exceeds the input partitions (4, the largest of "
                                + "application.inputTopics)"),
                bad("KEDA without input topics", StreamServiceChart.GENERIC.with("keda.enabled", true),
                        "keda.enabled needs application.inputTopics"),
                bad("replicas above the partitions", TRAFFIC.with("replicaCount", 5),
                        "replicaCount (5) exceeds the input partitions (4"),
                bad("a grace period equal to the shutdown timeout", TRAFFIC.with("terminationGracePeriodSeconds", 30),
                        "terminationGracePeriodSeconds (30) must be above shutdownTimeoutSeconds (30)"),
                bad("a memory limit too small for heap, cache and native memory", TRAFFIC.with("memory.limitMiB", 512),
                        "memory.limitMiB (512) cannot hold the heap (50% = 256 MiB) + memory.rocksdb.blockCacheMiB (64)"
                                + " + memory.nativeHeadroomMiB (200) = 520 MiB: raise memory.limitMiB to at least 528"),
                bad("memtables as large as the block cache", TRAFFIC.with("memory.rocksdb.writeBufferMiB", 64),
                        "memory.rocksdb.writeBufferMiB (64) must be below memory.rocksdb.blockCacheMiB (64)"),
                bad("a static session timeout below the grace period",
                        TRAFFIC.with("kafkaStreams.staticMembership.sessionTimeoutMs", 30000),
                        "kafkaStreams.staticMembership.sessionTimeoutMs (30000) must be above "
                                + "terminationGracePeriodSeconds (45 s)"),
                bad("SASL without credentials", TRAFFIC.with("kafka.securityProtocol", "SASL_SSL"),
                        "kafka.securityProtocol SASL_SSL needs kafka.sasl.mechanism and "
                                + "kafka.sasl.jaasConfigSecret.name"),
                bad("credentials without SASL", TRAFFIC.with("kafka.sasl.mechanism", "SCRAM-SHA-512"),
                        "kafka.sasl is set but kafka.securityProtocol is PLAINTEXT"),
                bad("a truststore without TLS", TRAFFIC.with("kafka.tls.truststoreSecret.name", "ca"),
                        "kafka.tls.truststoreSecret is set but kafka.securityProtocol is PLAINTEXT"),
                bad("a PKCS12 truststore without its password", TRAFFIC.with("kafka.securityProtocol", "SSL")
                        .with("kafka.tls.truststoreSecret.name", "ca"),
                        "a PKCS12 truststore needs kafka.tls.truststorePasswordSecret.name"),
                bad("a name too long for StatefulSet pods", TRAFFIC.with("fullnameOverride", "s".repeat(53)),
                        "has 53 characters, at most 52 fit"));
    }

    private static Arguments bad(String what, Release release, String message) {
        return Arguments.of(what, release, message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badValues")
    void badValuesFailWithAMessageNamingTheValue(String what, Release release, String message) {
        assertThatThrownBy(() -> StreamServiceChart.render(release)).as(what)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(message);
    }
}
