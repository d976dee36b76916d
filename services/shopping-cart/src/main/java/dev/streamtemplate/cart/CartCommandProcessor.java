package dev.streamtemplate.cart;

import dev.streamtemplate.cart.CartFold.Applied;
import dev.streamtemplate.cart.CartFold.Outcome;
import dev.streamtemplate.cart.CartFold.Rejected;
import dev.streamtemplate.runtime.errors.KeyAndValueRequired;
import dev.streamtemplate.schemas.CartEvent;
import dev.streamtemplate.schemas.Product;
import dev.streamtemplate.schemas.TopicCatalogue;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * The event-sourcing fold of shopping-cart: applies each cart command, in the order of its
 * {@code cart-events} partition, to the user's cart, once.
 *
 * <p>For each command (key and value required, key equal to {@code userId}; otherwise an exception
 * sends the record to the dead-letter topic):
 * <ol>
 *   <li><b>Horizon.</b> Event time more than the de-duplication retention before the task's stream time
 *       (the largest event time seen on the partition, this command's included): rejected
 *       {@link RejectionReason#TOO_LATE}, since its id could not be remembered.</li>
 *   <li><b>Duplicate.</b> A command whose {@code userId/eventId} is in {@link CartTopology#DEDUP_STORE}
 *       was processed before (applied or rejected): ignored, no output, {@code cart_duplicates_total}
 *       incremented.</li>
 *   <li><b>Fold.</b> {@link CartFold#apply} with the cart in {@link CartTopology#CARTS_STORE} and the
 *       product histories of the global store {@link CartTopology#PRODUCTS_STORE}, read as of the
 *       command's event time. Applied: the new cart is stored and sent to {@code carts} (deleted and a tombstone
 *       when it is empty); a checkout's order is stored in {@link CartTopology#ORDERS_STORE} under
 *       {@code userId/orderId} and sent to {@code orders}. Rejected: the cart is untouched, the
 *       rejection goes to {@code cart-rejections} and {@code cart_rejections_total{reason}} counts it.</li>
 *   <li>The command's {@code userId/eventId} is remembered in the de-duplication store, at its event
 *       time.</li>
 * </ol>
 * All of it happens in one Kafka Streams transaction per commit (exactly-once v2): stores, outputs and
 * the input offset move together. Outputs carry the command's event time as their timestamp.
 */
final class CartCommandProcessor implements Processor<String, CartEvent, String, Object> {

    private static final KeyAndValueRequired<String, CartEvent> KEY_AND_VALUE_REQUIRED =
            new KeyAndValueRequired<>(TopicCatalogue.CART_EVENTS.name());

    private final long retentionMs;
    private final CartMetrics metrics;

    private ProcessorContext<String, Object> context;
    private WindowStore<String, String> processedIds;
    private KeyValueStore<String, Cart> carts;
    private KeyValueStore<String, Order> orders;
    private KeyValueStore<String, ProductHistory> products;

    /**
     * @param dedupRetention how long, in stream time, processed event ids are remembered
     * @param metrics        the counters
     */
    CartCommandProcessor(Duration dedupRetention, CartMetrics metrics) {
        this.retentionMs = dedupRetention.toMillis();
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        processedIds = context.getStateStore(CartTopology.DEDUP_STORE);
        carts = context.getStateStore(CartTopology.CARTS_STORE);
        orders = context.getStateStore(CartTopology.ORDERS_STORE);
        products = context.getStateStore(CartTopology.PRODUCTS_STORE);
    }

    @Override
    public void process(Record<String, CartEvent> record) {
        CartEvent command = KEY_AND_VALUE_REQUIRED.apply(record.key(), record.value());
        String userId = record.key();
        if (!userId.equals(command.userId())) {
            throw new MisroutedCommandException("cart command " + command.eventId() + " of user '" + command.userId()
                    + "' has key '" + userId + "'; cart-events must be keyed by userId");
        }
        long eventTime = command.timestamp().toEpochMilli();
        long streamTime = context.currentStreamTimeMs();
        if (eventTime < streamTime - retentionMs) {
            reject(record, new Rejected(RejectionReason.TOO_LATE, "event time " + command.timestamp() + " is more than "
                    + Duration.ofMillis(retentionMs) + " before stream time " + Instant.ofEpochMilli(streamTime)
                    + "; its event id can no longer be remembered, so a second delivery could not be recognised"));
            return;
        }
        String processedId = userId + Order.KEY_SEPARATOR + command.eventId();
        if (processedBefore(processedId, eventTime)) {
            metrics.duplicate();
            return;
        }
        Outcome outcome = CartFold.apply(carts.get(userId), command, this::productAsOf);
        if (outcome instanceof Applied applied) {
            apply(record, applied);
            processedIds.put(processedId, "APPLIED", eventTime);
        } else {
            Rejected rejected = (Rejected) outcome;
            reject(record, rejected);
            processedIds.put(processedId, rejected.reason().name(), eventTime);
        }
    }

    private void apply(Record<String, CartEvent> record, Applied applied) {
        String userId = record.key();
        if (applied.cart() == null) {
            carts.delete(userId);
        } else {
            carts.put(userId, applied.cart());
        }
        context.forward(record.withValue((Object) applied.cart()), CartTopology.CARTS_SINK);
        Order order = applied.order();
        if (order != null) {
            orders.put(Order.storeKey(userId, order.orderId()), order);
            context.forward(record.withValue((Object) order), CartTopology.ORDERS_SINK);
        }
    }

    private void reject(Record<String, CartEvent> record, Rejected rejected) {
        metrics.rejected(rejected.reason());
        context.forward(record.withValue((Object) new CartRejection(record.value(), rejected.reason(), rejected.message())),
                CartTopology.REJECTIONS_SINK);
    }

    /** Whether the id was processed at an event time within the retention of {@code eventTime}. */
    private boolean processedBefore(String processedId, long eventTime) {
        long from = Math.max(0, eventTime - retentionMs);
        long to = eventTime > Long.MAX_VALUE - retentionMs ? Long.MAX_VALUE : eventTime + retentionMs;
        try (WindowStoreIterator<String> seen = processedIds.fetch(processedId, from, to)) {
            return seen.hasNext();
        }
    }

    private Product productAsOf(String productId, Instant time) {
        ProductHistory history = products.get(productId);
        return history == null ? null : history.asOf(time);
    }
}
