package dev.streamtemplate.attribution;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;

/**
 * One purchase's attribution as emitted, with the one it replaces: keyed by purchase event id between the attribution
 * windows and the two outputs ({@link AttributionRevisions}).
 *
 * @param previous the purchase's previously emitted attribution, {@code null} for its first (always under
 *                 {@code side-output} and {@code drop})
 * @param current  the attribution emitted now, revision {@code previous.revision() + 1} or 0
 */
public record AttributionChange(AttributedPurchase previous, AttributedPurchase current) {

    /**
     * What this change does to the revenue windows, keyed by page: the purchase's amount added to the page it is now
     * attributed to and subtracted from the page it was attributed to, nothing when the page is the same.
     */
    List<KeyValue<String, RevenueChange>> revenueChanges() {
        String before = previous != null && previous.attributed() ? previous.page() : null;
        String after = current.attributed() ? current.page() : null;
        List<KeyValue<String, RevenueChange>> changes = new ArrayList<>(2);
        if (before != null && !before.equals(after)) {
            changes.add(KeyValue.pair(before, new RevenueChange(before, previous.purchase().eventId(), previous.purchase().currency(),
                    -previous.purchase().amountCents(), -1)));
        }
        if (after != null && !after.equals(before)) {
            changes.add(KeyValue.pair(after, new RevenueChange(after, current.purchase().eventId(), current.purchase().currency(),
                    current.purchase().amountCents(), 1)));
        }
        return changes;
    }
}
