package dev.streamtemplate.enrichment;

import dev.streamtemplate.schemas.UserChange;
import dev.streamtemplate.schemas.UserProfile;

/**
 * The latest applied change of one user, in store {@code user-versions-store} keyed by user id: the
 * version of that change and the profile it left, {@code null} after a {@code DELETE}. Deletes keep
 * their version here, so a stale or duplicate envelope cannot bring a deleted user back.
 *
 * @param version the {@code version} of the latest applied {@link UserChange}
 * @param profile the live profile, or {@code null} when the latest applied change was a delete
 */
public record UserVersion(long version, UserProfile profile) {

    /**
     * Whether {@code change} is newer than this version and so must be applied: versions increase by
     * one per change of a row in the source database, so an envelope with a version at or below the
     * stored one is a duplicate or arrived out of order.
     */
    public boolean isOlderThan(UserChange change) {
        return change.version() > version;
    }

    /** The version a change leaves: its {@code after} image, {@code null} for a delete. */
    public static UserVersion of(UserChange change) {
        return new UserVersion(change.version(), change.op() == UserChange.Operation.DELETE ? null : change.after());
    }
}
