package dev.streamtemplate.generator;

import dev.streamtemplate.schemas.CartEvent;
import dev.streamtemplate.schemas.CartEventType;
import dev.streamtemplate.schemas.CustomerTier;
import dev.streamtemplate.schemas.PageView;
import dev.streamtemplate.schemas.Product;
import dev.streamtemplate.schemas.Purchase;
import dev.streamtemplate.schemas.TopicCatalogue;
import dev.streamtemplate.schemas.UserChange;
import dev.streamtemplate.schemas.UserChange.Operation;
import dev.streamtemplate.schemas.UserProfile;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongConsumer;

/**
 * One simulated user: the profile row behind the CDC stream, browsing sessions, the cart and
 * purchases. Every rule and constant is listed in the module README ("Sequence contract").
 *
 * <p>While a user is deleted nothing of it happens except a possible re-creation: deletion bumps
 * {@link #epoch}, and actions scheduled under an older epoch do nothing when they come due.
 */
final class Shopper {

    private static final long SECOND = 1000;
    private static final long MINUTE = 60 * SECOND;
    private static final long HOUR = 60 * MINUTE;

    // sessions and pages
    static final long MIN_SESSION_GAP = 35 * MINUTE;
    static final long MEAN_EXTRA_SESSION_GAP = 15 * MINUTE;
    /** Share of users in a session at the start (the time share of sessions in the steady state). */
    static final double IN_SESSION_AT_START = 0.07;
    static final long MIN_VIEW_GAP = 2 * SECOND;
    static final long MEAN_EXTRA_VIEW_GAP = 30 * SECOND;
    static final long MAX_VIEW_GAP = 10 * MINUTE;
    static final double SESSION_END_CHANCE = 0.12;
    static final double PRODUCT_PAGE_SHARE = 0.55;
    static final List<String> FIXED_PAGES = List.of("/home", "/search", "/deals", "/cart");
    private static final ZipfDistribution FIXED_PAGE_POPULARITY = new ZipfDistribution(FIXED_PAGES.size(),
            ProductCatalogue.POPULARITY_EXPONENT);
    static final List<String> ENTRY_REFERRERS = List.of("search", "search", "search", "search", "search", "search",
            "search", "social", "social", "social", "social", "social", "direct", "direct", "direct", "direct",
            "direct", "email", "email", "email");
    // purchases
    static final double BUY_AFTER_VIEW_CHANCE = 0.05;
    static final double LATE_BUYER_SHARE = 0.15;
    static final double UNVIEWED_PURCHASE_CHANCE = 0.015;
    // cart
    static final double ADD_TO_CART_CHANCE = 0.12;
    static final double CART_AFTER_ADD_CHANCE = 0.4;
    static final double CHECKOUT_CHANCE = 0.55;
    static final double REMOVE_CHANCE = 0.3;
    static final double EMPTY_CHECKOUT_CHANCE = 0.08;
    static final double FOREIGN_REMOVE_CHANCE = 0.02;
    // profile changes
    static final long MEAN_PROFILE_CHANGE_GAP = 6 * HOUR;
    static final double DELETE_SHARE = 0.05;
    static final double QUICK_RECREATE_SHARE = 0.5;

    private static final List<String> FIRST_NAMES = List.of("Anna", "Ben", "Clara", "David", "Emma", "Felix",
            "Greta", "Hugo", "Ida", "Jonas", "Lea", "Max", "Nora", "Oskar", "Paula", "Tom");
    private static final List<String> LAST_NAMES = List.of("Becker", "Dubois", "Fischer", "Garcia", "Jansen",
            "Kowalski", "Larsen", "Meyer", "Novak", "Rossi", "Schmidt", "Smith", "Weber", "Wagner");
    private static final List<String> COUNTRIES = List.of("DE", "DE", "DE", "DE", "DE", "FR", "FR", "NL", "AT",
            "ES", "IT", "PL", "SE", "GB", "US");
    private static final List<CustomerTier> TIERS = List.of(CustomerTier.BRONZE, CustomerTier.BRONZE,
            CustomerTier.BRONZE, CustomerTier.BRONZE, CustomerTier.BRONZE, CustomerTier.BRONZE, CustomerTier.BRONZE,
            CustomerTier.SILVER, CustomerTier.SILVER, CustomerTier.GOLD);
    private static final List<String> MAIL_DOMAINS = List.of("example.com", "example.org", "example.net");

