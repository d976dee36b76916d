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

    /** This revenue with {@code change} applied; a currency whose sum comes to 0 is removed. */
    Revenue plus(RevenueChange change) {
        Map<String, Long> sum = new TreeMap<>(cents);
        sum.merge(change.currency(), change.cents(), (a, b) -> a + b == 0 ? null : a + b);
        return new Revenue(sum, purchases + change.purchases());
    }
}
