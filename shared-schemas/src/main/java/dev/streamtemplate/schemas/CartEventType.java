package dev.streamtemplate.schemas;

/** The commands a {@link CartEvent} can carry. */
public enum CartEventType {
    /** Add {@code quantity} units of a product to the cart. */
    ADD_ITEM,
    /** Remove {@code quantity} units (or all, when {@code quantity} is null) of a product. */
    REMOVE_ITEM,
    /** Turn the cart into an order and empty it. */
    CHECKOUT
}
