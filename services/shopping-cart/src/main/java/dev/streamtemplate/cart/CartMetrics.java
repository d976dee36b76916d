package dev.streamtemplate.cart;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;

/**
 * The counters of shopping-cart, exported at {@code /q/metrics}: {@code cart_duplicates_total} (second
 * deliveries of commands, ignored) and {@code cart_rejections_total{reason}} (commands rejected, per
 * {@link RejectionReason}; every reason is registered at start, so each shows 0 before it happens) and
 * {@code cart_malformed_products_total} (records of {@code products} skipped: no key, or no product).
 *
 * <p>They count processing attempts: after a crash, Kafka Streams reprocesses the commands since the
 * last commit and counts them again, while the output topics hold each result once (exactly-once).
 */
final class CartMetrics {

    private final Counter duplicates;
    private final Counter malformedProducts;
    private final Map<RejectionReason, Counter> rejections = new EnumMap<>(RejectionReason.class);

    private CartMetrics(MeterRegistry registry) {
        duplicates = Counter.builder("cart.duplicates")
                .description("Cart commands delivered again with an event id already processed; ignored")
                .register(registry);
        malformedProducts = Counter.builder("cart.malformed.products")
                .description("Records of products without key or that are no product; skipped by the price history")
                .register(registry);
        for (RejectionReason reason : RejectionReason.values()) {
            rejections.put(reason, Counter.builder("cart.rejections")
                    .description("Cart commands rejected (sent to cart-rejections), by reason")
                    .tag("reason", reason.name())
                    .register(registry));
        }
    }

    /** Registers the counters in {@code registry} (or finds them, when registered before). */
    static CartMetrics register(MeterRegistry registry) {
        return new CartMetrics(registry);
    }

    void duplicate() {
        duplicates.increment();
    }

    void malformedProduct() {
        malformedProducts.increment();
    }

    void rejected(RejectionReason reason) {
        rejections.get(reason).increment();
    }
}
