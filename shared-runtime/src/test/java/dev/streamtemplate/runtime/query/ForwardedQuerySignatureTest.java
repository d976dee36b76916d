package dev.streamtemplate.runtime.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** What a forwarded query's signature covers, and what makes an instance refuse it. */
class ForwardedQuerySignatureTest {

    private static final String SECRET = "0123456789abcdef-shared";
    private static final long NOW = 1_796_000_000_000L;
    private static final String URI = "/page-views?page=%2Fhome&from=2026-11-21T10:00:00Z";

    private final ForwardedQuerySignature signature = new ForwardedQuerySignature(SECRET);

    private static UnaryOperator<String> headers(Map<String, String> headers) {
        return headers::get;
    }

    @Test
    void aSignedRequestIsValidAsSentWithinTheClockSkew() {
        UnaryOperator<String> sent = headers(Map.of(QueryHeaders.FORWARDED_BY, "a:8080", QueryHeaders.SCOPE, "local"));
        String value = signature.sign("GET", URI, sent, NOW);

        assertThat(value).matches("t=" + NOW + ",v1=[A-Za-z0-9_-]{43}");
        assertThat(signature.problem("GET", URI, sent, value, NOW)).isEmpty();
        assertThat(signature.problem("GET", URI, sent, value, NOW + 30_000)).isEmpty();
        assertThat(signature.problem("GET", URI, sent, value, NOW - 30_000)).as("the signer's clock ahead").isEmpty();
    }

    @Test
    void anythingChangedAfterSigningIsRefused() {
        Map<String, String> sent = Map.of(QueryHeaders.FORWARDED_BY, "a:8080");
        String value = signature.sign("GET", URI, headers(sent), NOW);

        assertThat(signature.problem("GET", URI + "&to=2026-11-22T00:00:00Z", headers(sent), value, NOW))
                .hasValueSatisfying(p -> assertThat(p).contains("does not match"));
        assertThat(signature.problem("GET", URI, headers(Map.of(QueryHeaders.FORWARDED_BY, "a:8080",
                QueryHeaders.REPLICA, "standby")), value, NOW)).as("a header added").isPresent();
        assertThat(signature.problem("GET", URI, headers(Map.of(QueryHeaders.FORWARDED_BY, "b:8080")), value, NOW))
                .as("a header changed").isPresent();
        assertThat(signature.problem("HEAD", URI, headers(sent), value, NOW)).as("the method").isPresent();
        String otherTime = value.replace("t=" + NOW, "t=" + (NOW + 1));
        assertThat(signature.problem("GET", URI, headers(sent), otherTime, NOW)).as("the time").isPresent();
    }

    @Test
    void anotherSecretAStaleOrAMalformedSignatureIsRefusedWithTheReason() {
        Map<String, String> sent = Map.of(QueryHeaders.SCOPE, "local");
        String other = new ForwardedQuerySignature("another-secret-of-16+").sign("GET", URI, headers(sent), NOW);

        assertThat(signature.problem("GET", URI, headers(sent), other, NOW)).hasValue(
                "X-Query-Signature does not match the request (another secret, or a changed request)");
        assertThat(signature.problem("GET", URI, headers(sent), signature.sign("GET", URI, headers(sent), NOW),
                NOW + 30_001)).hasValue("X-Query-Signature was made 30001 ms from this instance's clock, more than"
                + " 30000 ms");
        assertThat(signature.problem("GET", URI, headers(sent), null, NOW))
                .hasValue("it has no X-Query-Signature header");
        for (String malformed : new String[] {"", "t=1", "v1=abc,t=1", "t=x,v1=abc", "t=1,v1=%%%", "t=,v1="}) {
            assertThat(signature.problem("GET", URI, headers(sent), malformed, NOW)).as(malformed)
                    .hasValueSatisfying(p -> assertThat(p).isIn(
                            "X-Query-Signature is not of the form t=<epoch ms>,v1=<HMAC>",
                            "X-Query-Signature was made " + (NOW - 1) + " ms from this instance's clock, more than"
                                    + " 30000 ms"));
        }
    }

    @Test
    void aSecretShorterThanSixteenCharactersIsRefusedAtStartUp() {
        assertThatThrownBy(() -> new ForwardedQuerySignature("short"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("query.forwarding-secret must have at least 16 characters, it has 5");
    }
}
