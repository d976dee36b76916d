package dev.streamtemplate.traffic;

import dev.streamtemplate.runtime.lateness.LatePolicy;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** The default window settings of application.properties, for topology tests. */
record TestSettings(Duration tumblingSize, Duration hoppingSize, Duration hoppingAdvance, Duration slidingSpan,
                   int burstThreshold, Duration sessionGap, Duration grace, Duration storeRetention,
                   Map<String, LatePolicy> latePolicies, Duration allowedLateness) implements TrafficSettings {

    static TestSettings defaults() {
        return new TestSettings(Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(1),
                Duration.ofMinutes(10), 3, Duration.ofMinutes(30), Duration.ofMinutes(1), Duration.ofHours(24), Map.of(),
                Duration.ofHours(6));
    }

    /** These settings with {@code aggregation}'s late-data policy set to {@code policy}. */
    TestSettings withLatePolicy(String aggregation, LatePolicy policy) {
        Map<String, LatePolicy> policies = new HashMap<>(latePolicies);
        policies.put(aggregation, policy);
        return new TestSettings(tumblingSize, hoppingSize, hoppingAdvance, slidingSpan, burstThreshold, sessionGap, grace,
                storeRetention, Map.copyOf(policies), allowedLateness);
    }

    /** These settings with every aggregation under {@code policy}. */
    TestSettings withLatePolicy(LatePolicy policy) {
        TestSettings settings = this;
        for (String aggregation : TrafficTopology.AGGREGATIONS) {
            settings = settings.withLatePolicy(aggregation, policy);
        }
        return settings;
    }

    /** These settings with the allowed lateness of {@code update} set to {@code allowed}. */
    TestSettings withAllowedLateness(Duration allowed) {
        return new TestSettings(tumblingSize, hoppingSize, hoppingAdvance, slidingSpan, burstThreshold, sessionGap, grace,
                storeRetention, latePolicies, allowed);
    }
}
