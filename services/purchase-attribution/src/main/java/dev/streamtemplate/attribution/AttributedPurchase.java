package dev.streamtemplate.attribution;

import dev.streamtemplate.schemas.PageView;
import dev.streamtemplate.schemas.Purchase;
import java.time.Duration;
import java.time.Instant;

/**
 * A purchase with the page view it is attributed to, on {@code attributed-purchases}, keyed by user id.
 * Last touch: the latest view of the same product by the same user at most the lookback (60 minutes)
 * before the purchase; none when there was no such view.
 *
 * @param purchase      the purchase
 * @param attributed    whether a view qualified
 * @param page          the attributing view's page, or {@code null}
 * @param referrer      where that view came from, or {@code null}
 * @param viewTime      when that view happened, or {@code null}
 * @param viewEventId   that view's event id, or {@code null}
 * @param minutesBefore whole minutes between the view and the purchase, or {@code null}
 */
public record AttributedPurchase(Purchase purchase, boolean attributed, String page, String referrer,
                                 Instant viewTime, String viewEventId, Long minutesBefore) {

    /** The attribution of {@code purchase} to {@code view}, or unattributed when {@code view} is null. */
    public static AttributedPurchase of(Purchase purchase, PageView view) {
        if (view == null) {
            return new AttributedPurchase(purchase, false, null, null, null, null, null);
        }
        return new AttributedPurchase(purchase, true, view.page(), view.referrer(), view.timestamp(), view.eventId(),
                Duration.between(view.timestamp(), purchase.timestamp()).toMinutes());
    }
}
