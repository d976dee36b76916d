package dev.streamtemplate.generator;

import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Seeded, reproducible traffic of an online shop: the product catalogue, customer profile changes
 * (CDC), page views, purchases and cart commands, in <em>delivery order</em>.
 *
 * <p><b>Sequence contract.</b> The sequence is a function of the {@link GeneratorConfig} (seed and
 * start included) and {@link #GENERATOR_VERSION}: the same config gives the identical sequence,
 * event ids included, on every run and platform; nothing reads the wall clock. It is sorted by
 * delivery time, ties in generation order. A replay is exactly the events of the unbounded sequence
 * whose event time lies in {@code [start, start + duration)}, in the same order. Each user draws from
 * its own random stream, so adding users leaves the existing users' events unchanged.
 *
 * <p><b>Rules</b> (constants and distributions in the module README):
 * <ul>
 *   <li>At {@code start}, in order: one {@code Product} per id {@code p-0001..} (price in minor units,
 *       EUR or USD), then a CDC {@code SNAPSHOT} (version 1) per user {@code u-0001..}. During the run
 *       a few price or name updates of products.</li>
 *   <li>Per user, CDC {@code UPDATE}s (tier, e-mail, country) and {@code DELETE}s, each delete followed
 *       directly by a tombstone and later by a re-{@code CREATE}; {@code version} grows by one per
 *       envelope; {@code sourceTimestamp} is the event time.</li>
 *   <li>Per user, browsing sessions: page views 2 s to 10 min apart, sessions separated by at least
 *       35 min of inactivity; pages and products Zipf-distributed (exponent 1.1); referrer
 *       {@code search}, {@code social}, {@code direct}, {@code email} or the previous page.</li>
 *   <li>Purchases after a product-page view, mostly within minutes, 15 % after more than an hour; a
 *       few without any prior view; {@code amountCents = quantity x priceCents} at that instant.</li>
 *   <li>Cart commands: add after product views, remove and checkout on {@code /cart}, plus a few
 *       invalid ones on purpose (checkout of an empty cart, removal of an item not in the cart).</li>
 *   <li>Delivery: {@link Delivery#OUT_OF_ORDER} for {@code outOfOrderFraction} of the events,
 *       {@link Delivery#LATE} for {@code lateFraction} of page views and purchases, the rest
 *       {@link Delivery#IN_ORDER}; besides, {@code duplicateFraction} of cart commands are delivered
 *       a second time shortly after the first ({@link Delivery#REDELIVERED}, same event id).</li>
 * </ul>
 *
 * <p>A generator is immutable; each call starts a fresh simulation.
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
        for (int i = 1; i <= config.users(); i++) {
            String userId = String.format(Locale.ROOT, "u-%04d", i);
            new Shopper(userId, SeededRandom.stream(seed, start, "user:" + userId),
                    SeededRandom.stream(seed, start, "retries:" + userId), simulation, catalogue, start);
        }
        return simulation;
    }
}
