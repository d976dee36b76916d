package dev.streamtemplate.attribution;

import dev.streamtemplate.schemas.PageView;
import dev.streamtemplate.schemas.Purchase;
import java.time.Duration;
import java.time.Instant;

/**
 * A purchase with the page view it is attributed to, on {@code attributed-purchases}, keyed by the purchase's event
 * id. Last touch: the latest view of the same product by the same user at most the lookback (60 minutes) before the
 * purchase; none when there was no such view. Under the {@code update} late-data policy a purchase's attribution can
 * be corrected: the last revision per key is the answer.
 *
 * @param purchase      the purchase
 * @param attributed    whether a view qualified
 * @param page          the attributing view's page, or {@code null}
 * @param referrer      where that view came from, or {@code null}
 * @param viewTime      when that view happened, or {@code null}
 * @param viewEventId   that view's event id, or {@code null}
 * @param minutesBefore whole minutes between the view and the purchase, or {@code null}
 * @param revision      0 for the purchase's first attribution, n for its n-th correction
 */
public record AttributedPurchase(Purchase purchase, boolean attributed, String page, String referrer,
                                 Instant viewTime, String viewEventId, Long minutesBefore, int revision) {

    /** The first attribution (revision 0) of {@code purchase} to {@code view}, or unattributed when {@code view} is null. */
    public static AttributedPurchase of(Purchase purchase, PageView view) {
        if (view == null) {
            return new AttributedPurchase(purchase, false, null, null, null, null, null, 0);
        }
        return new AttributedPurchase(purchase, true, view.page(), view.referrer(), view.timestamp(), view.eventId(),
                Duration.between(view.timestamp(), purchase.timestamp()).toMinutes(), 0);
    }

    /** This attribution as revision {@code n}. */
    public AttributedPurchase withRevision(int n) {
        return new AttributedPurchase(purchase, attributed, page, referrer, viewTime, viewEventId, minutesBefore, n);
    }

    /** Whether {@code other} attributes the purchase to the same view (or to none, as this one does). */
    public boolean sameAttribution(AttributedPurchase other) {
        return other != null && attributed == other.attributed && java.util.Objects.equals(viewEventId, other.viewEventId);
    }
}
