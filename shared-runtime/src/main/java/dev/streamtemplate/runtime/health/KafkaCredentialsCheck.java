package dev.streamtemplate.runtime.health;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.streams.StreamsConfig;
import org.jboss.logging.Logger;

/**
 * Fails fast on credentials Kafka refuses. Quarkus waits for the input topics before it starts Kafka Streams and
 * retries every second when the broker refuses its login, so Kafka Streams would stay {@code CREATED} with nothing
 * but repeated log lines. At start-up this check logs in once, in the background, with Kafka Streams' own admin
 * settings ({@link StreamsConfig#getAdminConfigs}): a wrong password or an untrusted certificate
 * ({@link AuthenticationException}) is recorded in {@link StreamsFailure}, so the startup and readiness checks, DOWN
 * while Kafka Streams waits, say why (Quarkus' liveness check is DOWN too, without a reason). A broker that does not
 * answer within {@link #TIMEOUT} is not a failure: it may still be starting.
 */
@ApplicationScoped
public class KafkaCredentialsCheck {

    /** How long the login may take. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static final Logger LOG = Logger.getLogger(KafkaCredentialsCheck.class);

    @Inject
    StreamsConfig streamsConfig;

    @Inject
    StreamsFailure failure;

    void onStart(@Observes StartupEvent event) {
        Thread check = new Thread(this::logIn, "kafka-credentials-check");
        check.setDaemon(true);
        check.start();
    }

    private void logIn() {
        Map<String, Object> config = streamsConfig.getAdminConfigs(
                streamsConfig.getString(StreamsConfig.APPLICATION_ID_CONFIG) + "-credentials-check");
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        try (Admin admin = Admin.create(config)) {
            admin.describeCluster().clusterId().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuthenticationException refused) {
                failure.recordRefusedLogin("Kafka refused this service's login as configured (security.protocol "
                        + config.get(AdminClientConfig.SECURITY_PROTOCOL_CONFIG) + ")", refused);
            } else {
                LOG.debugf("Credentials check inconclusive: %s", e.getCause());
            }
        } catch (java.util.concurrent.TimeoutException e) {
            LOG.debugf("Credentials check: no answer from Kafka within %s", TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // e.g. a bootstrap address not resolvable yet: Kafka Streams' own clients retry, so this is no verdict
            LOG.warnf("Credentials check could not run: %s", e);
        }
    }
}
