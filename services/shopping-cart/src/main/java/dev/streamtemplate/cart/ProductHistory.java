package dev.streamtemplate.cart;

import dev.streamtemplate.schemas.Product;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The catalogue versions of one product, oldest first, as kept in the global store
 * {@link CartTopology#PRODUCTS_STORE} (keyed by product id): each version is valid from its
 * {@code validFrom} (the product record's {@code updatedAt}) until the next one. A version without a
 * product marks a deletion (a tombstone on {@code products}).
 *
 * <p>History is bounded: a version that stopped being valid more than the retention
 * ({@code cart.price-history-retention}) before the product's newest version is dropped; the newest
 * version is always kept. Asking for an instant before the oldest version kept gives {@code null}, as
 * for an instant before the product existed.
 *
 * @param versions the versions, ordered by {@code validFrom}, at most one per instant
 */
public record ProductHistory(List<Version> versions) {

    /**
     * One version of the product.
     *
     * @param validFrom from when it is valid (event time)
     * @param product   the product as of then, {@code null} when it was deleted then
     */
    public record Version(Instant validFrom, Product product) {
    }

    /** No version yet. */
    public static ProductHistory empty() {
        return new ProductHistory(List.of());
    }

    /**
     * The product as it was at {@code time}: the version with the latest {@code validFrom} at or before
     * it, or {@code null} when there is none or it is a deletion.
     */
    public Product asOf(Instant time) {
        Product found = null;
        for (Version version : versions) {
            if (version.validFrom().isAfter(time)) {
                break;
            }
            found = version.product();
        }
        return found;
    }

    /**
     * This history with one more version; a version at an instant that has one already replaces it
     * (the later record wins).
     *
     * @param validFrom from when the version is valid
     * @param product   the product, or {@code null} for a deletion
     * @param retention how long before the newest version a replaced one is kept
     */
    public ProductHistory with(Instant validFrom, Product product, Duration retention) {
        List<Version> next = new ArrayList<>(versions);
        next.removeIf(v -> v.validFrom().equals(validFrom));
        next.add(new Version(validFrom, product));
        next.sort(Comparator.comparing(Version::validFrom));
        Instant keepFrom = next.get(next.size() - 1).validFrom().minus(retention);
        List<Version> kept = new ArrayList<>();
        for (int i = 0; i < next.size(); i++) {
            boolean newest = i == next.size() - 1;
            if (newest || !next.get(i + 1).validFrom().isBefore(keepFrom)) {
                kept.add(next.get(i));
            }
        }
        return new ProductHistory(List.copyOf(kept));
    }

    /** The newest version, or {@code null} when there is none. */
    public Version newest() {
        return versions.isEmpty() ? null : versions.get(versions.size() - 1);
    }
}
