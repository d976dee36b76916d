package dev.streamtemplate.runtime.lateness;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;

/**
 * The event-time meters of one windowed aggregation on this instance, fed by its {@link LateEventRouter}s
 * (one per active task), all tagged {@code aggregation} (Prometheus names in brackets):
 * <ul>
 *   <li>{@code late.events} ({@code late_events_total}): records that arrived after their windows had
 *       closed, also tagged {@code policy} ({@link LatePolicy#configName()}: {@code side-output} for those
 *       routed to the late-events topic, {@code drop} for those only counted); it counts processing
 *       attempts, so after a crash re-processed late records count again while the topic holds each once;</li>
 *   <li>{@code aggregation.stream.time} ({@code aggregation_stream_time_seconds}): the lowest stream
 *       time among this instance's tasks of the aggregation that have seen a record, epoch seconds;
 *       NaN before any record;</li>
 *   <li>{@code aggregation.watermark.lag} ({@code aggregation_watermark_lag_seconds}): the wall
 *       clock minus that stream time, seconds: how far event time trails real time here;</li>
 *   <li>{@code aggregation.oldest.open.window.age} ({@code aggregation_oldest_open_window_age_seconds}):
 *       the wall clock minus the start of the oldest window still open
 *       ({@link WindowClosure#oldestOpenWindowStart}), seconds.</li>
 * </ul>
 * One series per meter and aggregation, however many partitions the instance runs. Stream time is
 * the task's, as {@link LateEventRouter} reads it (Kafka Streams docs, "Time").
 */
public final class AggregationMetrics {

    private static final Map<MeterRegistry, Map<String, AggregationMetrics>> REGISTERED = new WeakHashMap<>();

    private final MeterRegistry registry;
    private final String aggregation;
    private final Map<LatePolicy, Counter> lateEvents = new ConcurrentHashMap<>();
    private final Set<TaskProgress> tasks = ConcurrentHashMap.newKeySet();
    private final Clock clock;

    private AggregationMetrics(MeterRegistry registry, String aggregation, Clock clock) {
        this.clock = clock;
        this.registry = registry;
        this.aggregation = aggregation;
        Gauge.builder("aggregation.stream.time", this, m -> m.lowest(TaskProgress::streamTime) / 1000.0)
                .description("Lowest stream time (highest event time seen) among this instance's tasks of the aggregation, epoch seconds")
                .tag("aggregation", aggregation)
                .baseUnit("seconds")
                .register(registry);
        Gauge.builder("aggregation.watermark.lag", this, m -> m.ageOf(m.lowest(TaskProgress::streamTime)))
                .description("Wall clock minus the aggregation's stream time on this instance, seconds")
                .tag("aggregation", aggregation)
                .baseUnit("seconds")
                .register(registry);
        Gauge.builder("aggregation.oldest.open.window.age", this, m -> m.ageOf(m.lowest(TaskProgress::oldestOpenWindowStart)))
                .description("Wall clock minus the start of the aggregation's oldest window still open on this instance, seconds")
                .tag("aggregation", aggregation)
                .baseUnit("seconds")
                .register(registry);
    }

    /**
     * Registers the meters of {@code aggregation}, or finds them when already registered, with the {@code late.events}
     * series of {@code policy} at 0.
     *
     * @param registry    the meter registry exported at {@code /q/metrics}
     * @param aggregation the aggregation's name, as given to {@link LateEvents#divertLate}
     * @param policy      the aggregation's late-data policy
     * @return the aggregation's meters
     */
    public static AggregationMetrics register(MeterRegistry registry, String aggregation, LatePolicy policy) {
        Clock clock = Clock.systemUTC();
        AggregationMetrics metrics;
        // a gauge stays bound to the object it was registered with: a second topology built on the
        // same registry (tests) must feed the same one
        synchronized (REGISTERED) {
            metrics = REGISTERED.computeIfAbsent(registry, r -> new HashMap<>())
                    .computeIfAbsent(aggregation, a -> new AggregationMetrics(registry, a, clock));
        }
        metrics.lateEvents(policy);
        return metrics;
    }

    /** Counts one late record that {@code policy} handled. */
    void lateEvent(LatePolicy policy) {
        lateEvents(policy).increment();
    }

    private Counter lateEvents(LatePolicy policy) {
        return lateEvents.computeIfAbsent(policy, p -> Counter.builder("late.events")
                .description("Records that arrived after the windows they belong to had closed, by the aggregation's late-data policy")
                .tag("aggregation", aggregation)
                .tag("policy", p.configName())
                .register(registry));
    }

    /** Starts following one task's stream time; the task's router calls it at {@code init}. */
    TaskProgress follow(WindowClosure<?> closure) {
        TaskProgress task = new TaskProgress(closure);
        tasks.add(task);
        return task;
    }

    /** Stops following a task that left this instance or closed; its router calls it at {@code close}. */
    void forget(TaskProgress task) {
        tasks.remove(task);
    }

    private double lowest(ToLongFunction<TaskProgress> time) {
        long lowest = Long.MAX_VALUE;
        for (TaskProgress task : tasks) {
            if (task.streamTime >= 0) {
                lowest = Math.min(lowest, time.applyAsLong(task));
            }
        }
        return lowest == Long.MAX_VALUE ? Double.NaN : lowest;
    }

    private double ageOf(double epochMs) {
        return (clock.millis() - epochMs) / 1000.0;
    }

    /** One task's stream time as its router last saw it; -1 before its first record. */
    static final class TaskProgress {
        private final WindowClosure<?> closure;
        private volatile long streamTime = -1;

        private TaskProgress(WindowClosure<?> closure) {
            this.closure = closure;
        }

        void observe(long streamTimeMs) {
            streamTime = streamTimeMs;
        }

        long streamTime() {
            return streamTime;
        }

        long oldestOpenWindowStart() {
            return closure.oldestOpenWindowStart(streamTime);
        }
    }
}
