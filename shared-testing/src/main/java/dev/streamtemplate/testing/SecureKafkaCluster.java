package dev.streamtemplate.testing;

import dev.streamtemplate.schemas.ServiceAcls;
import dev.streamtemplate.schemas.ServiceAcls.PrincipalAcls;
import dev.streamtemplate.security.CertificateAuthority;
import dev.streamtemplate.security.SaslSslBroker;
import dev.streamtemplate.security.ScramCredentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.common.metadata.UserScramCredentialRecord;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.server.common.ApiMessageAndVersion;

/**
 * The in-JVM broker ({@link EmbeddedKafkaCluster}) with security on, as production runs it: its client listener is
 * SASL_SSL with SCRAM-SHA-512, its certificate issued at start-up by a throw-away {@link CertificateAuthority} (the
 * key stores live in the cluster's temporary directory), authorisation by KRaft's {@code StandardAuthorizer}, and
 * {@code allow.everyone.if.no.acl.found=false}.
 *
 * <p>Principals: {@code User:admin}, the only super user reachable from clients, created at format time; and every
 * principal of {@link ServiceAcls#ALL}, each with a random password and exactly its derived ACLs, in place before
 * {@link #start()} returns. {@link #credentials(String)} gives a principal's client settings,
 * {@link #adminSecurity()} the administrator's. Passwords are random per cluster and never logged.
 *
 * <p>The controller listener stays PLAINTEXT on {@code localhost}, and any client of it is {@code User:ANONYMOUS}, a
 * super user: KRaft cannot check SCRAM credentials on the controller listener (they live in the metadata the
 * controller serves), and the broker registers with the controller through it. For tests only: the ACLs are checked
 * on the SASL_SSL listener.
 */
public final class SecureKafkaCluster implements TestKafkaCluster {

    /** The administrator's user name. */
    public static final String ADMIN = SaslSslBroker.ADMIN;

    private static final Duration ACLS_VISIBLE = Duration.ofSeconds(30);
    /** The administrator settings of each running secure cluster, by bootstrap servers. */
    private static final Map<String, Map<String, String>> ADMIN_SECURITY = new ConcurrentHashMap<>();

    private final EmbeddedKafkaCluster cluster;
    private final Path tlsDirectory;
    private final ScramCredentials admin;
    private final Map<String, ScramCredentials> principals;

    private SecureKafkaCluster(EmbeddedKafkaCluster cluster, Path tlsDirectory, ScramCredentials admin,
                               Map<String, ScramCredentials> principals) {
        this.cluster = cluster;
        this.tlsDirectory = tlsDirectory;
        this.admin = admin;
        this.principals = Map.copyOf(principals);
    }

    /**
     * Issues the broker's certificate, formats and starts the broker with the administrator's SCRAM credentials,
     * creates every principal of {@link ServiceAcls#ALL} with its ACLs, and waits until the broker enforces them.
     *
     * @return the running cluster; the caller closes it
     * @throws IllegalStateException if the broker cannot be started or the principals created (the partly started
     *                               cluster is closed first)
     */
    public static SecureKafkaCluster start() {
        Path tlsDirectory = null;
        EmbeddedKafkaCluster cluster = null;
        try {
            tlsDirectory = Files.createTempDirectory("shared-testing-kafka-tls-");
            String storePassword = ScramCredentials.newPassword();
            CertificateAuthority ca = CertificateAuthority.create("shared-testing CA", Duration.ofDays(2));
            Path keystore = ca.writeServerKeystore(tlsDirectory.resolve("broker.p12"), storePassword.toCharArray(),
                    "localhost", List.of("localhost", "127.0.0.1"));
            Path truststore = ca.writeTruststore(tlsDirectory.resolve("truststore.p12"), storePassword.toCharArray());
            ScramCredentials admin = new ScramCredentials(ADMIN, ScramCredentials.newPassword(), truststore,
                    storePassword);

            // The test kit names the client listener EXTERNAL and the controller's CONTROLLER.
            cluster = EmbeddedKafkaCluster.start(SaslSslBroker.brokerConfig("EXTERNAL", "CONTROLLER", admin, keystore,
                            storePassword),
                    List.of(scramRecord(admin)));
            Map<String, ScramCredentials> principals = new LinkedHashMap<>();
            for (PrincipalAcls principal : ServiceAcls.ALL) {
                principals.put(principal.user(), admin.as(principal.user(), ScramCredentials.newPassword()));
            }
            createPrincipals(cluster.bootstrapServers(), admin, principals);
            SecureKafkaCluster secure = new SecureKafkaCluster(cluster, tlsDirectory, admin, principals);
            ADMIN_SECURITY.put(secure.bootstrapServers(), secure.adminSecurity());
            return secure;
        } catch (IOException | RuntimeException e) {
            if (cluster != null) {
                try {
                    cluster.close();
                } catch (RuntimeException closing) {
                    e.addSuppressed(closing);
                }
            }
            deleteQuietly(tlsDirectory, e);
            throw new IllegalStateException("Could not start the secure embedded KRaft broker: " + e.getMessage(), e);
        }
    }

