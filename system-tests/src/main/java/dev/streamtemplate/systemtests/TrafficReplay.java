package dev.streamtemplate.systemtests;

import dev.streamtemplate.generator.EventPublisher;
import dev.streamtemplate.generator.GeneratedEvent;
import dev.streamtemplate.generator.GeneratorConfig;
import dev.streamtemplate.generator.ShopTrafficGenerator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Generated shop traffic for some topics, in delivery order, cut into consecutive parts that are published one after
 * the other, paced like traffic ({@link EventPublisher#publishPaced}), each on a thread of its own so that a test can
 * kill and start instances meanwhile.
 *
 * <p>Event times are recent (the configuration's start is close to now): the broker deletes records older than a
 * topic's retention (7 days) and rejects timestamps more than an hour ahead of its clock.
 */
public final class TrafficReplay {

    private final GeneratorConfig config;
    private final List<GeneratedEvent> events;

    /**
     * @param config what to generate
     * @param topics the topics to keep (the service's inputs)
     */
    public TrafficReplay(GeneratorConfig config, Set<String> topics) {
        this.config = config;
        this.events = new ShopTrafficGenerator(config).replay().stream().filter(e -> topics.contains(e.topic())).toList();
    }

    /** The generator's configuration. */
    public GeneratorConfig config() {
        return config;
    }

    /** Every event, in delivery order. */
    public List<GeneratedEvent> events() {
        return events;
    }

    /**
     * The events cut at {@code cuts} (delivery times, ascending): part 0 before the first cut, the last part from the
     * last cut on (late deliveries included).
     */
    public List<List<GeneratedEvent>> parts(Instant... cuts) {
        return cut(events, cuts);
    }

    /** {@code events} (in delivery order) cut at {@code cuts} (delivery times, ascending), as {@link #parts}. */
    public static List<List<GeneratedEvent>> cut(List<GeneratedEvent> events, Instant... cuts) {
        List<List<GeneratedEvent>> parts = new ArrayList<>();
        for (int i = 0; i <= cuts.length; i++) {
            parts.add(new ArrayList<>());
        }
        for (GeneratedEvent event : events) {
            int part = 0;
            while (part < cuts.length && !event.deliveryTime().isBefore(cuts[part])) {
                part++;
            }
            parts.get(part).add(event);
        }
        return parts;
    }

    /**
     * A part being published on its own thread.
     *
     * @param done completes when every event is acknowledged, exceptionally when publishing failed
     * @param sent events handed to the producer so far
     * @param total events in the part
     */
    public record Publication(CompletableFuture<Void> done, AtomicLong sent, int total) {
    }

    /**
     * Publishes {@code part} paced at {@code speed} times real time on a new thread, with its own producer.
     *
     * @param bootstrapServers the broker
     */
    public static Publication publishAsync(String bootstrapServers, List<GeneratedEvent> part, double speed) {
        AtomicLong sent = new AtomicLong();
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try (EventPublisher publisher = new EventPublisher(bootstrapServers)) {
                publisher.publishPaced(() -> part.stream().peek(e -> sent.incrementAndGet()).iterator(), speed);
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }, "traffic-publisher");
        thread.setDaemon(true);
        thread.start();
        return new Publication(done, sent, part.size());
    }

    /** Latest event time of all events. */
    public Instant lastEventTime() {
        return events.stream().map(GeneratedEvent::eventTime).max(Instant::compareTo).orElse(config.start());
    }
}
