package dev.streamtemplate.runtime.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

/**
 * Kafka Streams' uncaught exception handler (Quarkus installs this bean on the {@code KafkaStreams} it creates): it
 * records the exception in {@link StreamsFailure}, so health shows why, and answers {@code SHUTDOWN_CLIENT}, Kafka
 * Streams' own default: the open transaction is aborted, the instance stops, and the liveness check turns DOWN so
 * the platform restarts it (README, Reliability). Replacing a dead thread instead would retry the same record in a
 * loop.
 */
@ApplicationScoped
public class StreamsShutdownHandler implements StreamsUncaughtExceptionHandler {

    @Inject
    StreamsFailure failure;

    @Override
    public StreamThreadExceptionResponse handle(Throwable exception) {
        failure.record("Kafka Streams shut down", exception);
        return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
}
