package dev.streamtemplate.attribution;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * The settings of purchase-attribution, from {@code application.properties} under
 * {@code attribution.*} (environment variables {@code ATTRIBUTION_LOOKBACK} and so on). Durations are
 * ISO-8601 ({@code PT60M}) or Quarkus' short form ({@code 60m}).
 */
@ConfigMapping(prefix = "attribution")
public interface AttributionSettings {

    /** How long before a purchase a view of the same product by the same user still counts. */
    @WithDefault("60m")
    Duration lookback();

    /** Grace period of the join and of the revenue windows: how late out-of-order records are still joined or counted. */
    @WithDefault("1m")
    Duration grace();

    /**
     * How long after the join's grace a purchase's attribution waits before it is final: the join
     * reports a purchase without a view only once its window has closed, which it notices at the
     * next record, so the result of the join can arrive a little after the grace period.
     */
    @WithDefault("1m")
    Duration settle();

    /** Size of the attributed-revenue windows. */
    @WithDefault("1h")
    Duration revenueWindow();

    /** How long windows stay in the state stores, answerable by queries. */
    @WithDefault("24h")
    Duration storeRetention();
}
