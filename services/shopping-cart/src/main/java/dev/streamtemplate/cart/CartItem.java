package dev.streamtemplate.cart;

import java.time.Instant;

/**
 * One product in a {@link Cart}: how many units, and the unit price the product had when it entered
 * the cart.
 *
 * <p>The price is locked when the product enters the cart (its first {@code ADD_ITEM} while it was
 * absent): it is the catalogue version of the product valid at that command's event time. Units of
 * the same product added later are charged at the same locked price; a product removed completely
 * and added again gets the price valid at the new add.
 *
 * @param productId      the product, for example {@code p-0042}
 * @param quantity       units in the cart, at least 1
 * @param unitPriceCents the locked unit price in minor units of {@code currency}
 * @param currency       ISO-4217 code of the product's price
 * @param addedAt        event time of the {@code ADD_ITEM} that put the product in the cart (the
 *                       instant the price was taken for)
 */
public record CartItem(String productId, int quantity, long unitPriceCents, String currency, Instant addedAt) {

    /** {@code quantity x unitPriceCents}, in minor units of {@code currency}. */
    public long amountCents() {
        return Math.multiplyExact(unitPriceCents, (long) quantity);
    }

    /** This item with {@code quantity} units instead. */
    public CartItem withQuantity(int quantity) {
        return new CartItem(productId, quantity, unitPriceCents, currency, addedAt);
    }
}
