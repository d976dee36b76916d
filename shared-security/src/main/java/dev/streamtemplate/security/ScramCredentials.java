package dev.streamtemplate.security;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How one principal connects to a SASL_SSL listener with SCRAM-SHA-512 (RFC 5802, RFC 7677): its user name and
 * password, and the trust store holding the broker's CA. {@link #clientConfig()} gives the Kafka client settings;
 * {@link #toString()} never shows the passwords, and Kafka itself logs {@code sasl.jaas.config} and
 * {@code ssl.truststore.password} as {@code [hidden]}.
 *
 * @param user               the SCRAM user name; the principal is {@code User:<user>}
 * @param password           its password
 * @param truststore         a PKCS12 trust store with the CA that issued the broker's certificate
 * @param truststorePassword the trust store's password
 */
public record ScramCredentials(String user, String password, Path truststore, String truststorePassword) {

    /** The client's {@code security.protocol}. */
    public static final String SECURITY_PROTOCOL = "SASL_SSL";
    /** The client's {@code sasl.mechanism}. */
    public static final String MECHANISM = "SCRAM-SHA-512";

    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if the user or password is blank
     */
    public ScramCredentials {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(truststore, "truststore");
        Objects.requireNonNull(truststorePassword, "truststorePassword");
        if (user.isBlank() || password.isBlank()) {
            throw new IllegalArgumentException("SCRAM user and password must not be blank");
        }
    }

    /**
     * The same trust store with another principal.
     *
     * @param otherUser     the user name
     * @param otherPassword its password
     * @return new credentials
     * @throws IllegalArgumentException if the user or password is blank
     */
    public ScramCredentials as(String otherUser, String otherPassword) {
        return new ScramCredentials(otherUser, otherPassword, truststore, truststorePassword);
    }

    /**
     * The Kafka client settings: {@code security.protocol}, {@code sasl.mechanism}, {@code sasl.jaas.config} and
     * {@code ssl.truststore.location}, {@code .password}, {@code .type} (PKCS12). Host names are verified (Kafka's
     * default {@code ssl.endpoint.identification.algorithm=https}).
     *
     * @return an ordered, modifiable map
     */
    public Map<String, String> clientConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("security.protocol", SECURITY_PROTOCOL);
        config.put("sasl.mechanism", MECHANISM);
        config.put("sasl.jaas.config", jaasConfig(user, password));
        config.put("ssl.truststore.location", truststore.toAbsolutePath().toString());
        config.put("ssl.truststore.password", truststorePassword);
        config.put("ssl.truststore.type", "PKCS12");
        return config;
    }

    /**
     * The same settings as environment variables, the names the services (shared-runtime's {@code kafka.*} keys),
     * live-updates and the event generator read: {@code KAFKA_SECURITY_PROTOCOL}, {@code KAFKA_SASL_MECHANISM},
     * {@code KAFKA_SASL_JAAS_CONFIG}, {@code KAFKA_SSL_TRUSTSTORE_LOCATION}, {@code _PASSWORD} and {@code _TYPE}.
     *
     * @return an ordered, modifiable map
     */
    public Map<String, String> environment() {
        Map<String, String> environment = new LinkedHashMap<>();
        clientConfig().forEach((key, value) ->
                environment.put("KAFKA_" + key.replace('.', '_').toUpperCase(java.util.Locale.ROOT), value));
        return environment;
    }

    /**
     * The {@code sasl.jaas.config} value of a SCRAM login, quotes and backslashes in the values escaped.
     *
     * @param user     the user name
     * @param password the password
     * @return {@code org.apache.kafka.common.security.scram.ScramLoginModule required username="..." password="...";}
     */
    public static String jaasConfig(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + escape(user)
                + "\" password=\"" + escape(password) + "\";";
    }

    /**
     * A new random password: 24 bytes from {@link SecureRandom}, base64url without padding (32 characters).
     *
     * @return the password
     */
    public static String newPassword() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    @Override
    public String toString() {
        return "ScramCredentials[user=" + user + ", password=[hidden], truststore=" + truststore
                + ", truststorePassword=[hidden]]";
    }
}
