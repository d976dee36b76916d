package dev.streamtemplate.traffic;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

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
 * With {@code query.api-key} set, the HTTP API answers 401 with the JSON error body to a request without the key or
 * with another, and as usual to one with it; health, metrics and the OpenAPI document stay open, and no answer
 * shows the key. With the key but without {@code query.forwarding-secret}, a request carrying {@code X-Query-*}
 * request headers is refused (403).
 */
@QuarkusTest
@TestProfile(ApiKeyTest.RequiresKey.class)
@WithTestResource(KafkaTestResource.class)
@WithTestResource(FreshStateDirectory.class)
class ApiKeyTest {

    static final String KEY = "a-test-key-9c1f3e";

    /** The profile: a key required. */
    public static class RequiresKey implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("query.api-key", KEY);
        }
    }

    @Test
    void queriesNeedTheKeyWhileHealthMetricsAndOpenApiDoNot() {
        for (String path : new String[] {"/streams/instance", "/page-views?page=%2Fhome", "/users/u-1/sessions"}) {
            Response missing = given().get(path);
            assertThat(missing.statusCode()).as(path + " without a key").isEqualTo(401);
            assertThat(missing.contentType()).startsWith("application/json");
            assertThat(missing.jsonPath().getInt("status")).isEqualTo(401);
            assertThat(missing.jsonPath().getString("message")).contains("Authorization: Bearer");
            assertThat(missing.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"queries\"");

            for (String wrong : new String[] {"Bearer not-the-key", "Bearer " + KEY + "x", "Basic " + KEY, KEY}) {
                Response refused = given().header("Authorization", wrong).get(path);
                assertThat(refused.statusCode()).as(path + " with " + wrong).isEqualTo(401);
                assertThat(refused.asString()).doesNotContain(KEY);
            }
        }
        Response instance = given().header("Authorization", "Bearer " + KEY).get("/streams/instance");
        assertThat(instance.statusCode()).isEqualTo(200);
        assertThat(given().header("Authorization", "bearer " + KEY).get("/streams/instance").statusCode())
                .as("the scheme is case-insensitive (RFC 7235)").isEqualTo(200);

        Response scoped = given().header("Authorization", "Bearer " + KEY).header(QueryHeaders.SCOPE, "local")
                .get("/page-views?page=%2Fhome");
        assertThat(scoped.statusCode()).as("X-Query-Scope with the key but no query.forwarding-secret set")
                .isEqualTo(403);
        assertThat(scoped.jsonPath().getString("message")).contains("no query.forwarding-secret");

        assertThat(given().get("/q/health").statusCode()).isIn(200, 503);
        assertThat(given().get("/q/metrics").statusCode()).isEqualTo(200);
        Response openApi = given().get("/q/openapi?format=json");
        assertThat(openApi.statusCode()).isEqualTo(200);
        assertThat(openApi.jsonPath().getMap("paths.'/page-views'.get.responses")).containsKey("401");
    }
}
