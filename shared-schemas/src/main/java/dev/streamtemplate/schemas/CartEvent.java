package dev.streamtemplate.schemas;

import java.time.Instant;

/**
 * A shopping-cart command on topic {@code cart-events}, keyed by {@code userId}.
 *
 * <p>Schema: {@code schemas/cart-event.schema.json}. The contract checks the shape only: a
 * well-formed command can still be invalid for the cart it is applied to (removing an item that is
 * not in the cart, checking out an empty cart); the cart service rejects those, not the serde.
 *
 * @param eventId   unique id of this command (a UUID string); a redelivered command repeats it
 * @param userId    the cart owner; also the record key
 * @param type      what the command does
 * @param productId the product for {@link CartEventType#ADD_ITEM} and {@link CartEventType#REMOVE_ITEM};
 *                  {@code null} for {@link CartEventType#CHECKOUT}
 * @param quantity  units to add or remove; for {@code REMOVE_ITEM} {@code null} means all units;
 *                  {@code null} for {@code CHECKOUT}. Not range-checked here (see above).
 * @param timestamp when the command was issued (ISO-8601 instant, event time)
 */
public record CartEvent(String eventId, String userId, CartEventType type, String productId, Integer quantity,
                        Instant timestamp) implements Event {

    public CartEvent {
        ContractViolation.requiredText(eventId, "eventId");
        ContractViolation.requiredText(userId, "userId");
        ContractViolation.required(type, "type");
        if (type != CartEventType.CHECKOUT) {
            ContractViolation.requiredText(productId, "productId");
        }
        if (type == CartEventType.ADD_ITEM) {
            ContractViolation.required(quantity, "quantity");
        }
        ContractViolation.eventTime(timestamp, "timestamp");
    }

    @Override
    public Instant eventTime() {
        return timestamp;
    }
}
