package dev.streamtemplate.traffic;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtemplate.runtime.query.ForwardedQuerySignature;
import dev.streamtemplate.runtime.query.QueryHeaders;
import dev.streamtemplate.testing.FreshStateDirectory;
import dev.streamtemplate.testing.KafkaTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A client outside cannot pass for another instance: a request carrying {@code X-Query-Forwarded-By},
 * {@code X-Query-Scope} or {@code X-Query-Replica} without a valid {@code X-Query-Signature} (none, another secret's,
 * or one over another request) gets 403 with the JSON error body and is not answered, while a request another
 * instance signed with the shared {@code query.forwarding-secret} is answered.
 */
@QuarkusTest
@TestProfile(ForgedQueryHeadersTest.SharedSecret.class)
@WithTestResource(KafkaTestResource.class)
@WithTestResource(FreshStateDirectory.class)
class ForgedQueryHeadersTest {

    static final String SECRET = "the-instances-shared-secret-3e91";

    /** The profile: instances share a forwarding secret. */
    public static class SharedSecret implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("query.forwarding-secret", SECRET);
        }
    }

    private static final String[][] FORGED = {
            {QueryHeaders.FORWARDED_BY, "localhost:1"},
            {QueryHeaders.SCOPE, "local"},
            {QueryHeaders.REPLICA, "standby"},
    };

    @Test
    void forgedQueryHeadersAreRefusedWithAJsonError() {
        ForwardedQuerySignature otherSecret = new ForwardedQuerySignature("not-the-instances-secret");
        for (String path : new String[] {"/streams/instance", "/page-views?page=%2Fhome", "/users/u-1/sessions"}) {
            for (String[] header : FORGED) {
                String stolen = new ForwardedQuerySignature(SECRET).sign("GET", "/streams/instance",
                        name -> name.equals(header[0]) ? header[1] : null, System.currentTimeMillis());
                String forged = otherSecret.sign("GET", path,
                        name -> name.equals(header[0]) ? header[1] : null, System.currentTimeMillis());
                for (String signature : new String[] {null, forged, stolen, "t=1,v1=x"}) {
                    if (signature == stolen && path.equals("/streams/instance")) {
                        continue; // that one is genuine
                    }
                    var request = given().urlEncodingEnabled(false).header(header[0], header[1]);
                    if (signature != null) {
                        request.header(ForwardedQuerySignature.HEADER, signature);
                    }
                    Response refused = request.get(path);
                    String what = path + " with " + header[0] + " and signature " + signature;
                    assertThat(refused.statusCode()).as(what).isEqualTo(403);
                    assertThat(refused.contentType()).as(what).startsWith("application/json");
                    assertThat(refused.jsonPath().getInt("status")).as(what).isEqualTo(403);
                    assertThat(refused.jsonPath().getString("message")).as(what)
                            .contains("X-Query-* request headers").doesNotContain(SECRET);
                    assertThat(refused.header(QueryHeaders.SERVED_BY)).as(what + ": not answered").isNull();
                }
            }
        }
    }

    @Test
    void aQuerySignedWithTheSharedSecretIsAnswered() {
        ForwardedQuerySignature instances = new ForwardedQuerySignature(SECRET);
        for (String[] header : FORGED) {
            String signature = instances.sign("GET", "/streams/instance",
                    name -> name.equals(header[0]) ? header[1] : null, System.currentTimeMillis());
            Response answered = given().urlEncodingEnabled(false).header(header[0], header[1])
                    .header(ForwardedQuerySignature.HEADER, signature).get("/streams/instance");
            assertThat(answered.statusCode()).as(header[0] + " signed").isEqualTo(200);
        }
        assertThat(given().get("/streams/instance").statusCode()).as("no X-Query-* header: not concerned")
                .isEqualTo(200);
    }
}
