package dev.streamtemplate.traffic;

import dev.streamtemplate.runtime.lateness.LatePolicySettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * The settings of traffic-analytics' windows, from {@code application.properties} under
 * {@code traffic.*} (environment variables {@code TRAFFIC_TUMBLING_SIZE} and so on). Durations are
 * ISO-8601 ({@code PT1M}) or Quarkus' short form ({@code 1m}, {@code 30s}). The late-data policy of each
 * aggregation is {@code traffic.late-policy.<aggregation>} ({@link LatePolicySettings}).
 */
@ConfigMapping(prefix = "traffic")
public interface TrafficSettings extends LatePolicySettings {

    /** Size of the tumbling page-view windows. */
    @WithDefault("1m")
    Duration tumblingSize();

    /** Size of the hopping page-view windows. */
    @WithDefault("5m")
    Duration hoppingSize();

    /** How far the hopping windows advance. */
    @WithDefault("1m")
    Duration hoppingAdvance();

    /** The span of the sliding purchase windows: purchases of a user within any span this long are counted together. */
    @WithDefault("10m")
    Duration slidingSpan();

    /** A sliding window with at least this many purchases is a purchase burst. */
    @WithDefault("3")
    int burstThreshold();

    /**
     * The burst rule, for the topology's output and the query alike: a sliding window with at least
     * {@link #burstThreshold()} purchases is a burst.
     *
     * @param purchases the window's purchase count
     */
    default boolean isBurst(long purchases) {
        return purchases >= burstThreshold();
    }

    /** Inactivity gap that ends a browsing session. */
    @WithDefault("30m")
    Duration sessionGap();

    /**
     * Grace period of every window: how long after a window's end out-of-order records are still
     * counted. Records later than that are late: their aggregation's late-data policy decides what
     * happens to them.
     */
    @WithDefault("1m")
    Duration grace();

    /**
     * How long windows stay in the state stores, answerable by queries. Must be at least window size
     * (sliding windows: twice the span; sessions: the gap) plus the windows' grace, which under the late-data
     * policy {@code update} is {@code traffic.allowed-lateness}; it is kept well above that because Kafka Streams drops a store segment as
     * soon as stream time passes its retention, and a window dropped before its final result was
     * emitted (a jump of stream time larger than the retention) would never be emitted.
     */
    @WithDefault("24h")
    Duration storeRetention();
}
