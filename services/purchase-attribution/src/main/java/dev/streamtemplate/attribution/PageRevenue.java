package dev.streamtemplate.attribution;

import java.time.Instant;
import java.util.Map;

/**
 * Revenue attributed to a landing page in one window, on {@code attributed-revenue-hourly}, keyed by
 * page: the pages of the views purchases were attributed to.
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
