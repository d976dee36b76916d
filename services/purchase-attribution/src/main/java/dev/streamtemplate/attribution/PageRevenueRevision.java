package dev.streamtemplate.attribution;

import java.time.Instant;
import java.util.Map;

/**
 * Revenue attributed to a landing page in one window, on {@code attributed-revenue-hourly}, keyed by
 * {@code <page>@<windowStart>} ({@code WindowKey}). Under the {@code update} late-data policy a window can be
 * corrected, and retracted by a tombstone when every attribution in it moved to another page: the last record per key
 * is the answer.
 *
 * @param page         the landing page
 * @param windowStart  window start, inclusive
 * @param windowEnd    window end, exclusive
 * @param revenueCents revenue per ISO-4217 currency, in minor units
 * @param purchases    attributed purchases in the window
 * @param revision     0 for the window's first final result, n for its n-th correction; a window that was emptied
 *                     before its first result was due is not written until it holds a purchase again, with its next
 *                     revision
 */
public record PageRevenueRevision(String page, Instant windowStart, Instant windowEnd, Map<String, Long> revenueCents,
                                  long purchases, int revision) {
}
