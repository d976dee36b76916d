package dev.streamtemplate.traffic;

import dev.streamtemplate.runtime.query.InvalidQueryException;
import dev.streamtemplate.runtime.query.LocalStateQueries;
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
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Interactive queries over HTTP, answered from this instance's state stores (IQv2).
 *
 * <p>Answers include windows that are still open, whose counts may still grow; the derived topics
 * carry only final results. An unknown page or user is not an error: the answer is an empty array
 * (the service cannot tell a page nobody viewed from one that does not exist). Errors are JSON
 * ({@code ApiError}): 400 for a bad parameter, 503 with {@code Retry-After} while the store is not
 * queryable (starting, rebalancing, restoring, or the key's partition is on another instance).
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class TrafficQueryResource {

    /** The widest {@code [from, to)} range a page-view query may ask for. */
    static final Duration LONGEST_RANGE = Duration.ofDays(7);
    /** Longest accepted page path or user id, in characters. */
    static final int LONGEST_KEY = 512;

    private static final Serializer<String> KEY = new StringSerializer();

    @Inject
    LocalStateQueries queries;

    @Inject
    QueryRouter router;

    @Inject
    TrafficWindows windows;

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
    public CompletionStage<Response> pageViews(@QueryParam("page") String page, @QueryParam("from") String from,
                                               @QueryParam("to") String to, @QueryParam("window") String window) {
        requireKey("page", page);
        TimeRange range = TimeRange.parse(from, to, LONGEST_RANGE);
        boolean hopping;
        if (window == null || window.equals("tumbling")) {
            hopping = false;
        } else if (window.equals("hopping")) {
            hopping = true;
        } else {
            throw new InvalidQueryException("query parameter 'window' must be 'tumbling' or 'hopping', was '" + window + "'");
        }
        String store = hopping ? TrafficTopology.HOPPING_STORE : TrafficTopology.TUMBLING_STORE;
        Duration size = hopping ? windows.hoppingSize() : windows.tumblingSize();
        return router.byKey(store, page, KEY, copy ->
                queries.<String, Long>windowsOfKey(store, page, range.from(), range.to(), size, copy).stream()
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
    public CompletionStage<Response> sessions(@PathParam("userId") String userId) {
        requireKey("userId", userId);
        return router.byKey(TrafficTopology.SESSIONS_STORE, userId, KEY, copy ->
                queries.<String, Long>allWindowsOfKey(TrafficTopology.SESSIONS_STORE, userId, copy).stream()
                        .map(w -> new UserSession(userId, w.start(), w.end(), w.value()))
                        .toList());
    }

    /**
     * The purchase bursts of a user: sliding windows with at least the burst threshold of purchases,
     * oldest first, including windows still open.
     *
     * @param userId the user, for example {@code u-0001}
     * @return {@code [{"userId","windowStart","windowEnd","purchases"}]}, empty when none
     */
    @GET
    @Path("users/{userId}/purchase-bursts")
    public CompletionStage<Response> purchaseBursts(@PathParam("userId") String userId) {
        requireKey("userId", userId);
        int threshold = windows.burstThreshold();
        return router.byKey(TrafficTopology.SLIDING_STORE, userId, KEY, copy ->
                queries.<String, Long>windowsOfKey(TrafficTopology.SLIDING_STORE, userId,
                                Instant.EPOCH, Instant.ofEpochMilli(Long.MAX_VALUE / 2), windows.slidingSpan(), copy).stream()
                        .filter(w -> w.value() >= threshold)
                        .map(w -> new PurchaseBurst(userId, w.start(), w.end(), w.value()))
                        .toList());
    }

    /**
     * The most viewed pages over the one-minute windows starting in {@code [from, to)}: a query that
     * spans keys, answered by every instance for the partitions it runs and merged
     * ({@link QueryRouter#acrossInstances}).
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
    public CompletionStage<Response> topPages(@QueryParam("from") String from, @QueryParam("to") String to,
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
        return router.acrossInstances(TrafficTopology.TUMBLING_STORE, TopicCatalogue.PAGE_VIEWS.partitions(), PageViewCount.class,
                () -> queries.<String, Long>windowsInRange(TrafficTopology.TUMBLING_STORE, range.from(), range.to(),
                                windows.tumblingSize())
                        .map(w -> new PageViewCount(w.key(), w.start(), w.end(), w.value())),
                counts -> counts.stream()
                        .collect(Collectors.groupingBy(PageViewCount::page, Collectors.summingLong(PageViewCount::count)))
                        .entrySet().stream()
                        .map(e -> new PageTotal(e.getKey(), e.getValue()))
                        .sorted(Comparator.comparingLong(PageTotal::views).reversed().thenComparing(PageTotal::page))
                        .limit(top)
                        .toList());
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