    private static final String PAGE_VIEWS = TopicCatalogue.PAGE_VIEWS.name();
    private static final String PURCHASES = TopicCatalogue.PURCHASES.name();
    private static final String CART_EVENTS = TopicCatalogue.CART_EVENTS.name();
    private static final String USER_CHANGES = TopicCatalogue.USER_CHANGES.name();

    private final String userId;
    private final SeededRandom rng;
    /** Draws whether and when a cart command is delivered twice; apart from {@link #rng}, so the rest is unchanged. */
    private final SeededRandom retries;
    private final Simulation simulation;
    private final ProductCatalogue catalogue;
    private final TreeMap<String, Integer> cart = new TreeMap<>();
    private final Set<String> viewedProducts = new HashSet<>();
    private UserProfile profile;
    private long version;
    private int epoch;
    private int emailChanges;
    private long lastViewMillis = Long.MIN_VALUE / 2;
    /** A heavy hitter's mean gap between views in milliseconds ({@link GeneratorConfig.HeavyHitters}); 0 for a normal user. */
    private final long heavyViewGapMillis;

    /**
     * Creates the user and emits its SNAPSHOT envelope at {@code start} (epoch millis).
     *
     * @param rng     the user's stream for everything it does
     * @param retries the user's stream for second deliveries of its cart commands
     * @param heavyViewGapMillis 0 for a normal user; for a heavy hitter, the mean gap between its views: it is in a
     *                           session from the start and never ends it
     */
    Shopper(String userId, SeededRandom rng, SeededRandom retries, Simulation simulation, ProductCatalogue catalogue,
            long start, long heavyViewGapMillis) {
        this.userId = userId;
        this.heavyViewGapMillis = heavyViewGapMillis;
        this.rng = rng;
        this.retries = retries;
        this.simulation = simulation;
        this.catalogue = catalogue;
        String first = rng.pick(FIRST_NAMES);
        String last = rng.pick(LAST_NAMES);
        profile = new UserProfile(userId, first + " " + last, email(first + " " + last), rng.pick(TIERS),
                rng.pick(COUNTRIES));
        version = 1;
        simulation.emitInOrder(USER_CHANGES, userId, new UserChange(Operation.SNAPSHOT, null, profile,
                Instant.ofEpochMilli(start), version), start);
        whileActive(start + (isHeavyHitter() ? rng.exponentialMillis(heavyViewGapMillis) : firstSessionDelay()),
                this::startSession);
        scheduleProfileChange(start);
    }

    // ---- browsing ----

    /**
     * When the first session starts, so that traffic is steady from the start: users in a session
     * right away, the others at the residual time of an inactivity gap ({@code 35 min + Exp(15 min)}):
     * uniform in [0, 35 min) with probability 35/50, else 35 min plus Exp(15 min).
     */
    private long firstSessionDelay() {
        if (rng.chance(IN_SESSION_AT_START)) {
            return rng.exponentialMillis(MEAN_EXTRA_VIEW_GAP);
        }
        double meanGap = MIN_SESSION_GAP + MEAN_EXTRA_SESSION_GAP;
        return rng.chance(MIN_SESSION_GAP / meanGap)
                ? rng.between(0, MIN_SESSION_GAP)
                : MIN_SESSION_GAP + rng.exponentialMillis(MEAN_EXTRA_SESSION_GAP);
    }

    private boolean isHeavyHitter() {
        return heavyViewGapMillis > 0;
    }

    private void startSession(long now) {
        String referrer = rng.pick(ENTRY_REFERRERS);
        if (rng.chance(UNVIEWED_PURCHASE_CHANCE)) {
            whileActive(now + 10 * SECOND + rng.exponentialMillis(MINUTE), this::purchaseUnviewed);
        }
        String landing = switch (referrer) {
            case "direct" -> rng.chance(0.6) ? "/home" : null;
            case "email" -> rng.chance(0.6) ? "/deals" : null;
            default -> null;
        };
        view(now, referrer, landing);
    }

