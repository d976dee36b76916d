package dev.streamtemplate.cart;

/**
 * One line of an {@link Order}: a cart item at checkout.
 *
 * @param productId      the product
 * @param quantity       units ordered, at least 1
 * @param unitPriceCents the unit price locked when the product entered the cart, in minor units
 * @param currency       ISO-4217 code
 * @param amountCents    {@code quantity x unitPriceCents}
 */
public record OrderLine(String productId, int quantity, long unitPriceCents, String currency, long amountCents) {

    /** The line of a cart item. */
    public static OrderLine of(CartItem item) {
        return new OrderLine(item.productId(), item.quantity(), item.unitPriceCents(), item.currency(), item.amountCents());
    }
}
