package dev.streamtemplate.runtime.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which Kafka meters {@link KafkaMetricsFilter} lets through, on a registry it is applied to. */
class KafkaMetricsFilterTest {

    @Test
    void keepsWhatIsRecordedAtInfoAndUsedAndLeavesOutTheRest() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        registry.config().meterFilter(new KafkaMetricsFilter().kafkaMetricsExported());
        List<String> kept = List.of("kafka.stream.processor.node.record.e2e.latency.avg",
                "kafka.stream.task.dropped.records.total", "kafka.stream.task.active.process.ratio",
                "kafka.stream.task.restore.remaining.records.total", "kafka.stream.state.block.cache.usage",
                "kafka.stream.state.size.all.mem.tables", "kafka.stream.state.updater.active.restoring.tasks",
                "kafka.stream.thread.commit.latency.avg", "kafka.stream.topic.records.consumed.total",
                "kafka.consumer.fetch.manager.records.lag", "kafka.consumer.fetch.manager.records.lag.max",
                "late.events", "query.latency");
        List<String> leftOut = List.of("kafka.stream.processor.node.process.total", "kafka.stream.task.process.latency.avg",
                "kafka.stream.task.restore.total", "kafka.stream.task.restore.rate", "kafka.stream.state.put.rate",
                "kafka.stream.state.num.live.versions", "kafka.stream.record.cache.hit.ratio.avg",
                "kafka.consumer.fetch.manager.records.lead", "kafka.consumer.fetch.manager.preferred.read.replica");
        for (String name : kept) {
            Gauge.builder(name, () -> 1).tag("partition", "0").register(registry);
        }
        for (String name : leftOut) {
            Gauge.builder(name, () -> 1).tag("partition", "0").register(registry);
        }
        // the consumer's lead is only left out per partition: its client-level aggregate stays
        Counter.builder("kafka.consumer.fetch.manager.records.lead.min").register(registry);

        assertThat(registry.getMeters()).extracting(meter -> meter.getId().getName())
                .containsExactlyInAnyOrderElementsOf(concat(kept, "kafka.consumer.fetch.manager.records.lead.min"));
    }

    private static List<String> concat(List<String> names, String more) {
        List<String> all = new java.util.ArrayList<>(names);
        all.add(more);
        return all;
    }
}
