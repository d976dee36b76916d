package dev.streamtemplate.cart;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * An order: what a {@code CHECKOUT} of a non-empty cart produces, on topic {@code orders} (keyed by
 * user id) and in the store {@code orders-store} (keyed {@link #storeKey(String, String)
 * userId/orderId}).
 *
 * <p>The order id is deterministic: {@link #idFor(String, String)} derives it from the user and the
 * checkout command's event id, so replaying {@code cart-events} (a rebuild, or a reprocessing after
 * a crash) produces the same order with the same id, and a consumer of {@code orders} can treat the
 * id as an idempotency key.
 *
 * <p>JSON: {@code {"orderId":"o-...","userId":"u-0001","checkoutEventId":"...","lines":[{"productId",
 * "quantity","unitPriceCents","currency","amountCents"}],"totalCents":{"EUR":3998},"placedAt":"..."}}.
 *
 * @param orderId         {@code o-} and a name-based UUID ({@link #idFor})
 * @param userId          the buyer; also the topic key
 * @param checkoutEventId event id of the {@code CHECKOUT} command
 * @param lines           the cart's items at checkout, ordered by product id, never empty
 * @param totalCents      sum of the lines' amounts per ISO-4217 currency, in minor units
 * @param placedAt        event time of the checkout
 */
public record Order(String orderId, String userId, String checkoutEventId, List<OrderLine> lines,
                    Map<String, Long> totalCents, Instant placedAt) {

    /** Separates user id and order id in a store key. */
    public static final char KEY_SEPARATOR = '/';

    /** What an order id looks like: {@code o-} and a UUID in lower-case hex. */
    public static final Pattern ID_FORMAT = Pattern.compile("o-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    /**
     * The order a checkout turns a cart into.
     *
     * @param cart     the cart checked out, not empty
     * @param checkout event id of the {@code CHECKOUT} command
     * @param placedAt its event time
     */
    public static Order of(Cart cart, String checkout, Instant placedAt) {
        return new Order(idFor(cart.userId(), checkout), cart.userId(), checkout,
                cart.items().stream().map(OrderLine::of).toList(), cart.totalCents(), placedAt);
    }

    /**
     * The id of the order a checkout creates: {@code "o-" + UUID.nameUUIDFromBytes(name)} (a version-3,
     * MD5 name-based UUID, RFC 4122) of the UTF-8 bytes of {@code <length of userId>:<userId>:<eventId>}
     * (the length makes the name unambiguous whatever the ids contain).
     *
     * @param userId          the buyer
     * @param checkoutEventId event id of the {@code CHECKOUT} command
     */
    public static String idFor(String userId, String checkoutEventId) {
        String name = userId.length() + ":" + userId + ":" + checkoutEventId;
        return "o-" + UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8));
    }

    /** The key of an order in {@code orders-store}: {@code userId/orderId}. */
    public static String storeKey(String userId, String orderId) {
        return userId + KEY_SEPARATOR + orderId;
    }
}
