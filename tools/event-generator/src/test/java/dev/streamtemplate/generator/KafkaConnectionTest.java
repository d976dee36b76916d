package dev.streamtemplate.generator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The generator's Kafka settings from the services' environment variables. */
class KafkaConnectionTest {

    @Test
    void plaintextWithoutTheVariables() {
        assertThat(KafkaConnection.clientConfig("k:9092", Map.of("KAFKA_SASL_JAAS_CONFIG", " ")))
                .containsExactly(Map.entry("bootstrap.servers", "k:9092"));
    }

    @Test
    void saslSslFromTheVariablesWithTheServicesDefaults() {
        Properties config = KafkaConnection.clientConfig("k:9093", Map.of(
                "KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"event-generator\" password=\"p\";",
                "KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/kafka/ca.p12",
                "KAFKA_SSL_TRUSTSTORE_PASSWORD", "s",
                "PATH", "/usr/bin"));

        assertThat(config).containsOnly(
                Map.entry("bootstrap.servers", "k:9093"),
                Map.entry("security.protocol", "SASL_SSL"),
                Map.entry("sasl.mechanism", "SCRAM-SHA-512"),
                Map.entry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"event-generator\" password=\"p\";"),
                Map.entry("ssl.truststore.location", "/etc/kafka/ca.p12"),
                Map.entry("ssl.truststore.password", "s"),
                Map.entry("ssl.truststore.type", "PKCS12"));
    }
}
