package dev.streamtemplate.cart;

import dev.streamtemplate.schemas.CartEvent;
import dev.streamtemplate.schemas.Product;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One step of the event-sourcing fold: a cart and a command give the next cart (and, for a checkout,
 * an order), or a rejection that leaves the cart as it was. A pure function: no store, no Kafka, no
 * clock; {@link CartCommandProcessor} applies it to every command in partition order.
 *
 * <p>Rules, per command type ({@code cart == null} is an empty cart):
 * <ul>
 *   <li>{@code ADD_ITEM product q}: {@code q < 1} is {@link RejectionReason#INVALID_QUANTITY}; a product
 *       without a catalogue version at the command's event time is
 *       {@link RejectionReason#UNKNOWN_PRODUCT}. A product not in the cart enters it with that version's
 *       unit price and currency (the locked price); a product in the cart gets {@code q} more units at
 *       its locked price.</li>
 *   <li>{@code REMOVE_ITEM product q}: {@code q} null removes every unit; {@code q < 1} is
 *       {@code INVALID_QUANTITY}; a product not in the cart is {@link RejectionReason#NOT_IN_CART}; more
 *       units than the cart holds is {@link RejectionReason#QUANTITY_EXCEEDS_CART}. Removing the last unit
 *       removes the item; removing the last item empties the cart.</li>
 *   <li>{@code CHECKOUT}: an empty cart is {@link RejectionReason#EMPTY_CART}; otherwise the cart becomes
 *       an {@link Order} (id from the user and the checkout's event id) and is emptied.</li>
 * </ul>
 * {@link Cart#updatedAt()} becomes the event time of the applied command.
 */
final class CartFold {

    /** Each product's version valid at an instant: the product catalogue as of the command's event time. */
    @FunctionalInterface
    interface ProductVersions {
        /**
         * @param productId the product
         * @param time      the instant (event time of the command)
         * @return the product's version valid at {@code time}, or {@code null} when it had none
         */
        Product asOf(String productId, Instant time);
    }

    /** What applying a command gives. */
    sealed interface Outcome permits Applied, Rejected {
    }

    /**
     * The command was applied.
     *
     * @param cart  the cart afterwards, {@code null} when it is empty now
     * @param order the order a checkout placed, {@code null} for other commands
     */
    record Applied(Cart cart, Order order) implements Outcome {
    }

    /**
     * The command was not applied; the cart is unchanged.
     *
     * @param reason  why
     * @param message why, in words
     */
    record Rejected(RejectionReason reason, String message) implements Outcome {
    }

    private CartFold() {
    }

    /**
     * Applies {@code command} to {@code cart}.
     *
     * @param cart      the user's cart, {@code null} when empty
     * @param command   a well-formed command of the cart's user
     * @param products  each product's version by event time
     * @return the outcome
     */
    static Outcome apply(Cart cart, CartEvent command, ProductVersions products) {
        return switch (command.type()) {
            case ADD_ITEM -> add(cart, command, products);
            case REMOVE_ITEM -> remove(cart, command);
            case CHECKOUT -> checkout(cart, command);
        };
    }

    private static Outcome add(Cart cart, CartEvent command, ProductVersions products) {
        int quantity = command.quantity();
        if (quantity < 1) {
            return new Rejected(RejectionReason.INVALID_QUANTITY, "cannot add " + quantity + " units of '"
                    + command.productId() + "': the quantity must be at least 1");
        }
        CartItem held = cart == null ? null : cart.item(command.productId());
        List<CartItem> items = cart == null ? new ArrayList<>() : new ArrayList<>(cart.items());
        if (held != null) {
            if (held.quantity() > Integer.MAX_VALUE - quantity) {
                return new Rejected(RejectionReason.INVALID_QUANTITY, "adding " + quantity + " units of '"
                        + command.productId() + "' to " + held.quantity() + " would exceed " + Integer.MAX_VALUE + " units");
            }
            items.set(items.indexOf(held), held.withQuantity(held.quantity() + quantity));
        } else {
            Product product = products.asOf(command.productId(), command.timestamp());
            if (product == null) {
                return new Rejected(RejectionReason.UNKNOWN_PRODUCT, "product '" + command.productId()
                        + "' is not in the catalogue as of " + command.timestamp());
            }
            items.add(new CartItem(product.productId(), quantity, product.priceCents(), product.currency(),
                    command.timestamp()));
        }
        return new Applied(Cart.of(command.userId(), items, command.timestamp()), null);
    }

    private static Outcome remove(Cart cart, CartEvent command) {
        Integer quantity = command.quantity();
        if (quantity != null && quantity < 1) {
            return new Rejected(RejectionReason.INVALID_QUANTITY, "cannot remove " + quantity + " units of '"
                    + command.productId() + "': the quantity must be at least 1, or absent for all units");
        }
        CartItem held = cart == null ? null : cart.item(command.productId());
        if (held == null) {
            return new Rejected(RejectionReason.NOT_IN_CART, "product '" + command.productId() + "' is not in the cart");
        }
        if (quantity != null && quantity > held.quantity()) {
            return new Rejected(RejectionReason.QUANTITY_EXCEEDS_CART, "cannot remove " + quantity + " units of '"
                    + command.productId() + "': the cart holds " + held.quantity());
        }
        List<CartItem> items = new ArrayList<>(cart.items());
        if (quantity == null || quantity == held.quantity()) {
            items.remove(held);
        } else {
            items.set(items.indexOf(held), held.withQuantity(held.quantity() - quantity));
        }
        return new Applied(items.isEmpty() ? null : Cart.of(command.userId(), items, command.timestamp()), null);
    }

    private static Outcome checkout(Cart cart, CartEvent command) {
        if (cart == null) {
            return new Rejected(RejectionReason.EMPTY_CART, "the cart is empty; there is nothing to check out");
        }
        return new Applied(null, Order.of(cart, command.eventId(), command.timestamp()));
    }
}
