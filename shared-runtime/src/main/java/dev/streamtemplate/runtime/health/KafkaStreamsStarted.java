package dev.streamtemplate.runtime.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Startup;

/**
 * Startup ({@code /q/health/started}) tied to Kafka Streams: DOWN while Kafka Streams is {@code CREATED}, which is
 * where Quarkus keeps it until the input topics ({@code quarkus.kafka-streams.topics}) exist, UP once it has started.
 * Quarkus' own liveness check is DOWN in {@code CREATED} too, so without this a platform that probes liveness as soon
 * as the service answers HTTP (Kubernetes after its startup probe) would restart an instance that only waits for its
 * topics; with it, the startup probe's budget covers that wait. A fatal Kafka error ({@link StreamsFailure}), such
 * as refused credentials, is shown as {@code error}.
 */
@Startup
@ApplicationScoped
public class KafkaStreamsStarted implements HealthCheck {

    @Inject
    KafkaStreams streams;

    @Inject
    StreamsFailure failure;

    @Override
    public HealthCheckResponse call() {
        KafkaStreams.State state = streams.state();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("Kafka Streams started")
                .status(state != KafkaStreams.State.CREATED)
                .withData("state", state.name());
        failure.failure(state).ifPresent(error -> response.withData("error", error));
        return response.build();
    }
}
