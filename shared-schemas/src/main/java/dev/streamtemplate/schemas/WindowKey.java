package dev.streamtemplate.schemas;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;

/**
 * The record key of a windowed result topic: the aggregation's key and the window's start, written
 * {@code <key>@<windowStart>} with the start in ISO-8601 UTC ({@code /home@2026-11-21T10:00:00Z},
 * {@code u-0042@2026-11-21T09:12:31.500Z}). One key per window, so the topic reads as a table: the latest record per
 * key is the window's result, and compaction keeps just that. A window of a given key is identified by its start:
 * tumbling, hopping and sliding windows have a fixed size, and no two sessions of a key start at the same instant.
 *
 * @param key         the aggregation's key (page, user id); may itself contain {@code @}
 * @param windowStart the window's start, inclusive
 */
public record WindowKey(String key, Instant windowStart) {

    /** Checks both parts are present. */
    public WindowKey {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(windowStart, "windowStart");
    }

    /**
     * Reads a key written by {@link #toString()}.
     *
     * @param text {@code <key>@<windowStart>}
     * @throws IllegalArgumentException when {@code text} has no {@code @} followed by an ISO-8601 instant
     */
    public static WindowKey parse(String text) {
        int at = text.lastIndexOf('@');
        if (at < 0) {
            throw new IllegalArgumentException("not a window key <key>@<windowStart>: " + text);
        }
        try {
            return new WindowKey(text.substring(0, at), Instant.parse(text.substring(at + 1)));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not a window key <key>@<windowStart>: " + text, e);
        }
    }

    /** {@code <key>@<windowStart>}, the record key on the topic. */
    @Override
    public String toString() {
        return key + "@" + windowStart;
    }
}
