package dev.streamtemplate.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtemplate.generator.GeneratorConfig.HeavyHitters;
import dev.streamtemplate.schemas.TopicCatalogue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The heavy-hitter shape: 1 % of the users send 30 % of the events, without session gaps. */
class HeavyHittersTest {

    private static final HeavyHitters SHAPE = new HeavyHitters(0.01, 0.3);
    private static final GeneratorConfig NORMAL = GeneratorConfig.defaults().withUsers(2000)
            .withDuration(Duration.ofHours(3));
    private static final GeneratorConfig SKEWED = NORMAL.withHeavyHitters(SHAPE);
    /** The last 1 % of 2,000 users. */
    private static final Set<String> HEAVY = IntStream.rangeClosed(1981, 2000)
            .mapToObj(i -> String.format("u-%04d", i)).collect(Collectors.toSet());

    private static List<GeneratedEvent> skewed;

    @BeforeAll
    static void generate() {
        skewed = new ShopTrafficGenerator(SKEWED).replay();
    }

    @Test
    void onePercentOfTheUsersSendThirtyPercentOfTheEvents() {
        assertThat(SHAPE.count(2000)).isEqualTo(HEAVY.size());
        long userEvents = skewed.stream().filter(e -> !e.topic().equals(TopicCatalogue.PRODUCTS.name())).count();
        long heavyEvents = skewed.stream().filter(e -> HEAVY.contains(e.key())).count();

        assertThat((double) heavyEvents / userEvents)
                .as("share of the %d user events sent by the %d heavy hitters (%d)", userEvents, HEAVY.size(), heavyEvents)
                .isBetween(0.27, 0.33);
    }

    @Test
    void heavyHittersNeverPauseForASessionGap() {
        Map<String, List<Long>> viewTimes = new TreeMap<>();
        skewed.stream().filter(e -> e.topic().equals(TopicCatalogue.PAGE_VIEWS.name()) && HEAVY.contains(e.key()))
                .forEach(e -> viewTimes.computeIfAbsent(e.key(), k -> new ArrayList<>()).add(e.eventTime().toEpochMilli()));

        assertThat(viewTimes).containsOnlyKeys(HEAVY);
        viewTimes.forEach((user, times) -> {
            List<Long> sorted = times.stream().sorted().toList();
            long longestGap = IntStream.range(1, sorted.size()).mapToLong(i -> sorted.get(i) - sorted.get(i - 1))
                    .max().orElseThrow();
            assertThat(longestGap).as("longest gap between two views of %s, ms", user)
                    .isLessThanOrEqualTo(Shopper.MAX_VIEW_GAP + 1);
        });
    }

    @Test
    void theOtherUsersEventsAreUnchanged() {
        List<GeneratedEvent> normal = new ShopTrafficGenerator(NORMAL).replay();

        assertThat(skewed.stream().filter(e -> e.key() == null || !HEAVY.contains(e.key())).toList())
                .isEqualTo(normal.stream().filter(e -> e.key() == null || !HEAVY.contains(e.key())).toList());
    }

    @Test
    void noneLeavesTheSequenceAsItWasAndSharesAreChecked() {
        assertThat(GeneratorConfig.defaults().heavyHitters()).isEqualTo(HeavyHitters.NONE);
        assertThat(HeavyHitters.NONE.count(2000)).isZero();
        assertThatThrownBy(() -> new HeavyHitters(1.0, 0.3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HeavyHitters(0.01, -0.1)).isInstanceOf(IllegalArgumentException.class);
    }
}
