package dev.streamtemplate.security;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority for a local broker: created in memory at start-up, it issues the broker's TLS
 * certificate and writes PKCS12 key and trust stores, so no key is ever committed. Keys are EC P-256, signatures
 * SHA256withECDSA (RFC 5480, RFC 5758); the CA certificate has {@code basicConstraints CA:true} and
 * {@code keyCertSign}, a server certificate {@code serverAuth} and the given names as subject alternative names (RFC
 * 5280 §4.2.1.6), which is what clients verify with Kafka's default {@code ssl.endpoint.identification.algorithm=https}.
 * Certificates are valid from one minute before their issue, for {@code validity}.
 */
public final class CertificateAuthority {

    private static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(1);

    private final X500Name name;
    private final KeyPair keyPair;
    private final X509Certificate certificate;
    private final Duration validity;
    private final SecureRandom random = new SecureRandom();

    private CertificateAuthority(X500Name name, KeyPair keyPair, X509Certificate certificate, Duration validity) {
        this.name = name;
        this.keyPair = keyPair;
        this.certificate = certificate;
        this.validity = validity;
    }

    /**
     * Creates a new CA with a fresh key and a self-signed certificate.
     *
     * @param commonName the CA's common name, for example {@code "stream-template local CA"}
     * @param validity   how long its certificate and those it issues are valid, positive
     * @return the CA
     * @throws IllegalArgumentException if {@code validity} is not positive
     * @throws IllegalStateException    if the JDK cannot generate the key or sign
     */
    public static CertificateAuthority create(String commonName, Duration validity) {
        Objects.requireNonNull(commonName, "commonName");
        if (validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("validity must be positive, not " + validity);
        }
        X500Name name = new X500Name("CN=" + commonName);
        KeyPair keyPair = newKeyPair();
        try {
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(new SecureRandom()),
                    Date.from(now.minus(CLOCK_SKEW)), Date.from(now.plus(validity)), name, keyPair.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            return new CertificateAuthority(name, keyPair, sign(builder, keyPair.getPrivate()), validity);
        } catch (CertIOException e) {
            throw new IllegalStateException("Could not build the CA certificate: " + e.getMessage(), e);
        }
    }

    /** The CA's certificate, the one clients trust. */
    public X509Certificate certificate() {
        return certificate;
    }

    /**
     * Issues a server certificate for a new key and writes both, with this CA's certificate as the chain, to a PKCS12
     * key store.
     *
     * @param keystore   the file to write (replaced if it exists)
     * @param password   the store's and the key's password
     * @param commonName the certificate's common name, for example {@code "kafka"}
     * @param hostNames  DNS names and IP address literals clients connect to, for example
     *                   {@code List.of("localhost", "127.0.0.1")}; at least one
     * @return {@code keystore}
     * @throws IllegalArgumentException if {@code hostNames} is empty
     * @throws IllegalStateException    if signing or writing fails
     */
    public Path writeServerKeystore(Path keystore, char[] password, String commonName, List<String> hostNames) {
        if (hostNames.isEmpty()) {
            throw new IllegalArgumentException("a server certificate needs at least one host name");
        }
        KeyPair serverKeys = newKeyPair();
        try {
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(random),
                    Date.from(now.minus(CLOCK_SKEW)), Date.from(now.plus(validity)),
                    new X500Name("CN=" + commonName), serverKeys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            List<GeneralName> names = new ArrayList<>();
            for (String host : hostNames) {
                names.add(isAddressLiteral(host) ? new GeneralName(GeneralName.iPAddress, host)
                        : new GeneralName(GeneralName.dNSName, host));
            }
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(names.toArray(GeneralName[]::new)));
            X509Certificate serverCertificate = sign(builder, keyPair.getPrivate());
            KeyStore store = emptyStore();
            store.setKeyEntry("server", serverKeys.getPrivate(), password,
                    new Certificate[] {serverCertificate, certificate});
            return write(store, keystore, password);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("Could not issue the certificate of " + commonName + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes a PKCS12 trust store holding this CA's certificate, what clients set as {@code ssl.truststore.location}.
     *
     * @param truststore the file to write (replaced if it exists)
     * @param password   the store's password
     * @return {@code truststore}
     * @throws IllegalStateException if writing fails
     */
    public Path writeTruststore(Path truststore, char[] password) {
        try {
            KeyStore store = emptyStore();
            store.setCertificateEntry("ca", certificate);
            return write(store, truststore, password);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Could not write the trust store " + truststore + ": " + e.getMessage(), e);
        }
    }

    private static KeyStore emptyStore() throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return store;
    }

    private static Path write(KeyStore store, Path file, char[] password) throws GeneralSecurityException {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            try (OutputStream out = Files.newOutputStream(file)) {
                store.store(out, password);
            }
            return file;
        } catch (IOException e) {
            throw new IllegalStateException("Could not write " + file + ": " + e.getMessage(), e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signingKey) {
        try {
            ContentSigner signer = new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(signingKey);
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException("Could not sign a certificate: " + e.getMessage(), e);
        }
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Could not generate an EC P-256 key: " + e.getMessage(), e);
        }
    }

    private static BigInteger serial(SecureRandom random) {
        return new BigInteger(64, random).add(BigInteger.ONE);
    }

    private static boolean isAddressLiteral(String host) {
        if (host.indexOf(':') >= 0) {
            return true; // IPv6
        }
        if (!host.matches("[0-9.]+")) {
            return false;
        }
        try {
            return InetAddress.getByName(host) != null; // a dotted quad: no lookup
        } catch (IOException e) {
            return false;
        }
    }
}
