package dev.streamtemplate.runtime.lateness;

import dev.streamtemplate.runtime.lateness.LateEventRouter.Verdict;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;

/**
 * How one windowed aggregation handles late data, and the parts of its topology that follow from that: the router in
 * front of it, its windows' grace, its emit strategy, its store's caching and the step that turns its output into
 * {@link Revision}s. Under {@code side-output} and {@code drop} the windows close after {@code grace} and emit once
 * ({@code onWindowClose}, KIP-825), every result revision 0. Under {@code update} they take records for
 * {@code allowedLateness} after their end, emit every change ({@code onWindowUpdate}, record cache off), and
 * {@link WindowRevisions} turns the changes into revision 0 at {@code end + grace} and corrections after it.
 * Made by {@link LatePolicySettings#lateData}.
 *
 * <p>Changing an aggregation's policy to or from {@code update} changes the store Kafka Streams builds for it (a
 * time-ordered one for {@code onWindowClose}) under the same name and changelog: a running deployment needs an
 * application reset with its local state wiped, or a new {@code application.id}.
 *
 * @param aggregation     the aggregation's name: prefixes processor and store names, tags the meters
 * @param policy          its late-data policy
 * @param grace           the service's grace period: when a window's first final result is emitted, after its end
 * @param allowedLateness under {@code update}, how long after its end a window takes records (the windows' Kafka
 *                        Streams grace period); ignored otherwise
 */
public record LateDataHandling(String aggregation, LatePolicy policy, Duration grace, Duration allowedLateness) {

    /**
     * Checks the durations.
     *
     * @throws IllegalArgumentException under {@code update} when the allowed lateness is shorter than the grace
     * @throws NullPointerException     when an argument is null
     */
    public LateDataHandling {
        Objects.requireNonNull(aggregation, "aggregation");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(grace, "grace");
        Objects.requireNonNull(allowedLateness, "allowedLateness");
        if (policy == LatePolicy.UPDATE && allowedLateness.compareTo(grace) < 0) {
            throw new IllegalArgumentException(aggregation + ": the allowed lateness " + allowedLateness
                    + " is shorter than the grace period " + grace);
        }
    }

    /** The grace period to build the windows with: the allowed lateness under {@code update}, else the grace. */
    public Duration windowGrace() {
        return policy == LatePolicy.UPDATE ? allowedLateness : grace;
    }

    /**
     * Checks that the aggregation's store keeps a window as long as the windows take records, as Kafka Streams
     * requires when it builds the store, with a message naming the settings.
     *
     * @param retention         the store's retention ({@code <prefix>.store-retention})
     * @param span              what Kafka Streams adds to the grace: the window size (tumbling, hopping), twice the
     *                          span (sliding), the inactivity gap (sessions)
     * @param allowedLatenessKey the allowed lateness' configuration key, for the message
     * @throws IllegalArgumentException when {@code retention < span + windowGrace()}
     */
    public void requireRetention(Duration retention, Duration span, String allowedLatenessKey) {
        if (retention.compareTo(span.plus(windowGrace())) < 0) {
            throw new IllegalArgumentException(aggregation + ": the store retention " + retention + " is shorter than "
                    + span + " plus the windows' grace " + windowGrace()
                    + (policy == LatePolicy.UPDATE ? " (" + allowedLatenessKey + " under update)" : "")
                    + ": raise the store retention or lower the lateness");
        }
    }

    /** {@code onWindowUpdate} under {@code update}, else {@code onWindowClose}. */
    public EmitStrategy emitStrategy() {
        return policy == LatePolicy.UPDATE ? EmitStrategy.onWindowUpdate() : EmitStrategy.onWindowClose();
    }

    /**
     * The aggregation's store, with the record cache off under {@code update}: every change reaches
     * {@link WindowRevisions} at once and in order, session merges included.
     *
     * @param materialized the store as the aggregation declares it
     * @return {@code materialized}, without caching under {@code update}
     */
    public <K, V, S extends StateStore> Materialized<K, V, S> store(Materialized<K, V, S> materialized) {
        return policy == LatePolicy.UPDATE ? materialized.withCachingDisabled() : materialized;
    }

