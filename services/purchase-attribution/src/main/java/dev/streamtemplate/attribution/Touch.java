package dev.streamtemplate.attribution;

import dev.streamtemplate.schemas.PageView;
import dev.streamtemplate.schemas.Purchase;
import java.util.Comparator;

/**
 * One result of the purchase/view join: a purchase and one qualifying view, or the purchase alone
 * once its join window closed without any.
 *
 * @param purchase the purchase
 * @param view     a view of the same product by the same user within the lookback, or {@code null}
 */
public record Touch(Purchase purchase, PageView view) {

    /** Later views win; equal times are ordered by event id, so the choice never depends on arrival order. */
    static final Comparator<PageView> LAST_TOUCH = Comparator.comparing(PageView::timestamp)
            .thenComparing(PageView::eventId);

    /** The touch that wins last-touch attribution: any view beats none, a later view beats an earlier one. */
    static Touch latest(Touch a, Touch b) {
        if (a == null || a.view() == null) {
            return b.view() == null && a != null ? a : b;
        }
        if (b.view() == null) {
            return a;
        }
        return LAST_TOUCH.compare(a.view(), b.view()) >= 0 ? a : b;
    }
}
