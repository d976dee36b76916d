package dev.streamtemplate.enrichment;

import dev.streamtemplate.schemas.PageView;
import dev.streamtemplate.schemas.Product;
import dev.streamtemplate.schemas.Purchase;
import dev.streamtemplate.schemas.UserChange;
import dev.streamtemplate.schemas.UserProfile;
import dev.streamtemplate.testing.TopicRecord;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A plain-Java batch computation of customer-enrichment's tables, the oracle the real pipeline is
 * compared with. No Kafka Streams code: the final state per key follows from the rules in
 * {@link CustomerEnrichmentTopology} applied to the whole input.
 *
 * <ul>
 *   <li>users: the envelope with the highest version per user wins (deletes included, tombstones
 *       ignored); a delete leaves no profile;</li>
 *   <li>products: the last record per product id in its partition (a tombstone removes it);</li>
 *   <li>statistics: every purchase of a user id counted, amounts summed per currency, latest time;</li>
 *   <li>customer-360: every live profile with its statistics (zero when none);</li>
 *   <li>order-details: the last purchase per {@code orderId/productId} in input order, with the
 *       product's final version.</li>
 * </ul>
 *
 * <p>Input: the records of {@code user-changes}, {@code products} and {@code purchases} as read back
 * from the topics (valid records only, tombstones included for the two compacted topics), in any
 * order: each list is sorted by partition and offset here. Output: the final value per key of the
 * compacted topics {@code customer-360} and {@code order-details} (the last record per key, a
 * tombstone meaning absent), which is also what the stores {@code customer-360-store} and
 * {@code order-details-store} answer. Amounts are in minor currency units, times are event times.
 */
public final class CustomerOracle {

    /**
     * The final users, products and derived tables, each sorted by key.
     *
     * @param users        the live profile per user id (deleted users absent): the users table
     * @param products     the last product per product id (tombstoned products absent): the products table
     * @param customers    the final {@code customer-360} row per user id (key = user id)
     * @param orderDetails the final {@code order-details} line per {@code orderId/productId}
     *                     ({@link EnrichedOrderLine#key(String, String)}), with the product's final name and
     *                     category ({@code null} when the product is unknown)
     */
    public record Result(Map<String, UserProfile> users, Map<String, Product> products,
                         Map<String, Customer360> customers, Map<String, EnrichedOrderLine> orderDetails) {
    }

    private CustomerOracle() {
    }

    /**
     * The final tables for the whole input.
     *
     * @param changes        the records of {@code user-changes} (key = user id; null values are the
     *                       tombstones that follow deletes)
     * @param productRecords the records of {@code products} (key = product id; null values are tombstones)
     * @param purchases      the records of {@code purchases} (key = user id)
     * @return the final users, products, {@code customer-360} and {@code order-details}
     */
    public static Result compute(List<TopicRecord<String, UserChange>> changes, List<TopicRecord<String, Product>> productRecords,
                          List<TopicRecord<String, Purchase>> purchases) {
        Map<String, UserChange> latest = new HashMap<>();
        for (TopicRecord<String, UserChange> record : inOrder(changes)) {
            UserChange change = record.value();
            if (change == null) {
                continue; // the tombstone after a delete
            }
            latest.merge(record.key(), change, (old, next) -> next.version() > old.version() ? next : old);
        }
        Map<String, UserProfile> users = new TreeMap<>();
        latest.forEach((user, change) -> {
            if (change.op() != UserChange.Operation.DELETE) {
                users.put(user, change.after());
            }
        });

        Map<String, Product> products = new TreeMap<>();
        for (TopicRecord<String, Product> record : inOrder(productRecords)) {
            if (record.value() == null) {
                products.remove(record.key());
            } else {
                products.put(record.key(), record.value());
            }
        }

        Map<String, PurchaseStats> stats = new HashMap<>();
        Map<String, Purchase> lines = new TreeMap<>();
        for (TopicRecord<String, Purchase> record : inOrder(purchases)) {
            Purchase purchase = record.value();
            stats.merge(record.key(), PurchaseStats.none().add(purchase), CustomerOracle::sum);
            lines.put(EnrichedOrderLine.key(purchase.orderId(), purchase.productId()), purchase);
        }

        Map<String, Customer360> customers = new TreeMap<>();
        users.forEach((user, profile) -> customers.put(user, Customer360.of(profile, stats.get(user))));
        Map<String, EnrichedOrderLine> orderDetails = new TreeMap<>();
        lines.forEach((key, purchase) -> orderDetails.put(key, EnrichedOrderLine.of(purchase, products.get(purchase.productId()))));
        return new Result(users, products, customers, orderDetails);
    }

    /**
     * Users whose profile came from their first envelope (a snapshot or create), timed before their
     * first page view, and who had no other envelope. When that envelope is in the users table before
     * the traffic is published (as the pipeline test does: a producer gives no order across
     * partitions), their enrichment does not depend on when a view was processed, so {@code enriched-page-views} of these users equal
     * {@code EnrichedPageView.of(view, users().get(userId))} (then {@code withProduct}, for product views).
     *
     * @param changes the records of {@code user-changes} (key = user id), tombstones included
     * @param views   the records of {@code page-views} (key = user id)
     * @return the ids of the stable users
     */
    public static Set<String> stableUsers(List<TopicRecord<String, UserChange>> changes, List<TopicRecord<String, PageView>> views) {
        Map<String, List<TopicRecord<String, UserChange>>> byUser = changes.stream()
                .collect(Collectors.groupingBy(TopicRecord::key));
        Map<String, Long> firstView = views.stream().collect(Collectors.toMap(TopicRecord::key,
                r -> r.value().timestamp().toEpochMilli(), Math::min));
        return byUser.entrySet().stream()
                .filter(e -> e.getValue().size() == 1 && e.getValue().get(0).value() != null)
                .filter(e -> e.getValue().get(0).value().op() != UserChange.Operation.DELETE)
                .filter(e -> e.getValue().get(0).value().sourceTimestamp().toEpochMilli()
                        < firstView.getOrDefault(e.getKey(), Long.MAX_VALUE))
                .map(Map.Entry::getKey)
                .collect(Collectors.toSet());
    }

    private static PurchaseStats sum(PurchaseStats a, PurchaseStats b) {
        Map<String, Long> spend = new TreeMap<>(a.spendCents());
        b.spendCents().forEach((currency, cents) -> spend.merge(currency, cents, Long::sum));
        return new PurchaseStats(a.purchases() + b.purchases(), spend,
                a.lastPurchaseAt().isAfter(b.lastPurchaseAt()) ? a.lastPurchaseAt() : b.lastPurchaseAt());
    }

    private static <V> List<TopicRecord<String, V>> inOrder(List<TopicRecord<String, V>> records) {
        return records.stream()
                .sorted(Comparator.comparingInt((TopicRecord<String, V> r) -> r.partition()).thenComparingLong(TopicRecord::offset))
                .toList();
    }
}
