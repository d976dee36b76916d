package dev.streamtemplate.generator;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * With {@link ShopTrafficGenerator#GENERATOR_VERSION}, fixes the generated sequence; start from {@link #defaults()}.
 *
 * @param seed               seed of every random draw (default 42)
 * @param users              number of users {@code u-0001..} (default 200)
 * @param products           number of products {@code p-0001..} (default 100)
 * @param start              simulated start, truncated to ms, time of the initial events
 *                           (default {@link #DEFAULT_START})
 * @param duration           replay length (default 1 hour): events happen in {@code [start, start + duration)}
 * @param outOfOrderFraction share in [0, 1] of events, initial ones aside, delivered out of order (default 0.05)
 * @param maxOutOfOrder      the out-of-order delay is uniform in [1 ms, maxOutOfOrder] (default 20 seconds)
 * @param lateFraction       share in [0, 1] of page views and purchases delivered late (default 0.002)
 * @param lateBy             the late delay is uniform in [lateBy, lateBy + 10 minutes) (default 2 hours)
 * @param eventsPerSecond    live mode's events per second (default 50); sizes users in {@link #forLive(Instant)}
 * @param duplicateFraction  share in [0, 1] of cart commands delivered again ({@link Delivery#REDELIVERED},
 *                           default 0.03)
 * @param maxDuplicateDelay  the second delivery's delay, uniform in [1 ms, maxDuplicateDelay] (default 5 seconds)
 * @param heavyHitters       users who browse without pause, as crawlers and busy accounts do (default
 *                           {@link HeavyHitters#NONE})
 */
public record GeneratorConfig(long seed, int users, int products, Instant start, Duration duration,
                              double outOfOrderFraction, Duration maxOutOfOrder, double lateFraction,
                              Duration lateBy, double eventsPerSecond, double duplicateFraction,
                              Duration maxDuplicateDelay, HeavyHitters heavyHitters) {

    /** The default start instant (ISO-8601 {@code 2025-01-01T00:00:00Z}). */
    public static final Instant DEFAULT_START = Instant.parse("2025-01-01T00:00:00Z");

    /** @throws IllegalArgumentException when a value is out of range */
    public GeneratorConfig {
        if (users < 1 || products < 1) {
            throw new IllegalArgumentException("users and products must be >= 1, were " + users + " and " + products);
        }
        if (start == null || start.isBefore(Instant.EPOCH)) {
            throw new IllegalArgumentException("start must be at or after 1970-01-01T00:00:00Z, was " + start);
        }
        start = start.truncatedTo(ChronoUnit.MILLIS);
        requirePositive(duration, "duration");
        requirePositive(maxOutOfOrder, "maxOutOfOrder");
        requirePositive(lateBy, "lateBy");
        requireFraction(outOfOrderFraction, "outOfOrderFraction");
        requireFraction(lateFraction, "lateFraction");
        requireFraction(duplicateFraction, "duplicateFraction");
        requirePositive(maxDuplicateDelay, "maxDuplicateDelay");
        if (outOfOrderFraction + lateFraction > 1.0) {
            throw new IllegalArgumentException("outOfOrderFraction + lateFraction must be <= 1");
        }
        if (!(eventsPerSecond > 0) || Double.isInfinite(eventsPerSecond)) {
            throw new IllegalArgumentException("eventsPerSecond must be > 0, was " + eventsPerSecond);
        }
        if (heavyHitters == null) {
            throw new IllegalArgumentException("heavyHitters must not be null; HeavyHitters.NONE for none");
        }
    }

    /**
     * A skewed population: the last {@link #count(int) count(users)} users never end their session, are never deleted,
     * and view pages often enough that they send about {@code eventShare} of all events (page views and what follows them: carts,
     * purchases). Their gap between two views is exponential with the mean {@link #meanViewGapMillis(int)}, capped
     * at 10 minutes, so it never reaches a session gap.
     *
     * @param userShare  share of the users that are heavy hitters, in [0, 1) (1 % in the benchmark's shape)
     * @param eventShare share of all events they send, in [0, 1) (30 % in the benchmark's shape)
     */
    public record HeavyHitters(double userShare, double eventShare) {

        /** No heavy hitters: every user follows the normal session rules. */
        public static final HeavyHitters NONE = new HeavyHitters(0, 0);

        /**
         * Events one heavy hitter sends per page view, the view included: measured over long runs of the rules
         * (product pages lead to cart commands and purchases).
         */
        static final double EVENTS_PER_VIEW = 1.19;

        /** @throws IllegalArgumentException when a share is outside [0, 1) */
        public HeavyHitters {
            if (!(userShare >= 0 && userShare < 1) || !(eventShare >= 0 && eventShare < 1)) {
                throw new IllegalArgumentException("heavy-hitter shares must be in [0, 1), were " + userShare
                        + " and " + eventShare);
            }
        }

        /**
         * How many of {@code users} are heavy hitters: {@code round(users * userShare)}, at least 1 when both shares
         * are positive, and at most {@code users - 1} so that one normal user remains.
         */
        public int count(int users) {
            if (userShare == 0 || eventShare == 0) {
                return 0;
            }
            return (int) Math.min(users - 1, Math.max(1, Math.round(users * userShare)));
        }

        /**
         * The mean gap between two page views of one heavy hitter, in milliseconds: the normal users send
         * {@code (users - count) * EVENTS_PER_USER_SECOND} events per second, the heavy hitters
         * {@code eventShare / (1 - eventShare)} times that, spread over {@code count} of them.
         */
        public double meanViewGapMillis(int users) {
            int heavy = count(users);
            double normalRate = (users - heavy) * ShopTrafficGenerator.EVENTS_PER_USER_SECOND;
            double heavyViewRate = normalRate * eventShare / (1 - eventShare) / EVENTS_PER_VIEW / heavy;
            return 1000 / heavyViewRate;
        }
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, was " + d);
        }
    }

    private static void requireFraction(double f, String name) {
        if (!(f >= 0.0 && f <= 1.0)) {
            throw new IllegalArgumentException(name + " must be in [0, 1], was " + f);
        }
    }

    /** The defaults listed on the record components. */
    public static GeneratorConfig defaults() {
        return new GeneratorConfig(42, 200, 100, DEFAULT_START, Duration.ofHours(1), 0.05, Duration.ofSeconds(20),
                0.002, Duration.ofHours(2), 50, 0.03, Duration.ofSeconds(5), HeavyHitters.NONE);
    }

    /**
     * The configuration of live mode: starting at {@code now} (ISO-8601 instant, usually the wall
     * clock) with the population that produces about {@link #eventsPerSecond()} events per second
     * ({@link ShopTrafficGenerator#usersForRate(double)}), which replaces {@link #users()}.
     */
    public GeneratorConfig forLive(Instant now) {
        return withStart(now).withUsers(ShopTrafficGenerator.usersForRate(eventsPerSecond));
    }

    /** The end of a replay: {@code start + duration} (exclusive). */
    public Instant end() {
        return start.plus(duration);
    }

    public GeneratorConfig withSeed(long seed) {
        return new GeneratorConfig(seed, users, products, start, duration, outOfOrderFraction, maxOutOfOrder,
                lateFraction, lateBy, eventsPerSecond, duplicateFraction, maxDuplicateDelay, heavyHitters);
    }

    public GeneratorConfig withUsers(int users) {
        return new GeneratorConfig(seed, users, products, start, duration, outOfOrderFraction, maxOutOfOrder,
                lateFraction, lateBy, eventsPerSecond, duplicateFraction, maxDuplicateDelay, heavyHitters);
    }

    public GeneratorConfig withProducts(int products) {
        return new GeneratorConfig(seed, users, products, start, duration, outOfOrderFraction, maxOutOfOrder,
                lateFraction, lateBy, eventsPerSecond, duplicateFraction, maxDuplicateDelay, heavyHitters);
    }

    /** @param start the simulated start (ISO-8601 instant), truncated to milliseconds */
    public GeneratorConfig withStart(Instant start) {
        return new GeneratorConfig(seed, users, products, start, duration, outOfOrderFraction, maxOutOfOrder,
                lateFraction, lateBy, eventsPerSecond, duplicateFraction, maxDuplicateDelay, heavyHitters);
    }

    /** @param duration the simulated length of a replay */
    public GeneratorConfig withDuration(Duration duration) {
        return new GeneratorConfig(seed, users, products, start, duration, outOfOrderFraction, maxOutOfOrder,
                lateFraction, lateBy, eventsPerSecond, duplicateFraction, maxDuplicateDelay, heavyHitters);
    }

    /**
     * @param fraction share of all events delivered out of order, in [0, 1]
     * @param maxDelay the largest out-of-order delay
     */
    public GeneratorConfig withOutOfOrder(double fraction, Duration maxDelay) {
        return new GeneratorConfig(seed, users, products, start, duration, fraction, maxDelay,
                lateFraction, lateBy, eventsPerSecond, duplicateFraction, maxDuplicateDelay, heavyHitters);
    }

    /**
     * @param fraction share of page views and purchases delivered late, in [0, 1]
     * @param lateBy   the smallest delay of a late event
     */
    public GeneratorConfig withLate(double fraction, Duration lateBy) {
        return new GeneratorConfig(seed, users, products, start, duration, outOfOrderFraction, maxOutOfOrder,
                fraction, lateBy, eventsPerSecond, duplicateFraction, maxDuplicateDelay, heavyHitters);
    }

    /**
     * @param fraction share of cart commands delivered twice, in [0, 1]
     * @param maxDelay the largest delay of the second delivery after the first
     */
    public GeneratorConfig withDuplicates(double fraction, Duration maxDelay) {
        return new GeneratorConfig(seed, users, products, start, duration, outOfOrderFraction, maxOutOfOrder,
                lateFraction, lateBy, eventsPerSecond, fraction, maxDelay, heavyHitters);
    }

    /** @param eventsPerSecond target rate of live mode, events per second */
    public GeneratorConfig withEventsPerSecond(double eventsPerSecond) {
        return new GeneratorConfig(seed, users, products, start, duration, outOfOrderFraction, maxOutOfOrder,
                lateFraction, lateBy, eventsPerSecond, duplicateFraction, maxDuplicateDelay, heavyHitters);
    }

    /** @param heavyHitters users who browse without pause ({@link HeavyHitters#NONE} for none) */
    public GeneratorConfig withHeavyHitters(HeavyHitters heavyHitters) {
        return new GeneratorConfig(seed, users, products, start, duration, outOfOrderFraction, maxOutOfOrder,
                lateFraction, lateBy, eventsPerSecond, duplicateFraction, maxDuplicateDelay, heavyHitters);
    }
}
