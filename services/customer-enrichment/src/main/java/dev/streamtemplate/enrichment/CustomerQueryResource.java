package dev.streamtemplate.enrichment;

import dev.streamtemplate.http.ApiError;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
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
    @Operation(summary = "The customer-360 row of a user", description = "Profile and lifetime purchase statistics.")
    @APIResponse(responseCode = "200", description = "the user's row",
            content = @Content(schema = @Schema(implementation = Customer360.class),
                    examples = @ExampleObject(name = "a customer", value = """
                            {"userId":"u-0001","name":"Ada Example","email":"ada@example.com","tier":"GOLD","country":"DE",
                             "purchases":3,"spendCents":{"EUR":5997},"lastPurchaseAt":"2026-11-21T10:15:00Z"}""")))
    @APIResponse(responseCode = "404", description = "the user has no live profile")
    public CompletionStage<Response> customer(
            @Parameter(description = "the user id", example = "u-0001", schema = @Schema(type = SchemaType.STRING, maxLength = KeyParameter.LONGEST))
            @PathParam("userId") String userId) {
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
    @Operation(summary = "The lines of an order with their products' current names and categories",
            description = "One entry per product of the order, never empty.")
    @APIResponse(responseCode = "200", description = "the order's lines",
            content = @Content(schema = @Schema(implementation = EnrichedOrderLine.class, type = SchemaType.ARRAY),
                    examples = @ExampleObject(name = "one line", value = """
                            [{"orderId":"o-6f1c0d2e","productId":"p-0042","userId":"u-0001","quantity":1,"amountCents":1999,
                              "currency":"EUR","purchasedAt":"2026-11-21T10:15:00Z","productName":"Kettle","productCategory":"kitchen"}]""")))
    @APIResponse(responseCode = "404", description = "no line of the order is known")
    public CompletionStage<Response> order(
            @Parameter(description = "the order id", example = "o-6f1c0d2e", schema = @Schema(type = SchemaType.STRING, maxLength = KeyParameter.LONGEST))
            @PathParam("orderId") String orderId) {
        KeyParameter.require("orderId", orderId);
        return router.withPrefix(CustomerEnrichmentTopology.ORDER_LINES_BY_ORDER, OrderPartitioner.forOrder(orderId),
                lines -> {
                    List<EnrichedOrderLine> ofOrder = lines.stream().filter(line -> line.orderId().equals(orderId)).toList();
                    if (ofOrder.isEmpty()) {
                        throw new NotFoundException("no order '" + orderId + "'");
                    }
                    return ofOrder;
                });
    }
}
