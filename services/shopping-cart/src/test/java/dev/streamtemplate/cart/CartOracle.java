package dev.streamtemplate.cart;

import dev.streamtemplate.schemas.CartEvent;
import dev.streamtemplate.schemas.Product;
import dev.streamtemplate.testing.TopicRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A plain-Java fold of cart commands, the oracle the real pipeline is compared with. No Kafka Streams
 * code and none of the service's rules: it applies the documented semantics to the input as read
 * back from the topics.
 *
 * <ul>
 *   <li>commands are applied per partition in offset order (the order the service sees them); the
 *       stream time of a partition is the largest event time so far, the current command's included;</li>
 *   <li>a command more than the retention before its partition's stream time is rejected TOO_LATE;</li>
 *   <li>a command whose {@code userId/eventId} came before (and was not too late) is a duplicate:
 *       counted, nothing else;</li>
 *   <li>prices: the product version with the latest {@code updatedAt} at or before the command's event
 *       time (on equal times the later record), locked when the product enters the cart;</li>
 *   <li>every applied command gives one {@code carts} record (null when the cart is empty after it),
 *       every applied checkout one order; every rejection one {@code cart-rejections} record.</li>
 * </ul>
 *
 * <p>Output topics, all keyed by user id, and how they compare: {@code carts} (compacted) with
 * {@link Result#cartChanges()} record by record per user, or its last value per key with
 * {@link Result#carts()}; {@code orders} with {@link Result#orders()}; {@code cart-rejections}
 * ({@link CartRejection}, minus its message) with {@link Result#rejections()}. Amounts are in minor
 * currency units, times are event times ({@link java.time.Instant}).
 */
public final class CartOracle {

    /**
     * A rejection as the oracle knows it: a {@link CartRejection} without its message (the service's prose).
     *
     * @param command the rejected command, as read from {@code cart-events}
     * @param reason  why it was rejected
     */
    public record Rejection(CartEvent command, RejectionReason reason) {
    }

    /**
     * What the service should have written.
     *
     * @param cartChanges every {@code carts} record per user, in order (null for a tombstone)
     * @param carts       the final cart per user with a non-empty cart (sorted by user id)
     * @param orders      every {@code orders} record per user, in order
     * @param rejections  every {@code cart-rejections} record per user, in order
     * @param duplicates  second deliveries ignored
     * @param byReason    rejections per reason, every reason present (zero when none)
     * @param commands    commands read (the size of the input list, duplicates and rejections included)
     */
    public record Result(Map<String, List<Cart>> cartChanges, Map<String, Cart> carts, Map<String, List<Order>> orders,
                         Map<String, List<Rejection>> rejections, long duplicates, Map<RejectionReason, Long> byReason,
                         long commands) {

        /** The orders of every user: the records the {@code orders} topic should hold. */
        public long orderCount() {
            return orders.values().stream().mapToLong(List::size).sum();
        }

        /** The rejections of every user: the records the {@code cart-rejections} topic should hold. */
        public long rejectionCount() {
            return rejections.values().stream().mapToLong(List::size).sum();
        }
    }

    private record Line(int quantity, long unitPriceCents, String currency, Instant addedAt) {
    }

    private CartOracle() {
    }

    /**
     * Folds the commands over the catalogue.
     *
     * @param commandRecords the records of {@code cart-events} (key = user id, as the service requires:
     *                       leave out misrouted and unreadable records), in any order: sorted by
     *                       partition and offset here
     * @param productRecords the records of {@code products} (key = product id), every version, no
     *                       tombstones
     * @param dedupRetention the service's {@code cart.dedup-retention} ({@link CartSettings#dedupRetention()})
     * @return what {@code carts}, {@code orders} and {@code cart-rejections} should hold
     */
    public static Result compute(List<TopicRecord<String, CartEvent>> commandRecords,
                          List<TopicRecord<String, Product>> productRecords, Duration dedupRetention) {
        Map<String, TreeMap<Instant, Product>> versions = new HashMap<>();
        for (TopicRecord<String, Product> record : inOrder(productRecords)) {
            versions.computeIfAbsent(record.key(), k -> new TreeMap<>()).put(record.value().updatedAt(), record.value());
        }

        Map<Integer, Long> streamTime = new HashMap<>();
        Set<String> processed = new HashSet<>();
        Map<String, TreeMap<String, Line>> carts = new HashMap<>();
        Map<String, List<Cart>> cartChanges = new LinkedHashMap<>();
        Map<String, List<Order>> orders = new LinkedHashMap<>();
        Map<String, List<Rejection>> rejections = new LinkedHashMap<>();
        Map<RejectionReason, Long> byReason = new EnumMap<>(RejectionReason.class);
        for (RejectionReason reason : RejectionReason.values()) {
            byReason.put(reason, 0L);
        }
        long duplicates = 0;

        for (TopicRecord<String, CartEvent> record : inOrder(commandRecords)) {
            CartEvent c = record.value();
            String user = record.key();
            long t = c.timestamp().toEpochMilli();
            long now = streamTime.merge(record.partition(), t, Math::max);
            RejectionReason reason = null;
            if (t < now - dedupRetention.toMillis()) {
                reason = RejectionReason.TOO_LATE;
            } else if (!processed.add(user + "/" + c.eventId())) {
                duplicates++;
                continue;
            }
            TreeMap<String, Line> cart = carts.computeIfAbsent(user, u -> new TreeMap<>());
            Line line = c.productId() == null ? null : cart.get(c.productId());
            Order order = null;
            if (reason == null) {
                switch (c.type()) {
                    case ADD_ITEM -> {
                        Map.Entry<Instant, Product> version = versions.getOrDefault(c.productId(), new TreeMap<>())
                                .floorEntry(c.timestamp());
                        if (c.quantity() < 1) {
                            reason = RejectionReason.INVALID_QUANTITY;
                        } else if (line != null) {
                            cart.put(c.productId(), new Line(line.quantity() + c.quantity(), line.unitPriceCents(),
                                    line.currency(), line.addedAt()));
                        } else if (version == null) {
                            reason = RejectionReason.UNKNOWN_PRODUCT;
                        } else {
                            cart.put(c.productId(), new Line(c.quantity(), version.getValue().priceCents(),
                                    version.getValue().currency(), c.timestamp()));
                        }
                    }
                    case REMOVE_ITEM -> {
                        if (c.quantity() != null && c.quantity() < 1) {
                            reason = RejectionReason.INVALID_QUANTITY;
                        } else if (line == null) {
                            reason = RejectionReason.NOT_IN_CART;
                        } else if (c.quantity() != null && c.quantity() > line.quantity()) {
                            reason = RejectionReason.QUANTITY_EXCEEDS_CART;
                        } else if (c.quantity() == null || c.quantity() == line.quantity()) {
                            cart.remove(c.productId());
                        } else {
                            cart.put(c.productId(), new Line(line.quantity() - c.quantity(), line.unitPriceCents(),
                                    line.currency(), line.addedAt()));
                        }
                    }
                    case CHECKOUT -> {
                        if (cart.isEmpty()) {
                            reason = RejectionReason.EMPTY_CART;
                        } else {
                            order = order(user, c, cart);
                            cart.clear();
                        }
                    }
                }
            }
            if (reason != null) {
                rejections.computeIfAbsent(user, u -> new ArrayList<>()).add(new Rejection(c, reason));
                byReason.merge(reason, 1L, Long::sum);
                continue;
            }
            cartChanges.computeIfAbsent(user, u -> new ArrayList<>()).add(cart.isEmpty() ? null : cart(user, cart, c.timestamp()));
            if (order != null) {
                orders.computeIfAbsent(user, u -> new ArrayList<>()).add(order);
            }
        }

        Map<String, Cart> finalCarts = new TreeMap<>();
        carts.forEach((user, cart) -> {
            if (!cart.isEmpty()) {
                finalCarts.put(user, cartChanges.get(user).get(cartChanges.get(user).size() - 1));
            }
        });
        return new Result(cartChanges, finalCarts, orders, rejections, duplicates, byReason, commandRecords.size());
    }

    private static Cart cart(String user, TreeMap<String, Line> lines, Instant updatedAt) {
        List<CartItem> items = new ArrayList<>();
        Map<String, Long> totals = new TreeMap<>();
        lines.forEach((product, line) -> {
            items.add(new CartItem(product, line.quantity(), line.unitPriceCents(), line.currency(), line.addedAt()));
            totals.merge(line.currency(), line.quantity() * line.unitPriceCents(), Long::sum);
        });
        return new Cart(user, items, totals, updatedAt);
    }

    private static Order order(String user, CartEvent checkout, TreeMap<String, Line> lines) {
        List<OrderLine> orderLines = new ArrayList<>();
        Map<String, Long> totals = new TreeMap<>();
        lines.forEach((product, line) -> {
            long amount = line.quantity() * line.unitPriceCents();
            orderLines.add(new OrderLine(product, line.quantity(), line.unitPriceCents(), line.currency(), amount));
            totals.merge(line.currency(), amount, Long::sum);
        });
        return new Order(Order.idFor(user, checkout.eventId()), user, checkout.eventId(), orderLines, totals,
                checkout.timestamp());
    }

    private static <V> List<TopicRecord<String, V>> inOrder(List<TopicRecord<String, V>> records) {
        return records.stream()
                .sorted(Comparator.comparingInt((TopicRecord<String, V> r) -> r.partition()).thenComparingLong(TopicRecord::offset))
                .toList();
    }
}
