package dev.streamtemplate.attribution;

import dev.streamtemplate.runtime.lateness.LatePolicySettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * The settings of purchase-attribution, from {@code application.properties} under
 * {@code attribution.*} (environment variables {@code ATTRIBUTION_LOOKBACK} and so on). Durations are
 * ISO-8601 ({@code PT60M}) or Quarkus' short form ({@code 60m}). The late-data policy of each router is
 * {@code attribution.late-policy.<aggregation>} ({@link LatePolicySettings}).
 */
@ConfigMapping(prefix = "attribution")
public interface AttributionSettings extends LatePolicySettings {

    /** How long before a purchase a view of the same product by the same user still counts. */
    @WithDefault("60m")
    Duration lookback();

    /** Grace period of the join: how late an out-of-order view or purchase still takes part; a purchase's attribution is final this long after it. */
    @WithDefault("1m")
    Duration grace();

    /**
     * How much longer than {@code grace} the revenue windows wait for attributions. An attribution
     * becomes final when its join task's stream time passes the purchase time + grace, and the
     * attributions of one page come from every join task; this covers how far apart the join tasks'
     * stream times are (more while a backlog is processed; see the README).
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
