package dev.streamtemplate.attribution;

import java.util.Map;
import java.util.TreeMap;

/**
 * The per-purchase state of the attribution: for each purchase in one (user, product, millisecond)
 * window, the touch that wins last-touch attribution so far.
 *
 * <p>Keyed by purchase event id, so two purchases of one product by one user in the same millisecond
 * stay two purchases. Sorted, so the results of one window are emitted in a fixed order.
 *
 * @param byPurchase purchase event id to the winning touch (the purchase alone, or with a view)
 */
public record LastTouches(Map<String, Touch> byPurchase) {

    public LastTouches {
        byPurchase = byPurchase == null ? Map.of() : Map.copyOf(byPurchase);
    }

    /** The empty state of a new window. */
    static LastTouches none() {
        return new LastTouches(Map.of());
    }

    /** This state with {@code touch} applied: it replaces its purchase's touch when it wins ({@link Touch#latest}). */
    LastTouches with(Touch touch) {
        Map<String, Touch> next = new TreeMap<>(byPurchase);
        next.merge(touch.purchase().eventId(), touch, Touch::latest);
        return new LastTouches(next);
    }

    /** The winning touches, ordered by purchase event id. */
    Iterable<Touch> winners() {
        return new TreeMap<>(byPurchase).values();
    }
}
