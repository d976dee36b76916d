package dev.streamtemplate.cart;

import java.time.Duration;

/** Cart settings for topology tests; {@link #defaults()} are application.properties' values. */
record TestCartSettings(Duration dedupRetention, Duration priceHistoryRetention) implements CartSettings {

    static TestCartSettings defaults() {
        return new TestCartSettings(Duration.ofHours(24), Duration.ofDays(7));
    }
}
