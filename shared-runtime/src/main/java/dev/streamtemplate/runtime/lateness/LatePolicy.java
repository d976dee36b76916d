package dev.streamtemplate.runtime.lateness;

import java.util.Locale;

/**
 * What a windowed aggregation does with a record that arrives after every window it belongs to has closed (its
 * {@link WindowClosure} says so at the task's stream time). Configured per aggregation; in configuration the values
 * are written {@code side-output}, {@code drop} and {@code update}. A record that is not taken in is counted in
 * {@code late.events} ({@code late_events_total}) with the aggregation and the policy as tags, so no record
 * disappears uncounted.
 *
 * <p>The choices are those of the Dataflow model's allowed lateness (Akidau et al., "The Dataflow Model", VLDB 2015)
 * and Flink's side outputs for late data (Flink docs, "Windows", Allowed Lateness).
 */
public enum LatePolicy {

    /** The record goes to {@code late-events} as a {@link LateEvent}, naming its origin and the closed window: the default. */
    SIDE_OUTPUT,

    /** The record is only counted; nothing is written to a topic. */
    DROP,

    /**
     * Windows keep taking records until an allowed lateness after their end (longer than the grace period): each
     * record that arrives after a window's first final result corrects it, as its next revision
     * ({@link WindowRevisions}). A record later than the allowed lateness goes to {@code late-events}, as under
     * {@link #SIDE_OUTPUT}.
     */
    UPDATE;

    /**
     * The policy as configuration writes it and the {@code policy} tag of {@code late.events} shows it:
     * {@code side-output}, {@code drop}, {@code update}.
     */
    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
