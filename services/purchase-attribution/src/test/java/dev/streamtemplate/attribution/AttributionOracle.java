package dev.streamtemplate.attribution;

import dev.streamtemplate.schemas.PageView;
import dev.streamtemplate.schemas.Purchase;
import dev.streamtemplate.schemas.WindowKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A plain-Java batch computation of purchase-attribution's last-touch attribution and windowed
 * revenue, the oracle the real pipeline is compared with. No Kafka Streams code: the rule of
 * {@link AttributedPurchase} applied to the whole input.
 *
 * <ul>
 *   <li>attribution: every on-time purchase is attributed to the latest on-time view of the same
 *       product by the same user whose time lies in {@code [t - lookback, t]} (t the purchase time,
 *       both bounds inclusive); equal view times are ordered by event id ({@link Touch#LAST_TOUCH}),
 *       so the choice never depends on arrival order; a purchase without such a view is attributed
 *       to none;</li>
 *   <li>revenue: the amounts of the attributed purchases, summed per page of the attributing view,
 *       per tumbling revenue window of the purchase time (aligned to the epoch), per currency.</li>
 * </ul>
 *
 * <p>Which records are late (routed to {@code late-events} instead of joined) depends on the stream
 * time of the service's tasks, so the caller names them: with a grace period well above the
 * out-of-order delivery and below the lateness of late deliveries, they are the generator's
 * {@code Delivery.LATE} events. Times are event times, amounts are in minor currency units.
 */
public final class AttributionOracle {

    /** The attribution value of a purchase no view qualified for: {@code attributed == false} on the topic. */
    public static final String NONE = "none";

    /**
     * What the service should have written. Every map is a {@link TreeMap}, sorted by key.
     *
     * @param attribution     purchase event id to the attributing view's event id, or {@link #NONE}, for
     *                        every on-time purchase (sorted by purchase event id): the final
     *                        {@code attributed-purchases} record of each purchase
     *                        ({@code attributed ? viewEventId : "none"})
     * @param attributedViews purchase event id to the attributing view, for the attributed purchases only
     * @param revenue         {@link #revenueKey(String, Instant) page@windowStart} to revenue per
     *                        ISO-4217 currency in minor units: the {@code attributed-revenue-hourly}
     *                        records ({@link PageRevenueRevision#revenueCents()}, the same key), the last per key
     */
    public record Result(Map<String, String> attribution, Map<String, PageView> attributedViews,
                         Map<String, Map<String, Long>> revenue) {
    }

    private AttributionOracle() {
    }

    /**
     * Attributes every on-time purchase and sums the attributed revenue.
     *
     * @param productViews    the page views of {@code page-views} (views without a product id are ignored)
     * @param purchases       the purchases of {@code purchases}
     * @param lateViewIds     event ids of the views the service routes to {@code late-events} (never attributed)
     * @param latePurchaseIds event ids of the purchases it routes there (neither attributed nor counted)
     * @param lookback        {@code attribution.lookback} ({@link AttributionSettings#lookback()})
     * @param revenueWindow   {@code attribution.revenue-window} ({@link AttributionSettings#revenueWindow()})
     * @return the attribution per purchase, the attributing views and the revenue per page and window
     */
    public static Result compute(List<PageView> productViews, List<Purchase> purchases, Set<String> lateViewIds,
                                 Set<String> latePurchaseIds, Duration lookback, Duration revenueWindow) {
        long lookbackMs = lookback.toMillis();
        // on-time views by user and product: a purchase only looks at its own user's views of its product
        Map<String, List<PageView>> onTimeViews = productViews.stream()
                .filter(v -> v.productId() != null && !lateViewIds.contains(v.eventId()))
                .collect(java.util.stream.Collectors.groupingBy(v -> v.userId() + "|" + v.productId()));
        Map<String, String> attribution = new TreeMap<>();
        Map<String, PageView> attributedViews = new TreeMap<>();
        for (Purchase purchase : purchases) {
            if (latePurchaseIds.contains(purchase.eventId())) {
                continue;
            }
            long t = purchase.timestamp().toEpochMilli();
            PageView last = onTimeViews.getOrDefault(purchase.userId() + "|" + purchase.productId(), List.of()).stream()
                    .filter(v -> v.timestamp().toEpochMilli() <= t && v.timestamp().toEpochMilli() >= t - lookbackMs)
                    .max(Touch.LAST_TOUCH).orElse(null);
            attribution.put(purchase.eventId(), last == null ? NONE : last.eventId());
            if (last != null) {
                attributedViews.put(purchase.eventId(), last);
            }
        }
        long windowMs = revenueWindow.toMillis();
        Map<String, Map<String, Long>> revenue = new TreeMap<>();
        for (Purchase purchase : purchases) {
            PageView view = attributedViews.get(purchase.eventId());
            if (view != null) {
                long start = purchase.timestamp().toEpochMilli() - Math.floorMod(purchase.timestamp().toEpochMilli(), windowMs);
                revenue.computeIfAbsent(revenueKey(view.page(), Instant.ofEpochMilli(start)), k -> new TreeMap<>())
                        .merge(purchase.currency(), purchase.amountCents(), Long::sum);
            }
        }
        return new Result(attribution, attributedViews, revenue);
    }

    /**
     * The key of one page's revenue window in {@link Result#revenue()}: {@code page@windowStart}, the key of its
     * {@code attributed-revenue-hourly} records ({@link WindowKey}).
     *
     * @param page        the landing page
     * @param windowStart the revenue window's start
     * @return the key
     */
    public static String revenueKey(String page, Instant windowStart) {
        return new WindowKey(page, windowStart).toString();
    }
}
