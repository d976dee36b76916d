package dev.streamtemplate.runtime.query;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.function.UnaryOperator;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The proof that a query came from another instance of the same service: header {@value #HEADER} with value
 * {@code t=<epoch milliseconds>,v1=<base64url HMAC-SHA256>} (RFC 2104) keyed by the secret all instances share
 * ({@code query.forwarding-secret}, environment variable {@code QUERY_FORWARDING_SECRET}). The MAC covers the
 * method, the raw path and query as sent, the request headers that change what an instance answers
 * ({@link QueryHeaders#REQUEST}, in that order, absent as empty) and {@code t}; one newline between each.
 *
 * <p>{@link ForwardedQueryFilter} accepts a request carrying any of those headers only with a signature that matches
 * and whose {@code t} lies within {@link #MAX_SKEW} of its own clock, so a client cannot forge
 * {@code X-Query-Forwarded-By}, {@code X-Query-Scope} or {@code X-Query-Replica}. A captured signed request can be
 * replayed within that window; it reads what it read the first time, nothing more.
 */
public final class ForwardedQuerySignature {

    /** Request header carrying the signature. */
    public static final String HEADER = "X-Query-Signature";

    /** Largest difference between the signer's and the checker's clocks, either way. */
    public static final Duration MAX_SKEW = Duration.ofSeconds(30);

    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;

    /**
     * @param secret the shared secret, as configured (UTF-8); at least 16 characters
     * @throws IllegalArgumentException when it is shorter
     */
    public ForwardedQuerySignature(String secret) {
        if (secret.length() < 16) {
            throw new IllegalArgumentException("query.forwarding-secret must have at least 16 characters, it has "
                    + secret.length());
        }
        key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
    }

    /**
     * @param method       the HTTP method, such as {@code GET}
     * @param pathAndQuery the request URI from its path on, exactly as it is sent
     * @param header       the request's value of a header by name, or null when absent
     * @param epochMillis  the signing time
     * @return the value of {@value #HEADER}
     */
    public String sign(String method, String pathAndQuery, UnaryOperator<String> header, long epochMillis) {
        return "t=" + epochMillis + ",v1=" + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(mac(method, pathAndQuery, header, epochMillis));
    }

    /**
     * @param method       the request's method
     * @param pathAndQuery the request's raw URI from its path on
     * @param header       the request's value of a header by name, or null when absent
     * @param signature    the request's {@value #HEADER}, or null
     * @param nowMillis    the checker's clock, epoch milliseconds
     * @return empty when the signature is valid, else why not (without any part of the expected value)
     */
    public Optional<String> problem(String method, String pathAndQuery, UnaryOperator<String> header,
                                    String signature, long nowMillis) {
        if (signature == null) {
            return Optional.of("it has no " + HEADER + " header");
        }
        String[] parts = signature.split(",", 2);
        if (parts.length != 2 || !parts[0].startsWith("t=") || !parts[1].startsWith("v1=")) {
            return Optional.of(HEADER + " is not of the form t=<epoch ms>,v1=<HMAC>");
        }
        long t;
        byte[] offered;
        try {
            t = Long.parseLong(parts[0].substring(2));
            offered = Base64.getUrlDecoder().decode(parts[1].substring(3));
        } catch (IllegalArgumentException e) {
            return Optional.of(HEADER + " is not of the form t=<epoch ms>,v1=<HMAC>");
        }
        if (Math.abs(nowMillis - t) > MAX_SKEW.toMillis()) {
            return Optional.of(HEADER + " was made " + (nowMillis - t) + " ms from this instance's clock, more than "
                    + MAX_SKEW.toMillis() + " ms");
        }
        if (!MessageDigest.isEqual(offered, mac(method, pathAndQuery, header, t))) {
            return Optional.of(HEADER + " does not match the request (another secret, or a changed request)");
        }
        return Optional.empty();
    }

    private byte[] mac(String method, String pathAndQuery, UnaryOperator<String> header, long epochMillis) {
        StringBuilder signed = new StringBuilder().append(method).append('\n').append(pathAndQuery);
        for (String name : QueryHeaders.REQUEST) {
            String value = header.apply(name);
            signed.append('\n').append(value == null ? "" : value);
        }
        signed.append('\n').append(epochMillis);
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(signed.toString().getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(ALGORITHM + " is part of every Java runtime", e);
        }
    }
}
