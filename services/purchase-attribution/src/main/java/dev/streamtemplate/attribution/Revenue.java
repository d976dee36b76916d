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

    /** This revenue plus {@code amountCents} of {@code currency}. */
    Revenue plus(String currency, long amountCents) {
        Map<String, Long> sum = new TreeMap<>(cents);
        sum.merge(currency, amountCents, Long::sum);
        return new Revenue(sum, purchases + 1);
    }
}
