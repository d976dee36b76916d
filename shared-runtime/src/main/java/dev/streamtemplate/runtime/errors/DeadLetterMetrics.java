package dev.streamtemplate.runtime.errors;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;

/**
 * The {@code dead.letters} counter (Prometheus {@code dead_letters_total}): records this instance sent
 * to its dead-letter topic (a series appears with its first dead letter), tagged {@code topic} (the input topic the record came from),
 * {@code exception} (the exception's class name) and {@code stage} ({@code deserialization} or
 * {@code processing}). Like Kafka Streams' {@code dropped-records}, it counts processing attempts:
 * after a crash a re-processed record counts again, while the dead-letter topic holds it once.
 *
 * <p>The exception handlers are made by Kafka Streams, not by CDI, so they count into Micrometer's
 * global registry, to which Quarkus adds the registry it exports at {@code /q/metrics}.
 */
public final class DeadLetterMetrics {

    private DeadLetterMetrics() {
    }

    /**
     * Counts one dead letter in Micrometer's global registry.
     *
     * @param topic     the input topic of the record
     * @param exception why it could not be read or processed
     * @param stage     {@code deserialization} or {@code processing}
     */
    public static void count(String topic, Exception exception, String stage) {
        count(Metrics.globalRegistry, topic, exception, stage);
    }

    static void count(MeterRegistry registry, String topic, Exception exception, String stage) {
        Counter.builder("dead.letters")
                .description("Records sent to the dead-letter topic, by input topic, exception class and stage")
                .tag("topic", String.valueOf(topic))
                .tag("exception", exception.getClass().getName())
                .tag("stage", stage)
                .register(registry)
                .increment();
    }
}
