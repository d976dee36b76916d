package dev.streamtemplate.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtemplate.testing.FreshStateDirectory;
import dev.streamtemplate.testing.KafkaTestResource;
import dev.streamtemplate.testing.TestKafkaClusterChoice;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * On the secure broker, with a wrong password: the service fails fast and says why. Within seconds the startup,
 * readiness and liveness checks are DOWN, and the first two name the refused login; no password appears in them,
 * nor in the service's log (written to a file for the check, Kafka at INFO).
 * Runs in the secure-broker surefire execution only.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class,
        initArgs = @ResourceArg(name = KafkaTestResource.PASSWORD_ARG, value = RefusedLoginSecureBrokerTest.WRONG))
@WithTestResource(FreshStateDirectory.class)
@TestProfile(RefusedLoginSecureBrokerTest.LogToFile.class)
class RefusedLoginSecureBrokerTest {

    static final Path LOG = Path.of("target", "refused-login-secure-broker.log");

    /**
     * The profile: the log also goes to {@link #LOG}, with Kafka at INFO (shared-runtime and Quarkus' Kafka extension
     * set WARN), so that more of what the clients do is there to search.
     */
    public static class LogToFile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.log.file.enabled", "true", "quarkus.log.file.path", LOG.toAbsolutePath().toString(),
                    "quarkus.log.category.\"org.apache.kafka\".level", "INFO",
                    "quarkus.log.category.\"org.apache.kafka.clients\".level", "INFO"); // Quarkus sets it to WARN
        }
    }

    static final String WRONG = "not-the-password-of-traffic-analytics";
    private static final Duration BOUND = Duration.ofSeconds(45);

    @Test
    void aWrongPasswordTurnsHealthDownWithinSecondsNamingTheRefusedLogin() throws IOException {
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
        Awaitility.await("the refused login in the log file").atMost(BOUND).pollInterval(Duration.ofMillis(250))
                .until(() -> Files.exists(LOG) && Files.readString(LOG).contains("SaslAuthenticationException"));
        String log = Files.readString(LOG);
        assertThat(log).as("the log holds the service's Kafka clients at work, the refusal included")
                .contains("[org.apa.kaf.").contains("invalid credentials with SASL mechanism SCRAM-SHA-512");
        assertThat(log).as("no password in the log").doesNotContain(WRONG).doesNotContain(realPassword);
    }
}