    /** One page view; {@code page} null means drawn by popularity. Schedules what follows it. */
    private void view(long now, String referrer, String page) {
        String productId = null;
        if (page == null) {
            if (rng.chance(PRODUCT_PAGE_SHARE)) {
                productId = catalogue.popularProduct(rng);
                page = PageView.PRODUCT_PAGE_PREFIX + productId;
            } else {
                page = FIXED_PAGES.get(FIXED_PAGE_POPULARITY.sample(rng));
            }
        }
        simulation.emit(PAGE_VIEWS, userId, new PageView(rng.uuid().toString(), userId, page, productId, referrer,
                Instant.ofEpochMilli(now)), now, rng, true);
        lastViewMillis = now;

        long next = now + (isHeavyHitter()
                ? Math.min(MAX_VIEW_GAP, 1 + rng.exponentialMillis(heavyViewGapMillis))
                : Math.min(MAX_VIEW_GAP, MIN_VIEW_GAP + rng.exponentialMillis(MEAN_EXTRA_VIEW_GAP)));
        String nextPage = null;
        if (productId != null) {
            viewedProducts.add(productId);
            String viewed = productId;
            if (rng.chance(ADD_TO_CART_CHANCE)) {
                long addAt = now + 2 * SECOND + rng.exponentialMillis(8 * SECOND);
                int quantity = rng.chance(0.8) ? 1 : 2;
                whileActive(addAt, t -> addToCart(t, viewed, quantity));
                if (rng.chance(CART_AFTER_ADD_CHANCE)) {
                    next = Math.min(now + MAX_VIEW_GAP, addAt + SECOND + rng.exponentialMillis(4 * SECOND));
                    nextPage = "/cart";
                }
            }
            if (rng.chance(BUY_AFTER_VIEW_CHANCE)) {
                long delay = rng.chance(LATE_BUYER_SHARE)
                        ? 65 * MINUTE + rng.exponentialMillis(45 * MINUTE)
                        : Math.min(45 * MINUTE, 20 * SECOND + rng.exponentialMillis(5 * MINUTE));
                whileActive(now + delay, t -> purchase(t, viewed));
            }
        } else if (page.equals("/cart")) {
            cartPageCommands(now);
        }
        if (!isHeavyHitter() && rng.chance(SESSION_END_CHANCE)) {
            whileActive(now + MIN_SESSION_GAP + rng.exponentialMillis(MEAN_EXTRA_SESSION_GAP), this::startSession);
        } else {
            String from = page;
            String to = nextPage;
            whileActive(next, t -> view(t, from, to));
        }
    }

    // ---- purchases ----

    private void purchase(long now, String productId) {
        Product product = catalogue.current(productId);
        double q = rng.nextDouble();
        int quantity = q < 0.7 ? 1 : q < 0.9 ? 2 : 3;
        simulation.emit(PURCHASES, userId, new Purchase(rng.uuid().toString(), "o-" + rng.uuid(), userId, productId,
                quantity, quantity * product.priceCents(), product.currency(), Instant.ofEpochMilli(now)),
                now, rng, true);
    }

    private void purchaseUnviewed(long now) {
        for (int attempt = 0; attempt < 5; attempt++) {
            String productId = catalogue.popularProduct(rng);
            if (!viewedProducts.contains(productId)) {
                purchase(now, productId);
                return;
            }
        }
    }

    // ---- cart ----

    private void cartPageCommands(long now) {
        if (!cart.isEmpty() && rng.chance(CHECKOUT_CHANCE)) {
            whileActive(now + 5 * SECOND + rng.exponentialMillis(20 * SECOND), this::checkout);
        } else if (!cart.isEmpty() && rng.chance(REMOVE_CHANCE)) {
            Integer quantity = rng.chance(0.5) ? null : 1;
            whileActive(now + 3 * SECOND + rng.exponentialMillis(10 * SECOND), t -> removeFromCart(t, quantity));
        } else if (cart.isEmpty() && rng.chance(EMPTY_CHECKOUT_CHANCE)) {
            whileActive(now + 5 * SECOND + rng.exponentialMillis(20 * SECOND), this::checkout);
        }
        if (rng.chance(FOREIGN_REMOVE_CHANCE)) {
            whileActive(now + 3 * SECOND + rng.exponentialMillis(10 * SECOND), this::removeForeignItem);
        }
    }

    private void addToCart(long now, String productId, int quantity) {
        cart.merge(productId, quantity, Integer::sum);
        emitCart(now, CartEventType.ADD_ITEM, productId, quantity);
    }

    /** Removes one unit or all units ({@code quantity} null) of an item drawn from the cart, if any is left. */
    private void removeFromCart(long now, Integer quantity) {
        if (cart.isEmpty()) {
            return;
        }
        String productId = rng.pick(new ArrayList<>(cart.keySet()));
        int left = quantity == null ? 0 : cart.get(productId) - quantity;
        if (left > 0) {
            cart.put(productId, left);
        } else {
            cart.remove(productId);
        }
        emitCart(now, CartEventType.REMOVE_ITEM, productId, quantity);
    }

