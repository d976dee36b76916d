package dev.streamtemplate.cart;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtemplate.schemas.Product;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The product versions of the global store: lookup by instant, replacement, deletion, bounded history. */
class ProductHistoryTest {

    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
    private static final Duration WEEK = Duration.ofDays(7);

    @Test
    void theVersionValidAtAnInstantIsTheLatestAtOrBeforeIt() {
        ProductHistory history = ProductHistory.empty()
                .with(at(10), lamp(1000, at(10)), WEEK)
                .with(at(30), lamp(3000, at(30)), WEEK)
                .with(at(20), lamp(2000, at(20)), WEEK);   // arrives late, lands in between

        assertThat(history.asOf(at(9))).as("before the first version").isNull();
        assertThat(history.asOf(at(10)).priceCents()).isEqualTo(1000);
        assertThat(history.asOf(at(25)).priceCents()).isEqualTo(2000);
        assertThat(history.asOf(at(99)).priceCents()).isEqualTo(3000);
        assertThat(history.newest().validFrom()).isEqualTo(at(30));
    }

    @Test
    void aVersionAtTheSameInstantReplacesAndADeletionEndsTheProduct() {
        ProductHistory history = ProductHistory.empty()
                .with(at(10), lamp(1000, at(10)), WEEK)
                .with(at(10), lamp(1100, at(10)), WEEK)
                .with(at(20), null, WEEK);

        assertThat(history.versions()).hasSize(2);
        assertThat(history.asOf(at(15)).priceCents()).isEqualTo(1100);
        assertThat(history.asOf(at(20))).isNull();
    }

    @Test
    void versionsReplacedLongerThanTheRetentionBeforeTheNewestAreDropped() {
        Duration hour = Duration.ofHours(1);
        ProductHistory history = ProductHistory.empty()
                .with(at(0), lamp(1000, at(0)), hour)
                .with(at(10), lamp(2000, at(10)), hour)      // replaced the first at minute 10
                .with(at(80), lamp(3000, at(80)), hour);     // keep versions still valid at minute 20

        assertThat(history.versions()).extracting(ProductHistory.Version::validFrom).containsExactly(at(10), at(80));
        assertThat(history.asOf(at(5))).as("beyond the history kept").isNull();
        assertThat(history.asOf(at(20)).priceCents()).isEqualTo(2000);

        ProductHistory later = history.with(at(200), lamp(4000, at(200)), hour);
        assertThat(later.versions()).as("minute 80's version was valid until minute 200, within the hour before it")
                .extracting(ProductHistory.Version::validFrom).containsExactly(at(80), at(200));
        ProductHistory alone = ProductHistory.empty().with(at(0), lamp(1000, at(0)), hour)
                .with(at(500), null, hour).with(at(900), lamp(5000, at(900)), hour);
        assertThat(alone.versions()).as("the deletion was in force until minute 900; the first version is gone")
                .extracting(ProductHistory.Version::validFrom).containsExactly(at(500), at(900));
        assertThat(alone.asOf(at(600))).as("deleted then").isNull();
    }

    private static Product lamp(long priceCents, Instant updatedAt) {
        return new Product("p-1", "Compact Lamp", "home", priceCents, "EUR", updatedAt);
    }

    private static Instant at(int minutes) {
        return T0.plus(Duration.ofMinutes(minutes));
    }
}
