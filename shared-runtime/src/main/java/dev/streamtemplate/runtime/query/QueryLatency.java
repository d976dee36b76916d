package dev.streamtemplate.runtime.query;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * The {@code query.latency} timer (Prometheus {@code query_latency_seconds}, a histogram): the time
 * from a client's query reaching {@link QueryRouter} to its answer being ready, tagged
 * <ul>
 *   <li>{@code kind}: {@code local} (this instance's active copy answered), {@code forwarded} (another
 *       instance's active copy), {@code standby} (a standby copy, here or elsewhere),
 *       {@code all-instances} (a query that spans keys), or {@code none} (the query failed before any copy
 *       answered: no copy could, or an error);</li>
 *   <li>{@code status}: the HTTP status, such as {@code 200}, {@code 404} or {@code 503}.</li>
 * </ul>
 * Bucket bounds ({@code le}) from 1 ms to 2.5 s, finest between 1 and 50 ms where a query's time
 * lies. A request another instance forwarded here is not timed again: the instance the client asked
 * times the whole query. Bad parameters, rejected before routing, show only in
 * {@code http_server_requests_seconds}.
 */
@ApplicationScoped
public class QueryLatency {

    /** The histogram's bucket bounds. */
    static final Duration[] BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500)};

    @Inject
    MeterRegistry registry;

    /**
     * Runs {@code query} and records its time once its answer is ready.
     *
     * @param kind    the kind when the answer does not say it (queries that span keys), else null:
     *                key queries are labelled by their answer's {@link QueryHeaders#REPLICA} and
     *                {@link QueryHeaders#SERVED_BY} headers
     * @param self    this instance's host:port, to tell a local answer from a forwarded one
     * @param query   starts the query; may throw as {@link QueryRouter} does
     * @return the query's answer, unchanged
     */
    CompletionStage<Response> time(String kind, String self, Supplier<CompletionStage<Response>> query) {
        long start = System.nanoTime();
        CompletionStage<Response> answer;
        try {
            answer = query.get();
        } catch (RuntimeException e) {
            record(start, "none", status(e));
            throw e;
        }
        return answer.whenComplete((response, failure) -> {
            if (failure != null) {
                record(start, "none", status(failure));
            } else {
                record(start, kind != null ? kind : kindOf(response, self), String.valueOf(response.getStatus()));
            }
        });
    }

    private void record(long start, String kind, String status) {
        Timer.builder("query.latency")
                .description("Time to answer an interactive query, by the copy that answered and the HTTP status")
                .tag("kind", kind)
                .tag("status", status)
                .serviceLevelObjectives(BUCKETS)
                .register(registry)
                .record(Duration.ofNanos(System.nanoTime() - start));
    }

    private static String kindOf(Response response, String self) {
        if ("standby".equals(response.getHeaderString(QueryHeaders.REPLICA))) {
            return "standby";
        }
        String servedBy = response.getHeaderString(QueryHeaders.SERVED_BY);
        return servedBy == null || servedBy.equals(self) ? "local" : "forwarded";
    }

    private static String status(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof StoreNotQueryableException || cause instanceof WebApplicationException e
                && e.getResponse().getStatus() == 503) {
            return "503";
        }
        if (cause instanceof InvalidQueryException) {
            return "400";
        }
        if (cause instanceof WebApplicationException e) {
            return String.valueOf(e.getResponse().getStatus());
        }
        return "500";
    }
}
