package dev.streamtemplate.cart;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The current cart of one user, on the compacted topic {@code carts} and in the store
 * {@code carts-store}, keyed by user id. Derived state: the fold of the user's cart commands
 * (topic {@code cart-events}) in the order of their partition; replaying that log rebuilds it.
 *
 * <p>A cart has at least one item. A command that empties it (the checkout, or the removal of the
 * last item) deletes it: a tombstone on {@code carts}, no entry in the store.
 *
 * <p>JSON: {@code {"userId":"u-0001","items":[{"productId","quantity","unitPriceCents","currency","addedAt"}],
 * "totalCents":{"EUR":3998},"updatedAt":"2026-11-21T10:15:30.123Z"}}.
 *
 * @param userId     the owner; also the key
 * @param items      the items, ordered by product id, never empty
 * @param totalCents sum of {@code quantity x unitPriceCents} per ISO-4217 currency, in minor units
 * @param updatedAt  event time of the last command applied to the cart (commands delivered out of
 *                   order can make it go back)
 */
public record Cart(String userId, List<CartItem> items, Map<String, Long> totalCents, Instant updatedAt) {

    /**
     * A cart of {@code items}, sorted by product id, with its totals.
     *
     * @param userId    the owner
     * @param items     the items in any order, at least one
     * @param updatedAt event time of the command that produced this state
     */
    public static Cart of(String userId, List<CartItem> items, Instant updatedAt) {
        List<CartItem> sorted = items.stream().sorted(Comparator.comparing(CartItem::productId)).toList();
        return new Cart(userId, sorted, totalsOf(sorted.stream().map(i -> new Amount(i.currency(), i.amountCents())).toList()),
                updatedAt);
    }

    /** The item of {@code productId}, or {@code null} when the cart does not hold it. */
    public CartItem item(String productId) {
        return items.stream().filter(i -> i.productId().equals(productId)).findFirst().orElse(null);
    }

    /** An amount of money in minor units. */
    record Amount(String currency, long cents) {
    }

    /** Sums amounts per currency, currencies in alphabetical order. */
    static Map<String, Long> totalsOf(List<Amount> amounts) {
        Map<String, Long> totals = new TreeMap<>();
        amounts.forEach(a -> totals.merge(a.currency(), a.cents(), Math::addExact));
        return totals;
    }
}
