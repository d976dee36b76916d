package dev.streamtemplate.generator;

import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * How the generator's commands connect to Kafka: {@code bootstrap.servers} from {@code --bootstrap-servers}, and the
 * security settings from the same environment variables the services read (shared-runtime's {@code kafka.*} keys):
 * {@code KAFKA_SECURITY_PROTOCOL} (default PLAINTEXT), {@code KAFKA_SASL_MECHANISM} (default SCRAM-SHA-512 when the
 * protocol is SASL_*), {@code KAFKA_SASL_JAAS_CONFIG}, {@code KAFKA_SSL_TRUSTSTORE_LOCATION}, {@code _PASSWORD} and
 * {@code _TYPE} (default PKCS12). Unset or blank variables are left out; Kafka logs the login and the trust store
 * password as {@code [hidden]}.
 */
final class KafkaConnection {

    private static final Map<String, String> VARIABLES = Map.of(
            "KAFKA_SECURITY_PROTOCOL", "security.protocol",
            "KAFKA_SASL_MECHANISM", "sasl.mechanism",
            "KAFKA_SASL_JAAS_CONFIG", "sasl.jaas.config",
            "KAFKA_SSL_TRUSTSTORE_LOCATION", "ssl.truststore.location",
            "KAFKA_SSL_TRUSTSTORE_PASSWORD", "ssl.truststore.password",
            "KAFKA_SSL_TRUSTSTORE_TYPE", "ssl.truststore.type");

    private KafkaConnection() {
    }

    /**
     * @param bootstrapServers {@code host:port[,host:port...]}
     * @param environment      the process environment ({@link System#getenv()})
     * @return {@code bootstrap.servers} and the security settings the environment gives
     */
    static Properties clientConfig(String bootstrapServers, Map<String, String> environment) {
        Properties config = new Properties();
        config.put("bootstrap.servers", bootstrapServers);
        VARIABLES.forEach((variable, key) -> {
            String value = environment.get(variable);
            if (value != null && !value.isBlank()) {
                config.put(key, value);
            }
        });
        if (config.getProperty("security.protocol", "").toUpperCase(Locale.ROOT).startsWith("SASL_")) {
            config.putIfAbsent("sasl.mechanism", "SCRAM-SHA-512");
        }
        if (config.containsKey("ssl.truststore.location")) {
            config.putIfAbsent("ssl.truststore.type", "PKCS12");
        }
        return config;
    }
}
