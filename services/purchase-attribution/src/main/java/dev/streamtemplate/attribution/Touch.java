package dev.streamtemplate.attribution;

import dev.streamtemplate.schemas.PageView;
import dev.streamtemplate.schemas.Purchase;
import java.util.Comparator;

/**
 * A candidate attribution of a purchase: the purchase with one qualifying view (a result of the
 * purchase/view join), or the purchase alone (every on-time purchase contributes one, so that a
 * purchase without any qualifying view is still reported).
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
