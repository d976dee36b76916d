package dev.streamtemplate.schemas;

import java.time.Instant;

/**
 * A purchase on topic {@code purchases}, keyed by {@code userId}.
 *
 * <p>Schema: {@code schemas/purchase.schema.json}. Money is in integer minor units of an ISO-4217
 * currency (cents for EUR and USD).
 *
 * @param eventId     unique id of this event (a UUID string)
 * @param orderId     the order this purchase belongs to
 * @param userId      the buyer; also the record key
 * @param productId   the product bought
 * @param quantity    number of units, greater than 0
 * @param amountCents total price of the line in minor units, 0 or more
 * @param currency    ISO-4217 code, for example {@code EUR}
 * @param timestamp   when the purchase happened (ISO-8601 instant, event time)
 */
public record Purchase(String eventId, String orderId, String userId, String productId, int quantity,
                       long amountCents, String currency, Instant timestamp) implements Event {

    public Purchase {
        ContractViolation.requiredText(eventId, "eventId");
        ContractViolation.requiredText(orderId, "orderId");
        ContractViolation.requiredText(userId, "userId");
        ContractViolation.requiredText(productId, "productId");
        ContractViolation.positive(quantity, "quantity");
        ContractViolation.nonNegative(amountCents, "amountCents");
        ContractViolation.currency(currency, "currency");
        ContractViolation.eventTime(timestamp, "timestamp");
    }

    @Override
    public Instant eventTime() {
        return timestamp;
    }
}
