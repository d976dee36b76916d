package dev.streamtemplate.traffic;

import java.time.Instant;

/**
 * A sliding window in which a user made at least the burst threshold of purchases, as HTTP queries answer it (on
 * {@code purchase-bursts} with a revision, {@link PurchaseBurstRevision}). Kafka Streams' sliding windows are defined by the
 * records: each window {@code [windowStart, windowEnd]} (both inclusive) is one in which the set of
 * purchases changes, so a single burst can appear as several overlapping windows.
 *
 * @param userId      the user
 * @param windowStart window start, inclusive
 * @param windowEnd   window end, inclusive ({@code windowStart} + the sliding span)
 * @param purchases   purchases of the user in the window
 */
public record PurchaseBurst(String userId, Instant windowStart, Instant windowEnd, long purchases) {
}
