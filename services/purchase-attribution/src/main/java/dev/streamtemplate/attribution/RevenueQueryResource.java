package dev.streamtemplate.attribution;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import dev.streamtemplate.runtime.query.KeyParameter;
import dev.streamtemplate.runtime.query.QueryRouter;
import dev.streamtemplate.runtime.query.TimeRange;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Attributed revenue over HTTP, from the store {@link AttributionStores#revenue()}, answered by whichever instance
 * holds the page's partition ({@link QueryRouter}: here, forwarded once to the active instance, or a standby within
 * the lag bound).
 *
 * <p>Answers include the window still open, whose revenue may still grow. An unknown page is an
 * empty array. Errors are JSON: 400 for a bad parameter, 503 with {@code Retry-After} while no instance can answer.
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class RevenueQueryResource {

    /** The widest {@code [from, to)} range a query may ask for. */
    static final Duration LONGEST_RANGE = Duration.ofDays(31);

    @Inject
    QueryRouter router;

    @Inject
    AttributionStores stores;

    /**
     * Revenue attributed to a landing page per window, for windows starting in {@code [from, to)}.
     *
     * @param page the landing page, for example {@code /products/p-0042}; required
     * @param from ISO-8601 instant; required
     * @param to   ISO-8601 instant after {@code from}, at most 31 days later; required
     * @return {@code [{"page","windowStart","windowEnd","revenueCents":{"EUR":1999},"purchases"}]}, oldest first
     */
    @GET
    @Path("revenue")
    @Operation(summary = "Revenue attributed to a landing page per hour",
            description = "Windows starting in [from, to), oldest first, the open window included; revenue per ISO-4217"
                    + " currency in minor units; an unknown page is an empty array.")
    @APIResponse(responseCode = "200", description = "the page's windows",
            content = @Content(schema = @Schema(implementation = PageRevenue.class, type = SchemaType.ARRAY),
                    examples = @ExampleObject(name = "one hour", value = """
                            [{"page":"/products/p-0042","windowStart":"2026-11-21T10:00:00Z","windowEnd":"2026-11-21T11:00:00Z",
                              "revenueCents":{"EUR":1999},"purchases":1}]""")))
    public CompletionStage<Response> revenue(
            @Parameter(description = "the landing page", required = true, example = "/products/p-0042",
                    schema = @Schema(type = SchemaType.STRING, maxLength = KeyParameter.LONGEST)) @QueryParam("page") String page,
            @Parameter(description = "earliest window start, inclusive (ISO-8601)", required = true,
                    example = "2026-11-21T10:00:00Z", schema = @Schema(type = SchemaType.STRING, format = "date-time")) @QueryParam("from") String from,
            @Parameter(description = "latest window start, exclusive (ISO-8601), at most 31 days after from", required = true,
                    example = "2026-11-22T10:00:00Z", schema = @Schema(type = SchemaType.STRING, format = "date-time")) @QueryParam("to") String to) {
        KeyParameter.require("page", page);
        TimeRange range = TimeRange.parse(from, to, LONGEST_RANGE);
        // under update a window whose every attribution moved to another page has no purchases: retracted, as on the topic
        return router.windows(stores.revenue(), page, range, windows -> windows.stream()
                .filter(w -> w.value().purchases() > 0)
                .map(w -> new PageRevenue(page, w.start(), w.end(), w.value().cents(), w.value().purchases()))
                .toList());
    }
}
