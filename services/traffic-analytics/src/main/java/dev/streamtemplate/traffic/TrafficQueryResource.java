package dev.streamtemplate.traffic;

import dev.streamtemplate.http.ApiError;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import dev.streamtemplate.runtime.query.AcrossInstancesAnswer;
import dev.streamtemplate.runtime.query.InvalidQueryException;
import dev.streamtemplate.runtime.query.KeyParameter;
import dev.streamtemplate.runtime.query.QueryableStore;
import dev.streamtemplate.runtime.query.QueryRouter;
import dev.streamtemplate.schemas.TopicCatalogue;
import dev.streamtemplate.runtime.query.TimeRange;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.DefaultValue;
import java.util.Comparator;
import java.util.stream.Collectors;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Interactive queries over HTTP on the stores of {@link TrafficStores}, answered by whichever instance holds the
 * key's partition ({@link QueryRouter}: here, forwarded once to the active instance, or a standby within the lag
 * bound); the top pages are merged from every instance.
 *
 * <p>Answers include windows that are still open, whose counts may still grow; the derived topics
 * carry only final results and, under the late-data policy {@code update}, their corrections. An unknown page or user is not an error: the answer is an empty array
 * (the service cannot tell a page nobody viewed from one that does not exist). Errors are JSON
 * ({@code ApiError}): 400 for a bad parameter, 503 with {@code Retry-After} while no instance can answer
 * (starting, rebalancing, restoring). Answers carry the headers of {@code QueryHeaders}.
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class TrafficQueryResource {

    /** The widest {@code [from, to)} range a page-view query may ask for. */
    static final Duration LONGEST_RANGE = Duration.ofDays(7);

    @Inject
    QueryRouter router;

    @Inject
    TrafficStores stores;

    @Inject
    TrafficSettings settings;

    /**
     * Page views of one page per window, for windows starting in {@code [from, to)}, oldest first.
     *
     * @param page   the page path, for example {@code /home}; required
     * @param from   ISO-8601 instant; required
     * @param to     ISO-8601 instant after {@code from}, at most 7 days later; required
     * @param window {@code tumbling} (default; 1-minute windows) or {@code hopping} (5-minute windows
     *               advancing by 1 minute)
     * @return {@code [{"page","windowStart","windowEnd","count"}]}, empty for an unknown page
     */
    @GET
    @Path("page-views")
    @Operation(summary = "Page views of one page per window",
            description = "Windows starting in [from, to), oldest first, open windows included; an unknown page is an empty array.")
    @APIResponse(responseCode = "200", description = "the page's windows",
            content = @Content(schema = @Schema(implementation = PageViewCount.class, type = SchemaType.ARRAY),
                    examples = @ExampleObject(name = "two windows", value = """
                            [{"page":"/home","windowStart":"2026-11-21T10:00:00Z","windowEnd":"2026-11-21T10:01:00Z","count":42},
                             {"page":"/home","windowStart":"2026-11-21T10:01:00Z","windowEnd":"2026-11-21T10:02:00Z","count":17}]""")))
    public CompletionStage<Response> pageViews(
            @Parameter(description = "the page path", required = true, example = "/home",
                    schema = @Schema(type = SchemaType.STRING, maxLength = KeyParameter.LONGEST)) @QueryParam("page") String page,
            @Parameter(description = "earliest window start, inclusive (ISO-8601)", required = true,
                    example = "2026-11-21T10:00:00Z", schema = @Schema(type = SchemaType.STRING, format = "date-time")) @QueryParam("from") String from,
            @Parameter(description = "latest window start, exclusive (ISO-8601), at most 7 days after from", required = true,
                    example = "2026-11-21T11:00:00Z", schema = @Schema(type = SchemaType.STRING, format = "date-time")) @QueryParam("to") String to,
            @Parameter(description = "tumbling (1-minute windows, the default) or hopping (5-minute windows advancing by 1 minute)",
                    example = "tumbling", schema = @Schema(type = SchemaType.STRING, enumeration = {"tumbling", "hopping"}, defaultValue = "tumbling"))
            @QueryParam("window") String window) {
        KeyParameter.require("page", page);
        TimeRange range = TimeRange.parse(from, to, LONGEST_RANGE);
        QueryableStore.Window<String, Long> store;
        if (window == null || window.equals("tumbling")) {
            store = stores.tumbling();
        } else if (window.equals("hopping")) {
            store = stores.hopping();
        } else {
            throw new InvalidQueryException("query parameter 'window' must be 'tumbling' or 'hopping', was '" + window + "'");
        }
        return router.windows(store, page, range, windows -> windows.stream()
                .map(w -> new PageViewCount(page, w.start(), w.end(), w.value()))
                .toList());
    }

    /**
     * The browsing sessions of a user, oldest first: closed ones and the one in progress.
     *
     * @param userId the user, for example {@code u-0001}
     * @return {@code [{"userId","start","end","pageViews"}]}, empty for an unknown user
     */
    @GET
    @Path("users/{userId}/sessions")
    @Operation(summary = "The browsing sessions of a user",
            description = "Closed sessions and the one in progress, oldest first; an unknown user is an empty array.")
    @APIResponse(responseCode = "200", description = "the user's sessions",
            content = @Content(schema = @Schema(implementation = UserSession.class, type = SchemaType.ARRAY),
                    examples = @ExampleObject(name = "one session", value = """
                            [{"userId":"u-0001","start":"2026-11-21T10:00:05Z","end":"2026-11-21T10:12:40Z","pageViews":9}]""")))
    public CompletionStage<Response> sessions(
            @Parameter(description = "the user id", example = "u-0001", schema = @Schema(type = SchemaType.STRING, maxLength = KeyParameter.LONGEST))
            @PathParam("userId") String userId) {
        KeyParameter.require("userId", userId);
        return router.sessions(stores.sessions(), userId, sessions -> sessions.stream()
                .map(w -> new UserSession(userId, w.start(), w.end(), w.value()))
                .toList());
    }

    /**
     * The purchase bursts of a user: sliding windows with at least the burst threshold of purchases
     * ({@link TrafficSettings#isBurst}), oldest first, including windows still open.
     *
     * @param userId the user, for example {@code u-0001}
     * @return {@code [{"userId","windowStart","windowEnd","purchases"}]}, empty when none
     */
    @GET
    @Path("users/{userId}/purchase-bursts")
    @Operation(summary = "The purchase bursts of a user",
            description = "Sliding windows with at least the burst threshold of purchases, oldest first, open windows included.")
    @APIResponse(responseCode = "200", description = "the user's bursts, empty when none",
            content = @Content(schema = @Schema(implementation = PurchaseBurst.class, type = SchemaType.ARRAY),
                    examples = @ExampleObject(name = "one burst", value = """
                            [{"userId":"u-0001","windowStart":"2026-11-21T10:00:00Z","windowEnd":"2026-11-21T10:10:00Z","purchases":3}]""")))
    public CompletionStage<Response> purchaseBursts(
            @Parameter(description = "the user id", example = "u-0001", schema = @Schema(type = SchemaType.STRING, maxLength = KeyParameter.LONGEST))
            @PathParam("userId") String userId) {
        KeyParameter.require("userId", userId);
        return router.allWindows(stores.purchaseBursts(), userId, windows -> windows.stream()
                .filter(w -> settings.isBurst(w.value()))
                .map(w -> new PurchaseBurst(userId, w.start(), w.end(), w.value()))
                .toList());
    }

    /**
     * The most viewed pages over the one-minute windows starting in {@code [from, to)}: a query that
     * spans keys, answered by every instance for the partitions it runs and merged
     * ({@link QueryRouter#windowsAcrossInstances}).
     *
     * @param from  ISO-8601 instant; required
     * @param to    ISO-8601 instant after {@code from}, at most 7 days later; required
     * @param limit how many pages, 1 to 1000; default 10
     * @return {@code {"complete","partitions","missingPartitions","answeredBy","unreachable",
     *         "results":[{"page","views"}]}}, most viewed first, ties by page; {@code complete=false}
     *         (and header {@code X-Query-Partial: true}) when some partitions did not answer
     */
    @GET
    @Path("top-pages")
    @Operation(summary = "The most viewed pages over a time range, from every instance",
            description = "Views summed over the one-minute windows starting in [from, to), most viewed first, ties by page;"
                    + " results are {page, views}. complete=false and X-Query-Partial: true when some partitions did not answer.")
    @APIResponse(responseCode = "200", description = "the merged answer of every instance",
            content = @Content(schema = @Schema(implementation = AcrossInstancesAnswer.class),
                    examples = @ExampleObject(name = "complete", value = """
                            {"complete":true,"partitions":4,"missingPartitions":[],"answeredBy":["10.0.0.5:8081","10.0.0.6:8081"],
                             "unreachable":[],"results":[{"page":"/home","views":1200},{"page":"/search","views":640}]}""")))
    public CompletionStage<Response> topPages(
            @Parameter(description = "earliest window start, inclusive (ISO-8601)", required = true,
                    example = "2026-11-21T10:00:00Z", schema = @Schema(type = SchemaType.STRING, format = "date-time")) @QueryParam("from") String from,
            @Parameter(description = "latest window start, exclusive (ISO-8601), at most 7 days after from", required = true,
                    example = "2026-11-21T11:00:00Z", schema = @Schema(type = SchemaType.STRING, format = "date-time")) @QueryParam("to") String to,
            @Parameter(description = "how many pages", example = "10",
                    schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "1000", defaultValue = "10"))
            @QueryParam("limit") @DefaultValue("10") String limit) {
        TimeRange range = TimeRange.parse(from, to, LONGEST_RANGE);
        int top;
        try {
            top = Integer.parseInt(limit);
        } catch (NumberFormatException e) {
            throw new InvalidQueryException("query parameter 'limit' must be a whole number, was '" + limit + "'");
        }
        if (top < 1 || top > 1000) {
            throw new InvalidQueryException("query parameter 'limit' must be between 1 and 1000, was " + top);
        }
        return router.windowsAcrossInstances(stores.tumbling(), range, TopicCatalogue.PAGE_VIEWS.partitions(),
                PageViewCount.class, w -> new PageViewCount(w.key(), w.start(), w.end(), w.value()),
                counts -> counts.stream()
                        .collect(Collectors.groupingBy(PageViewCount::page, Collectors.summingLong(PageViewCount::count)))
                        .entrySet().stream()
                        .map(e -> new PageTotal(e.getKey(), e.getValue()))
                        .sorted(Comparator.comparingLong(PageTotal::views).reversed().thenComparing(PageTotal::page))
                        .limit(top)
                        .toList());
    }
}
