package dev.streamtemplate.traffic;

import java.time.Instant;

/**
 * Page views of one page in one window, as HTTP queries answer them; on {@code page-views-per-minute} (tumbling)
 * and {@code page-views-hopping} the same fields with a revision ({@link PageViewCountRevision}).
 *
 * @param page        the page path
 * @param windowStart window start, inclusive
 * @param windowEnd   window end, exclusive
 * @param count       page views whose event time is in the window
 */
public record PageViewCount(String page, Instant windowStart, Instant windowEnd, long count) {
}
