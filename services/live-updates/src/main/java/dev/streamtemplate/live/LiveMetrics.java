package dev.streamtemplate.live;

import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * live-updates' meters at {@code /q/metrics}: {@code live_sse_clients} (streams open now),
 * {@code live_sse_events_total{type}} (events written, per pushed topic) and {@code live_sse_resyncs_total{reason}}
 * (resync events, per {@link ClientStream.ResyncReason}).
 */
@ApplicationScoped
public class LiveMetrics {

    private final MeterRegistry registry;

    /** @param registry Quarkus' Micrometer registry */
    public LiveMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void clients(Supplier<Number> open, Supplier<Number> buffered, Supplier<Number> stalled) {
        Gauge.builder("live.sse.stalled.clients", stalled)
                .description("Server-Sent Events clients whose buffer has been full longer than live.client-stall")
                .register(registry);
        Gauge.builder("live.sse.clients", open).description("Server-Sent Events streams open now").register(registry);
        Gauge.builder("live.sse.buffered.events", buffered)
                .description("events written to Server-Sent Events connections and not yet taken by their clients")
                .register(registry);
    }

    void eventWritten(String type) {
        Counter.builder("live.sse.events").description("events written to Server-Sent Events clients")
                .tag("type", type).register(registry).increment();
    }

    void resync(ClientStream.ResyncReason reason) {
        Counter.builder("live.sse.resyncs").description("resync events: a client cannot have everything after its position")
                .tag("reason", reason.name().toLowerCase(java.util.Locale.ROOT)).register(registry).increment();
    }
}
