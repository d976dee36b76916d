package dev.streamtemplate.traffic;

import java.time.Instant;

/**
 * A result of one browsing session on {@code user-sessions}, keyed by {@link dev.streamtemplate.schemas.WindowKey}
 * ({@code <userId>@<start>}): {@link UserSession} and which result of the session it is. The latest record per key is
 * the session; a tombstone retracts a session that a late page view merged into another (late-data policy
 * {@code update}).
 *
 * @param userId    the user
 * @param start     event time of the session's first page view
 * @param end       event time of its last page view (inclusive)
 * @param pageViews number of page views in the session
 * @param revision  0 for the first final result, n for the n-th correction
 */
public record UserSessionRevision(String userId, Instant start, Instant end, long pageViews, int revision) {
}
