package dev.streamtemplate.generator;

import dev.streamtemplate.schemas.Product;
import dev.streamtemplate.schemas.TopicCatalogue;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The shop's products during one simulation: the catalogue published at the start, the price and
 * name changes during the run, and which products are popular.
 *
 * <p>Rules: products {@code p-0001..}; category from {@link #CATEGORIES}; name "adjective noun";
 * price {@code e x 100 - 1} minor units with {@code e} log-uniform between 2 and 500; currency EUR
 * with probability 0.85, otherwise USD. Updates arrive as a Poisson process (mean gap 10 minutes),
 * each for a uniformly chosen product: a price change by a factor in [0.8, 1.2) (70 %) or a new
 * adjective in the name (30 %); the currency never changes. Popularity: products ranked by a seeded
 * shuffle, drawn by Zipf's law (exponent 1.1) over the ranks.
 */
final class ProductCatalogue {

    static final List<String> CATEGORIES = List.of("electronics", "books", "home", "toys", "fashion", "sports",
            "garden", "beauty");
    private static final Map<String, List<String>> NOUNS = Map.of(
            "electronics", List.of("Headphones", "Charger", "Speaker", "Keyboard"),
            "books", List.of("Novel", "Cookbook", "Atlas", "Notebook"),
            "home", List.of("Lamp", "Kettle", "Blanket", "Vase"),
            "toys", List.of("Puzzle", "Robot", "Kite", "Board Game"),
            "fashion", List.of("Jacket", "Scarf", "Sneakers", "Backpack"),
            "sports", List.of("Yoga Mat", "Water Bottle", "Tennis Racket", "Helmet"),
            "garden", List.of("Hose", "Planter", "Shears", "Bird Feeder"),
            "beauty", List.of("Face Cream", "Perfume", "Hair Dryer", "Brush Set"));
    private static final List<String> ADJECTIVES = List.of("Compact", "Classic", "Deluxe", "Eco", "Smart",
            "Vintage", "Ultra", "Travel", "Premium", "Everyday");
    static final double POPULARITY_EXPONENT = 1.1;
    private static final long MEAN_UPDATE_GAP_MILLIS = 10 * 60_000L;
    private static final String TOPIC = TopicCatalogue.PRODUCTS.name();

    private final SeededRandom rng;
    private final Simulation simulation;
    private final List<String> ids = new ArrayList<>();
    private final Map<String, Product> current = new HashMap<>();
    private final List<String> byPopularity;
    private final ZipfDistribution popularity;

    ProductCatalogue(GeneratorConfig config, SeededRandom rng, Simulation simulation) {
        this.rng = rng;
        this.simulation = simulation;
        long start = config.start().toEpochMilli();
        for (int i = 1; i <= config.products(); i++) {
            String id = String.format(Locale.ROOT, "p-%04d", i);
            String category = rng.pick(CATEGORIES);
            long euros = Math.round(StrictMath.exp(StrictMath.log(2) + rng.nextDouble() * StrictMath.log(250)));
            String currency = rng.chance(0.85) ? "EUR" : "USD";
            ids.add(id);
            current.put(id, new Product(id, rng.pick(ADJECTIVES) + " " + rng.pick(NOUNS.get(category)), category,
                    euros * 100 - 1, currency, config.start()));
        }
        byPopularity = new ArrayList<>(ids);
        for (int i = byPopularity.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            byPopularity.set(i, byPopularity.set(j, byPopularity.get(i)));
        }
        popularity = new ZipfDistribution(ids.size(), POPULARITY_EXPONENT);
        ids.forEach(id -> simulation.emitInOrder(TOPIC, id, current.get(id), start));
        scheduleUpdate(start);
    }

    /** The product as it is at the current simulated time. */
    Product current(String productId) {
        return current.get(productId);
    }

    /** A product drawn by popularity, with the caller's random stream. */
    String popularProduct(SeededRandom userRng) {
        return byPopularity.get(popularity.sample(userRng));
    }

    private void scheduleUpdate(long after) {
        simulation.schedule(after + rng.exponentialMillis(MEAN_UPDATE_GAP_MILLIS), Simulation.CATALOGUE_LANE,
                this::update);
    }

    private void update(long now) {
        Product old = current.get(rng.pick(ids));
        Product updated;
        if (rng.chance(0.7)) {
            long euros = Math.max(1, Math.round((old.priceCents() + 1) / 100.0 * (0.8 + 0.4 * rng.nextDouble())));
            updated = new Product(old.productId(), old.name(), old.category(), euros * 100 - 1, old.currency(),
                    Instant.ofEpochMilli(now));
        } else {
            String noun = old.name().substring(old.name().indexOf(' ') + 1);
            updated = new Product(old.productId(), rng.pick(ADJECTIVES) + " " + noun, old.category(),
                    old.priceCents(), old.currency(), Instant.ofEpochMilli(now));
        }
        current.put(updated.productId(), updated);
        simulation.emit(TOPIC, updated.productId(), updated, now, rng, false);
        scheduleUpdate(now);
    }
}
