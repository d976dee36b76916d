package dev.streamtemplate.cart;

import dev.streamtemplate.schemas.JsonSerde;
import dev.streamtemplate.schemas.MalformedEventException;
import dev.streamtemplate.schemas.Product;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * A record of {@code products} as the global store's processor receives it: a product, or bytes that
 * are not one. A tombstone arrives as a {@code null} value, not as a {@code ProductRecord}.
 *
 * <p>Why not let the deserializer throw, as on {@code cart-events}: Kafka Streams 4.2.2 cannot send a
 * dead letter from its global thread (the handler's dead-letter records are written through a record
 * collector the global processor context does not have: a {@code ClassCastException} that kills the
 * global thread, and with it the application). So a malformed product is handed to the processor,
 * which logs it, counts it in {@code cart_malformed_products_total} and skips it.
 *
 * @param product   the product, or {@code null} when the bytes are not one
 * @param malformed what is wrong with the bytes, or {@code null} for a product
 */
record ProductRecord(Product product, String malformed) {

    /** Reads {@code products} values; never throws. */
    static final class ValueDeserializer implements Deserializer<ProductRecord> {

        private final JsonSerde<Product> products = JsonSerde.of(Product.class);

        @Override
        public ProductRecord deserialize(String topic, byte[] data) {
            if (data == null) {
                return null;
            }
            try {
                return new ProductRecord(products.deserialize(topic, data), null);
            } catch (MalformedEventException e) {
                return new ProductRecord(null, e.getMessage());
            }
        }
    }
}
