package dev.streamtemplate.runtime.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness tied to Kafka Streams: ready only when the instance is {@code RUNNING} and no store of
 * it is restoring from its changelog, that is when its stores are queryable, and no fatal Kafka error
 * was recorded ({@link StreamsFailure}, shown as {@code error}). Quarkus' own Kafka Streams checks
 * (state is running or rebalancing; input topics exist) stay in place beside it.
 */
@Readiness
@ApplicationScoped
public class KafkaStreamsReadiness implements HealthCheck {

    @Inject
    KafkaStreams streams;

    @Inject
    StoreRestoration restoration;

    @Inject
    StreamsFailure failure;

    @Override
    public HealthCheckResponse call() {
        KafkaStreams.State state = streams.state();
        int restoring = restoration.restoringPartitions();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("Kafka Streams stores queryable")
                .status(state == KafkaStreams.State.RUNNING && restoring == 0 && failure.failure(state).isEmpty())
                .withData("state", state.name())
                .withData("restoringPartitions", restoring);
        failure.failure(state).ifPresent(error -> response.down().withData("error", error));
        return response.build();
    }
}
