package dev.streamtemplate.attribution;

/**
 * A change to one page's revenue, the input of the revenue windows (repartition topic
 * {@code purchase-attribution-attributed-by-page-repartition}, keyed by page, timestamp the purchase's time): a
 * purchase attributed to the page adds its amount and one purchase; a correction that moves the purchase to another
 * page subtracts them here ({@link AttributionChange#revenueChanges()}).
 *
 * @param page      the landing page
 * @param eventId   the purchase's event id (in an {@code attributed-revenue} late event, which purchase it was)
 * @param currency  ISO-4217 currency of the amount
 * @param cents     the amount in minor units, negative when subtracted
 * @param purchases +1 or -1
 */
public record RevenueChange(String page, String eventId, String currency, long cents, int purchases) {
}
