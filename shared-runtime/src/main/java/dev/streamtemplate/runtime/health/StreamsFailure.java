package dev.streamtemplate.runtime.health;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.jboss.logging.Logger;

/**
 * The first fatal Kafka error of this instance, for the health checks to show: Kafka refusing the service's
 * credentials at start-up ({@link KafkaCredentialsCheck}), or the exception that made Kafka Streams shut down
 * ({@link StreamsShutdownHandler}), for example a {@code TopicAuthorizationException} when the service's principal
 * may not write an output. It is logged once at ERROR when recorded. The text is the exception's class and message
 * and those of its root cause; Kafka's messages name users, topics and mechanisms, never a password.
 */
@ApplicationScoped
public class StreamsFailure {

    private static final Logger LOG = Logger.getLogger(StreamsFailure.class);

    private final AtomicReference<String> failure = new AtomicReference<>();

    /**
     * Records {@code error} unless an earlier error was recorded.
     *
     * @param what  what failed, for example {@code "Kafka Streams shut down"}
     * @param error the exception
     */
    public void record(String what, Throwable error) {
        String text = what + ": " + describe(error);
        if (failure.compareAndSet(null, text)) {
            LOG.error(text + hint(error));
        }
    }

    /** The recorded failure, if any. */
    public Optional<String> failure() {
        return Optional.ofNullable(failure.get());
    }

    /** The exception's class and message, then its root cause's when that is another exception. */
    static String describe(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String top = error.getClass().getSimpleName() + ": " + error.getMessage();
        return root == error ? top : top + "; caused by " + root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    private static String hint(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof AuthenticationException) {
                return " (check KAFKA_SASL_JAAS_CONFIG and the trust store: the broker refused this service's login)";
            }
            if (cause instanceof AuthorizationException) {
                return " (the service's principal lacks an ACL: compare the broker's ACLs with ServiceAcls)";
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return "";
    }
}
