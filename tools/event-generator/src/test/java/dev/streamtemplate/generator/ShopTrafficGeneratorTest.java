package dev.streamtemplate.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.streamtemplate.schemas.CartEvent;
import dev.streamtemplate.schemas.CartEventType;
import dev.streamtemplate.schemas.JsonSerde;
import dev.streamtemplate.schemas.PageView;
import dev.streamtemplate.schemas.Product;
import dev.streamtemplate.schemas.Purchase;
import dev.streamtemplate.schemas.TopicCatalogue;
import dev.streamtemplate.schemas.UserChange;
import dev.streamtemplate.schemas.UserChange.Operation;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ShopTrafficGeneratorTest {

    private static final GeneratorConfig DEFAULTS = GeneratorConfig.defaults();
    /** Large enough for the statistical checks: about 70,000 events. */
    private static final GeneratorConfig LARGE = DEFAULTS.withUsers(2000).withDuration(Duration.ofHours(3));

    private static List<GeneratedEvent> defaultReplay;
    private static List<GeneratedEvent> largeReplay;

    @BeforeAll
    static void generate() {
        defaultReplay = new ShopTrafficGenerator(DEFAULTS).replay();
        largeReplay = new ShopTrafficGenerator(LARGE).replay();
    }

    @Test
    void sameConfigGivesTheIdenticalSequenceAndAnotherSeedADifferentOne() {
        assertThat(new ShopTrafficGenerator(DEFAULTS).replay()).isEqualTo(defaultReplay);
        List<GeneratedEvent> other = new ShopTrafficGenerator(DEFAULTS.withSeed(43)).replay();
        assertThat(other).isNotEqualTo(defaultReplay);
        assertThat(ids(other)).doesNotContainAnyElementsOf(ids(defaultReplay));
    }

    @Test
    void sequenceOfTheDefaultConfigIsPinnedForThisGeneratorVersion() throws Exception {
        // If a rule changes on purpose: bump ShopTrafficGenerator.GENERATOR_VERSION and update this digest.
        // Version 2 (version 1: 2,335 events, digest 256a894e...) adds second deliveries of 3 % of cart
        // commands (Delivery.REDELIVERED). In the default replay one of its 156 cart commands is delivered
        // twice, hence one event more; every other event is unchanged, which
        // secondDeliveriesLeaveEveryOtherEventUnchanged checks.
        assertThat(ShopTrafficGenerator.GENERATOR_VERSION).isEqualTo(2);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (GeneratedEvent e : defaultReplay) {
            sha.update((e.topic() + "|" + e.key() + "|" + JsonSerde.MAPPER.writeValueAsString(e.value()) + "|"
                    + e.eventTime() + "|" + e.deliveryTime() + "|" + e.delivery() + "\n").getBytes(StandardCharsets.UTF_8));
        }
        assertThat(defaultReplay.size()).isEqualTo(PINNED_SIZE);
        assertThat(HexFormat.of().formatHex(sha.digest())).isEqualTo(PINNED_DIGEST);
    }

    private static final int PINNED_SIZE = 2336;
    private static final String PINNED_DIGEST = "f938f25706aea28e6cd51acae93c0e674657be18fe9005dcdd24ae9376bd2672";

    @Test
    void replayIsTheUnboundedSequenceCutAtTheEndOfThePeriod() {
        Instant end = DEFAULTS.end();
        Instant allDelivered = end.plus(DEFAULTS.lateBy()).plus(Duration.ofMinutes(10));
        List<GeneratedEvent> cut = new ShopTrafficGenerator(DEFAULTS).unbounded()
                .takeWhile(e -> !e.deliveryTime().isAfter(allDelivered))
                .filter(e -> e.eventTime().isBefore(end))
                .toList();
        assertThat(cut).isEqualTo(defaultReplay);
    }

    @Test
    void aUsersEventsDoNotDependOnThePopulationSize() {
        List<GeneratedEvent> small = new ShopTrafficGenerator(DEFAULTS.withUsers(20)).replay();
        List<GeneratedEvent> large = new ShopTrafficGenerator(DEFAULTS.withUsers(40)).replay();
        assertThat(large.stream().filter(e -> e.key().equals("u-0007")).toList())
                .isNotEmpty()
                .isEqualTo(small.stream().filter(e -> e.key().equals("u-0007")).toList());
    }

    @Test
    void eventsAreInDeliveryOrderAndNeverDeliveredBeforeTheyHappen() {
        for (List<GeneratedEvent> events : List.of(defaultReplay, largeReplay)) {
            for (int i = 1; i < events.size(); i++) {
                assertThat(events.get(i).deliveryTime()).isAfterOrEqualTo(events.get(i - 1).deliveryTime());
            }
            assertThat(events).allSatisfy(e -> {
                assertThat(e.eventTime()).isBetween(DEFAULTS.start(), events == defaultReplay ? DEFAULTS.end() : LARGE.end());
                switch (e.delivery()) {
                    case IN_ORDER -> assertThat(e.delay()).isZero();
                    case OUT_OF_ORDER -> assertThat(e.delay()).isPositive().isLessThanOrEqualTo(DEFAULTS.maxOutOfOrder());
                    case LATE -> assertThat(e.delay()).isGreaterThanOrEqualTo(DEFAULTS.lateBy());
                    case REDELIVERED -> assertThat(e.delay()).isPositive()
                            .isLessThanOrEqualTo(DEFAULTS.maxOutOfOrder().plus(DEFAULTS.maxDuplicateDelay()));
                }
            });
        }
        assertThat(ids(firstDeliveries(largeReplay))).doesNotHaveDuplicates();
    }

    @Test
    void aFewCartCommandsAreDeliveredTwiceShortlyAfterTheFirstDelivery() {
        List<GeneratedEvent> cartEvents = largeReplay.stream()
                .filter(e -> e.topic().equals(TopicCatalogue.CART_EVENTS.name())).toList();
        List<GeneratedEvent> again = cartEvents.stream().filter(e -> e.delivery() == Delivery.REDELIVERED).toList();
        assertThat(largeReplay).filteredOn(e -> e.delivery() == Delivery.REDELIVERED)
                .as("only cart commands are delivered twice").hasSameSizeAs(again);
        assertThat((double) again.size() / (cartEvents.size() - again.size()))
                .isCloseTo(LARGE.duplicateFraction(), within(LARGE.duplicateFraction() * 0.3));
        Map<String, GeneratedEvent> first = new HashMap<>();
        for (GeneratedEvent e : cartEvents) {
            String id = ((CartEvent) e.value()).eventId();
            if (e.delivery() != Delivery.REDELIVERED) {
                assertThat(first.put(id, e)).as("first delivery of %s", id).isNull();
                continue;
            }
            GeneratedEvent original = first.get(id);
            assertThat(original).as("the first delivery of %s comes before its second", id).isNotNull();
            assertThat(e.value()).isEqualTo(original.value());
            assertThat(e.key()).isEqualTo(original.key());
            assertThat(e.eventTime()).isEqualTo(original.eventTime());
            assertThat(Duration.between(original.deliveryTime(), e.deliveryTime()))
                    .isPositive().isLessThanOrEqualTo(LARGE.maxDuplicateDelay());
        }
    }

    @Test
    void secondDeliveriesLeaveEveryOtherEventUnchanged() {
        List<GeneratedEvent> without = new ShopTrafficGenerator(DEFAULTS.withDuplicates(0, Duration.ofSeconds(5))).replay();
        assertThat(without).noneMatch(e -> e.delivery() == Delivery.REDELIVERED);
        assertThat(firstDeliveries(defaultReplay)).isEqualTo(without);
        assertThat(defaultReplay).anyMatch(e -> e.delivery() == Delivery.REDELIVERED);
    }

    @Test
    void catalogueAndSnapshotComeFirst() {
        int initial = DEFAULTS.products() + DEFAULTS.users();
        assertThat(defaultReplay.subList(0, DEFAULTS.products()))
                .extracting(GeneratedEvent::key).first().isEqualTo("p-0001");
        assertThat(defaultReplay.subList(0, DEFAULTS.products()))
                .allSatisfy(e -> assertThat(e.topic()).isEqualTo(TopicCatalogue.PRODUCTS.name()));
        assertThat(defaultReplay.subList(DEFAULTS.products(), initial)).allSatisfy(e -> {
            assertThat(((UserChange) e.value()).op()).isEqualTo(Operation.SNAPSHOT);
            assertThat(((UserChange) e.value()).version()).isEqualTo(1);
            assertThat(e.eventTime()).isEqualTo(DEFAULTS.start());
        });
    }

    @Test
    void outOfOrderAndLateFractionsMatchTheConfig() {
        assertFractions(largeReplay, LARGE);
        GeneratorConfig skewed = DEFAULTS.withUsers(1000).withOutOfOrder(0.2, Duration.ofSeconds(5))
                .withLate(0.05, Duration.ofMinutes(30));
        assertFractions(new ShopTrafficGenerator(skewed).replay(), skewed);
    }

    private static void assertFractions(List<GeneratedEvent> events, GeneratorConfig config) {
        // the catalogue and the user snapshot at the start are always in order
        List<GeneratedEvent> traffic = firstDeliveries(events).stream()
                .filter(e -> e.eventTime().isAfter(config.start())).toList();
        List<GeneratedEvent> lateEligible = traffic.stream()
                .filter(e -> e.value() instanceof PageView || e.value() instanceof Purchase).toList();
        long outOfOrder = traffic.stream().filter(e -> e.delivery() == Delivery.OUT_OF_ORDER).count();
        List<GeneratedEvent> late = traffic.stream().filter(e -> e.delivery() == Delivery.LATE).toList();

        assertThat((double) outOfOrder / traffic.size())
                .isCloseTo(config.outOfOrderFraction(), within(config.outOfOrderFraction() * 0.12));
        assertThat((double) late.size() / lateEligible.size())
                .isCloseTo(config.lateFraction(), within(config.lateFraction() * 0.35));
        assertThat(late).allSatisfy(e -> {
            assertThat(e.value()).isInstanceOfAny(PageView.class, Purchase.class);
            assertThat(e.delay()).isGreaterThanOrEqualTo(config.lateBy());
        });
        assertThat(traffic).filteredOn(e -> e.delivery() == Delivery.OUT_OF_ORDER)
                .allSatisfy(e -> assertThat(e.delay()).isLessThanOrEqualTo(config.maxOutOfOrder()))
                .extracting(GeneratedEvent::topic).containsAll(List.of("page-views", "purchases", "cart-events"));
    }

    @Test
    void pageViewsComeInSessionsSeparatedByInactivityGaps() {
        Map<String, List<Instant>> viewsByUser = new HashMap<>();
        largeReplay.stream().filter(e -> e.value() instanceof PageView)
                .forEach(e -> viewsByUser.computeIfAbsent(e.key(), k -> new ArrayList<>()).add(e.eventTime()));
        List<Duration> gaps = new ArrayList<>();
        viewsByUser.values().forEach(times -> {
            times.sort(Comparator.naturalOrder());
            for (int i = 1; i < times.size(); i++) {
                gaps.add(Duration.between(times.get(i - 1), times.get(i)));
            }
        });
        Duration inactivity = Duration.ofMinutes(30);
        List<Duration> betweenSessions = gaps.stream().filter(g -> g.compareTo(inactivity) > 0).toList();
        List<Duration> withinSessions = gaps.stream().filter(g -> g.compareTo(inactivity) <= 0).toList();

        assertThat(betweenSessions).hasSizeGreaterThan(500)
                .allSatisfy(g -> assertThat(g).isGreaterThanOrEqualTo(Duration.ofMinutes(35)));
        assertThat(withinSessions).hasSizeGreaterThan(10 * betweenSessions.size())
                .allSatisfy(g -> assertThat(g).isBetween(Duration.ofSeconds(1), Duration.ofMinutes(10)));
    }

    @Test
    void productPagePopularityIsSkewed() {
        Map<String, Long> views = new TreeMap<>();
        largeReplay.stream().filter(e -> e.value() instanceof Product).forEach(e -> views.put(e.key(), 0L));
        largeReplay.stream().map(GeneratedEvent::value).filter(PageView.class::isInstance).map(PageView.class::cast)
                .filter(v -> v.productId() != null).forEach(v -> views.merge(v.productId(), 1L, Long::sum));
        List<Long> counts = views.values().stream().sorted().toList();
        long median = counts.get(counts.size() / 2);
        long top = counts.get(counts.size() - 1);
        assertThat(top).isGreaterThan(20 * Math.max(median, 1));
        assertThat(largeReplay).map(GeneratedEvent::value).filteredOn(PageView.class::isInstance)
                .allSatisfy(v -> {
                    PageView view = (PageView) v;
                    assertThat(view.page()).isEqualTo(view.productId() == null ? view.page()
                            : PageView.PRODUCT_PAGE_PREFIX + view.productId());
                    assertThat(view.page()).matches("/home|/search|/deals|/cart|/products/p-\\d{4}");
                });
    }

    @Test
    void everyDeleteIsDirectlyFollowedByATombstoneAndVersionsCountChanges() {
        List<GeneratedEvent> changes = largeReplay.stream()
                .filter(e -> e.topic().equals(TopicCatalogue.USER_CHANGES.name())).toList();
        long deletes = 0;
        for (int i = 0; i < changes.size(); i++) {
            if (changes.get(i).value() instanceof UserChange c && c.op() == Operation.DELETE) {
                deletes++;
                GeneratedEvent next = changes.get(i + 1);
                assertThat(next.isTombstone()).isTrue();
                assertThat(next.key()).isEqualTo(changes.get(i).key());
            }
        }
        assertThat(deletes).isPositive().isEqualTo(changes.stream().filter(GeneratedEvent::isTombstone).count());

        Map<String, List<UserChange>> byUser = changes.stream().filter(e -> !e.isTombstone())
                .map(e -> (UserChange) e.value())
                .sorted(Comparator.comparing(UserChange::sourceTimestamp).thenComparing(UserChange::version))
                .collect(Collectors.groupingBy(UserChange::userId));
        byUser.forEach((user, list) -> {
            for (int i = 0; i < list.size(); i++) {
                assertThat(list.get(i).version()).isEqualTo(i + 1L);
                if (i > 0 && list.get(i - 1).op() == Operation.DELETE) {
                    assertThat(list.get(i).op()).isEqualTo(Operation.CREATE);
                }
            }
        });
        assertThat(changes).map(GeneratedEvent::value).filteredOn(UserChange.class::isInstance)
                .extracting(v -> ((UserChange) v).op()).contains(Operation.UPDATE, Operation.CREATE);
    }

    @Test
    void purchasesCostQuantityTimesThePriceAtThatTime() {
        Map<String, TreeMap<Instant, Product>> priceHistory = new HashMap<>();
        largeReplay.stream().map(GeneratedEvent::value).filter(Product.class::isInstance).map(Product.class::cast)
                .forEach(p -> priceHistory.computeIfAbsent(p.productId(), k -> new TreeMap<>()).put(p.updatedAt(), p));
        List<Purchase> purchases = largeReplay.stream().map(GeneratedEvent::value).filter(Purchase.class::isInstance)
                .map(Purchase.class::cast).toList();
        assertThat(purchases).hasSizeGreaterThan(500).allSatisfy(p -> {
            Product product = priceHistory.get(p.productId()).floorEntry(p.timestamp()).getValue();
            assertThat(p.quantity()).isBetween(1, 3);
            assertThat(p.amountCents()).isEqualTo(p.quantity() * product.priceCents());
            assertThat(p.currency()).isEqualTo(product.currency());
        });
        assertThat(priceHistory.values()).anySatisfy(history -> assertThat(history).hasSizeGreaterThan(1));
        assertThat(purchases).extracting(Purchase::currency).contains("EUR", "USD");
    }

    @Test
    void mostPurchasesFollowAViewOfTheProductSomeMoreThanAnHourLater() {
        Map<String, Instant> lastView = new HashMap<>();
        int unviewed = 0;
        int withinHour = 0;
        int afterHour = 0;
        List<GeneratedEvent> byEventTime = largeReplay.stream()
                .sorted(Comparator.comparing(GeneratedEvent::eventTime)).toList();
        for (GeneratedEvent e : byEventTime) {
            if (e.value() instanceof PageView v && v.productId() != null) {
                lastView.put(v.userId() + "/" + v.productId(), v.timestamp());
            } else if (e.value() instanceof Purchase p) {
                Instant viewed = lastView.get(p.userId() + "/" + p.productId());
                if (viewed == null) {
                    unviewed++;
                } else if (Duration.between(viewed, p.timestamp()).compareTo(Duration.ofHours(1)) <= 0) {
                    withinHour++;
                } else {
                    afterHour++;
                }
            }
        }
        int total = unviewed + withinHour + afterHour;
        assertThat(withinHour).isGreaterThan(total * 3 / 4);
        assertThat(afterHour).isPositive();
        assertThat(unviewed).isPositive().isLessThan(total / 10);
    }

    @Test
    void cartCommandsIncludeAFewInvalidOnes() {
        Map<String, Map<String, Integer>> carts = new HashMap<>();
        int invalid = 0;
        int total = 0;
        Set<CartEventType> types = new HashSet<>();
        boolean removeAll = false;
        for (GeneratedEvent e : firstDeliveries(largeReplay).stream()
                .sorted(Comparator.comparing(GeneratedEvent::eventTime)).toList()) {
            if (!(e.value() instanceof CartEvent c)) {
                continue;
            }
            total++;
            types.add(c.type());
            Map<String, Integer> cart = carts.computeIfAbsent(c.userId(), k -> new HashMap<>());
            switch (c.type()) {
                case ADD_ITEM -> cart.merge(c.productId(), c.quantity(), Integer::sum);
                case REMOVE_ITEM -> {
                    removeAll |= c.quantity() == null;
                    Integer held = cart.get(c.productId());
                    if (held == null) {
                        invalid++;
                    } else if (c.quantity() == null || held <= c.quantity()) {
                        cart.remove(c.productId());
                    } else {
                        cart.put(c.productId(), held - c.quantity());
                    }
                }
                case CHECKOUT -> {
                    invalid += cart.isEmpty() ? 1 : 0;
                    cart.clear();
                }
            }
        }
        assertThat(types).containsExactlyInAnyOrder(CartEventType.values());
        assertThat(removeAll).isTrue();
        assertThat(invalid).isPositive().isLessThan(total / 10);
    }

    /** The schema each input topic carries. */
    private static final Map<String, Class<?>> VALUE_TYPES = Map.of(
            TopicCatalogue.PAGE_VIEWS.name(), PageView.class,
            TopicCatalogue.PURCHASES.name(), Purchase.class,
            TopicCatalogue.CART_EVENTS.name(), CartEvent.class,
            TopicCatalogue.USER_CHANGES.name(), UserChange.class,
            TopicCatalogue.PRODUCTS.name(), Product.class);

    @Test
    void everyEventSurvivesAJsonRoundTrip() {
        assertThat(defaultReplay).allSatisfy(e -> {
            if (e.isTombstone()) {
                assertThat(e.topic()).isEqualTo(TopicCatalogue.USER_CHANGES.name());
                return;
            }
            Class<?> type = VALUE_TYPES.get(e.topic());
            assertThat(e.value()).isInstanceOf(type);
            assertThat(roundTrip(type, e.value())).isEqualTo(e.value());
        });
    }

    private static <T> T roundTrip(Class<T> type, Object value) {
        JsonSerde<T> serde = JsonSerde.of(type);
        return serde.deserialize("t", serde.serialize("t", type.cast(value)));
    }

    /** The events without the second deliveries of cart commands. */
    private static List<GeneratedEvent> firstDeliveries(List<GeneratedEvent> events) {
        return events.stream().filter(e -> e.delivery() != Delivery.REDELIVERED).toList();
    }

    private static List<String> ids(List<GeneratedEvent> events) {
        return events.stream().map(GeneratedEvent::value).map(v -> v instanceof PageView p ? p.eventId()
                : v instanceof Purchase p ? p.eventId() : v instanceof CartEvent c ? c.eventId() : null)
                .filter(id -> id != null).toList();
    }
}
