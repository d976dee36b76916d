package dev.streamtemplate.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtemplate.testing.FreshStateDirectory;
import dev.streamtemplate.testing.KafkaTestResource;
import dev.streamtemplate.testing.TestKafkaClusterChoice;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * On the secure broker, with a wrong password: the service fails fast and says why. Within seconds the startup,
 * readiness and liveness checks are DOWN, and the first two name the refused login; no password appears in them.
 * Runs in the secure-broker surefire execution only.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class,
        initArgs = @ResourceArg(name = KafkaTestResource.PASSWORD_ARG, value = RefusedLoginSecureBrokerTest.WRONG))
@WithTestResource(FreshStateDirectory.class)
class RefusedLoginSecureBrokerTest {

    static final String WRONG = "not-the-password-of-traffic-analytics";
    private static final Duration BOUND = Duration.ofSeconds(45);

    @Test
    void aWrongPasswordTurnsHealthDownWithinSecondsNamingTheRefusedLogin() {
        Awaitility.await("readiness to name the refused login").atMost(BOUND).pollInterval(Duration.ofMillis(250))
                .until(() -> RestAssured.get("/q/health/ready").asString().contains("SaslAuthenticationException"));

        Response ready = RestAssured.get("/q/health/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        String error = ready.jsonPath().getString("checks.find { it.name == 'Kafka Streams stores queryable' }.data.error");
        assertThat(error).startsWith("Kafka refused this service's login as configured (security.protocol SASL_SSL)")
                .contains("Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512");

        Response started = RestAssured.get("/q/health/started");
        assertThat(started.statusCode()).isEqualTo(503);
        assertThat(started.jsonPath().getString("checks.find { it.name == 'Kafka Streams started' }.data.error"))
                .isEqualTo(error);
        assertThat(RestAssured.get("/q/health/live").statusCode()).isEqualTo(503);

        String realPassword = TestKafkaClusterChoice.shared().credentials("traffic-analytics").password();
        for (String body : new String[] {ready.asString(), started.asString(), RestAssured.get("/q/health").asString()}) {
            assertThat(body).doesNotContain(WRONG).doesNotContain(realPassword);
        }
    }
}
