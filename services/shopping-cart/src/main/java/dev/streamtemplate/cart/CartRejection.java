package dev.streamtemplate.cart;

import dev.streamtemplate.schemas.CartEvent;

/**
 * A cart command that was not applied, on topic {@code cart-rejections}, keyed by user id. The cart
 * stays as it was. A second delivery of a rejected command is ignored like that of an applied one
 * (it is not rejected twice).
 *
 * <p>JSON: {@code {"command":{...the CartEvent...},"reason":"EMPTY_CART","message":"..."}}.
 *
 * @param command the command as received
 * @param reason  why it was rejected
 * @param message the reason in words, with the values involved
 */
public record CartRejection(CartEvent command, RejectionReason reason, String message) {
}
