package dev.streamtemplate.runtime.lateness;

/**
 * One result of a window: the window's value and which result of that window it is, 0 for the first final result and
 * n for the n-th correction (only under the {@code update} late-data policy, {@link WindowRevisions}).
 *
 * @param value    the window's aggregate
 * @param revision 0, 1, 2, ... per window, in the order emitted
 * @param <V>      the aggregate's type
 */
public record Revision<V>(V value, int revision) {
}
