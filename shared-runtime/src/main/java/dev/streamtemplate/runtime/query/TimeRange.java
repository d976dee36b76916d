package dev.streamtemplate.runtime.query;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * A half-open time range {@code [from, to)} parsed from ISO-8601 query parameters.
 *
 * @param from inclusive start
 * @param to   exclusive end, after {@code from}
 */
public record TimeRange(Instant from, Instant to) {

    /**
     * Parses {@code from} and {@code to}.
     *
     * @param from         ISO-8601 instant, for example {@code 2026-11-21T10:00:00Z}; required
     * @param to           ISO-8601 instant after {@code from}; required
     * @param longestRange the widest range a client may ask for
     * @throws InvalidQueryException when a parameter is missing or not an instant, the range is empty
     *                               or reversed, or wider than {@code longestRange}
     */
    public static TimeRange parse(String from, String to, Duration longestRange) {
        Instant start = instant("from", from);
        Instant end = instant("to", to);
        if (!end.isAfter(start)) {
            throw new InvalidQueryException("'to' (" + to + ") must be after 'from' (" + from + ")");
        }
        if (Duration.between(start, end).compareTo(longestRange) > 0) {
            throw new InvalidQueryException("the range from " + from + " to " + to + " is wider than the allowed "
                    + longestRange + "; ask for a shorter range");
        }
        return new TimeRange(start, end);
    }

    private static Instant instant(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidQueryException("query parameter '" + name + "' is required (an ISO-8601 instant such as 2026-11-21T10:00:00Z)");
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new InvalidQueryException("query parameter '" + name + "' is not an ISO-8601 instant: '" + value
                    + "' (expected e.g. 2026-11-21T10:00:00Z)");
        }
    }
}
