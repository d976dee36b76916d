package dev.streamtemplate.runtime.lateness;

import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The late-data policy of each windowed aggregation of a service, for the service's {@code @ConfigMapping} to
 * extend: {@code <prefix>.late-policy.<aggregation>=side-output|drop|update} (for example
 * {@code traffic.late-policy.user-sessions=drop}, environment variable {@code TRAFFIC_LATE_POLICY_USER_SESSIONS} when
 * the key is listed in {@code application.properties}). An aggregation not listed keeps
 * {@link LatePolicy#SIDE_OUTPUT}. {@code <prefix>.allowed-lateness} is how long after its end a window still takes
 * records under {@code update}.
 */
public interface LatePolicySettings {

    /** The configured policies by aggregation name (the names {@link LateEvents#divertLate} is given). */
    @WithName("late-policy")
    Map<String, LatePolicy> latePolicies();

    /**
     * Under {@link LatePolicy#UPDATE}, how long after a window's end it still takes records and corrects its result:
     * the aggregation's Kafka Streams grace period under that policy. At least the service's grace period; the store
     * retention must cover it plus the window size ({@link LateDataHandling#requireRetention}). Six hours by
     * default.
     */
    @WithDefault("6h")
    Duration allowedLateness();

    /**
     * How one aggregation handles late data: its policy, with this service's grace period and allowed lateness.
     *
     * @param aggregation the aggregation's name
     * @param grace       the service's grace period for the aggregation's windows
     * @throws IllegalArgumentException under {@code update} when the allowed lateness is shorter than {@code grace}
     */
    default LateDataHandling lateData(String aggregation, Duration grace) {
        return new LateDataHandling(aggregation, latePolicy(aggregation), grace, allowedLateness());
    }

    /**
     * The policy of one aggregation.
     *
     * @param aggregation the aggregation's name
     */
    default LatePolicy latePolicy(String aggregation) {
        return latePolicies().getOrDefault(aggregation, LatePolicy.SIDE_OUTPUT);
    }

    /**
     * Checks that every configured policy names one of {@code aggregations}, so that a misspelt key fails at start-up
     * instead of leaving the default in force.
     *
     * @param aggregations the service's aggregation names
     * @throws IllegalArgumentException naming the unknown keys and the known names
     */
    default void requireKnownAggregations(Collection<String> aggregations) {
        var unknown = new TreeSet<>(latePolicies().keySet());
        unknown.removeAll(aggregations);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("late-policy configured for unknown aggregations " + unknown
                    + "; the aggregations are " + new TreeSet<>(aggregations));
        }
    }

    /**
     * Checks that no aggregation is configured with a policy the service does not offer.
     *
     * @param offered the policies the service's topology implements
     * @throws IllegalArgumentException naming the aggregations and their policies
     */
    default void requireOfferedPolicies(Collection<LatePolicy> offered) {
        var refused = new TreeMap<String, String>();
        latePolicies().forEach((aggregation, policy) -> {
            if (!offered.contains(policy)) {
                refused.put(aggregation, policy.configName());
            }
        });
        if (!refused.isEmpty()) {
            throw new IllegalArgumentException("late-policy not offered by this service: " + refused + "; it offers "
                    + offered.stream().map(LatePolicy::configName).toList());
        }
    }
}
