package dev.streamtemplate.cart;

import dev.streamtemplate.runtime.query.InvalidQueryException;
import dev.streamtemplate.runtime.query.KeyParameter;
import dev.streamtemplate.runtime.query.QueryRouter;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Interactive queries over HTTP, answered by whichever instance holds the user's partition ({@link QueryRouter}:
 * here, or forwarded once to the active instance, or a standby within the lag bound), all from the partition of the
 * user: the cart ({@link CartTopology#CARTS_BY_USER}, a key query) and the orders
 * ({@link CartTopology#ORDERS_BY_USER}, keyed {@code userId/orderId}: a prefix query for all orders of a user, the
 * same with the order id for one order).
 *
 * <p>An order is addressed through its user ({@code /users/{userId}/orders/{orderId}}): orders live on
 * the user's partition, and the order id, a name-based UUID, does not say which that is; the user id
 * makes it one lookup on one partition.
 *
 * <p>Errors are JSON ({@code ApiError}): 400 for a blank or too long user id or a malformed order id,
 * 404 for a user without a cart or an unknown order, 503 with {@code Retry-After} while no instance
 * can answer (starting, rebalancing, restoring). Answers carry the headers of {@code QueryHeaders}.
 */
@Path("/users/{userId}")
@Produces(MediaType.APPLICATION_JSON)
public class CartQueryResource {

    @Inject
    QueryRouter router;

    /**
     * The current cart of a user.
     *
     * @param userId the user, for example {@code u-0001}
     * @return {@code {"userId","items":[{"productId","quantity","unitPriceCents","currency","addedAt"}],
     *         "totalCents":{"EUR":3998},"updatedAt"}}
     * @throws NotFoundException (404) when the user has no cart: never had one, or it was emptied (the
     *                           service keeps no empty carts, so it cannot tell these apart)
     */
    @GET
    @Path("cart")
    public CompletionStage<Response> cart(@PathParam("userId") String userId) {
        KeyParameter.require("userId", userId);
        return router.value(CartTopology.CARTS_BY_USER, userId,
                () -> new NotFoundException("user '" + userId + "' has no cart (no items)"));
    }

    /**
     * Every order of a user, oldest first (by {@code placedAt}, then order id).
     *
     * @param userId the user, for example {@code u-0001}
     * @return {@code [{"orderId","userId","checkoutEventId","lines":[...],"totalCents","placedAt"}]}, empty
     *         when the user has placed none
     */
    @GET
    @Path("orders")
    public CompletionStage<Response> orders(@PathParam("userId") String userId) {
        KeyParameter.require("userId", userId);
        return router.withPrefix(CartTopology.ORDERS_BY_USER, Order.storeKey(userId, ""), orders -> ofUser(userId, orders));
    }

    /**
     * One order of a user.
     *
     * @param userId  the user, for example {@code u-0001}
     * @param orderId the order, {@code o-} and a UUID
     * @return the order, as in {@link #orders}
     * @throws NotFoundException (404) when the user has no such order
     */
    @GET
    @Path("orders/{orderId}")
    public CompletionStage<Response> order(@PathParam("userId") String userId, @PathParam("orderId") String orderId) {
        KeyParameter.require("userId", userId);
        if (orderId == null || !Order.ID_FORMAT.matcher(orderId).matches()) {
            throw new InvalidQueryException("'orderId' must be 'o-' and a UUID in lower-case hex, was '"
                    + abbreviate(orderId) + "'");
        }
        return router.withPrefix(CartTopology.ORDERS_BY_USER, Order.storeKey(userId, orderId), orders ->
                ofUser(userId, orders).stream()
                        .filter(order -> order.orderId().equals(orderId))
                        .findFirst()
                        .orElseThrow(() -> new NotFoundException("user '" + userId + "' has no order '" + orderId + "'")));
    }

    /** The user's own orders, oldest first: a user id that continues another one's after a '/' shares its prefix. */
    private static List<Order> ofUser(String userId, List<Order> orders) {
        return orders.stream().filter(order -> order.userId().equals(userId))
                .sorted(Comparator.comparing(Order::placedAt).thenComparing(Order::orderId))
                .toList();
    }

    private static String abbreviate(String text) {
        return text == null ? "" : text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }
}
