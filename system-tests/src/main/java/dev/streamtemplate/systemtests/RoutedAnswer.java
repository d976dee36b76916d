package dev.streamtemplate.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One instance's answer to one HTTP GET, with the serving headers of the routing layer
 * ({@code dev.streamtemplate.runtime.query.QueryRouter}), or the reason no answer came.
 *
 * @param uri         what was asked
 * @param status      the HTTP status; 0 when no answer came
 * @param body        the response body; the exception when no answer came
 * @param servedBy    {@value #SERVED_BY}: the instance (host:port) whose store answered, or null
 * @param replica     {@value #REPLICA}: {@code active} or {@code standby}, or null
 * @param offsetLag   {@value #OFFSET_LAG}, or null
 * @param partial     {@value #PARTIAL}, or null
 * @param retryAfter  {@code Retry-After}, or null
 * @param latencyNanos from sending the request to the whole answer
 * @param timedOut    whether no answer came within the client's timeout
 */
public record RoutedAnswer(URI uri, int status, String body, String servedBy, String replica, String offsetLag,
                           String partial, String retryAfter, long latencyNanos, boolean timedOut) {

    /** Response header: the instance whose store answered. */
    public static final String SERVED_BY = "X-Query-Served-By";
    /** Response header: {@code active} or {@code standby}. */
    public static final String REPLICA = "X-Query-Replica";
    /** Response header: changelog records the serving store is behind. */
    public static final String OFFSET_LAG = "X-Query-Offset-Lag";
    /** Response header: {@code true} on an answer that spans keys and lacks partitions. */
    public static final String PARTIAL = "X-Query-Partial";

    /** Whether an HTTP answer came (any status). */
    public boolean answered() {
        return status != 0;
    }

    /** {@link #offsetLag} as a number, if present and numeric. */
    public OptionalLong offsetLagValue() {
        try {
            return offsetLag == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(offsetLag.trim()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** The body as JSON; throws when it is not JSON. */
    public JsonNode json() {
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON from " + uri + " (HTTP " + status + "): " + abbreviated(), e);
        }
    }

    /** The body as JSON, if it is JSON. */
    public Optional<JsonNode> jsonIfAny() {
        try {
            return Optional.ofNullable(Json.MAPPER.readTree(body));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Milliseconds, with fractions. */
    public double latencyMillis() {
        return latencyNanos / 1e6;
    }

    /** The body cut to 200 characters on one line, for messages. */
    public String abbreviated() {
        String oneLine = body == null ? "" : body.replaceAll("\\s+", " ");
        return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 197) + "...";
    }

    /** One line for messages: status, serving headers, latency. */
    public String summary() {
        if (!answered()) {
            return (timedOut ? "no answer within the client timeout" : "no answer") + " from " + uri + ": " + body;
        }
        return "HTTP " + status + " from " + uri + " (served by " + servedBy + ", replica " + replica + ", lag "
                + offsetLag + (partial == null ? "" : ", partial " + partial)
                + (retryAfter == null ? "" : ", Retry-After " + retryAfter) + ", "
                + String.format(java.util.Locale.ROOT, "%.1f ms", latencyMillis()) + ")"
                + (status == 200 ? "" : ": " + abbreviated());
    }
}
