package dev.streamtemplate.traffic;

import java.time.Instant;

/**
 * A browsing session, as HTTP queries answer it (on {@code user-sessions} with a revision,
 * {@link UserSessionRevision}): page views of a user with no gap longer than the inactivity gap between them.
 *
 * @param userId    the user
 * @param start     event time of the session's first page view
 * @param end       event time of its last page view (inclusive)
 * @param pageViews number of page views in the session
 */
public record UserSession(String userId, Instant start, Instant end, long pageViews) {
}
