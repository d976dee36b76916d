package dev.streamtemplate.traffic;

import java.time.Instant;

/**
 * A result of one page's window on {@code page-views-per-minute} (tumbling) and {@code page-views-hopping}, keyed by
 * {@link dev.streamtemplate.schemas.WindowKey} ({@code <page>@<windowStart>}): {@link PageViewCount} and which result
 * of the window it is. The latest record per key is the window's count.
 *
 * @param page        the page path
 * @param windowStart window start, inclusive
 * @param windowEnd   window end, exclusive
 * @param count       page views whose event time is in the window
 * @param revision    0 for the first final result, n for the n-th correction (late-data policy {@code update})
 */
public record PageViewCountRevision(String page, Instant windowStart, Instant windowEnd, long count, int revision) {
}
