package dev.streamtemplate.enrichment;

import dev.streamtemplate.schemas.Purchase;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Lifetime purchase statistics of one user, in store {@code purchase-stats-store} keyed by user id.
 *
 * @param purchases      the number of purchase events of the user (order lines: the generator
 *                       writes one purchase per order, so this is also the number of orders)
 * @param spendCents     total {@code amountCents} per ISO-4217 currency, in minor units; amounts
 *                       in different currencies are never added up
 * @param lastPurchaseAt the latest purchase {@code timestamp} (event time), {@code null} before any
 */
public record PurchaseStats(long purchases, Map<String, Long> spendCents, Instant lastPurchaseAt) {

    /** Sorted by currency, unmodifiable. */
    public PurchaseStats {
        spendCents = Collections.unmodifiableMap(new TreeMap<>(spendCents == null ? Map.of() : spendCents));
    }

    /** No purchase yet. */
    public static PurchaseStats none() {
        return new PurchaseStats(0, Map.of(), null);
    }

    /** These statistics plus {@code purchase}; the order of additions does not matter. */
    public PurchaseStats add(Purchase purchase) {
        Map<String, Long> spend = new TreeMap<>(spendCents);
        spend.merge(purchase.currency(), purchase.amountCents(), Long::sum);
        Instant last = lastPurchaseAt == null || purchase.timestamp().isAfter(lastPurchaseAt)
                ? purchase.timestamp() : lastPurchaseAt;
        return new PurchaseStats(purchases + 1, spend, last);
    }
}
