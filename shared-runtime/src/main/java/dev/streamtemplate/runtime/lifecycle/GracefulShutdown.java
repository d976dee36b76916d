package dev.streamtemplate.runtime.lifecycle;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Optional;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Closes Kafka Streams when the service is asked to stop (SIGTERM: Kubernetes, docker-compose,
 * Ctrl-C), before Quarkus' own close, which would wait without bound and keep the instance in its
 * consumer group until the session times out.
 *
 * <p>Closing lets each stream thread finish the record in hand, commit (under
 * {@code exactly_once_v2}: commit the open transaction) and flush its state stores, within
 * {@code shutdown.timeout} (30 s by default, {@code SHUTDOWN_TIMEOUT}; keep it below the platform's
 * grace, Kubernetes' {@code terminationGracePeriodSeconds} defaults to 30 s, so set that higher).
 * The instance then leaves the group, so its partitions move to the other instances at once (KIP-812's
 * {@code CloseOptions}); with static membership ({@code kafka-streams.group.instance.id} set,
 * KIP-345) it stays in the group, so that a restart within {@code session.timeout.ms} gets the same
 * partitions back without a rebalance.
 */
@ApplicationScoped
public class GracefulShutdown {

    private static final Logger LOG = Logger.getLogger(GracefulShutdown.class);

    @Inject
    KafkaStreams streams;

    @ConfigProperty(name = "shutdown.timeout", defaultValue = "30s")
    Duration timeout;

    @ConfigProperty(name = "kafka-streams.group.instance.id")
    Optional<String> staticMember;

    /**
     * Closes Kafka Streams, first among the shutdown observers.
     *
     * @param event Quarkus' shutdown event
     */
    void onStop(@Observes @Priority(1) ShutdownEvent event) {
        CloseOptions.GroupMembershipOperation membership = staticMember.isPresent()
                ? CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP
                : CloseOptions.GroupMembershipOperation.LEAVE_GROUP;
        long started = System.nanoTime();
        boolean closed = streams.close(CloseOptions.timeout(timeout).withGroupMembershipOperation(membership));
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        if (closed) {
            LOG.infof("Kafka Streams closed in %d ms (%s)", took.toMillis(), membership);
        } else {
            LOG.warnf("Kafka Streams did not close within %s; stopping anyway (%s)", timeout, membership);
        }
    }
}
