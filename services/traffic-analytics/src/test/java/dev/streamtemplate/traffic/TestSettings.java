package dev.streamtemplate.traffic;

import java.time.Duration;

/** The default window settings of application.properties, for topology tests. */
record TestSettings(Duration tumblingSize, Duration hoppingSize, Duration hoppingAdvance, Duration slidingSpan,
                   int burstThreshold, Duration sessionGap, Duration grace, Duration storeRetention) implements TrafficSettings {

    static TestSettings defaults() {
        return new TestSettings(Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(1),
                Duration.ofMinutes(10), 3, Duration.ofMinutes(30), Duration.ofMinutes(1), Duration.ofHours(24));
    }
}
