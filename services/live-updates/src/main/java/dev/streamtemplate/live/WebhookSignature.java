package dev.streamtemplate.live;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code Webhook-Signature} header: {@code sha256=<hex>}, the HMAC-SHA256 (RFC 2104) of the exact request body
 * bytes with the subscription's secret (its UTF-8 bytes) as key. A receiver computes the same over the body it got and
 * compares in constant time ({@code MessageDigest.isEqual}).
 */
public final class WebhookSignature {

    /** The header that carries the signature. */
    public static final String HEADER = "Webhook-Signature";

    private WebhookSignature() {
    }

    /**
     * @param secret the subscription's secret
     * @param body   the request body
     * @return {@code sha256=} and the lower-case hex HMAC-SHA256
     */
    public static String sign(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }
}
