package dev.streamtemplate.runtime.health;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.streams.KafkaStreams;
import org.jboss.logging.Logger;

/**
 * The fatal Kafka errors of this instance, for the health checks to show: the exception that made Kafka Streams shut
 * down ({@link StreamsShutdownHandler}), for example a {@code TopicAuthorizationException} when the service's
 * principal may not write an output; and Kafka refusing the service's login at start-up
 * ({@link KafkaCredentialsCheck}), which counts only while Kafka Streams has not started: a login that succeeds later
 * (a user created a moment after the service) clears it. Each is logged once at ERROR, with the whole exception text.
 * Health, which stays open when the API asks for a key, shows less: the exception class names, and the message only
 * of an authentication or authorisation error (Kafka's name users, topics and mechanisms, never a password); other
 * messages may carry record data and stay in the log.
 */
@ApplicationScoped
public class StreamsFailure {

    private static final Logger LOG = Logger.getLogger(StreamsFailure.class);
    /** How deep a cause chain is followed: enough for Kafka's wrapping, and no loop on a cyclic chain. */
    private static final int MAX_CAUSES = 16;

    private final AtomicReference<String> shutdown = new AtomicReference<>();
    private final AtomicReference<String> refusedLogin = new AtomicReference<>();

    /**
     * Records why Kafka Streams shut down, unless an earlier reason was recorded.
     *
     * @param what  what failed, for example {@code "Kafka Streams shut down"}
     * @param error the exception
     */
    public void record(String what, Throwable error) {
        if (shutdown.compareAndSet(null, what + ": " + describe(error))) {
            LOG.error(what + ": " + error + hint(error), error);
        }
    }

    /**
     * Records that Kafka refused the service's login, unless that was recorded already.
     *
     * @param what  what was refused
     * @param error the {@link AuthenticationException} or the exception wrapping it
     */
    public void recordRefusedLogin(String what, Throwable error) {
        if (refusedLogin.compareAndSet(null, what + ": " + describe(error))) {
            LOG.error(what + ": " + error + hint(error));
        }
    }

    /**
     * The failure to show for Kafka Streams in {@code state}: why it shut down, else a refused login while it is still
     * {@code CREATED}.
     *
     * @param state Kafka Streams' current state
     * @return the text for health, or empty
     */
    public Optional<String> failure(KafkaStreams.State state) {
        String reason = shutdown.get();
        if (reason == null && state == KafkaStreams.State.CREATED) {
            reason = refusedLogin.get();
        }
        return Optional.ofNullable(reason);
    }

    /**
     * The exception's class, then its root cause's; a message only where it is an authentication or authorisation
     * error's.
     */
    static String describe(Throwable error) {
        Throwable root = error;
        for (int depth = 0; depth < MAX_CAUSES && root.getCause() != null && root.getCause() != root; depth++) {
            root = root.getCause();
        }
        String top = shown(error);
        return root == error ? top : top + "; caused by " + shown(root);
    }

    private static String shown(Throwable error) {
        boolean security = error instanceof AuthenticationException || error instanceof AuthorizationException;
        return security ? error.getClass().getSimpleName() + ": " + error.getMessage() : error.getClass().getSimpleName();
    }

    private static String hint(Throwable error) {
        Throwable cause = error;
        for (int depth = 0; depth < MAX_CAUSES && cause != null; depth++, cause = cause.getCause()) {
            if (cause instanceof AuthenticationException) {
                return " (check KAFKA_SASL_JAAS_CONFIG and the trust store: the broker refused this service's login)";
            }
            if (cause instanceof AuthorizationException) {
                return " (the service's principal lacks an ACL: compare the broker's ACLs with ServiceAcls)";
            }
        }
        return "";
    }
}