    /** Invalid on purpose: removes a product that is not in the cart. */
    private void removeForeignItem(long now) {
        String productId = catalogue.popularProduct(rng);
        if (!cart.containsKey(productId)) {
            emitCart(now, CartEventType.REMOVE_ITEM, productId, rng.chance(0.5) ? null : 1);
        }
    }

    /** Valid when the cart has items; invalid on purpose when it is empty. */
    private void checkout(long now) {
        cart.clear();
        emitCart(now, CartEventType.CHECKOUT, null, null);
    }

    /** Emits a cart command; a few are delivered a second time ({@link Delivery#REDELIVERED}). */
    private void emitCart(long now, CartEventType type, String productId, Integer quantity) {
        GeneratedEvent sent = simulation.emit(CART_EVENTS, userId, new CartEvent(rng.uuid().toString(), userId, type,
                productId, quantity, Instant.ofEpochMilli(now)), now, rng, false);
        simulation.maybeRedeliver(sent, retries);
    }

    // ---- profile (CDC) ----

    private void scheduleProfileChange(long after) {
        simulation.schedule(after + rng.exponentialMillis(MEAN_PROFILE_CHANGE_GAP), Simulation.USER_LANE,
                this::changeProfile);
    }

    private void changeProfile(long now) {
        if (rng.chance(DELETE_SHARE) && !isHeavyHitter()) { // a deleted heavy hitter would pause its browsing
            delete(now);
            return;
        }
        double kind = rng.nextDouble();
        UserProfile before = profile;
        if (kind < 0.4) {
            profile = new UserProfile(userId, before.name(), before.email(), otherTier(before.tier()), before.country());
        } else if (kind < 0.8) {
            profile = new UserProfile(userId, before.name(), email(before.name()), before.tier(), before.country());
        } else {
            String country = rng.pick(COUNTRIES);
            profile = new UserProfile(userId, before.name(), before.email(), before.tier(),
                    country.equals(before.country()) ? "CH" : country);
        }
        cdc(now, Operation.UPDATE, before, profile);
        scheduleProfileChange(now);
    }

    private void delete(long now) {
        UserProfile before = profile;
        profile = null;
        epoch++;
        simulation.emitTombstone(cdc(now, Operation.DELETE, before, null));
        long comeback = rng.chance(QUICK_RECREATE_SHARE)
                ? 10 * MINUTE + rng.exponentialMillis(30 * MINUTE)
                : 2 * HOUR + rng.exponentialMillis(4 * HOUR);
        simulation.schedule(now + comeback, Simulation.USER_LANE, t -> recreate(t, before));
    }

    private void recreate(long now, UserProfile deleted) {
        profile = new UserProfile(userId, deleted.name(), email(deleted.name()), CustomerTier.BRONZE,
                deleted.country());
        cdc(now, Operation.CREATE, null, profile);
        whileActive(Math.max(now + MINUTE + rng.exponentialMillis(10 * MINUTE), lastViewMillis + MIN_SESSION_GAP),
                this::startSession);
        scheduleProfileChange(now);
    }

    private GeneratedEvent cdc(long now, Operation op, UserProfile before, UserProfile after) {
        version++;
        return simulation.emit(USER_CHANGES, userId, new UserChange(op, before, after, Instant.ofEpochMilli(now),
                version), now, rng, false);
    }

    private CustomerTier otherTier(CustomerTier tier) {
        return switch (tier) {
            case BRONZE -> CustomerTier.SILVER;
            case SILVER -> rng.chance(0.7) ? CustomerTier.GOLD : CustomerTier.BRONZE;
            case GOLD -> CustomerTier.SILVER;
        };
    }

    /** {@code anna.meyer.0042@example.com}; later addresses of the user get {@code -2}, {@code -3}, ... */
    private String email(String name) {
        int n = ++emailChanges;
        return name.toLowerCase(Locale.ROOT).replace(' ', '.') + "." + userId.substring(2) + (n == 1 ? "" : "-" + n)
                + "@" + rng.pick(MAIL_DOMAINS);
    }

    /** Schedules {@code body} for this user; it does nothing if the user is deleted before it comes due. */
    private void whileActive(long time, LongConsumer body) {
        int scheduledIn = epoch;
        simulation.schedule(time, Simulation.USER_LANE, t -> {
            if (epoch == scheduledIn) {
                body.accept(t);
            }
        });
    }
}
