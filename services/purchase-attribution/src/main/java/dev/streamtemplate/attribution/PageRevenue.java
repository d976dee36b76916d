package dev.streamtemplate.attribution;

import java.time.Instant;
import java.util.Map;

/**
 * Revenue attributed to a landing page in one window, in {@code GET /revenue} answers (on
 * {@code attributed-revenue-hourly} as {@link PageRevenueRevision}). The pages are those of the views purchases were
 * attributed to.
 *
 * @param page         the landing page
 * @param windowStart  window start, inclusive
 * @param windowEnd    window end, exclusive
 * @param revenueCents revenue per ISO-4217 currency, in minor units
 * @param purchases    attributed purchases in the window
 */
public record PageRevenue(String page, Instant windowStart, Instant windowEnd, Map<String, Long> revenueCents,
                          long purchases) {
}
