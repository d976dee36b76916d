package dev.streamtemplate.runtime.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * Keeps out of {@code /q/metrics} the Kafka Streams metrics that are never recorded at the shipped
 * {@code metrics.recording.level=INFO}: Kafka Streams registers them at every level, and at INFO they
 * read 0 (or NaN) forever, which a dashboard would show as "nothing happens".
 *
 * <p>Denied (Micrometer names; Prometheus replaces dots by underscores): every
 * {@code kafka.stream.processor.node.*} metric except {@code record.e2e.latency.*}; every
 * {@code kafka.stream.task.*} metric except {@code dropped.records.*}, {@code active.process.ratio}
 * and the restore metrics ({@code restore.*}, KIP-869); every {@code kafka.stream.state.*} metric
 * except the RocksDB properties ({@link #STATE_STORE_INFO}); all of {@code kafka.stream.record.cache.*}.
 * Thread-level, client-level and topic-level (KIP-846) metrics stay. The levels are those of the
 * Kafka Streams documentation, "Monitoring" (docs/metrics.md lists what remains).
 *
 * <p>A service that sets {@code kafka-streams.metrics.recording.level=DEBUG} should drop this filter
 * ({@code quarkus.arc.exclude-types}), or those metrics stay hidden.
 */
public class RecordingLevelFilter {

    /** State-store metrics recorded at INFO: RocksDB properties (memory, size, compaction) and open iterators (KIP-989). */
    static final List<String> STATE_STORE_INFO = List.of(
            "num.immutable.mem.table", "cur.size.active.mem.table", "cur.size.all.mem.tables", "size.all.mem.tables",
            "num.entries.active.mem.table", "num.entries.imm.mem.tables", "num.deletes.active.mem.table",
            "num.deletes.imm.mem.tables", "mem.table.flush.pending", "num.running.flushes", "compaction.pending",
            "num.running.compactions", "estimate.pending.compaction.bytes", "total.sst.files.size",
            "live.sst.files.size", "num.live.versions", "block.cache.capacity", "block.cache.usage",
            "block.cache.pinned.usage", "estimate.num.keys", "estimate.table.readers.mem", "background.errors",
            "num.open.iterators");

    private static final String PROCESSOR = "kafka.stream.processor.node.";
    private static final String TASK = "kafka.stream.task.";
    private static final String STATE = "kafka.stream.state.";
    private static final String STATE_UPDATER = "kafka.stream.state.updater.";

    /**
     * The filter, applied by Quarkus Micrometer to every registry.
     *
     * @return a filter that denies the meters listed in the class comment and is neutral on all others
     */
    @Produces
    @Singleton
    public MeterFilter infoLevelOnly() {
        return new MeterFilter() {
            @Override
            public MeterFilterReply accept(Meter.Id id) {
                return recordedAtInfo(id.getName()) ? MeterFilterReply.NEUTRAL : MeterFilterReply.DENY;
            }
        };
    }

    /**
     * Whether Kafka Streams records the meter at the INFO level; true for every meter that is not a
     * Kafka Streams processor-node, task, state-store or record-cache metric.
     *
     * @param name the Micrometer meter name, such as {@code kafka.stream.state.put.rate}
     */
    static boolean recordedAtInfo(String name) {
        if (name.startsWith(PROCESSOR)) {
            return name.startsWith(PROCESSOR + "record.e2e.latency");
        }
        if (name.startsWith(TASK)) {
            String metric = name.substring(TASK.length());
            return metric.startsWith("dropped.records") || metric.equals("active.process.ratio")
                    || metric.startsWith("restore");
        }
        if (name.startsWith(STATE_UPDATER)) {
            return true;
        }
        if (name.startsWith(STATE)) {
            return STATE_STORE_INFO.contains(name.substring(STATE.length()));
        }
        return !name.startsWith("kafka.stream.record.cache.");
    }
}
