package dev.streamtemplate.live;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import java.util.Map;

import dev.streamtemplate.testing.KafkaTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * With the default {@code webhooks.allow-private-addresses=false}, {@code POST /webhooks} refuses callbacks that
 * would make the service call itself, its network or the cloud's metadata endpoint (server-side request forgery).
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@TestProfile(WebhookAddressGuardTest.DefaultGuard.class)
class WebhookAddressGuardTest {

    /** The production default: no callbacks to non-public addresses. */
    public static class DefaultGuard implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("webhooks.allow-private-addresses", "false");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:8085/webhooks", "http://localhost:8085/q/health",
            "http://169.254.169.254/latest/meta-data/iam/", "http://10.0.0.7:9092/", "http://[::1]/", "http://0.0.0.0:8085/"})
    void callbacksToNonPublicAddressesAreRefusedWith400(String url) {
        given().contentType(ContentType.JSON).body(Map.of("url", url, "types", List.of("orders")))
                .when().post("/webhooks")
                .then().statusCode(400).contentType("application/json").body("status", equalTo(400))
                .body("message", containsString("not a public address"));
    }
}
