package dev.streamtemplate.cart;

import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

/**
 * Keeps the global store {@link CartTopology#PRODUCTS_STORE} up to date from the compacted topic
 * {@code products}: every product record becomes a version of the product valid from its
 * {@code updatedAt} (event time) in the product's {@link ProductHistory}, so that the cart prices a
 * command as of its own event time, whatever order the two topics are read in. A tombstone deletes the
 * product as of the record's timestamp. A record without key, or whose value is no product, is logged,
 * counted in {@code cart_malformed_products_total} and skipped ({@link ProductRecord} says why it
 * does not go to the dead-letter topic).
 *
 * <p>Kafka Streams runs it on the global thread for new records, and again over the whole topic when
 * it restores the store (a global store with a processor is reprocessed on restore). It uses
 * {@code updatedAt}, not the record timestamp, so both give the same history.
 */
final class ProductHistoryRecorder implements Processor<String, ProductRecord, Void, Void> {

    private static final Logger LOG = Logger.getLogger(ProductHistoryRecorder.class);

    private final Duration retention;
    private final CartMetrics metrics;
    private KeyValueStore<String, ProductHistory> histories;

    /**
     * @param retention how long replaced versions are kept ({@code cart.price-history-retention})
     * @param metrics   the counter of malformed products
     */
    ProductHistoryRecorder(Duration retention, CartMetrics metrics) {
        this.retention = retention;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        histories = context.getStateStore(CartTopology.PRODUCTS_STORE);
    }

    @Override
    public void process(Record<String, ProductRecord> record) {
        ProductRecord value = record.value();
        if (record.key() == null) {
            metrics.malformedProduct();
            LOG.warn("skipping a record without key on products: it names no product");
            return;
        }
        if (value != null && value.product() == null) {
            metrics.malformedProduct();
            LOG.warnf("skipping a malformed record of product '%s' on products: %s", record.key(), value.malformed());
            return;
        }
        ProductHistory history = histories.get(record.key());
        ProductHistory current = history == null ? ProductHistory.empty() : history;
        histories.put(record.key(), value == null
                ? current.with(Instant.ofEpochMilli(record.timestamp()), null, retention)
                : current.with(value.product().updatedAt(), value.product(), retention));
    }
}
