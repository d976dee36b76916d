package dev.streamtemplate.security;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;

/**
 * A Kafka broker's side of SASL_SSL with SCRAM-SHA-512 and ACLs, as the tests' embedded broker and the local stack's
 * broker process run it: {@link #brokerConfig} gives the listener's settings, {@link #createPrincipals} the users and
 * their ACLs once the broker runs. The administrator's own SCRAM credential must exist before the broker starts (at
 * format time: {@code kafka-storage format --add-scram}, {@link #formatScramArgument}), as KRaft keeps credentials in
 * its metadata. Authorisation is KRaft's {@code StandardAuthorizer} with {@code allow.everyone.if.no.acl.found=false};
 * the super users are the administrator and {@code User:ANONYMOUS}, the identity of every client of the PLAINTEXT
 * controller listener, which the broker itself uses to reach its controller (KRaft cannot check SCRAM there).
 */
public final class SaslSslBroker {

    /** The administrator's user name. */
    public static final String ADMIN = "admin";

    /** PBKDF2 iterations of every SCRAM credential (RFC 7677's minimum is 4096). */
    public static final int SCRAM_ITERATIONS = 4096;

    private SaslSslBroker() {
    }

    /**
     * The broker settings of one SASL_SSL listener, which is also the inter-broker listener.
     *
     * @param listener          the listener's name as {@code listeners} names it, such as {@code EXTERNAL}
     * @param controllerListener the controller listener's name, which stays PLAINTEXT
     * @param admin             the administrator, with whom the broker logs in to itself
     * @param keystore          the broker's PKCS12 key store ({@link CertificateAuthority#writeServerKeystore})
     * @param storePassword     the key store's and the administrator's trust store's password
     * @return an ordered, modifiable map of broker settings (with passwords: write it only where the broker's own
     *         files live)
     */
    public static Map<String, String> brokerConfig(String listener, String controllerListener, ScramCredentials admin,
                                                   Path keystore, String storePassword) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("listener.security.protocol.map", listener + ":SASL_SSL," + controllerListener + ":PLAINTEXT");
        config.put("sasl.enabled.mechanisms", ScramCredentials.MECHANISM);
        config.put("sasl.mechanism.inter.broker.protocol", ScramCredentials.MECHANISM);
        config.put("listener.name." + listener.toLowerCase(java.util.Locale.ROOT) + ".scram-sha-512.sasl.jaas.config",
                ScramCredentials.jaasConfig(admin.user(), admin.password()));
        config.put("ssl.keystore.location", keystore.toAbsolutePath().toString());
        config.put("ssl.keystore.password", storePassword);
        config.put("ssl.key.password", storePassword);
        config.put("ssl.keystore.type", "PKCS12");
        config.put("ssl.truststore.location", admin.truststore().toAbsolutePath().toString());
        config.put("ssl.truststore.password", storePassword);
        config.put("ssl.truststore.type", "PKCS12");
        config.put("ssl.client.auth", "none");
        config.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        config.put("super.users", "User:" + admin.user() + ";User:ANONYMOUS");
        config.put("allow.everyone.if.no.acl.found", "false");
        return config;
    }

    /**
     * The argument of {@code kafka-storage format --add-scram} that creates the administrator's credential.
     *
     * @param admin the administrator
     * @return {@code SCRAM-SHA-512=[name=<user>,password=<password>,iterations=4096]}
     * @throws IllegalArgumentException when the user or password holds a character the tool's syntax cannot carry
     *                                  ({@code ,}, {@code ]}, {@code =} or {@code "})
     */
    public static String formatScramArgument(ScramCredentials admin) {
        for (String value : List.of(admin.user(), admin.password())) {
            if (value.matches(".*[,\\]=\"].*")) {
                throw new IllegalArgumentException("kafka-storage --add-scram cannot carry ',', ']', '=' or '\"'");
            }
        }
        return ScramCredentials.MECHANISM + "=[name=" + admin.user() + ",password=" + admin.password()
                + ",iterations=" + SCRAM_ITERATIONS + "]";
    }

    /**
     * Creates (or replaces) each principal's SCRAM credential and the ACLs, then waits until the broker lists every
     * ACL: it serves DescribeAcls from its own metadata image, which holds the credentials committed before them, so
     * from then on it authenticates and authorises every principal.
     *
     * @param admin      an Admin client logged in as a super user
     * @param principals the users to create, with their passwords
     * @param acls       the ACLs to create
     * @param timeout    the bound of each step
     * @throws IllegalStateException when a step fails or does not finish in time, naming it
     */
    public static void createPrincipals(Admin admin, Collection<ScramCredentials> principals, List<AclBinding> acls,
                                        Duration timeout) {
        List<UserScramCredentialAlteration> users = new ArrayList<>();
        for (ScramCredentials principal : principals) {
            users.add(new UserScramCredentialUpsertion(principal.user(),
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS), principal.password()));
        }
        await(admin.alterUserScramCredentials(users).all(), timeout, "creating the SCRAM users "
                + principals.stream().map(ScramCredentials::user).toList());
        await(admin.createAcls(acls).all(), timeout, "creating " + acls.size() + " ACLs");
        long deadline = System.nanoTime() + timeout.toNanos();
        int listed = 0;
        while (System.nanoTime() < deadline) {
            listed = await(admin.describeAcls(AclBindingFilter.ANY).values(), timeout, "describing the ACLs").size();
            if (listed >= acls.size()) {
                return;
            }
            try {
                Thread.sleep(100); // polling the broker's metadata; no event tells when it has applied the ACLs
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the ACLs", e);
            }
        }
        throw new IllegalStateException("the broker listed " + listed + " of " + acls.size() + " ACLs after "
                + timeout.toSeconds() + " s");
    }

    private static <T> T await(KafkaFuture<T> future, Duration timeout, String what) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(what + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(what + " did not finish within " + timeout.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + what, e);
        }
    }
}
