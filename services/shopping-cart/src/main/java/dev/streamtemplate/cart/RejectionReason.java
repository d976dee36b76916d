package dev.streamtemplate.cart;

/**
 * Why a cart command was not applied. A rejected command leaves the cart as it was and goes to
 * {@code cart-rejections}; each reason has its own count in {@code cart_rejections_total{reason}}.
 */
public enum RejectionReason {
    /** {@code quantity} is zero or negative, or adding it would exceed {@link Integer#MAX_VALUE} units. */
    INVALID_QUANTITY,
    /** {@code ADD_ITEM} of a product that has no catalogue version at the command's event time. */
    UNKNOWN_PRODUCT,
    /** {@code REMOVE_ITEM} of a product the cart does not hold. */
    NOT_IN_CART,
    /** {@code REMOVE_ITEM} of more units than the cart holds. */
    QUANTITY_EXCEEDS_CART,
    /** {@code CHECKOUT} of an empty cart. */
    EMPTY_CART,
    /**
     * The command's event time is more than the de-duplication retention before the stream time of
     * its partition: its event id can no longer be remembered, so a second delivery of it could not
     * be recognised. Rejected rather than applied without that protection.
     */
    TOO_LATE
}
