package dev.streamtemplate.attribution;

import java.util.Map;
import java.util.TreeMap;

/**
 * The aggregate of a revenue window: minor units per currency and the number of purchases.
 *
 * @param cents     revenue per ISO-4217 currency, in minor units
 * @param purchases purchases counted
 */
public record Revenue(Map<String, Long> cents, long purchases) {

    /** No revenue. */
    static Revenue none() {
        return new Revenue(Map.of(), 0);
    }

    /**
     * This revenue with {@code change} applied. A currency that a subtraction (an attribution moved to another page)
     * brings to 0 is removed, as if its purchases had never been here.
     */
    Revenue plus(RevenueChange change) {
        Map<String, Long> sum = new TreeMap<>(cents);
        long total = sum.getOrDefault(change.currency(), 0L) + change.cents();
        if (total == 0 && change.purchases() < 0) {
            sum.remove(change.currency());
        } else {
            sum.put(change.currency(), total);
        }
        return new Revenue(sum, purchases + change.purchases());
    }
}
