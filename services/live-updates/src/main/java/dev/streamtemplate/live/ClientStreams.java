package dev.streamtemplate.live;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ServiceUnavailableException;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The Server-Sent Events streams this instance serves, each on its own thread with its own consumer
 * ({@link ClientStream}); at most {@link LiveSettings#maxClients()} at once. Closes them all on shutdown, so clients
 * reconnect (to another instance) with their last id.
 */
@ApplicationScoped
public class ClientStreams {

    private final Set<ClientStream> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong opened = new AtomicLong();
    /** Streams started and not yet ended: reserved before a stream starts, so concurrent requests respect the limit. */
    private final java.util.concurrent.atomic.AtomicInteger starting = new java.util.concurrent.atomic.AtomicInteger();
    private final KafkaClients consumers;
    private final LiveSettings settings;
    private final LiveMetrics metrics;
    private final ObjectMapper json;

    ClientStreams(KafkaClients consumers, LiveSettings settings, LiveMetrics metrics, ObjectMapper json) {
        this.consumers = consumers;
        this.settings = settings;
        this.metrics = metrics;
        this.json = json;
        metrics.clients(open::size, () -> open.stream().mapToInt(ClientStream::buffered).sum(),
                () -> open.stream().filter(ClientStream::stalled).count());
    }

    /**
     * Starts a stream of these topics' records to this client.
     *
     * @throws ServiceUnavailableException (503, {@code Retry-After: 5}) when {@link LiveSettings#maxClients()}
     *                                     streams are open
     */
    void start(List<String> topics, ClientStream.Start start, SseEventSink sink, Sse sse) {
        if (starting.incrementAndGet() > settings.maxClients()) {
            starting.decrementAndGet();
            throw new ServiceUnavailableException("this instance serves " + settings.maxClients()
                    + " Server-Sent Events clients already (live.max-clients); retry later or on another instance", 5L);
        }
        String name = "sse-" + opened.incrementAndGet();
        ClientStream stream;
        try {
            stream = new ClientStream(name, topics, start, sink, sse, json, consumers.consumer("live-updates-" + name),
                    settings, metrics);
        } catch (RuntimeException e) {
            starting.decrementAndGet();
            throw e;
        }
        open.add(stream);
        Thread thread = new Thread(() -> {
            try {
                stream.run();
            } finally {
                open.remove(stream);
                starting.decrementAndGet();
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
    }

    @PreDestroy
    void closeAll() {
        open.forEach(ClientStream::close);
    }
}
