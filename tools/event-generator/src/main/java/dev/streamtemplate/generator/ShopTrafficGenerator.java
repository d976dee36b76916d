package dev.streamtemplate.generator;

import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Seeded, reproducible traffic of an online shop: the product catalogue, customer profile changes (CDC), page views,
 * purchases and cart commands, in <em>delivery order</em>.
 *
 * <p><b>Sequence contract.</b> The sequence is a function of the {@link GeneratorConfig} (seed and start included)
 * and {@link #GENERATOR_VERSION}: the same config gives the identical sequence, event ids included, on every run and
 * platform; nothing reads the wall clock. It is sorted by delivery time, ties in generation order. A replay is exactly
 * the events of the unbounded sequence whose event time lies in {@code [start, start + duration)}, in the same order.
 * Each user draws from its own random stream, so adding users leaves the existing users' events unchanged.
 *
 * <p>Events are delivered {@link Delivery#IN_ORDER}, {@link Delivery#OUT_OF_ORDER}, {@link Delivery#LATE} or, for a
 * second delivery of a cart command, {@link Delivery#REDELIVERED}, in the shares the config sets. The rules (catalogue,
 * CDC, sessions, purchases, cart commands, delays) and their constants are in tools/event-generator/README.md.
 * A generator is immutable; each call starts a fresh simulation.
 */
public final class ShopTrafficGenerator {

    /**
     * Bumped whenever a rule changes, so that the sequence of a seed changes only with it. Version 2
     * added second deliveries of cart commands ({@link Delivery#REDELIVERED}); every other event is
     * as in version 1.
     */
    public static final int GENERATOR_VERSION = 2;

    /**
     * Average events per second one user produces in the steady state (all topics), measured over
     * long runs of the rules; used to size the live population.
     */
    public static final double EVENTS_PER_USER_SECOND = 0.0029;

    private final GeneratorConfig config;

    /** A generator for {@code config}. */
    public ShopTrafficGenerator(GeneratorConfig config) {
        this.config = config;
    }

    /** The configuration. */
    public GeneratorConfig config() {
        return config;
    }

    /**
     * The users needed for about {@code eventsPerSecond} events per second (at least 1):
     * {@code ceil(eventsPerSecond / EVENTS_PER_USER_SECOND)}.
     */
    public static int usersForRate(double eventsPerSecond) {
        return (int) Math.max(1, Math.ceil(eventsPerSecond / EVENTS_PER_USER_SECOND));
    }

    /**
     * Every event that happens in {@code [start, start + duration)}, in delivery order. Late and
     * out-of-order events may be delivered after the end of the period.
     */
    public List<GeneratedEvent> replay() {
        return replayStream().toList();
    }

    /** {@link #replay()} produced lazily. */
    public Stream<GeneratedEvent> replayStream() {
        return stream(simulate(config.end().toEpochMilli()));
    }

    /**
     * The unbounded sequence for live mode, produced lazily in delivery order: simulated time starts at
     * {@code start} and never ends ({@code duration} does not apply). Bound it with {@code limit} or
     * {@code takeWhile}.
     */
    public Stream<GeneratedEvent> unbounded() {
        return stream(simulate(Long.MAX_VALUE));
    }

    private static Stream<GeneratedEvent> stream(Iterator<GeneratedEvent> events) {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(events,
                Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.IMMUTABLE), false);
    }

    /** Publishes the catalogue, then the user snapshot, all at {@code start}, and sets the users going. */
    private Iterator<GeneratedEvent> simulate(long endMillis) {
        Simulation simulation = new Simulation(config, endMillis);
        long seed = config.seed();
        long start = config.start().toEpochMilli();
        ProductCatalogue catalogue = new ProductCatalogue(config, SeededRandom.stream(seed, start, "catalogue"), simulation);
        int firstHeavyHitter = config.users() - config.heavyHitters().count(config.users()) + 1;
        long heavyViewGap = firstHeavyHitter > config.users() ? 0
                : Math.max(1, Math.round(config.heavyHitters().meanViewGapMillis(config.users())));
        for (int i = 1; i <= config.users(); i++) {
            String userId = String.format(Locale.ROOT, "u-%04d", i);
            new Shopper(userId, SeededRandom.stream(seed, start, "user:" + userId),
                    SeededRandom.stream(seed, start, "retries:" + userId), simulation, catalogue, start,
                    i >= firstHeavyHitter ? heavyViewGap : 0);
        }
        return simulation;
    }
}
