package dev.streamtemplate.runtime.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * Which Kafka metrics reach {@code /q/metrics}. Two kinds are kept out (Micrometer names; Prometheus replaces dots
 * by underscores):
 * <ol>
 *   <li>Kafka Streams metrics never recorded at the shipped {@code metrics.recording.level=INFO}: Kafka Streams
 *       registers them at every level and they would read 0 or NaN forever. Every {@code kafka.stream.processor.node.*}
 *       metric except {@code record.e2e.latency.*}; every {@code kafka.stream.task.*} metric except
 *       {@code dropped.records.*}, {@code active.process.ratio} and {@code restore.remaining.records.total} (KIP-869); all of
 *       {@code kafka.stream.record.cache.*}; the RocksDB statistics of {@code kafka.stream.state.*} (levels from the
 *       Kafka Streams documentation, "Monitoring").</li>
 *   <li>Metrics per partition or per store that no dashboard, alert or runbook uses, because their series grow with
 *       the partitions an instance runs: RocksDB properties other than {@link #STATE_STORE_EXPORTED}, and the
 *       consumers' per-partition {@code records.lag.avg}, {@code records.lead*} and {@code preferred.read.replica}.</li>
 * </ol>
 * Everything else passes: thread, client and topic-level (KIP-846) metrics, the state updater's, the clients'.
 * docs/metrics.md lists what remains. A service that sets {@code kafka-streams.metrics.recording.level=DEBUG}, or
 * wants every RocksDB property, excludes this filter ({@code quarkus.arc.exclude-types}).
 */
public class KafkaMetricsFilter {

    /** State-store metrics exported: RocksDB's memory, size and errors (INFO level), and open iterators (KIP-989). */
    static final List<String> STATE_STORE_EXPORTED = List.of("size.all.mem.tables", "block.cache.capacity",
            "block.cache.usage", "block.cache.pinned.usage", "estimate.num.keys", "estimate.table.readers.mem",
            "total.sst.files.size", "live.sst.files.size", "background.errors", "num.open.iterators");

    private static final String PROCESSOR = "kafka.stream.processor.node.";
    private static final String TASK = "kafka.stream.task.";
    private static final String STATE = "kafka.stream.state.";
    private static final String STATE_UPDATER = "kafka.stream.state.updater.";
    private static final String FETCH = "kafka.consumer.fetch.manager.";
    private static final List<String> FETCH_PER_PARTITION_LEFT_OUT = List.of("records.lag.avg", "records.lead",
            "records.lead.avg", "records.lead.min", "preferred.read.replica");

    /**
     * The filter, applied by Quarkus Micrometer to every registry.
     *
     * @return a filter that denies the meters listed in the class comment and is neutral on all others
     */
    @Produces
    @Singleton
    public MeterFilter kafkaMetricsExported() {
        return new MeterFilter() {
            @Override
            public MeterFilterReply accept(Meter.Id id) {
                return exported(id.getName(), id.getTag("partition") != null) ? MeterFilterReply.NEUTRAL
                        : MeterFilterReply.DENY;
            }
        };
    }

    /**
     * Whether the meter is exported; true for every meter that is not a Kafka metric of the kinds the class comment
     * lists.
     *
     * @param name         the Micrometer meter name, such as {@code kafka.stream.state.put.rate}
     * @param perPartition whether the meter has a {@code partition} tag
     */
    static boolean exported(String name, boolean perPartition) {
        if (name.startsWith(PROCESSOR)) {
            return name.startsWith(PROCESSOR + "record.e2e.latency");
        }
        if (name.startsWith(TASK)) {
            String metric = name.substring(TASK.length());
            return metric.startsWith("dropped.records") || metric.equals("active.process.ratio")
                    || metric.equals("restore.remaining.records.total");
        }
        if (name.startsWith(STATE_UPDATER)) {
            return true;
        }
        if (name.startsWith(STATE)) {
            return STATE_STORE_EXPORTED.contains(name.substring(STATE.length()));
        }
        if (perPartition && name.startsWith(FETCH)) {
            return !FETCH_PER_PARTITION_LEFT_OUT.contains(name.substring(FETCH.length()));
        }
        return !name.startsWith("kafka.stream.record.cache.");
    }
}
