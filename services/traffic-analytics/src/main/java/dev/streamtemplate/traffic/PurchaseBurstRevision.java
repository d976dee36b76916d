package dev.streamtemplate.traffic;

import java.time.Instant;

/**
 * A result of one sliding window that reached the burst threshold, on {@code purchase-bursts}, keyed by
 * {@link dev.streamtemplate.schemas.WindowKey} ({@code <userId>@<windowStart>}): {@link PurchaseBurst} and which
 * result of the window it is. The latest record per key is the burst. Under the late-data policy {@code update} a
 * window can first reach the threshold in a correction, so its first record here may have a revision above 0.
 *
 * @param userId      the user
 * @param windowStart window start, inclusive
 * @param windowEnd   window end, inclusive
 * @param purchases   purchases of the user in the window
 * @param revision    0 for the window's first final result, n for its n-th correction
 */
public record PurchaseBurstRevision(String userId, Instant windowStart, Instant windowEnd, long purchases, int revision) {
}