    /**
     * The late-event router in front of the aggregation ({@link LateEvents#divertLate}), with this policy; build
     * {@code closureFactory}'s windows with {@link #windowGrace()}.
     *
     * @param input          the aggregation's input, keyed as the aggregation groups
     * @param closureFactory the window rule, made at processor init
     * @param lateTopic      the late-events topic
     * @param keySerde       serde of the input key, for the late-events topic
     * @param registry       where the aggregation's meters are registered
     * @return the records the aggregation takes
     */
    public <K, V> KStream<K, V> divertLate(KStream<K, V> input,
                                           Function<FixedKeyProcessorContext<K, Verdict<V>>, WindowClosure<K>> closureFactory,
                                           String lateTopic, Serde<K> keySerde, MeterRegistry registry) {
        return LateEvents.divertLate(input, aggregation, policy, closureFactory, lateTopic, keySerde, registry);
    }

    /**
     * The results of tumbling or hopping windows ({@link WindowRevisions#timeWindows}): each window with its
     * {@link Revision}, all revision 0 unless under {@code update}.
     *
     * @param builder    where the revisions store is added under {@code update}
     * @param aggregated the aggregation's {@code toStream()}
     * @param keySerde   the aggregation's key serde
     * @param valueSerde the aggregate's serde
     * @return key {@code Windowed<K>}, value the window's result
     */
    public <K, V> KStream<Windowed<K>, Revision<V>> timeWindowResults(StreamsBuilder builder,
                                                                      KStream<Windowed<K>, V> aggregated,
                                                                      Serde<K> keySerde, Serde<V> valueSerde) {
        return results(builder, aggregated, () -> WindowRevisions.timeWindows(revisionsStore(), grace.toMillis(),
                allowedLateness.toMillis(), keySerde, valueSerde));
    }

    /**
     * The results of sliding windows ({@link WindowRevisions#slidingWindows}).
     *
     * @see #timeWindowResults
     */
    public <K, V> KStream<Windowed<K>, Revision<V>> slidingWindowResults(StreamsBuilder builder,
                                                                         KStream<Windowed<K>, V> aggregated,
                                                                         Serde<K> keySerde, Serde<V> valueSerde) {
        return results(builder, aggregated, () -> WindowRevisions.slidingWindows(revisionsStore(), grace.toMillis(),
                allowedLateness.toMillis(), keySerde, valueSerde));
    }

    /**
     * The results of session windows ({@link WindowRevisions#sessionWindows}); under {@code update} a session merged
     * away after its first result is retracted: the key with a {@code null} value.
     *
     * @param gap       the inactivity gap
     * @param retention the session store's retention, the same the aggregation is given: how long a session can
     *                  still be merged
     * @return as {@link #timeWindowResults}, and a {@code null} value for a retracted session
     * @see #timeWindowResults
     */
    public <K, V> KStream<Windowed<K>, Revision<V>> sessionWindowResults(StreamsBuilder builder,
                                                                         KStream<Windowed<K>, V> aggregated,
                                                                         Duration gap, Duration retention,
                                                                         Serde<K> keySerde, Serde<V> valueSerde) {
        return results(builder, aggregated, () -> WindowRevisions.sessionWindows(revisionsStore(), gap.toMillis(),
                grace.toMillis(), retention.toMillis(), keySerde, valueSerde));
    }

    /**
     * The store of {@link WindowRevisions} under {@code update}: {@code <aggregation>-revisions-store}, changelog
     * {@code <application.id>-<aggregation>-revisions-store-changelog}.
     */
    public String revisionsStore() {
        return aggregation + "-revisions-store";
    }

    private <K, V> KStream<Windowed<K>, Revision<V>> results(StreamsBuilder builder, KStream<Windowed<K>, V> aggregated,
                                                             Supplier<WindowRevisions<K, V>> revisions) {
        if (policy != LatePolicy.UPDATE) {
            return aggregated.mapValues(value -> new Revision<>(value, 0), Named.as(aggregation + "-revision-0"));
        }
        builder.addStateStore(WindowRevisions.storeBuilder(revisionsStore()));
        return aggregated.process(revisions::get, Named.as(aggregation + "-revisions"), revisionsStore());
    }
}
