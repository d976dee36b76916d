package dev.streamtemplate.cart;

import dev.streamtemplate.http.ApiError;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
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

    private static final String ORDER_EXAMPLE = """
            {"orderId":"o-3f2504e0-4f89-11d3-9a0c-0305e82c3301","userId":"u-0001","checkoutEventId":"e-0007",
             "lines":[{"productId":"p-0042","quantity":2,"unitPriceCents":1999,"currency":"EUR","amountCents":3998}],
             "totalCents":{"EUR":3998},"placedAt":"2026-11-21T10:05:00Z"}""";
    private static final String ORDER_EXAMPLE_ARRAY = "[" + ORDER_EXAMPLE + "]";

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
    @Operation(summary = "The current cart of a user", description = "Items with the prices at the time of adding, and totals per currency.")
    @APIResponse(responseCode = "200", description = "the cart",
            content = @Content(schema = @Schema(implementation = Cart.class),
                    examples = @ExampleObject(name = "two items", value = """
                            {"userId":"u-0001","items":[{"productId":"p-0042","quantity":2,"unitPriceCents":1999,"currency":"EUR",
                              "addedAt":"2026-11-21T10:00:00Z"}],"totalCents":{"EUR":3998},"updatedAt":"2026-11-21T10:00:00Z"}""")))
    @APIResponse(responseCode = "404", description = "the user has no cart: never had one, or it was emptied")
    public CompletionStage<Response> cart(
            @Parameter(description = "the user id", example = "u-0001", schema = @Schema(type = SchemaType.STRING, maxLength = KeyParameter.LONGEST))
            @PathParam("userId") String userId) {
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
    @Operation(summary = "Every order of a user", description = "Oldest first (by placedAt, then order id); empty when none.")
    @APIResponse(responseCode = "200", description = "the user's orders",
            content = @Content(schema = @Schema(implementation = Order.class, type = SchemaType.ARRAY),
                    examples = @ExampleObject(name = "one order", value = ORDER_EXAMPLE_ARRAY)))
    public CompletionStage<Response> orders(
            @Parameter(description = "the user id", example = "u-0001", schema = @Schema(type = SchemaType.STRING, maxLength = KeyParameter.LONGEST))
            @PathParam("userId") String userId) {
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
    @Operation(summary = "One order of a user")
    @APIResponse(responseCode = "200", description = "the order",
            content = @Content(schema = @Schema(implementation = Order.class),
                    examples = @ExampleObject(name = "an order", value = ORDER_EXAMPLE)))
    @APIResponse(responseCode = "404", description = "the user has no such order")
    public CompletionStage<Response> order(
            @Parameter(description = "the user id", example = "u-0001", schema = @Schema(type = SchemaType.STRING, maxLength = KeyParameter.LONGEST))
            @PathParam("userId") String userId,
            @Parameter(description = "the order id: o- and a UUID in lower-case hex",
                    example = "o-3f2504e0-4f89-11d3-9a0c-0305e82c3301",
                    schema = @Schema(type = SchemaType.STRING, pattern = "^o-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"))
            @PathParam("orderId") String orderId) {
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
