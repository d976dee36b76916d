package dev.streamtemplate.runtime.lateness;

import io.smallrye.config.WithName;
import java.util.Collection;
import java.util.Map;
import java.util.TreeSet;

/**
 * The late-data policy of each windowed aggregation of a service, for the service's {@code @ConfigMapping} to
 * extend: {@code <prefix>.late-policy.<aggregation>=side-output|drop} (for example
 * {@code traffic.late-policy.user-sessions=drop}, environment variable {@code TRAFFIC_LATE_POLICY_USER_SESSIONS} when
 * the key is listed in {@code application.properties}). An aggregation not listed keeps
 * {@link LatePolicy#SIDE_OUTPUT}.
 */
public interface LatePolicySettings {

    /** The configured policies by aggregation name (the names {@link LateEvents#divertLate} is given). */
    @WithName("late-policy")
    Map<String, LatePolicy> latePolicies();

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
}
