package dev.streamtemplate.enrichment;

import dev.streamtemplate.runtime.query.InvalidQueryException;
import dev.streamtemplate.runtime.query.LocalStateQueries;
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
 * Interactive queries over HTTP, answered from this instance's state stores (IQv2).
 *
 * <p>Errors are JSON ({@code ApiError}): 400 for a key longer than {@value #LONGEST_KEY} characters,
 * 404 for an absent customer or order, 503 with {@code Retry-After} while the store is not queryable
 * (starting, rebalancing, restoring, or the key's partition is on another instance).
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class CustomerQueryResource {

    /** Longest accepted user or order id, in characters. */
    static final int LONGEST_KEY = 512;

    private static final OrderPartitioner<Object> BY_ORDER = new OrderPartitioner<>();

    @Inject
    LocalStateQueries queries;

    @Inject
    QueryRouter router;

    private static final org.apache.kafka.common.serialization.StringSerializer KEY =
            new org.apache.kafka.common.serialization.StringSerializer();

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
        requireKey("userId", userId);
        return router.byKey(CustomerEnrichmentTopology.CUSTOMER_360_STORE, userId, KEY, copy ->
                queries.<String, Customer360>get(CustomerEnrichmentTopology.CUSTOMER_360_STORE, userId, copy)
                        .orElseThrow(() -> new NotFoundException("no customer '" + userId + "'")));
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
        requireKey("orderId", orderId);
        String prefix = OrderPartitioner.forOrder(orderId);
        return router.byKey(CustomerEnrichmentTopology.ORDER_DETAILS_STORE, prefix, BY_ORDER, copy -> {
            List<OrderLine> lines = queries.withPrefix(CustomerEnrichmentTopology.ORDER_DETAILS_STORE, prefix, copy);
            List<OrderLine> ofOrder = lines.stream().filter(line -> line.orderId().equals(orderId)).toList();
            if (ofOrder.isEmpty()) {
                throw new NotFoundException("no order '" + orderId + "'");
            }
            return ofOrder;
        });
    }

    private static void requireKey(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidQueryException("'" + name + "' is required");
        }
        if (value.length() > LONGEST_KEY) {
            throw new InvalidQueryException("'" + name + "' is longer than " + LONGEST_KEY + " characters");
        }
    }
}
