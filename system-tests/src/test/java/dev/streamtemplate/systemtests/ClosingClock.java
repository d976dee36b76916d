package dev.streamtemplate.systemtests;

import dev.streamtemplate.generator.Delivery;
import dev.streamtemplate.generator.GeneratedEvent;
import dev.streamtemplate.schemas.PageView;
import dev.streamtemplate.schemas.Purchase;
import dev.streamtemplate.schemas.TopicCatalogue;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.apache.kafka.common.utils.Utils;

/**
 * Events that move stream time forward after the replay, so that windows close and final results come out, as
 * continuing traffic would: at one instant, on every partition of every task that keeps time, one product page view
 * and one purchase of that product by a clock user ({@code u-clock-...}, product {@code p-clock-...}).
 *
 * <p>The keys are chosen so that partition {@code p} of each of these gets exactly one view or purchase: page-views
 * and purchases (keyed by user: traffic-analytics' sessions and purchase bursts, customer-enrichment's joins),
 * traffic-analytics' repartition by page, purchase-attribution's repartitions by {@code user|product} (the join), by
 * purchase id (the final attribution of each purchase) and by page (the revenue per page). Kafka's default partitioner (murmur2 of the key's UTF-8 bytes) decides.
 */
final class ClosingClock {

    /** Prefix of every clock user id. */
    static final String USER_PREFIX = "u-clock-";
    /** Prefix of every clock product id. */
    static final String PRODUCT_PREFIX = "p-clock-";

    private ClosingClock() {
    }

    /** The clock events at {@code at}: a view and a purchase per partition. */
    static List<GeneratedEvent> at(Instant at) {
        int partitions = TopicCatalogue.PAGE_VIEWS.partitions();
        if (TopicCatalogue.PURCHASES.partitions() != partitions) {
            throw new IllegalStateException("page-views and purchases must have as many partitions");
        }
        List<GeneratedEvent> events = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            int partition = p;
            String product = first(PRODUCT_PREFIX, n -> partitionOf(PageView.PRODUCT_PAGE_PREFIX + n, partitions) == partition);
            String user = first(USER_PREFIX, n -> partitionOf(n, partitions) == partition
                    && partitionOf(n + "|" + product, partitions) == partition);
            // purchase-attribution aggregates the join's results per purchase id: that key too lands on partition p
            String purchaseId = first("clock-purchase-" + at.toEpochMilli() + "-",
                    n -> partitionOf(n, partitions) == partition);
            PageView view = new PageView("clock-view-" + purchaseId, user, PageView.PRODUCT_PAGE_PREFIX + product, product,
                    null, at);
            Purchase purchase = new Purchase(purchaseId, "o-" + purchaseId, user, product, 1, 100, "EUR", at);
            events.add(new GeneratedEvent(TopicCatalogue.PAGE_VIEWS.name(), user, view, at, at, Delivery.IN_ORDER));
            events.add(new GeneratedEvent(TopicCatalogue.PURCHASES.name(), user, purchase, at, at, Delivery.IN_ORDER));
        }
        return events;
    }

    /** Whether {@code userId} is a clock user. */
    static boolean isClockUser(String userId) {
        return userId != null && userId.startsWith(USER_PREFIX);
    }

    private static String first(String prefix, Predicate<String> fits) {
        return IntStream.iterate(0, n -> n + 1).mapToObj(n -> prefix + n).filter(fits).findFirst().orElseThrow();
    }

    static int partitionOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }
}
