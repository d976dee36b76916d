package dev.streamtemplate.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateAuthorityTest {

    @TempDir
    Path directory;

    @Test
    void theTruststoreTrustsTheServerCertificateWithItsNamesAndAnotherCaDoesNot() throws Exception {
        char[] password = "store-password".toCharArray();
        CertificateAuthority ca = CertificateAuthority.create("test CA", Duration.ofDays(1));
        Path keystore = ca.writeServerKeystore(directory.resolve("broker.p12"), password, "kafka",
                List.of("localhost", "127.0.0.1"));
        Path truststore = ca.writeTruststore(directory.resolve("truststore.p12"), password);

        KeyStore keys = load(keystore, password);
        X509Certificate[] chain = java.util.Arrays.stream(keys.getCertificateChain("server"))
                .map(X509Certificate.class::cast).toArray(X509Certificate[]::new);
        assertThat(chain).hasSize(2);
        assertThat(chain[0].getSubjectX500Principal().getName()).isEqualTo("CN=kafka");
        assertThat(chain[0].getSubjectAlternativeNames().stream().map(name -> (Object) name.get(1)).toList())
                .containsExactly("localhost", "127.0.0.1");
        assertThat(chain[0].getBasicConstraints()).isEqualTo(-1);
        assertThat(ca.certificate().getBasicConstraints()).isEqualTo(0);

        trustManager(truststore, password).checkServerTrusted(chain, "ECDHE_ECDSA");

        Path otherTruststore = CertificateAuthority.create("other CA", Duration.ofDays(1))
                .writeTruststore(directory.resolve("other.p12"), password);
        assertThatThrownBy(() -> trustManager(otherTruststore, password).checkServerTrusted(chain, "ECDHE_ECDSA"))
                .isInstanceOf(CertificateException.class);
    }

    @Test
    void scramCredentialsNeverPrintTheirPasswordsAndEscapeTheJaasValues() {
        ScramCredentials credentials = new ScramCredentials("svc", "pa\"ss\\word", Path.of("t.p12"), "trust-secret");
        assertThat(credentials.toString()).doesNotContain("pa\"ss").doesNotContain("trust-secret");
        assertThat(credentials.clientConfig()).containsEntry("sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"svc\" password=\"pa\\\"ss\\\\word\";")
                .containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512");
        assertThat(ScramCredentials.newPassword()).hasSize(32).isNotEqualTo(ScramCredentials.newPassword());
    }

    private static KeyStore load(Path file, char[] password) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password);
        }
        return store;
    }

    private static X509TrustManager trustManager(Path truststore, char[] password) throws Exception {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(load(truststore, password));
        return (X509TrustManager) factory.getTrustManagers()[0];
    }
}
