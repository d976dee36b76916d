package dev.streamtemplate.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CliOptionsTest {

    private static final Instant NOW = Instant.parse("2026-03-04T10:15:42.123Z");

    @Test
    void defaultsReplayTheLastHourFromAWholeMinute() {
        CliOptions options = CliOptions.parse();
        GeneratorConfig config = options.toConfig(NOW);

        assertThat(options.mode()).isEqualTo(CliOptions.Mode.REPLAY);
        assertThat(options.bootstrapServers()).isEqualTo("localhost:9092");
        assertThat(options.maxEvents()).isEqualTo(Long.MAX_VALUE);
        assertThat(config.seed()).isEqualTo(42);
        assertThat(config.users()).isEqualTo(200);
        assertThat(config.start()).isEqualTo(Instant.parse("2026-03-04T09:15:00Z"));
        assertThat(config.duration()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void parsesEveryFlagInBothSpellings() {
        CliOptions options = CliOptions.parse("--bootstrap-servers", "kafka:9092", "--mode=replay", "--seed", "7",
                "--hours", "2.5", "--start=2025-06-01T00:00:00Z", "--users", "30", "--products", "12",
                "--max-events", "1000", "--heavy-hitters=0.01,0.3");
        GeneratorConfig config = options.toConfig(NOW);

        assertThat(options.bootstrapServers()).isEqualTo("kafka:9092");
        assertThat(options.maxEvents()).isEqualTo(1000);
        assertThat(config).isEqualTo(GeneratorConfig.defaults().withSeed(7).withUsers(30).withProducts(12)
                .withStart(Instant.parse("2025-06-01T00:00:00Z")).withDuration(Duration.ofMinutes(150))
                .withHeavyHitters(new GeneratorConfig.HeavyHitters(0.01, 0.3)));
    }

    @Test
    void liveStartsNowWithThePopulationSizedForTheRate() {
        GeneratorConfig config = CliOptions.parse("--mode", "live", "--rate", "50").toConfig(NOW);

        assertThat(config.start()).isEqualTo(NOW);
        assertThat(config.users()).isEqualTo(ShopTrafficGenerator.usersForRate(50));
        assertThat(config.users() * ShopTrafficGenerator.EVENTS_PER_USER_SECOND).isBetween(50.0, 50.1);
    }

    @Test
    void rejectsBadArgumentsWithAMessageNamingThem() {
        assertThatThrownBy(() -> CliOptions.parse("--mode", "fast")).hasMessageContaining("--mode");
        assertThatThrownBy(() -> CliOptions.parse("--hours", "-1")).hasMessageContaining("--hours");
        assertThatThrownBy(() -> CliOptions.parse("--users", "many")).hasMessageContaining("--users");
        assertThatThrownBy(() -> CliOptions.parse("--start", "yesterday")).hasMessageContaining("ISO-8601");
        assertThatThrownBy(() -> CliOptions.parse("--max-events", "0")).hasMessageContaining("--max-events");
        assertThatThrownBy(() -> CliOptions.parse("--seed")).hasMessageContaining("missing value");
        assertThatThrownBy(() -> CliOptions.parse("--heavy-hitters", "0.01")).hasMessageContaining("--heavy-hitters");
        assertThatThrownBy(() -> CliOptions.parse("--heavy-hitters", "2,0.3")).hasMessageContaining("--heavy-hitters");
        assertThatThrownBy(() -> CliOptions.parse("--colour", "red")).hasMessageContaining("unknown option --colour");
        assertThat(CliOptions.parse("--help").help()).isTrue();
    }
}
