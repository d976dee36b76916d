package dev.streamtemplate.runtime.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Exports Kafka Streams' metrics, and those of its consumers and producers, to {@code /q/metrics} with Micrometer's
 * {@link KafkaStreamsMetrics} binder, looking for new and removed Kafka metrics every
 * {@code metrics.kafka-streams.refresh-interval} (default 10 s; a {@link Duration}).
 *
 * <p>Why not Quarkus' own binding ({@code quarkus.micrometer.binder.kafka.enabled}, switched off in the shared
 * configuration): it looks every 60 s, Micrometer's default, and Kafka Streams creates its task, processor, store and
 * topic metrics only when tasks are assigned, after the start and after every rebalance; for up to a minute they
 * would be missing, and so would every rate and alert built on them.
 */
@ApplicationScoped
public class KafkaStreamsMeters {

    @Inject
    MeterRegistry registry;

    @ConfigProperty(name = "metrics.kafka-streams.refresh-interval", defaultValue = "10s")
    Duration refreshInterval;

    private ScheduledExecutorService scheduler;
    private KafkaStreamsMetrics metrics;

    synchronized void bind(@Observes KafkaStreams streams) {
        if (metrics != null) {
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "kafka-streams-meters");
            thread.setDaemon(true);
            return thread;
        });
        metrics = new KafkaStreamsMetrics(streams, List.of(), scheduler, refreshInterval);
        metrics.bindTo(registry);
    }

    synchronized void close(@Observes ShutdownEvent shutdown) {
        if (metrics != null) {
            metrics.close();
            scheduler.shutdownNow();
        }
    }
}
