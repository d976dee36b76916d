package dev.streamtemplate.runtime.lateness;

import dev.streamtemplate.runtime.lateness.LateEventRouter.Verdict;
import dev.streamtemplate.schemas.JsonSerde;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;

/**
 * Wires a {@link LateEventRouter} in front of a windowed aggregation: on-time records continue to the
 * aggregation; late records go to the late-events topic or are only counted, as the aggregation's
 * {@link LatePolicy} says. The topology is the same under every policy (the late branch and its sink
 * exist under {@code drop} too), so changing the policy renames nothing.
 *
 * <p>Place the returned stream directly before {@code groupByKey().windowedBy(...)} with no
 * repartition in between, so the router and the aggregation run in the same task and see the same
 * records in the same order. Processor names, all derived from {@code aggregation}:
 * {@code <aggregation>-lateness}, {@code <aggregation>-late}, {@code <aggregation>-on-time},
 * {@code <aggregation>-late-event}, {@code <aggregation>-late-events-sink},
 * {@code <aggregation>-on-time-value}.
 */
public final class LateEvents {

    private static final Serde<LateEvent> LATE_EVENT_SERDE = JsonSerde.of(LateEvent.class);

    private LateEvents() {
    }

    /**
     * Routes late records of {@code input} to {@code lateTopic} and returns the on-time ones.
     *
     * @param input          the aggregation's input, keyed as the aggregation groups
     * @param aggregation    the aggregation's name; prefixes the processor names, tags the meters
     * @param policy         what happens to late records
     * @param closureFactory the window rule, made at processor init (see {@link WindowClosure})
     * @param lateTopic      the late-events topic
     * @param keySerde       serde of the input key, for the late-events topic
     * @param registry       where the aggregation's meters are registered ({@link AggregationMetrics})
     * @return the on-time records, unchanged
     */
    public static <K, V> KStream<K, V> divertLate(KStream<K, V> input, String aggregation, LatePolicy policy,
                                                  Function<FixedKeyProcessorContext<K, Verdict<V>>, WindowClosure<K>> closureFactory,
                                                  String lateTopic, Serde<K> keySerde, MeterRegistry registry) {
        AggregationMetrics metrics = AggregationMetrics.register(registry, aggregation, policy);
        KStream<K, Verdict<V>> judged = input.processValues(
                () -> new LateEventRouter<>(aggregation, policy, closureFactory, metrics),
                Named.as(aggregation + "-lateness"));
        var branches = judged.split(Named.as(aggregation + "-"))
                .branch((key, verdict) -> verdict.isLate(), Branched.as("late"))
                .defaultBranch(Branched.as("on-time"));
        branches.get(aggregation + "-late")
                .mapValues(Verdict::late, Named.as(aggregation + "-late-event"))
                .to(lateTopic, Produced.with(keySerde, LATE_EVENT_SERDE).withName(aggregation + "-late-events-sink"));
        return branches.get(aggregation + "-on-time")
                .mapValues(Verdict::onTime, Named.as(aggregation + "-on-time-value"));
    }

    /**
     * Gives the router of {@code aggregation} read access to the aggregation's own store, which the
     * session rule needs. Call on the built topology: the DSL creates the store only at the
     * aggregation, downstream of the router, so it cannot be named when the router is added.
     *
     * @param topology    the built topology
     * @param aggregation the name given to {@link #divertLate}
     * @param storeName   the aggregation's store
     * @return {@code topology}
     * @throws org.apache.kafka.streams.errors.TopologyException when either name is unknown
     */
    public static Topology connectStore(Topology topology, String aggregation, String storeName) {
        topology.connectProcessorAndStateStores(aggregation + "-lateness", storeName);
        return topology;
    }
}
