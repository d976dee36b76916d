package dev.streamtemplate.enrichment;

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
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Interactive queries over HTTP on {@link CustomerEnrichmentTopology#CUSTOMERS_BY_USER} and
 * {@link CustomerEnrichmentTopology#ORDER_LINES_BY_ORDER}, answered by whichever instance holds the key's partition
 * ({@link QueryRouter}: here, forwarded once to the active instance, or a standby within the lag bound).
 *
 * <p>Errors are JSON ({@code ApiError}): 400 for a blank key or one longer than {@value KeyParameter#LONGEST}
 * characters, 404 for an absent customer or order, 503 with {@code Retry-After} while no instance can answer
 * (starting, rebalancing, restoring). Answers carry the headers of {@code QueryHeaders}.
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class CustomerQueryResource {

    @Inject
    QueryRouter router;

    /**
     * The customer-360 row of a user: profile and lifetime purchase statistics.
     *
     * @param userId the user, for example {@code u-0001}
     * @return {@code {"userId","name","email","tier","country","purchases","spendCents":{"EUR":1998},"lastPurchaseAt"}}
     * @throws NotFoundException (404) when the user has no live profile
     */
    @GET
    @Path("customers/{userId}")
    public CompletionStage<Response> customer(@PathParam("userId") String userId) {
        KeyParameter.require("userId", userId);
        return router.value(CustomerEnrichmentTopology.CUSTOMERS_BY_USER, userId,
                () -> new NotFoundException("no customer '" + userId + "'"));
    }

    /**
     * The lines of an order with their products' current names and categories, by product id.
     *
     * @param orderId the order, for example {@code o-6f1c...}
     * @return {@code [{"orderId","productId","userId","quantity","amountCents","currency","purchasedAt",
     *         "productName","productCategory"}]}, never empty
     * @throws NotFoundException (404) when no line of the order is known
     */
    @GET
    @Path("orders/{orderId}")
    public CompletionStage<Response> order(@PathParam("orderId") String orderId) {
        KeyParameter.require("orderId", orderId);
        return router.withPrefix(CustomerEnrichmentTopology.ORDER_LINES_BY_ORDER, OrderPartitioner.forOrder(orderId),
                lines -> {
                    List<OrderLine> ofOrder = lines.stream().filter(line -> line.orderId().equals(orderId)).toList();
                    if (ofOrder.isEmpty()) {
                        throw new NotFoundException("no order '" + orderId + "'");
                    }
                    return ofOrder;
                });
    }
}
