package dev.streamtemplate.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtemplate.runtime.lateness.LatePolicy;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The late-data policies as SmallRye Config reads them from {@code traffic.late-policy.<aggregation>}, and
 * {@code traffic.allowed-lateness}.
 */
class TrafficSettingsTest {

    @Test
    void policiesAreReadPerAggregationInTheirConfigurationForm() {
        TrafficSettings settings = settings(Map.of(
                "traffic.late-policy.user-sessions", "drop",
                "traffic.late-policy.page-views-tumbling", "side-output"));

        assertThat(settings.latePolicy(TrafficTopology.USER_SESSIONS_AGGREGATION)).isEqualTo(LatePolicy.DROP);
        assertThat(settings.latePolicy(TrafficTopology.TUMBLING_AGGREGATION)).isEqualTo(LatePolicy.SIDE_OUTPUT);
        assertThat(settings.latePolicy(TrafficTopology.HOPPING_AGGREGATION)).as("not listed").isEqualTo(LatePolicy.SIDE_OUTPUT);
        assertThat(LatePolicy.DROP.configName()).isEqualTo("drop");
        assertThat(LatePolicy.SIDE_OUTPUT.configName()).isEqualTo("side-output");
        assertThat(settings.allowedLateness()).as("default").isEqualTo(Duration.ofHours(6));
    }

    @Test
    void updateIsReadWithItsAllowedLateness() {
        TrafficSettings settings = settings(Map.of(
                "traffic.late-policy.purchase-bursts", "update",
                "traffic.allowed-lateness", "3h"));

        assertThat(settings.latePolicy(TrafficTopology.BURSTS_AGGREGATION)).isEqualTo(LatePolicy.UPDATE);
        assertThat(LatePolicy.UPDATE.configName()).isEqualTo("update");
        assertThat(settings.lateData(TrafficTopology.BURSTS_AGGREGATION, Duration.ofMinutes(1)).windowGrace())
                .as("the windows' grace under update").isEqualTo(Duration.ofHours(3));
        assertThat(settings.lateData(TrafficTopology.TUMBLING_AGGREGATION, Duration.ofMinutes(1)).windowGrace())
                .as("under side-output").isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void anUnknownPolicyFailsWithTheKeyNamed() {
        assertThatThrownBy(() -> settings(Map.of("traffic.late-policy.user-sessions", "ignore")))
                .hasStackTraceContaining("traffic.late-policy.user-sessions");
    }

    private static TrafficSettings settings(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(properties, "test", 500))
                .withConverter(Duration.class, 200, new DurationConverter()) // Quarkus' 1m, 24h
                .withMapping(TrafficSettings.class)
                .build();
        return config.getConfigMapping(TrafficSettings.class);
    }
}
