package dev.streamtemplate.generator;

import java.util.List;
import java.util.UUID;

/**
 * The generator's only source of randomness: SplitMix64 (Steele, Lea, Flood 2014), written out here so
 * that the sequence for a seed does not depend on the JDK's {@code Random} implementations, and using
 * {@link StrictMath} so that floating-point draws are bit-identical on every platform.
 *
 * <p>Every entity (the catalogue, each user) draws from its own stream, derived from the seed, the
 * start instant and the entity's name, so one user's behaviour does not depend on how many other
 * users there are.
 */
final class SeededRandom {

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private long state;

    SeededRandom(long seed) {
        this.state = seed;
    }

    /** The stream named {@code stream} (for example {@code user:u-0001}) of a generator run. */
    static SeededRandom stream(long seed, long startEpochMillis, String stream) {
        long h = mix(mix(seed) ^ startEpochMillis);
        return new SeededRandom(mix(h ^ fnv1a(stream)));
    }

    private static long fnv1a(String text) {
        long hash = 0xCBF29CE484222325L;
        for (int i = 0; i < text.length(); i++) {
            hash = (hash ^ text.charAt(i)) * 0x100000001B3L;
        }
        return hash;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    long nextLong() {
        state += GOLDEN_GAMMA;
        return mix(state);
    }

    /** Uniform in [0, 1). */
    double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [0, bound). */
    int nextInt(int bound) {
        return (int) (nextDouble() * bound);
    }

    /** Uniform in [min, maxExclusive). */
    long between(long min, long maxExclusive) {
        return min + (long) (nextDouble() * (maxExclusive - min));
    }

    /** True with probability {@code p}. */
    boolean chance(double p) {
        return nextDouble() < p;
    }

    /** Exponentially distributed with the given mean, in whole milliseconds. */
    long exponentialMillis(long meanMillis) {
        return (long) (-meanMillis * StrictMath.log(1.0 - nextDouble()));
    }

    /** A version-4 UUID made of two draws. */
    UUID uuid() {
        long msb = (nextLong() & ~0xF000L) | 0x4000L;
        long lsb = (nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb);
    }

    <T> T pick(List<T> items) {
        return items.get(nextInt(items.size()));
    }
}