    /**
     * The administrator's client settings for the secure cluster at these bootstrap servers, for test clients that
     * are given only an address (topic creation, readers, producers); empty for any other address.
     *
     * @param bootstrapServers a cluster's {@code bootstrap.servers}
     * @return {@code security.protocol}, {@code sasl.*} and {@code ssl.truststore.*} settings, or an empty map
     */
    public static Map<String, String> adminSecurityFor(String bootstrapServers) {
        return ADMIN_SECURITY.getOrDefault(bootstrapServers, Map.of());
    }

    /**
     * The client settings of a principal of {@link ServiceAcls#ALL}.
     *
     * @param user its user name, for example {@code "traffic-analytics"}
     * @return its credentials and the trust store
     * @throws IllegalArgumentException if it is not one of them
     */
    @Override
    public ScramCredentials credentials(String user) {
        if (ADMIN.equals(user)) {
            return admin;
        }
        ScramCredentials credentials = principals.get(user);
        if (credentials == null) {
            throw new IllegalArgumentException("No principal " + user + " on " + description() + "; known: "
                    + principals.keySet());
        }
        return credentials;
    }

    @Override
    public Map<String, String> adminSecurity() {
        return admin.clientConfig();
    }

    @Override
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    @Override
    public String description() {
        return "embedded KRaft broker with SASL_SSL, SCRAM-SHA-512 and ACLs (metadata.version "
                + cluster.metadataVersion() + ") at " + bootstrapServers();
    }

    @Override
    public void close() {
        ADMIN_SECURITY.remove(bootstrapServers());
        try {
            cluster.close();
        } finally {
            deleteQuietly(tlsDirectory, null);
        }
    }

    @Override
    public String toString() {
        return description();
    }

    /** The administrator's SCRAM credential as the metadata record {@code kafka-storage format --add-scram} writes. */
    private static ApiMessageAndVersion scramRecord(ScramCredentials admin) {
        try {
            ScramCredential credential = new ScramFormatter(
                    org.apache.kafka.common.security.scram.internals.ScramMechanism.SCRAM_SHA_512)
                    .generateCredential(admin.password(), SaslSslBroker.SCRAM_ITERATIONS);
            UserScramCredentialRecord record = new UserScramCredentialRecord()
                    .setName(admin.user())
                    .setMechanism(ScramMechanism.SCRAM_SHA_512.type())
                    .setSalt(credential.salt())
                    .setStoredKey(credential.storedKey())
                    .setServerKey(credential.serverKey())
                    .setIterations(credential.iterations());
            return new ApiMessageAndVersion(record, (short) 0);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SCRAM-SHA-512 is not available: " + e.getMessage(), e);
        }
    }

    /** Creates each principal's SCRAM credential and ACLs, and waits until the broker enforces them. */
    private static void createPrincipals(String bootstrapServers, ScramCredentials admin,
                                         Map<String, ScramCredentials> principals) {
        Properties config = new Properties();
        config.putAll(admin.clientConfig());
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "shared-testing-principals");
        try (Admin client = Admin.create(config)) {
            SaslSslBroker.createPrincipals(client, principals.values(),
                    ServiceAcls.ALL.stream().flatMap(p -> p.bindings().stream()).toList(), ACLS_VISIBLE);
        }
    }

    private static void deleteQuietly(Path directory, Exception failure) {
        if (directory == null) {
            return;
        }
        try {
            Utils.delete(directory.toFile());
        } catch (IOException e) {
            if (failure != null) {
                failure.addSuppressed(e);
            }
        }
    }
}
