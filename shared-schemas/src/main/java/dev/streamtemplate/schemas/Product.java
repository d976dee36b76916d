package dev.streamtemplate.schemas;

import java.time.Instant;

/**
 * A catalogue entry on the compacted topic {@code products}, keyed by {@code productId}; the latest
 * record per key is the product's current state.
 *
 * <p>Schema: {@code schemas/product.schema.json}.
 *
 * @param productId  primary key, for example {@code p-0042}
 * @param name       display name
 * @param category   category name
 * @param priceCents unit price in minor units
 * @param currency   ISO-4217 code
 * @param updatedAt  when this version of the product was published (event time)
 */
public record Product(String productId, String name, String category, long priceCents, String currency,
                      Instant updatedAt) implements Event {

    public Product {
        ContractViolation.requiredText(productId, "productId");
        ContractViolation.requiredText(name, "name");
        ContractViolation.requiredText(category, "category");
        ContractViolation.nonNegative(priceCents, "priceCents");
        ContractViolation.currency(currency, "currency");
        ContractViolation.eventTime(updatedAt, "updatedAt");
    }

    @Override
    public Instant eventTime() {
        return updatedAt;
    }
}
