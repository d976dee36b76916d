package dev.streamtemplate.runtime.lateness;

import java.time.Instant;
import java.util.function.Function;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * The processor that stands in front of a windowed aggregation and judges each record against the
 * task's stream time: on time (it still enters an open window) or late (every window it could enter
 * has closed). It forwards a {@link Verdict} for every on-time record and, under {@link LatePolicy#SIDE_OUTPUT}, for
 * every late one; under {@link LatePolicy#DROP} a late record is only counted. {@link LateEvents} splits the verdicts.
 *
 * <p>Stream time is {@link FixedKeyProcessorContext#currentStreamTimeMs()}: the highest record
 * timestamp the task has seen, including the current record (Kafka Streams docs, "Time"). It is
 * restored from the committed offsets after a restart, so a record is never let through to a window
 * that was already closed and emitted before the restart.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class LateEventRouter<K, V> implements FixedKeyProcessor<K, V, LateEventRouter.Verdict<V>> {

    /**
     * The router's judgement of one record: exactly one of the two fields is set.
     *
     * @param onTime the record value when it still enters an open window
     * @param late   the late event when it does not
     * @param <V>    value type
     */
    public record Verdict<V>(V onTime, LateEvent late) {
        /** Whether the record was late. */
        public boolean isLate() {
            return late != null;
        }
    }

    private final String aggregation;
    private final LatePolicy policy;
    private final Function<FixedKeyProcessorContext<K, Verdict<V>>, WindowClosure<K>> closureFactory;
    private final AggregationMetrics metrics;
    private FixedKeyProcessorContext<K, Verdict<V>> context;
    private WindowClosure<K> closure;
    private AggregationMetrics.TaskProgress progress;

    /**
     * @param aggregation    the aggregation's name, written into each {@link LateEvent}
     * @param policy         what happens to a late record besides being counted
     * @param closureFactory makes the window rule at {@code init}, when connected stores can be read
     * @param metrics        the aggregation's meters: late records and the task's stream time
     */
    public LateEventRouter(String aggregation, LatePolicy policy,
                           Function<FixedKeyProcessorContext<K, Verdict<V>>, WindowClosure<K>> closureFactory,
                           AggregationMetrics metrics) {
        this.aggregation = aggregation;
        this.policy = policy;
        this.closureFactory = closureFactory;
        this.metrics = metrics;
    }

    @Override
    public void init(FixedKeyProcessorContext<K, Verdict<V>> context) {
        this.context = context;
        this.closure = closureFactory.apply(context);
        this.progress = metrics.follow(closure);
    }

    @Override
    public void close() {
        if (progress != null) {
            metrics.forget(progress);
        }
    }

    @Override
    public void process(FixedKeyRecord<K, V> record) {
        long streamTime = context.currentStreamTimeMs();
        progress.observe(streamTime);
        var closed = closure.closedWindow(record.key(), record.timestamp(), streamTime);
        if (closed.isEmpty()) {
            context.forward(record.withValue(new Verdict<>(record.value(), null)));
            return;
        }
        metrics.lateEvent(policy);
        if (policy == LatePolicy.DROP) {
            return;
        }
        var window = closed.get();
        RecordMetadata origin = context.recordMetadata().orElse(null);
        LateEvent late = new LateEvent(aggregation,
                origin == null ? null : origin.topic(),
                origin == null ? -1 : origin.partition(),
                origin == null ? -1L : origin.offset(),
                String.valueOf(record.key()),
                Instant.ofEpochMilli(record.timestamp()),
                window.startInstant(), window.endInstant(),
                Instant.ofEpochMilli(streamTime),
                window.latenessMs(),
                record.value());
        context.forward(record.withValue(new Verdict<>(null, late)));
    }
}
