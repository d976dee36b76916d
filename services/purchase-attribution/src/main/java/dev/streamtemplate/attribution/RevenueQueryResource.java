package dev.streamtemplate.attribution;

import dev.streamtemplate.runtime.query.InvalidQueryException;
import dev.streamtemplate.runtime.query.LocalStateQueries;
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
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Attributed revenue over HTTP, answered from this instance's state store (IQv2).
 *
 * <p>Answers include the window still open, whose revenue may still grow. An unknown page is an
 * empty array. Errors are JSON: 400 for a bad parameter, 503 with {@code Retry-After} while the store
 * is not queryable.
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class RevenueQueryResource {

    /** The widest {@code [from, to)} range a query may ask for. */
    static final Duration LONGEST_RANGE = Duration.ofDays(31);
    /** Longest accepted page path, in characters. */
    static final int LONGEST_PAGE = 512;

    @Inject
    LocalStateQueries queries;

    @Inject
    QueryRouter router;

    @Inject
    AttributionSettings settings;

    private static final StringSerializer KEY = new StringSerializer();

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
    public CompletionStage<Response> revenue(@QueryParam("page") String page, @QueryParam("from") String from,
                                             @QueryParam("to") String to) {
        if (page == null || page.isBlank()) {
            throw new InvalidQueryException("'page' is required");
        }
        if (page.length() > LONGEST_PAGE) {
            throw new InvalidQueryException("'page' is longer than " + LONGEST_PAGE + " characters");
        }
        TimeRange range = TimeRange.parse(from, to, LONGEST_RANGE);
        return router.byKey(AttributionTopology.REVENUE_STORE, page, KEY, copy ->
                queries.<String, Revenue>windowsOfKey(AttributionTopology.REVENUE_STORE, page,
                                range.from(), range.to(), settings.revenueWindow(), copy).stream()
                        .map(w -> new PageRevenue(page, w.start(), w.end(), w.value().cents(), w.value().purchases()))
                        .toList());
    }
}
