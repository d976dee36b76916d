package dev.streamtemplate.enrichment;

import dev.streamtemplate.schemas.Product;
import dev.streamtemplate.schemas.Purchase;
import java.time.Instant;

/**
 * One order line with its product's current name and category, on the compacted topic
 * {@code order-details} and in store {@code order-details-store}, keyed by {@link #key(String, String)}
 * ({@code orderId/productId}) and partitioned by order id ({@link OrderPartitioner}), so the lines of
 * an order are on one partition.
 *
 * <p>A line is the latest purchase event of that product in that order. The product fields follow
 * the catalogue: when the product's name or category changes, the line is emitted again with the new
 * values (foreign-key join, KIP-213); they are {@code null} while the product is unknown (left join).
 *
 * @param orderId         the order
 * @param productId       the product bought
 * @param userId          the buyer
 * @param quantity        units bought
 * @param amountCents     price of the line in minor units of {@code currency}, as paid
 * @param currency        ISO-4217 code
 * @param purchasedAt     when the purchase happened (event time)
 * @param productName     the product's current name, or {@code null} when unknown
 * @param productCategory the product's current category, or {@code null} when unknown
 */
public record EnrichedOrderLine(String orderId, String productId, String userId, int quantity, long amountCents,
                        String currency, Instant purchasedAt, String productName, String productCategory) {

    /** Separates order id and product id in a line's key. */
    public static final char KEY_SEPARATOR = '/';

    /** The key of the line of {@code productId} in {@code orderId}: {@code orderId/productId}. */
    public static String key(String orderId, String productId) {
        return orderId + KEY_SEPARATOR + productId;
    }

    /** The foreign-key joiner: the purchase with its product ({@code null}: not in the catalogue). */
    public static EnrichedOrderLine of(Purchase purchase, Product product) {
        return new EnrichedOrderLine(purchase.orderId(), purchase.productId(), purchase.userId(), purchase.quantity(),
                purchase.amountCents(), purchase.currency(), purchase.timestamp(),
                product == null ? null : product.name(), product == null ? null : product.category());
    }
}
